/**
 * What real people write under a listing: questions about the item, offers, pickup logistics,
 * the odd story, in their own style (some write in lower case, skip the full stop, use "u",
 * make a typo). A comment is one to three sentences drawn from many kinds of remark, about the
 * listing actually on the page (its item and price), so no two people's comments share a
 * template, while short common ones ("Is this still available?") do recur, as they do for real.
 * No links: people on a marketplace rarely post them.
 */
import type { Random } from '../random.js';

export interface ListingFacts {
  /** "espresso machine": the listing's item, without its condition word. */
  readonly item: string;
  readonly price: number;
}

const WHEN = [
  'this weekend',
  'tomorrow evening',
  'on Saturday morning',
  'after 6pm today',
  'sometime Thursday',
  'on my lunch break',
  'Sunday afternoon',
  'later this week',
];
const AREAS = [
  'Riverside',
  'the north end',
  'Oakwood',
  'downtown',
  'near the station',
  'Elm Park',
  'the old town',
  'Westfield',
];
const RELATIVES = ['daughter', 'son', 'partner', 'dad', 'mum', 'sister', 'brother', 'flatmate', 'nephew'];
const OPENERS = ['', '', '', 'Hi!', 'Hello,', 'Hey', 'Hi there,', 'Good morning!', 'Hiya,', 'Hello there!'];
const CLOSERS = [
  '',
  '',
  '',
  'Thanks!',
  'Cheers',
  'Thanks in advance.',
  'thx',
  'Have a good one!',
  'Many thanks.',
  'Thank you :)',
];

type Frame = (random: Random, facts: ListingFacts) => string;

const offer = (random: Random, price: number): string =>
  `$${Math.max(5, Math.round((price * random.between(0.65, 0.92)) / 5) * 5)}`;

const FRAMES: readonly Frame[] = [
  () => 'Is this still available?',
  (_, f) => `Is the ${f.item} still for sale?`,
  (r) => `Still available? I could pick it up ${r.pick(WHEN)}.`,
  () => 'Do you still have this?',
  () => 'Are there any scratches or dents on it?',
  (_, f) => `How old is the ${f.item}, roughly?`,
  () => 'Does everything work as it should?',
  () => 'Any issues I should know about?',
  () => 'Has it been used much?',
  (_, f) => `Could you post a couple more photos of the ${f.item}?`,
  (r, f) => `Would you take ${offer(r, f.price)} for it?`,
  () => 'Is the price negotiable at all?',
  (r, f) => `I can do ${offer(r, f.price)} cash if that works for you.`,
  (r, f) => `Any flexibility on price? ${offer(r, f.price)} maybe?`,
  (r) => `I'm in ${r.pick(AREAS)}, could I collect it ${r.pick(WHEN)}?`,
  () => 'Do you ship, or is it pickup only?',
  (r) => `Could you post it to ${r.pick(AREAS)}? Happy to cover shipping.`,
  (r) => `What time works for pickup ${r.pick(WHEN)}?`,
  (_, f) => `Looks great, exactly the kind of ${f.item} I've been after.`,
  () => "This is exactly what I've been looking for!",
  (r, f) => `My ${r.pick(RELATIVES)} had a ${f.item} just like this one.`,
  () => "Bought something similar last year and it's been great.",
  () => "We're moving into a new place so this would be perfect.",
  (r, f) => `Need a ${f.item} for my ${r.pick(RELATIVES)}'s birthday, is it in good shape?`,
  (_, f) => `Does the ${f.item} come with the original box?`,
  () => 'Can I come and see it before buying?',
  () => 'Do you have the receipt or the manual?',
  (_, f) => `Why are you selling the ${f.item}?`,
  (r) => `Could you hold it for me until ${r.pick(['Friday', 'the weekend', 'Monday', 'payday'])}?`,
  () => 'Is there a smoke-free home? Just asking because of allergies.',
  (_, f) => `Bought a ${f.item} from this seller before, very smooth.`,
  () => 'Would you accept a bank transfer?',
  (r, f) => `Saw a ${f.item} like this for ${offer(r, f.price * 1.2)} in the shop, this is a good price.`,
  () => 'Is the colour like in the picture?',
  () => "I'll take it if it's still there tomorrow.",
];

export function humanComment(random: Random, facts: ListingFacts): string {
  const count = random.weighted({ one: 60, two: 32, three: 8 });
  const sentences: string[] = [];
  const used = new Set<number>();
  const wanted = count === 'one' ? 1 : count === 'two' ? 2 : 3;
  while (sentences.length < wanted) {
    const index = random.below(FRAMES.length);
    if (used.has(index)) continue;
    used.add(index);
    sentences.push((FRAMES[index] as Frame)(random, facts));
  }
  const opener = random.pick(OPENERS);
  const closer = random.pick(CLOSERS);
  const text = [opener, ...sentences, closer].filter((part) => part !== '').join(' ');
  return personalStyle(random, text);
}

/** One person's way of typing. */
function personalStyle(random: Random, text: string): string {
  let out = text;
  if (random.chance(0.15)) out = out.toLowerCase();
  if (random.chance(0.2)) out = out.replace(/[.!]$/, '');
  if (random.chance(0.06)) out = out.replace(/\byou\b/g, 'u');
  if (random.chance(0.05)) out = out.replace(/!/g, '!!');
  if (random.chance(0.06)) out = swapTwoLetters(random, out);
  return out;
}

function swapTwoLetters(random: Random, text: string): string {
  const at = random.below(Math.max(1, text.length - 2));
  const a = text.charAt(at);
  const b = text.charAt(at + 1);
  if (!/[a-z]/.test(a) || !/[a-z]/.test(b)) return text;
  return text.slice(0, at) + b + a + text.slice(at + 2);
}
