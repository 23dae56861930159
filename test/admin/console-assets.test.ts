/**
 * The console's files as the admin listener serves them: without a token (they hold no data),
 * under a strict Content-Security-Policy, revalidated by ETag, and nothing outside the console
 * folder, whatever the path.
 */
import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../src/admin/console-assets.js';
import { type Harness, startAdmin } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startAdmin({ archive: false });
});
afterAll(() => h.close());

describe('the console files', () => {
  it('serves the page under a CSP allowing only this origin, no inline code, no framing', async () => {
    const res = await h.call('GET', '/console/', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<script type="module" src="app.js"></script>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toBe(CONSOLE_CSP);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves every file of the folder with its type, and revalidates by ETag', async () => {
    const dir = new URL('../../src/admin/console/', import.meta.url);
    const files = (await readdir(dir, { recursive: true })).filter((f) => /\.(js|css|svg|html)$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['app.js', 'styles.css', 'chart.js', 'pages/overview.js']));
    for (const file of files) {
      const res = await h.call('GET', `/console/${file}`, { token: null });
      expect(res.status, file).toBe(200);
      expect(res.text).toBe(await readFile(new URL(file, dir), 'utf8'));
    }
    const js = await h.call('GET', '/console/app.js', { token: null });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const again = await h.call('GET', '/console/app.js', {
      token: null,
      headers: { 'if-none-match': String(js.headers.etag) },
    });
    expect(again.status).toBe(304);
  });

  it('loads nothing from anywhere else: no http(s) URL, no inline script or style in the files', async () => {
    const dir = new URL('../../src/admin/console/', import.meta.url);
    for (const file of await readdir(dir, { recursive: true })) {
      if (!/\.(js|css|html)$/.test(file)) continue;
      const text = await readFile(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      expect(text, file).not.toMatch(
        /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML\(|document\.write\(|\beval\(|new Function\(/,
      );
      if (file.endsWith('.html')) expect(text).not.toMatch(/<script(?![^>]*\bsrc=)|style=/);
    }
  });

  it.each([
    '/console/../server.ts',
    '/console/%2e%2e/server.ts',
    '/console/..%2fserver.ts',
    '/console/nope.js',
    '/console/pages/../../http.ts',
  ])('answers 404 to %s', async (path) => {
    const res = await h.call('GET', path, { token: null });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('import');
  });
});
