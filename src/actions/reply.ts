/**
 * Writes one of botgate's own answers: JSON for API clients, a small self-contained HTML page
 * for browsers, each with the reference id in the body and in `x-botgate-id`.
 */
import type { ServerResponse } from 'node:http';
import { ANSWERS, type AnswerCode } from './answers.js';

export function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/html');
}

export function reply(
  res: ServerResponse,
  code: AnswerCode,
  referenceId: string,
  html: boolean,
  extraHeaders?: Readonly<Record<string, string>>,
): void {
  const answer = ANSWERS[code];
  const body = html
    ? page(answer.title, answer.message, referenceId)
    : JSON.stringify({ error: code, message: answer.message, referenceId });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(answer.status, {
    'content-type': html ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-botgate-id': referenceId,
    ...extraHeaders,
  });
  res.end(body);
}

function page(title: string, message: string, referenceId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:10vh auto;padding:0 1rem;color:#1f2933}
h1{font-size:1.5rem}code{background:#f0f2f5;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><main><h1>${title}</h1><p>${message}</p>
<p>If you think this is a mistake, contact the site’s support and quote reference <code>${referenceId}</code>.</p></main></body></html>`;
}
