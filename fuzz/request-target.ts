/**
 * Fuzz target: route matching (src/gateway/request-target.ts) against models of real upstream
 * servers (test/hardening/support/path-models.ts), on protected paths rewritten with attacker
 * tricks and on arbitrary paths (of the characters Node's parser lets into a request target).
 *
 * Invariants: never throws; whenever a model reads a protected path, botgate judged its flow or
 * refused the request.
 */
import fc from 'fast-check';
import { compilePolicy } from '../src/config/compile.js';
import { defaultPolicyPath, loadPolicyFile } from '../src/config/load.js';
import { routeRequest } from '../src/gateway/request-target.js';
import { MODELS, PROTECTED, protectedVariant, routeKey } from '../test/hardening/support/path-models.js';
import type { FuzzTarget } from './target.js';

const anyPath = fc
  .array(
    fc.oneof(
      fc.constantFrom(...PROTECTED.map((p) => p.path)),
      fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((parts) => ({ target: null, path: `/${parts.join('')}` }));

export async function requestTargetTarget(): Promise<FuzzTarget> {
  const policy = compilePolicy(await loadPolicyFile(defaultPolicyPath()));
  return {
    batch: 2_000,
    property: fc.property(fc.oneof(protectedVariant, anyPath), ({ path }) => {
      if (!path.startsWith('/')) return;
      const routed = routeRequest(policy, 'POST', path, 'shop.example');
      if (routed.refusal !== null) return;
      for (const [name, model] of Object.entries(MODELS)) {
        const reading = model(path.split('?')[0] ?? path);
        if (reading === null) continue;
        const target = PROTECTED.find((p) => p.path === routeKey(reading));
        if (target !== undefined && routed.flow.name !== target.flow) {
          throw new Error(
            `${name} reads ${JSON.stringify(path)} as ${target.path}; botgate judged it as ${routed.flow.name}`,
          );
        }
      }
    }),
  };
}
