/**
 * Path tricks and models of how real upstream servers read a path, shared by the property test
 * (test/hardening/path-evasion.property.test.ts) and the fuzz target (fuzz/request-target.ts).
 * The models are written independently of src/gateway/request-target.ts, each deliberately
 * simple: they are the servers an attacker hopes botgate reads differently.
 */
import fc from 'fast-check';

/** Protected routes of the shipped policy and the flow each belongs to. */
export const PROTECTED = [
  { path: '/login', flow: 'login-form' },
  { path: '/api/login', flow: 'api-login' },
  { path: '/signup', flow: 'signup-form' },
  { path: '/wp-login.php', flow: 'wordpress-login' },
] as const;

function tryDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The comparison a case-insensitive router makes: lower case, one slash, no trailing slash. */
export function routeKey(path: string): string {
  const merged = path.toLowerCase().replace(/\/+/g, '/');
  return merged.length > 1 && merged.endsWith('/') ? merged.slice(0, -1) : merged;
}

export const MODELS: Record<string, (path: string) => string | null> = {
  /** Express / path-to-regexp: the encoded path as it is. */
  express: (path) => path,
  /** Fastify / find-my-way: decodeURI-style, reserved characters kept encoded. */
  fastify: (path) => {
    try {
      return decodeURI(path);
    } catch {
      return null;
    }
  },
  /** WHATWG URL (Node's `new URL`, Deno, browsers' fetch): dots resolved (%2e too), `\` as `/`, then decoded. */
  whatwg: (path) => {
    try {
      return tryDecode(new URL(path, 'http://upstream.invalid').pathname);
    } catch {
      return null;
    }
  },
  /** nginx with merge_slashes: decoded, slashes merged, dot segments resolved. */
  nginx: (path) => {
    const decoded = tryDecode(path);
    return decoded === null ? null : removeDots(decoded.replace(/\/+/g, '/'));
  },
  /** Tomcat / Spring: `;params` dropped from each segment, then decoded and normalised. */
  tomcat: (path) => {
    const stripped = path
      .split('/')
      .map((s) => s.split(';')[0])
      .join('/');
    const decoded = tryDecode(stripped);
    return decoded === null ? null : removeDots(decoded);
  },
  /** IIS: `%u` and double decoding, `\` as `/`, trailing dots and spaces dropped, case folded. */
  iis: (path) => {
    let text = path.replace(/%u([0-9a-f]{4})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    for (let i = 0; i < 2; i++) {
      const next = tryDecode(text.replace(/%(?![0-9a-f]{2})/gi, '%25'));
      if (next === null || next === text) break;
      text = next;
    }
    text = text.normalize('NFKC').replace(/\\/g, '/');
    const folded = [...text].map((c) => (/[\u0080-\uffff]/.test(c.toUpperCase()) ? c : c.toUpperCase())).join('');
    return removeDots(
      folded
        .split('/')
        .map((s) => (s === '.' || s === '..' ? s : s.replace(/[. ]+$/, '')))
        .join('/'),
    );
  },
};

function removeDots(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/').slice(1)) {
    if (segment === '..') out.pop();
    else if (segment !== '.') out.push(segment);
  }
  return `/${out.join('/')}`;
}

// --- Tricks.

const hex = (c: number, upper: boolean) => {
  const h = c.toString(16).padStart(2, '0');
  return `%${upper ? h.toUpperCase() : h}`;
};

/** One character of a protected path, written in one of the ways a server may read as it. */
function charVariant(ch: string): fc.Arbitrary<string> {
  const code = ch.charCodeAt(0);
  const variants: fc.Arbitrary<string>[] = [
    fc.constant(ch),
    fc.constant(ch.toUpperCase()),
    fc.boolean().map((upper) => hex(code, upper)),
    fc.constant(`%25${code.toString(16)}`), // double encoding
    fc.constant(`%u00${code.toString(16)}`), // IIS
  ];
  if (ch === '/')
    variants.push(fc.constantFrom('//', '/./', '/x/../', '\\', '%2F', '%2f', '%5C', '%C0%AF', '/;x/', '%252F'));
  if (ch === '.') variants.push(fc.constantFrom('%2e', '%2E', '%C0%AE', '%252e'));
  if (ch === 'i') variants.push(fc.constant('%C4%B1')); // dotless ı, upper-cases to I
  if (ch === 's') variants.push(fc.constant('%C5%BF')); // long ſ, upper-cases to S
  if (/[a-z]/.test(ch)) variants.push(fc.constant(encodeURIComponent(String.fromCharCode(code + 0xfee0)))); // full width
  return fc.oneof(...variants);
}

const suffix = fc.constantFrom(
  '',
  '/',
  '.',
  '..',
  '%20',
  '%2e',
  ';jsessionid=1',
  ';',
  '/.',
  '/./',
  '%3Fx',
  '%23x',
  '?q=1',
  '%00',
  '/x/..',
  '%2F',
);

export const protectedVariant = fc
  .constantFrom(...PROTECTED)
  .chain((target) =>
    fc
      .tuple(
        ...[...target.path].map((ch) =>
          fc.oneof({ weight: 4, arbitrary: fc.constant(ch) }, { weight: 1, arbitrary: charVariant(ch) }),
        ),
        suffix,
      )
      .map((parts) => ({ target, path: parts.join('') })),
  );
