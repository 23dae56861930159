/**
 * The shipped botgate.example.yaml is what `run` uses without --config: it must load, document
 * every key with its true default, and send the routes web apps (and the demo) use to the
 * right kind of flow.
 */
import { readFileSync } from 'node:fs';
import FindMyWay from 'find-my-way';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compilePolicy } from '../../src/config/compile.js';
import { defaultPolicyPath, loadPolicyFile } from '../../src/config/load.js';
import { type FlowDocument, type FlowKind, type PolicyDocument, policySchema } from '../../src/config/schema.js';
import { FLOW_ROUTER_OPTIONS, flowMethods } from '../../src/config/validate.js';

let doc: PolicyDocument;
let text: string;
beforeAll(async () => {
  doc = await loadPolicyFile(defaultPolicyPath());
  text = readFileSync(defaultPolicyPath(), 'utf8');
});

/** Every leaf of a value as [path, value]; arrays are leaves (`flows: []`). */
function leaves(value: unknown, path: string[] = []): [string[], unknown][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [[path, value]];
  return Object.entries(value).flatMap(([key, v]) => leaves(v, [...path, key]));
}

/** Every key the schema knows, optional ones and those inside flows and rules included. */
function schemaKeys(schema: z.core.$ZodType): string[] {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) {
    return schemaKeys(schema.unwrap());
  }
  if (schema instanceof z.ZodArray) return schemaKeys(schema.element);
  if (schema instanceof z.ZodRecord) return [...(schema.keyType._zod.values ?? [])].map(String);
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).flatMap(([key, inner]) => [key, ...schemaKeys(inner as z.core.$ZodType)]);
  }
  return [];
}

describe('botgate.example.yaml', () => {
  it('loads and compiles', () => {
    expect(doc.flows.length).toBeGreaterThan(0);
    expect(doc.rules.length).toBeGreaterThan(0);
    expect(() => compilePolicy(doc)).not.toThrow();
  });

  it('sets every defaulted key to its real default', () => {
    const defaults = policySchema.parse({});
    for (const [path, value] of leaves(defaults)) {
      const key = path[path.length - 1] ?? '';
      expect(text, `key ${path.join('.')}`).toMatch(new RegExp(`^\\s*${key}:`, 'm'));
      if (path[0] === 'flows' || path[0] === 'rules') continue;
      const written = path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], doc);
      expect(written, path.join('.')).toEqual(value);
    }
  });

  it('mentions every key of the schema, optional ones commented out', () => {
    for (const key of new Set(schemaKeys(policySchema))) {
      expect(text, key).toMatch(new RegExp(`(^|[\\s{,#])${key}:`, 'm'));
    }
  });

  it('comments every top-level section', () => {
    const lines = text.split('\n');
    for (const key of Object.keys(policySchema.shape)) {
      const at = lines.findIndex((l) => l.startsWith(`${key}:`) || l.startsWith(`# ${key}:`));
      expect(at, key).toBeGreaterThan(0);
      expect(lines[at - 1], `comment above ${key}`).toMatch(/^#/);
    }
  });

  it('leaves secrets out and trusts no proxy', () => {
    expect(doc.secret).toBeUndefined();
    expect(doc.admin.token).toBeUndefined();
    expect(doc.trustedProxies).toEqual([]);
    expect(doc.mode).toBe('enforce');
  });

  describe('routes', () => {
    let router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
    beforeAll(() => {
      // The same options and method expansion compile.ts uses.
      router = FindMyWay(FLOW_ROUTER_OPTIONS);
      for (const flow of doc.flows) {
        const options = flow.match.host ? { constraints: { host: flow.match.host } } : {};
        for (const method of flowMethods(flow))
          router.on(method as FindMyWay.HTTPMethod, flow.match.path, options, () => {}, flow);
      }
    });
    const kindOf = (method: string, path: string): FlowKind | 'default' => {
      const found = router.find(method as FindMyWay.HTTPMethod, path);
      return found ? (found.store as FlowDocument).kind : 'default';
    };

    it.each([
      ['POST', '/login', 'login'],
      ['POST', '/api/login', 'login'],
      ['POST', '/api/signup', 'signup'],
      ['POST', '/api/listings/7/comments', 'comment'],
      ['POST', '/wp-login.php', 'login'],
      ['POST', '/Login/', 'login'],
      ['POST', '/signup', 'signup'],
      ['POST', '/api/users', 'signup'],
      ['POST', '/api/posts/abc/comments', 'comment'],
      ['GET', '/api/listings/7/comments', 'api'],
      ['GET', '/api/listings', 'api'],
      ['DELETE', '/api/sessions', 'api'],
      ['GET', '/login', 'page'],
      ['GET', '/', 'page'],
      ['GET', '/listings/7', 'page'],
      ['GET', '/static/app.css', 'asset'],
      ['HEAD', '/favicon.ico', 'asset'],
      ['GET', '/robots.txt', 'asset'],
      ['POST', '/logout', 'default'],
    ])('%s %s is a %s flow', (method, path, kind) => {
      expect(kindOf(method, path)).toBe(kind);
    });

    it('agrees with the compiled policy', () => {
      const compiled = compilePolicy(doc);
      for (const [method, path] of [
        ['POST', '/login'],
        ['POST', '/api/login'],
        ['POST', '/api/signup'],
        ['POST', '/api/listings/7/comments'],
      ] as const) {
        expect(compiled.matchFlow(method, path, 'localhost').kind).toBe(kindOf(method, path));
      }
    });
  });

  it('protects each form kind with an automation block and a per-client rate limit (device cookie, or IP without one)', () => {
    for (const kind of ['login', 'signup', 'comment']) {
      const rules = doc.rules.filter((r) => r.flows?.includes(kind));
      expect(
        rules.some((r) => r.when?.reasons?.includes('ua.automation') && r.action === 'block'),
        kind,
      ).toBe(true);
      expect(
        rules.some((r) => r.ratelimit?.key === 'client'),
        kind,
      ).toBe(true);
    }
  });
});
