/**
 * Accounts as bulk-signup bots make them: throwaway mail domains, local parts built by a
 * pattern (name plus a long digit run, random strings, a numbered series), and the Gmail tricks
 * that turn one real mailbox into hundreds of "different" addresses (dots anywhere in the local
 * part, `+tags`, upper case, googlemail.com). Usernames are derived from the local part, as
 * signup scripts do, and a campaign reuses one password.
 */
import type { Random } from '../random.js';
import { DISPOSABLE_DOMAINS, FIRST_NAMES, LAST_NAMES } from './names.js';

export type FakeEmailStyle = 'disposable' | 'patterned' | 'gmail-tricks';

export interface FakeAccount {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly style: FakeEmailStyle;
}

/** One campaign's shared choices: its mailbox for the Gmail tricks, its series word, its password. */
export interface FakeAccountCampaign {
  readonly mailbox: string;
  readonly series: string;
  readonly password: string;
}

export function fakeAccountCampaign(random: Random): FakeAccountCampaign {
  return {
    mailbox: `${random.pick(FIRST_NAMES)}${random.pick(LAST_NAMES)}${random.int(100, 9999)}`,
    series: random.pick(['promo', 'shop', 'deal', 'store', 'best', 'market']),
    password: random.pick(['Qwerty123!', 'Passw0rd!', 'Aa123456!', 'Welcome2024!', 'Zxcvbn12#']),
  };
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The `index`-th account of a campaign. */
export function fakeAccount(
  random: Random,
  campaign: FakeAccountCampaign,
  index: number,
  style: FakeEmailStyle,
): FakeAccount {
  switch (style) {
    case 'disposable': {
      const local = patternedLocal(random, campaign, index);
      return {
        username: local,
        email: `${local}@${random.pick(DISPOSABLE_DOMAINS)}`,
        password: campaign.password,
        style,
      };
    }
    case 'patterned': {
      const local = patternedLocal(random, campaign, index);
      return {
        username: local,
        email: `${local}@${random.pick(['gmail.com', 'outlook.com', 'yahoo.com', 'hotmail.com'])}`,
        password: campaign.password,
        style,
      };
    }
    case 'gmail-tricks': {
      const local = gmailVariant(random, campaign.mailbox, index);
      const username = `${campaign.mailbox.slice(0, 24)}_${index}`;
      return {
        username,
        email: `${local}@${random.chance(0.2) ? 'googlemail.com' : 'gmail.com'}`,
        password: campaign.password,
        style,
      };
    }
  }
}

function patternedLocal(random: Random, campaign: FakeAccountCampaign, index: number): string {
  switch (random.below(4)) {
    case 0:
      return `${random.pick(FIRST_NAMES)}${random.pick(LAST_NAMES)}${random.int(1000, 99999)}`;
    case 1: {
      let out = '';
      const length = random.int(8, 12);
      for (let i = 0; i < length; i++) out += LOWER.charAt(random.below(i === 0 ? 26 : LOWER.length));
      return out;
    }
    case 2:
      return `user${random.int(100000, 999999)}`;
    default:
      return `${campaign.series}_${String(index).padStart(3, '0')}${LOWER.charAt(random.below(26))}`;
  }
}

/** One mailbox, written differently: dots, a +tag, capitals; Gmail delivers all of them to the same inbox. */
function gmailVariant(random: Random, mailbox: string, index: number): string {
  let local = '';
  for (let i = 0; i < mailbox.length; i++) {
    local += mailbox.charAt(i);
    if (i < mailbox.length - 1 && random.chance(0.15)) local += '.';
  }
  if (random.chance(0.6)) local += `+${random.pick(['shop', 'deal', 'x', 'acc', ''])}${index}`;
  if (random.chance(0.15)) local = local.charAt(0).toUpperCase() + local.slice(1);
  return local;
}
