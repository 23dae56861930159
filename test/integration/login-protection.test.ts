/**
 * Login protection end to end at small scale, with fixed inputs: the real marketplace and
 * gateway in process, a manual clock for typing delays, client addresses through a trusted hop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CHROME, deviceCookie, receivedIds, type Stack, send, startStack } from '../support/stack.js';

let stack: Stack;
afterEach(async () => {
  await stack?.close();
});

/** A person: loads the login page, types for a few seconds, posts the form. */
async function humanLogin(s: Stack, ip: string, username: string, password: string, cookie?: string, typingMs = 4_000) {
  const page = await send(s, ip, 'GET', '/login', cookie ? { cookie } : {});
  const device = cookie ?? deviceCookie(page);
  s.clock.advance(typingMs);
  const answer = await send(s, ip, 'POST', '/login', {
    form: { username, password },
    ...(device ? { cookie: device } : {}),
  });
  return { answer, device };
}

describe('login protection', () => {
  it('lets real users log in, mistype and retry without a challenge', async () => {
    stack = await startStack();
    const [alice, bob] = stack.users;
    const typo = await humanLogin(stack, '203.0.113.10', alice!.username, `${alice!.password}x`);
    expect(typo.answer.status).toBe(200);
    expect(typo.answer.body).toContain('Invalid username or password');
    stack.clock.advance(3_000);
    const retry = await send(stack, '203.0.113.10', 'POST', '/login', {
      form: { username: alice!.username, password: alice!.password },
      cookie: typo.device!,
    });
    expect(retry.status).toBe(302);
    expect(retry.location).toBe('/account');
    const other = await humanLogin(stack, '203.0.113.11', bob!.username, bob!.password);
    expect(other.answer.status).toBe(302);
  });

  it('deceives a one-host stuffing run once its failures show, and the application stops seeing it', async () => {
    stack = await startStack();
    const ip = '198.51.100.7';
    const page = await send(stack, ip, 'GET', '/login');
    const cookie = deviceCookie(page)!;
    const answers = [];
    for (let i = 0; i < 40; i++) {
      stack.clock.advance(2_000);
      answers.push(
        await send(stack, ip, 'POST', '/login', {
          form: { username: `victim${i}@mail.example`, password: 'Summer2024!' },
          cookie,
        }),
      );
    }
    // Every answer looks like a failed login: 200 with the marketplace's failure text.
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body).toContain('Invalid username or password');
    }
    const reached = await receivedIds(stack);
    const forwarded = answers.filter((a) => reached.has(a.id)).length;
    expect(forwarded).toBeLessThanOrEqual(6);
  });

  it('blocks Hydra outright', async () => {
    stack = await startStack();
    const a = await send(stack, '198.51.100.8', 'POST', '/login', {
      headers: { 'user-agent': 'Mozilla/5.0 (Hydra)' },
      form: { username: 'admin', password: 'admin' },
    });
    expect(a.status).toBe(403);
    expect(JSON.parse(a.body).error).toBe('blocked');
  });

  it('challenges a distributed run with copied Chrome headers that never loads a page', async () => {
    stack = await startStack();
    const answers = [];
    for (let i = 0; i < 60; i++) {
      answers.push(
        await send(stack, `192.0.2.${i + 1}`, 'POST', '/api/login', {
          headers: { ...CHROME, accept: 'application/json' },
          json: { username: `someone${i}@mail.example`, password: 'hunter2!' },
        }),
      );
    }
    const reached = await receivedIds(stack);
    expect(answers.filter((a) => reached.has(a.id))).toHaveLength(0);
    expect(answers.every((a) => a.status === 403 && JSON.parse(a.body).error === 'challenge_required')).toBe(true);
  });

  it('enters attack mode on a flow-wide anomaly and challenges logins without positive evidence, not known users', async () => {
    stack = await startStack((doc) => ({
      ...doc,
      detection: { ...doc.detection, attackMode: { ...doc.detection.attackMode, minAttempts: 20 } },
    }));
    const [carol] = stack.users;
    // Carol logs in normally first: her device becomes known for her.
    const first = await humanLogin(stack, '203.0.113.20', carol!.username, carol!.password);
    expect(first.answer.status).toBe(302);
    // A campaign that loads the page from a fresh address each time, and types like a person.
    for (let i = 0; i < 25; i++) {
      // A combo list: every try is a different username with its own leaked password.
      await humanLogin(stack, `10.${i}.1.1`, `nobody${i}@mail.example`, `Winter${i}!`, undefined, 1_600);
    }
    await stack.gateway.attackMode.evaluate();
    expect(stack.gateway.attackMode.isActive('login-form')).toBe(true);
    const events = stack.gateway.recorder.ring.recent(200);
    expect(events.some((e) => e.type === 'attack-mode.started' && e.flow === 'login-form')).toBe(true);

    const stranger = await humanLogin(stack, '10.99.1.1', 'nobody99@mail.example', 'Winter2025!');
    expect(stranger.answer.status).toBe(403);
    const returning = await humanLogin(stack, '203.0.113.20', carol!.username, carol!.password, first.device);
    expect(returning.answer.status).toBe(302);
  });

  it('reports a success right after failures on the account from several sources as ato.suspected', async () => {
    stack = await startStack();
    const [dave] = stack.users;
    // Five failures from five addresses, with only two different guesses (not cracking).
    for (let i = 0; i < 5; i++) await humanLogin(stack, `100.64.${i}.9`, dave!.username, `guess-${i % 2}`);
    const win = await humanLogin(stack, '100.64.9.9', dave!.username, dave!.password);
    expect(win.answer.status).toBe(302);
    const events = stack.gateway.recorder.ring.recent(100);
    const ato = events.find((e) => e.type === 'ato.suspected');
    expect(ato).toBeDefined();
    expect(ato!.findings[0]!.detail).toContain('account.under-attack');
    expect(JSON.stringify(events)).not.toContain(dave!.password);
  });
});
