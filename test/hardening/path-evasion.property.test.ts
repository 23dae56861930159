/**
 * Path tricks against route matching, as properties: a login protection must not be evaded.
 *
 * Random variants of the protected paths are built from the tricks attackers use (`%2F`, `%2e`,
 * `//`, `/./`, `x/../`, trailing slash or dot, case, `;params`, overlong UTF-8, double encoding,
 * `\`, IIS `%u`, Unicode look-alikes of ASCII letters); each is read by several models of real
 * upstream servers (support/path-models.ts, independent of src/gateway/request-target.ts). The property:
 * whenever any model routes the variant to a protected path, botgate either judged it as that
 * path's flow or refused it (400).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CompiledPolicy, compilePolicy } from '../../src/config/compile.js';
import { defaultPolicyPath, loadPolicyFile } from '../../src/config/load.js';
import { needsReadings, pathReadings, removeDotSegments, routeRequest } from '../../src/gateway/request-target.js';
import { MODELS, protectedVariant, routeKey } from './support/path-models.js';

let policy: CompiledPolicy;
beforeAll(async () => {
  policy = compilePolicy(await loadPolicyFile(defaultPolicyPath()));
});

describe('path evasion', () => {
  it('whenever an upstream model reads a protected path, botgate judges its flow or refuses', () => {
    fc.assert(
      fc.property(protectedVariant, ({ target, path }) => {
        if (!path.startsWith('/')) return;
        const routed = routeRequest(policy, 'POST', path, 'shop.example');
        if (routed.refusal !== null) return;
        for (const [name, model] of Object.entries(MODELS)) {
          const reading = model(path.split('?')[0]!);
          if (reading !== null && routeKey(reading) === target.path) {
            expect(routed.flow.name, `${name} reads ${JSON.stringify(path)} as ${target.path}`).toBe(target.flow);
          }
        }
      }),
      { numRuns: 1_500 },
    );
  });

  it('never refuses or re-routes a path written the plain way', () => {
    const plain = fc.stringMatching(/^(\/[a-z0-9_~-]{1,12}(\.[a-z]{1,4})?){1,5}\/?(\?[a-z0-9=&]{0,20})?$/);
    fc.assert(
      fc.property(plain, (path) => {
        const routed = routeRequest(policy, 'GET', path, 'shop.example');
        expect(routed.refusal).toBeNull();
        expect(routed.flow).toBe(policy.matchFlow('GET', path, 'shop.example'));
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads any string without throwing, and its readings are stable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (tail) => {
        const path = `/${tail}`;
        const readings = pathReadings(path);
        if (typeof readings === 'string') return;
        for (const reading of readings) expect(typeof reading).toBe('string');
        expect(() => routeRequest(policy, 'POST', path, undefined)).not.toThrow();
      }),
      { numRuns: 1_500 },
    );
  });

  it('removes dot segments idempotently', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '.', '..', '', 'c.d'), { maxLength: 8 }), (segments) => {
        const once = removeDotSegments(`/${segments.join('/')}`);
        expect(removeDotSegments(once)).toBe(once);
        expect(once.split('/')).not.toContain('..');
      }),
    );
  });

  it('takes the fast path only when no reading can differ', () => {
    for (const path of ['/login', '/static/app.js', '/a-b_c~d/e.f/']) expect(needsReadings(path)).toBe(false);
    for (const path of ['/login.', '/./login', '/l%6Fgin', '/login;x', '/api\\login', '/x/..'])
      expect(needsReadings(path)).toBe(true);
  });

  it('refuses the tricks named in the issue, or judges them as the login flow', () => {
    for (const path of [
      '/%2Flogin',
      '/login%2e',
      '//login',
      '/./login',
      '/login/',
      '/login.',
      '/LOGIN',
      '/login;jsessionid=1',
      '/%C0%AFlogin',
      '/x/../login',
      '/l%6Fgin',
    ]) {
      const routed = routeRequest(policy, 'POST', path, 'shop.example');
      expect(routed.refusal !== null || routed.flow.name === 'login-form', path).toBe(true);
    }
  });
});
