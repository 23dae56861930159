/**
 * A browser tab on the demo marketplace, driven by a simulated person (or by an automation
 * framework). It does what a browser does on its own: loads a page's stylesheet, module script
 * and icon after the page (once: the demo marks them fresh for an hour), sends the page it came
 * from as Referer, follows a form's redirect, and keeps cookies. The person decides only where
 * to go, what to type and how long to wait.
 */
import type { CredentialFacts, Flow } from './record.js';
import type { Session } from './session.js';
import type { Reply } from './transport.js';

/** The assets every page of the demo links to, in the order Chromium requested them in the capture. */
const PAGE_ASSETS = [
  { path: '/static/app.css', kind: 'style' },
  { path: '/static/app.js', kind: 'script' },
  { path: '/static/favicon.svg', kind: 'image' },
] as const;

/** What a search engine's result link sends (its origin only, by its referrer policy). */
const SEARCH_REFERER = 'https://www.google.com/';

export interface FormOptions {
  readonly flow: Flow;
  readonly attempt?: boolean;
  readonly credential?: CredentialFacts;
}

export interface FetchOptions extends FormOptions {
  readonly token?: string;
}

export class Browser {
  /** The page on screen, for Referer; null before the first navigation. */
  private page: string | null = null;
  private assetsCached: boolean;

  /** `warmCache`: the assets are already in the browser's cache from a visit within the hour. */
  constructor(
    readonly session: Session,
    warmCache = false,
  ) {
    this.assetsCached = warmCache;
  }

  /**
   * A page load: by default a link on the current page; `typed` for an address typed or a
   * bookmark, `search` for a result clicked on a search engine.
   */
  async open(path: string, arrival: 'link' | 'typed' | 'search' = 'link'): Promise<Reply> {
    const fromLink = arrival === 'link' && this.page !== null;
    const referer = fromLink
      ? this.session.url(this.page as string)
      : arrival === 'search'
        ? SEARCH_REFERER
        : undefined;
    const reply = await this.session.send({
      kind: 'navigate',
      method: 'GET',
      path,
      flow: 'page',
      site: fromLink ? 'same-origin' : arrival === 'search' ? 'cross-site' : 'none',
      ...(referer === undefined ? {} : { referer }),
    });
    this.page = path;
    if (reply.status === 200) await this.loadAssets();
    return reply;
  }

  /**
   * Takes `path` as the current page without loading it: a script replaying a recorded browser
   * session sends that page as Referer without ever visiting it.
   */
  pretendOn(path: string): void {
    this.page = path;
  }

  /** Submits a form on the current page as application/x-www-form-urlencoded; follows a redirect. */
  async submit(path: string, fields: Record<string, string>, options: FormOptions): Promise<Reply> {
    const reply = await this.session.send({
      kind: 'form',
      method: 'POST',
      path,
      flow: options.flow,
      body: new URLSearchParams(fields).toString(),
      contentType: 'application/x-www-form-urlencoded',
      referer: this.session.url(this.page ?? path),
      ...(options.attempt === undefined ? {} : { attempt: options.attempt }),
      ...(options.credential === undefined ? {} : { credential: options.credential }),
    });
    const location = reply.headers.location;
    if ((reply.status === 302 || reply.status === 303) && typeof location === 'string' && location.startsWith('/')) {
      const referer = this.session.url(this.page ?? path);
      this.page = location;
      const followed = await this.session.send({
        kind: 'navigate-after-post',
        method: 'GET',
        path: location,
        flow: 'page',
        referer,
      });
      if (followed.status === 200) await this.loadAssets();
    } else {
      // The answer to a POST is itself the new page (the login form again, with its error).
      this.page = path;
    }
    return reply;
  }

  /** fetch() from the current page's script: a JSON POST, or a GET when `body` is undefined. */
  fetchJson(path: string, body: unknown, options: FetchOptions): Promise<Reply> {
    const referer = this.page === null ? undefined : this.session.url(this.page);
    return this.session.send({
      kind: body === undefined ? 'fetch-get-json' : 'fetch-json',
      method: body === undefined ? 'GET' : 'POST',
      path,
      flow: options.flow,
      ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
      ...(referer === undefined ? {} : { referer }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(options.attempt === undefined ? {} : { attempt: options.attempt }),
      ...(options.credential === undefined ? {} : { credential: options.credential }),
    });
  }

  private async loadAssets(): Promise<void> {
    if (this.assetsCached) return;
    this.assetsCached = true;
    const referer = this.session.url(this.page ?? '/');
    for (const asset of PAGE_ASSETS) {
      await this.session.think(this.session.pace.subresourceGap(this.session.random));
      await this.session.send({ kind: asset.kind, method: 'GET', path: asset.path, flow: 'asset', referer });
    }
  }
}
