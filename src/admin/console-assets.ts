/**
 * The console's static files (src/admin/console/), served by the admin listener with a strict
 * Content-Security-Policy: scripts, styles and images from this origin only, no inline code, no
 * framing, fetch() to this origin only. There is no build step: the files are ES modules and CSS
 * as written, so what runs is what is in the repository.
 *
 * Only files present in the folder at startup are served (a fixed table, so no path from a
 * request ever reaches the file system). They are read once, on first use, and kept in memory
 * with a content hash as ETag; the console is a few tens of kilobytes.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_HEADERS, problem } from './http.js';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

const CONSOLE_DIR = fileURLToPath(new URL('./console/', import.meta.url));

export class ConsoleAssets {
  private loading: Promise<ReadonlyMap<string, Asset>> | null = null;

  constructor(private readonly dir: string = CONSOLE_DIR) {}

  /** Serves `name` (a file of the console folder; empty for index.html), or 404. */
  async serve(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = null;
      throw error;
    });
    const assets = await this.loading;
    const asset = assets.get(name === '' ? 'index.html' : name);
    if (asset === undefined) return problem(res, 404, 'not_found', 'No such console file.');
    const headers = {
      ...ADMIN_HEADERS,
      // Revalidated on each load (cheap, by ETag), so an upgrade is never half old, half new.
      'cache-control': 'no-cache',
      'content-type': asset.type,
      etag: asset.etag,
      'content-security-policy': CONSOLE_CSP,
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': asset.body.length });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }

  private async load(): Promise<ReadonlyMap<string, Asset>> {
    const assets = new Map<string, Asset>();
    for (const entry of await readdir(this.dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const type = TYPES[extname(entry.name)];
      if (type === undefined) continue;
      const path = `${entry.parentPath ?? entry.path}/${entry.name}`;
      const name = path.slice(this.dir.length).replace(/^\/+/, '');
      const body = await readFile(path);
      assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
    }
    return assets;
  }
}
