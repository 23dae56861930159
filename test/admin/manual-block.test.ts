/**
 * Runtime entries through the real gateway (the evaluate.ts hook): an entry added on the admin
 * API decides the source's very next request, an allow lets a source past the policy's rules,
 * monitor mode records a block without applying it, and an entry lapses when it expires.
 */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type Stack, send, startStack } from '../support/stack.js';

let stack: Stack;
afterEach(() => stack?.close());

async function admin(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
  const res = await request(`${stack.gateway.adminUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.gateway.adminToken}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

async function eventOf(id: string) {
  const res = await admin('GET', `/api/events/${id}`);
  return res.body.event as {
    decidedBy: string;
    action: string;
    enforced: boolean;
    findings: { reason: string; detail: string }[];
  };
}

describe('runtime entries in the gateway', () => {
  it('block a source from its next request on, and lapse when they expire', async () => {
    stack = await startStack();
    expect((await send(stack, '198.51.100.40', 'GET', '/')).status).toBe(200);
    const added = await admin('POST', '/api/lists', {
      list: 'block',
      target: 'prefix',
      value: '198.51.100.0/24',
      duration: '1h',
      reason: 'scraping',
      who: 'Dana',
    });
    expect(added.status).toBe(201);

    const blocked = await send(stack, '198.51.100.41', 'GET', '/');
    expect(blocked.status).toBe(403);
    const event = await eventOf(blocked.id);
    expect(event).toMatchObject({ decidedBy: 'list/manual-block', action: 'block', enforced: true });
    expect(event.findings[0]?.detail).toContain('prefix 198.51.100.0/24 blocked by Dana (admin token)');
    expect((await send(stack, '203.0.113.1', 'GET', '/')).status).toBe(200);
    // A policy reload (SIGHUP) swaps the compiled policy, not the operators' entries.
    stack.gateway.reload({ ...stack.gateway.context.policy.document, mode: 'enforce' });
    expect((await send(stack, '198.51.100.42', 'GET', '/')).status).toBe(403);

    stack.clock.advance(3_600_000);
    expect((await send(stack, '198.51.100.41', 'GET', '/')).status).toBe(200);
  });

  it('let an allowed source past the policy’s rules', async () => {
    stack = await startStack();
    const hydra = { headers: { 'user-agent': 'Mozilla/5.0 (Hydra)' }, form: { username: 'admin', password: 'admin' } };
    expect((await send(stack, '192.0.2.77', 'POST', '/login', hydra)).status).toBe(403);
    await admin('POST', '/api/lists', {
      list: 'allow',
      target: 'ip',
      value: '192.0.2.77',
      duration: '15m',
      reason: 'pen test, ticket 4711',
    });
    const allowed = await send(stack, '192.0.2.77', 'POST', '/login', hydra);
    expect(allowed.status).not.toBe(403);
    expect(await eventOf(allowed.id)).toMatchObject({ decidedBy: 'list/manual-allow', action: 'allow' });
  });

  it('record a block without applying it in monitor mode', async () => {
    stack = await startStack((doc) => ({ ...doc, mode: 'monitor' }));
    await admin('POST', '/api/lists', {
      list: 'block',
      target: 'ip',
      value: '192.0.2.5',
      duration: '1h',
      reason: 'watch',
    });
    const answer = await send(stack, '192.0.2.5', 'GET', '/');
    expect(answer.status).toBe(200);
    expect(await eventOf(answer.id)).toMatchObject({
      decidedBy: 'list/manual-block',
      action: 'block',
      enforced: false,
    });
  });
});
