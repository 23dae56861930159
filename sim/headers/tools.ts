/**
 * Attack tools and HTTP libraries as they write a request head.
 *
 * - python-requests 2.32: its default session headers (User-Agent, Accept-Encoding, Accept,
 *   Connection) in that order, then the body's; captured in test/fixtures/headers/python-requests*.json.
 *   Credential-stuffing kits built on it usually set a browser's User-Agent and nothing else,
 *   which is `pythonRequestsIdentity(CHROME_UA)`.
 * - THC Hydra 9.5 `http-post-form`: Host, User-Agent `Mozilla/5.0 (Hydra)`, Content-Length,
 *   Content-Type, Cookie (test/fixtures/headers/hydra-login-post.json). Hydra speaks HTTP/1.0
 *   and closes the connection; node:http can only write HTTP/1.1, so the request carries
 *   `Connection: close` at the end instead, which gives the same connection behaviour.
 */
import type { ClientIdentity, ClientStack } from './template.js';

export const PYTHON_REQUESTS: ClientStack = {
  name: 'python-requests',
  templates: {
    get: [
      ['Host', '$host'],
      ['User-Agent', '$ua'],
      ['Accept-Encoding', 'gzip, deflate'],
      ['Accept', '*/*'],
      ['Connection', 'keep-alive'],
      ['Cookie', '$cookie'],
      ['Authorization', '$auth'],
    ],
    'post-form': [
      ['Host', '$host'],
      ['User-Agent', '$ua'],
      ['Accept-Encoding', 'gzip, deflate'],
      ['Accept', '*/*'],
      ['Connection', 'keep-alive'],
      ['Cookie', '$cookie'],
      ['Content-Length', '$length'],
      ['Content-Type', '$contentType'],
    ],
    'post-json': [
      ['Host', '$host'],
      ['User-Agent', '$ua'],
      ['Accept-Encoding', 'gzip, deflate'],
      ['Accept', '*/*'],
      ['Connection', 'keep-alive'],
      ['Cookie', '$cookie'],
      ['Authorization', '$auth'],
      ['Content-Length', '$length'],
      ['Content-Type', '$contentType'],
    ],
  },
};

export const PYTHON_REQUESTS_UA = 'python-requests/2.32.3';

export function pythonRequestsIdentity(userAgent: string = PYTHON_REQUESTS_UA): ClientIdentity {
  return { stack: PYTHON_REQUESTS, userAgent };
}

export const HYDRA: ClientStack = {
  name: 'hydra',
  templates: {
    'post-form': [
      ['Host', '$host'],
      ['User-Agent', '$ua'],
      ['Content-Length', '$length'],
      ['Content-Type', '$contentType'],
      ['Cookie', '$cookie'],
      ['Connection', 'close'],
    ],
  },
};

export function hydraIdentity(): ClientIdentity {
  return { stack: HYDRA, userAgent: 'Mozilla/5.0 (Hydra)' };
}
