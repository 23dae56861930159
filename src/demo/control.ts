/**
 * The demo's control routes under `/__demo/`, for tests, benchmarks and the simulator. They are
 * not part of the marketplace, so they are not accounted themselves.
 *
 * - `GET /__demo/stats` → `DemoStats`.
 * - `GET /__demo/received?after=N&limit=L` → `{next, items}`: received requests with `seq > N`
 *   (default 0), oldest first, at most L a page (default and most: 10 000). Read on with
 *   `after=next` until `items` is empty.
 * - `POST /__demo/reset` → 204; clears the counters and the log, keeps accounts and comments.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Accounting, RECEIVED_PAGE_LIMIT } from './accounting.js';
import { sendError, sendJson } from './replies.js';

export const CONTROL_PREFIX = '/__demo/';

export function demoControl(accounting: Accounting): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /__demo/stats':
        sendJson(res, 200, accounting.stats());
        return;
      case 'GET /__demo/received': {
        const after = wholeNumber(url.searchParams.get('after'), 0);
        const limit = wholeNumber(url.searchParams.get('limit'), RECEIVED_PAGE_LIMIT);
        if (after === undefined || limit === undefined || limit < 1) {
          sendError(res, 400, 'after and limit must be whole numbers (limit at least 1)');
          return;
        }
        sendJson(res, 200, accounting.received(after, limit));
        return;
      }
      case 'POST /__demo/reset':
        accounting.reset();
        res.writeHead(204, { 'cache-control': 'no-store' });
        res.end();
        return;
      default:
        sendError(res, 404, 'No such demo control route; see src/demo/control.ts');
    }
  };
}

function wholeNumber(text: string | null, fallback: number): number | undefined {
  if (text === null) return fallback;
  return /^[0-9]{1,15}$/.test(text) ? Number(text) : undefined;
}
