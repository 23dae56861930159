/**
 * Fuzz target: the head checks (src/gateway/hop-headers.ts, request-target.ts versionProblem)
 * on random header lists built from the names that matter and odd values.
 *
 * Invariants: never throws; a head that passes has at most one Host (exactly one on HTTP/1.1),
 * no underscore in any name, and no Connection header naming a header botgate decides on; the
 * headers forwarded upstream never include a client x-botgate-* or hop-by-hop header.
 */
import fc from 'fast-check';
import { forwardRequestHeaders, headerProblem } from '../src/gateway/hop-headers.js';
import { versionProblem } from '../src/gateway/request-target.js';
import type { FuzzTarget } from './target.js';

const NAMES = [
  'Host',
  'host',
  'HOST',
  'Connection',
  'Content-Length',
  'Transfer-Encoding',
  'X_Forwarded_For',
  'X-Botgate-Decision',
  'x-botgate-id',
  'Cookie',
  'Upgrade',
  'Keep-Alive',
  'TE',
  'X-A',
];
const VALUES = [
  'a',
  '',
  'a:80',
  '[::1]',
  'a/b',
  'close',
  'keep-alive, host',
  'Cookie',
  'content-type',
  'chunked',
  '0',
  'x, y',
  'upgrade',
];
const header = fc.tuple(
  fc.oneof(fc.constantFrom(...NAMES), fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/)),
  fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 20 })),
);
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

export function requestHeadTarget(): FuzzTarget {
  return {
    batch: 5_000,
    property: fc.property(
      fc.array(header, { maxLength: 12 }),
      fc.constantFrom('1.1', '1.0', '0.9', '2.0'),
      (headers, version) => {
        const raw = headers.flat();
        const problem = versionProblem(version) ?? headerProblem(raw, version);
        if (problem !== null) return;
        const hosts = headers.filter(([n]) => n.toLowerCase() === 'host').length;
        if (hosts > 1 || (version === '1.1' && hosts === 0)) throw new Error(`passed with ${hosts} Host headers`);
        if (headers.some(([n]) => n.includes('_'))) throw new Error('passed with an underscore in a name');
        const connection = headers.find(([n]) => n.toLowerCase() === 'connection')?.[1];
        const out = forwardRequestHeaders(raw, connection, true);
        for (let i = 0; i < out.length; i += 2) {
          const name = out[i]!.toLowerCase();
          if (name.startsWith('x-botgate-') || HOP.has(name)) throw new Error(`forwarded ${name}`);
        }
        if (hosts === 1 && !out.some((v, i) => i % 2 === 0 && v.toLowerCase() === 'host'))
          throw new Error('the Host was dropped');
      },
    ),
  };
}
