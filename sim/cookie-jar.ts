/**
 * A client's cookies for the one site it talks to, as a browser or an HTTP stack keeps them:
 * `Set-Cookie` stores or replaces by name, `Max-Age=0` or a past `Expires` deletes, and the
 * `Cookie` header lists them in the order they were first set (as browsers do for cookies of
 * equal path length).
 *
 * Deliberately small: one host, so `Domain` is ignored; every cookie the demo marketplace and
 * botgate set has `Path=/`, so paths are not matched; expiry is checked when a cookie arrives,
 * not as time passes (a simulated session lasts minutes).
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Takes a response's `set-cookie` header(s). */
  absorb(setCookie: string | readonly string[] | undefined): void {
    if (setCookie === undefined) return;
    for (const line of typeof setCookie === 'string' ? [setCookie] : setCookie) this.absorbOne(line);
  }

  /** The `Cookie` header value, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    let out = '';
    for (const [name, value] of this.cookies) out += `${out === '' ? '' : '; '}${name}=${value}`;
    return out;
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  get size(): number {
    return this.cookies.size;
  }

  private absorbOne(line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (name === '') return;
    if (attributes.some(expiresNow)) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

/**
 * One run's jars, by client: sessions of the same browser or app install (a person's later
 * visits, two tabs) share one jar, as they share the browser's cookie store; a session with no
 * client key gets a fresh jar. Made per run, so acting a plan out twice starts from empty jars.
 */
export function cookieJars(): (client: string | undefined) => CookieJar {
  const jars = new Map<string, CookieJar>();
  return (client) => {
    if (client === undefined) return new CookieJar();
    let jar = jars.get(client);
    if (jar === undefined) {
      jar = new CookieJar();
      jars.set(client, jar);
    }
    return jar;
  };
}

function expiresNow(attribute: string): boolean {
  const eq = attribute.indexOf('=');
  const key = (eq < 0 ? attribute : attribute.slice(0, eq)).trim().toLowerCase();
  const value = eq < 0 ? '' : attribute.slice(eq + 1).trim();
  if (key === 'max-age') return Number(value) <= 0;
  if (key === 'expires') {
    const at = Date.parse(value);
    return Number.isFinite(at) && at <= Date.now();
  }
  return false;
}
