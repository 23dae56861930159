/**
 * The marketplace's listings and their comments.
 *
 * Forty listings are generated deterministically at start (ids 1–40), so tests and the simulator
 * can name them. The list never changes, so its JSON is built once: `GET /api/listings` is the
 * cheapest route of the demo, as the upstream of benchmarks should be. A listing's JSON with its
 * comments is cached until the next comment on it.
 *
 * Comments are bounded: a listing keeps its latest 200 (bots may post millions in a simulation);
 * ids keep counting, so a comment's id stays unique.
 */
import { seededRandom } from './seeded-random.js';
import { generateDemoUsers } from './users.js';

export interface Listing {
  readonly id: number;
  readonly title: string;
  /** In US dollars, at most two decimals. */
  readonly price: number;
  readonly seller: string;
}

export interface ListingDetail extends Listing {
  readonly description: string;
  readonly comments: readonly ListingComment[];
}

export interface ListingComment {
  readonly id: number;
  readonly author: string;
  readonly text: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

export const DEMO_LISTING_COUNT = 40;
export const COMMENTS_KEPT_PER_LISTING = 200;
/** Longest comment accepted, in UTF-16 code units after trimming. */
export const COMMENT_TEXT_LIMIT = 2000;

const LISTING_SEED = 0x5eed_0002;
const CONDITIONS = ['Vintage', 'Like-new', 'Barely used', 'Handmade', 'Refurbished', 'Classic', 'Compact', 'Sturdy'];
const ITEMS = [
  'road bike',
  'espresso machine',
  'oak bookshelf',
  'film camera',
  'acoustic guitar',
  'standing desk',
  'hiking backpack',
  'record player',
  'cast-iron skillet',
  'mechanical keyboard',
  'reading lamp',
  'wool rug',
  'tent for two',
  'drone',
  'sewing machine',
  'bread maker',
  'ski jacket',
  'telescope',
  'camping stove',
  'office chair',
];
const NOTES = [
  'Pick-up only, evenings and weekends.',
  'Ships within two days, tracked.',
  'Small scratches, works perfectly.',
  'Original box and manual included.',
  'Selling because I am moving.',
];

interface Entry {
  readonly listing: Listing;
  readonly description: string;
  comments: ListingComment[];
  /** JSON of the detail, rebuilt lazily after a new comment. */
  detailJson: string | null;
}

export class Listings {
  readonly all: readonly Listing[];
  /** `GET /api/listings`, built once. */
  readonly listJson: Buffer;
  private readonly entries: readonly Entry[];
  private lastCommentId = 0;

  constructor(count: number = DEMO_LISTING_COUNT) {
    const random = seededRandom(LISTING_SEED);
    const sellers = generateDemoUsers(12).map((user) => user.username);
    this.entries = Array.from({ length: count }, (_, index): Entry => {
      const item = ITEMS[index % ITEMS.length] as string;
      const title = `${random.pick(CONDITIONS)} ${item}`;
      const cents = (10 + random.below(490)) * 100 + (random.next() < 0.5 ? 0 : 99);
      const listing = { id: index + 1, title, price: cents / 100, seller: random.pick(sellers) };
      const description = `${title}, offered by ${listing.seller}. ${random.pick(NOTES)}`;
      return { listing, description, comments: [], detailJson: null };
    });
    this.all = this.entries.map((entry) => entry.listing);
    this.listJson = Buffer.from(JSON.stringify(this.all));
  }

  /** The listing named by a route parameter: a canonical decimal id ("7", not "07" or "7.0"). */
  find(id: string | undefined): Listing | undefined {
    return this.entry(id)?.listing;
  }

  detail(listing: Listing): ListingDetail {
    const entry = this.entries[listing.id - 1] as Entry;
    return { ...listing, description: entry.description, comments: entry.comments };
  }

  detailJson(listing: Listing): string {
    const entry = this.entries[listing.id - 1] as Entry;
    entry.detailJson ??= JSON.stringify(this.detail(listing));
    return entry.detailJson;
  }

  addComment(listing: Listing, author: string, text: string, now: Date = new Date()): ListingComment {
    const entry = this.entries[listing.id - 1] as Entry;
    const comment = { id: ++this.lastCommentId, author, text, createdAt: now.toISOString() };
    entry.comments.push(comment);
    if (entry.comments.length > COMMENTS_KEPT_PER_LISTING)
      entry.comments = entry.comments.slice(-COMMENTS_KEPT_PER_LISTING);
    entry.detailJson = null;
    return comment;
  }

  private entry(id: string | undefined): Entry | undefined {
    if (id === undefined || !/^[1-9][0-9]{0,8}$/.test(id)) return undefined;
    return this.entries[Number(id) - 1];
  }
}
