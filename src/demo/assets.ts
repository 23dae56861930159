/**
 * The marketplace's static files (src/demo/static/), read once at start and served from memory
 * with a strong ETag, so a browser revalidates with a 304 instead of downloading them again.
 * They are not fingerprinted, hence an hour of freshness rather than `immutable`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export interface StaticAsset {
  readonly body: Buffer;
  readonly etag: string;
  readonly headers: OutgoingHttpHeaders;
}

const ASSETS = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
} as const;

export type AssetName = keyof typeof ASSETS;

export async function loadAssets(): Promise<Record<AssetName, StaticAsset>> {
  const [script, stylesheet, icon] = await Promise.all([
    loadAsset('app.js'),
    loadAsset('app.css'),
    loadAsset('favicon.svg'),
  ]);
  return { 'app.js': script, 'app.css': stylesheet, 'favicon.svg': icon };
}

async function loadAsset(name: AssetName): Promise<StaticAsset> {
  const body = await readFile(new URL(`./static/${name}`, import.meta.url));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  const headers = Object.freeze({
    'content-type': ASSETS[name],
    'content-length': body.length,
    'cache-control': 'public, max-age=3600',
    etag,
    'x-content-type-options': 'nosniff',
  });
  return { body, etag, headers };
}

export function sendAsset(req: IncomingMessage, res: ServerResponse, asset: StaticAsset): void {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && matches(ifNoneMatch, asset.etag)) {
    res.writeHead(304, { etag: asset.etag, 'cache-control': 'public, max-age=3600' });
    res.end();
    return;
  }
  res.writeHead(200, asset.headers);
  res.end(asset.body);
}

/** `If-None-Match` holds one or more tags, maybe weak (`W/"…"`), or `*`. */
function matches(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}
