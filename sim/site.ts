/**
 * What the simulated people know about the demo marketplace: its listings (ids, items, prices,
 * generated deterministically by src/demo/listings.ts, so they are the ones on its pages) and its
 * routes' answers to a login.
 */
import { Listings } from '../src/demo/listings.js';
import type { ListingFacts } from './texts/comments.js';

const listings = new Listings().all;

export const LISTING_COUNT = listings.length;

/** Facts of listing `id` (1-based), as a person reads them on its page. */
export function listingFacts(id: number): ListingFacts {
  const listing = listings[(id - 1 + listings.length) % listings.length];
  if (listing === undefined) return { item: 'item', price: 50 };
  return { item: listing.title.replace(/^(Barely used|\S+) /, '').toLowerCase(), price: listing.price };
}
