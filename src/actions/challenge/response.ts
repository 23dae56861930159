/**
 * An answer botgate writes itself, as data: the gateway writes status, headers and body as they
 * are (adding only `x-botgate-id`), so these modules stay free of any HTTP server.
 */
export interface ActionResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Escape text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** The look of botgate's own pages: system fonts, readable measure, honours dark mode. */
export const PAGE_STYLE = `:root{color-scheme:light dark}
[hidden]{display:none!important}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:34rem;margin:12vh auto;padding:0 1.25rem;color:#1f2933;background:#fff}
h1{font-size:1.5rem;line-height:1.3;margin:0 0 .75rem}
progress{display:block;width:100%;height:.75rem;margin:1.25rem 0 .5rem}
.notice{border-left:4px solid #c17d11;padding:.5rem .75rem;background:#fdf6e7}
.ref{margin-top:2.5rem;font-size:.8rem;color:#52606d}
button,.button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid #1f5fbf;background:#1f5fbf;color:#fff;text-decoration:none;display:inline-block}
@media (prefers-color-scheme:dark){body{color:#e4e7eb;background:#17191c}.notice{background:#2a2417}.ref{color:#9aa5b1}}`;
