/**
 * Writes the deceive action's answer: for a login, a copy of a recent real failure; for other
 * flows (a comment, a signup), an answer shaped like the flow's declared success, so a spam bot
 * believes it posted while nothing reached the application.
 */
import type { ServerResponse } from 'node:http';
import type { DeceptionTemplates } from '../actions/deceive.js';
import type { Exchange } from './exchange.js';
import { referenceId } from './reference-id.js';

export function createDeceiveReply(
  templates: DeceptionTemplates,
  failureMarker: (flow: string) => string | null,
  successStatus: (flow: string) => number | null,
) {
  return (x: Exchange, res: ServerResponse, html: boolean): void => {
    const json = !html;
    let status: number;
    let headers: Record<string, string>;
    let body: string;
    let delayMs = 0;
    if (x.flow.kind === 'login') {
      const answer = templates.render(x.flow.name, x.rawUsername, {
        status: json ? 401 : 200,
        json,
        marker: failureMarker(x.flow.name) ?? 'Invalid username or password',
      });
      ({ status, headers, body, delayMs } = answer);
    } else {
      status = successStatus(x.flow.name) ?? (x.method === 'POST' ? 201 : 200);
      headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
      body = JSON.stringify({ id: referenceId() });
    }
    const send = (): void => {
      if (res.destroyed || res.headersSent) return;
      res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body), 'x-botgate-id': x.id });
      res.end(body);
    };
    if (delayMs > 0) setTimeout(send, delayMs).unref();
    else send();
  };
}
