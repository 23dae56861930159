/**
 * Comment spam as campaigns post it: one template per campaign, spun with synonyms
 * ("{Great|Nice|Awesome}") so no two posts are byte-identical, carrying the thing the campaign
 * exists for: a link, a messaging handle, a phone number. The links point at made-up domains on
 * cheap TLDs and at URL shorteners, with a random path per post, as real campaigns rotate them
 * to dodge exact-match filters.
 */
import type { Random } from '../random.js';

const TEMPLATES = [
  '{Hi|Hello|Hey} {friend|dear|there}! {Get|Grab|Find} {this|similar items|the same thing} {50%|60%|70%|80%} {cheaper|off} at {link} {🔥|👍|!!|}',
  '{Earn|Make} {$300|$500|$700} {a day|per day|daily} {from home|working online}. {Message|Contact|Text} me on {WhatsApp|Telegram} {contact} {for details|to start|now}',
  '{Great|Nice|Awesome} {item|listing|product}! {Check|Visit|See} my {profile|shop|store} for {better deals|more items|discounts}: {link}',
  '{Crypto|Bitcoin} {investment|trading} {opportunity|signals}: {doubled|tripled} my money in {a week|5 days}. {Ask|Contact} {Mr. Daniel|Mrs. Olivia|coach James} on {Telegram|WhatsApp} {contact}',
  '{Want|Looking for} {original|authentic|genuine} {designer bags|sneakers|watches} {at factory price|for less}? {Visit|Order at|Shop} {link} {free shipping|fast delivery|}',
] as const;

export const SPAM_TEMPLATE_COUNT = TEMPLATES.length;

const SHORTENERS = ['bit.ly', 'tinyurl.com', 'cutt.ly', 'rb.gy', 'shorturl.at'];
const SPAM_SITES = [
  'deals-outlet',
  'mega-discount',
  'luxbrands-sale',
  'cheap-market',
  'best-price-club',
  'factory-direct',
];
const SPAM_TLDS = ['top', 'xyz', 'shop', 'online', 'store', 'click'];
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function code(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC.charAt(random.below(ALPHANUMERIC.length));
  return out;
}

function link(random: Random): string {
  return random.chance(0.5)
    ? `https://${random.pick(SHORTENERS)}/${code(random, 7)}`
    : `https://${random.pick(SPAM_SITES)}.${random.pick(SPAM_TLDS)}/${code(random, 5).toLowerCase()}`;
}

function contact(random: Random): string {
  // 555-01xx numbers and +44 7700 900xxx are reserved for fiction: no real person gets these.
  return random.pick([
    `+1 555 01${random.int(10, 99)}`,
    `+44 7700 900${random.int(100, 999)}`,
    `@${random.pick(['fastprofit', 'dealzone', 'richlife', 'cryptoking', 'luxdeals'])}_${random.int(10, 99)}`,
  ]);
}

/** A post of campaign `template` (0 … SPAM_TEMPLATE_COUNT-1), spun anew. */
export function spamComment(random: Random, template: number): string {
  const text = TEMPLATES[template % TEMPLATES.length] as string;
  return text
    .replace(/\{([^{}]*)\}/g, (_, body: string) => {
      if (body === 'link') return link(random);
      if (body === 'contact') return contact(random);
      return random.pick(body.split('|'));
    })
    .replace(/\s+/g, ' ')
    .trim();
}
