/**
 * The demo marketplace's account of what reached it (src/demo/control.ts): the ground truth of
 * "reached the application". Read after a run, from where the log stood before it, page by page.
 */
import { loopbackUrl } from './transport.js';

export interface Received {
  readonly status: number;
  /** The request's `x-botgate-ato` header (botgate's account-takeover flag), or null. */
  readonly ato: string | null;
}

interface ReceivedPage {
  next: number;
  items: { seq: number; id: string | null; status: number; ato?: string | null }[];
}

const PAGE = 10_000;

/** The log's current end: pass it to `readReceived` after the run. */
export async function receivedCursor(upstream: string): Promise<number> {
  const stats = (await getJson(upstream, '/__demo/stats')) as { requests?: unknown };
  if (typeof stats.requests !== 'number')
    throw new Error(`Cannot read ${upstream}/__demo/stats: no request count; is it the demo marketplace?`);
  return stats.requests;
}

/** Every entry after `after`, by botgate reference id. Throws if the log dropped entries in between. */
export async function readReceived(upstream: string, after: number): Promise<Map<string, Received>> {
  const out = new Map<string, Received>();
  let cursor = after;
  for (;;) {
    const page = (await getJson(upstream, `/__demo/received?after=${cursor}&limit=${PAGE}`)) as ReceivedPage;
    if (page.items.length === 0) return out;
    const first = page.items[0];
    if (first !== undefined && first.seq !== cursor + 1) {
      throw new Error(
        `Cannot score the run: the demo's received log dropped entries ${cursor + 1}–${first.seq - 1} (it keeps the latest 500 000); run a smaller scenario or reset it with POST /__demo/reset`,
      );
    }
    for (const item of page.items)
      if (item.id !== null) out.set(item.id, { status: item.status, ato: item.ato ?? null });
    cursor = page.next;
  }
}

async function getJson(upstream: string, path: string): Promise<unknown> {
  const base = loopbackUrl(upstream, 'upstream').origin;
  const res = await fetch(`${base}${path}`);
  if (!res.ok) throw new Error(`Cannot read ${base}${path}: HTTP ${res.status}; is it the demo marketplace?`);
  return res.json();
}
