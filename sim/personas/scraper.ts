/**
 * A scraper walking the catalogue through the API: the list, then every listing by id in order,
 * past the last one (ids that do not exist yet: it is looking for new listings), round and
 * round, several pages a second, from a couple of cloud servers. python-requests by default;
 * `headers: chrome` replays Chrome's fetch headers instead.
 */
import { z } from 'zod';
import { hostingPool } from '../addresses.js';
import { Browser } from '../browser.js';
import { chromeIdentity } from '../headers/chrome.js';
import { pythonRequestsIdentity } from '../headers/tools.js';
import { HttpClient } from '../http-client.js';
import type { Persona, PlannedSession } from '../persona.js';
import type { Session } from '../session.js';
import { LISTING_COUNT } from '../site.js';

const options = z
  .object({
    pagesPerSession: z.number().int().min(1).default(200),
    /** Pages a second, per worker. */
    ratePerSecond: z.number().positive().default(5),
    headers: z.enum(['python-requests', 'chrome']).default('python-requests'),
    /** Highest id tried; above the demo's 40 listings the answers are 404. */
    lastId: z
      .number()
      .int()
      .min(1)
      .default(LISTING_COUNT + 8),
  })
  .strict();

export const scraperPersona: Persona<z.infer<typeof options>> = {
  name: 'scraper',
  kind: 'attacker',
  summary: 'walks /api/listings/:id in id order, past the end and round again, several pages a second',
  session: 'one scraping worker on its own server',
  options,
  plan(ctx) {
    const workers = Math.max(1, ctx.sessions);
    const ips = hostingPool(ctx.random.fork('addresses'), workers);
    const gapMs = 1000 / ctx.options.ratePerSecond;
    const chrome = ctx.options.headers === 'chrome';
    return ips.map(
      (ip, worker): PlannedSession => ({
        startMs: ctx.window.startMs + worker * 250,
        ip,
        identity: chrome ? chromeIdentity('windows', 'en-US') : pythonRequestsIdentity(),
        keepsCookies: true,
        async run(session) {
          const get = getter(session, chrome);
          let id = worker;
          for (let page = 0; page < ctx.options.pagesPerSession; page++) {
            const path = page === 0 ? '/api/listings' : `/api/listings/${(id++ % ctx.options.lastId) + 1}`;
            await get(path);
            await session.think(gapMs * session.random.between(0.7, 1.3));
          }
        },
      }),
    );
  },
};

function getter(session: Session, chrome: boolean): (path: string) => Promise<unknown> {
  if (chrome) {
    const browser = new Browser(session);
    browser.pretendOn('/');
    return (path) => browser.fetchJson(path, undefined, { flow: 'api', attempt: true });
  }
  const client = new HttpClient(session);
  return (path) => client.get(path, { flow: 'api', attempt: true });
}
