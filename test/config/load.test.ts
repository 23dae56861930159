import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyEnvironment,
  deepFreeze,
  defaultPolicyPath,
  loadPolicyFile,
  parsePolicyText,
} from '../../src/config/load.js';
import { PolicyError } from '../../src/config/problems.js';
import { policySchema } from '../../src/config/schema.js';

/** The PolicyError a text produces; fails the test if the text loads. */
function rejection(text: string): PolicyError {
  try {
    parsePolicyText(text, 'test.yaml');
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected the policy to be rejected');
}

const LOGIN_FLOW = `
  - name: login
    kind: login
    match: { methods: [POST], path: /login }
    fields: { username: username, password: password }`;

describe('parsePolicyText', () => {
  it('gives every default for an empty file or one with only comments', () => {
    const defaults = policySchema.parse({});
    expect(parsePolicyText('', 'empty.yaml')).toEqual(defaults);
    expect(parsePolicyText('# nothing yet\n', 'comments.yaml')).toEqual(defaults);
  });

  it('returns a deeply frozen document', () => {
    const doc = parsePolicyText(`flows:${LOGIN_FLOW}\n`, 'x.yaml');
    expect(Object.isFrozen(doc)).toBe(true);
    expect(Object.isFrozen(doc.flows)).toBe(true);
    expect(Object.isFrozen(doc.flows[0]?.match.methods)).toBe(true);
    expect(Object.isFrozen(doc.limits)).toBe(true);
    expect(() => {
      (doc as { mode: string }).mode = 'monitor';
    }).toThrow(TypeError);
  });

  it('reports YAML syntax errors with their line and column', () => {
    const error = rejection('mode: monitor\nflows:\n  - name: a\n   kind: login\n');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ path: '(root)', line: 4, column: 1 });
    expect(error.problems[0]?.message).toMatch(/^invalid YAML: /);
    expect(error.message).toMatch(/^Cannot load policy test\.yaml: 1 problem\n {2}line 4: \(root\): invalid YAML/);
  });

  it('refuses duplicate keys, which YAML would otherwise resolve silently to the last one', () => {
    expect(rejection('mode: monitor\nmode: enforce\n').problems[0]?.message).toMatch(/unique/);
  });

  it('refuses unresolved aliases and unknown tags', () => {
    expect(rejection('mode: *nothing\n').problems[0]?.message).toMatch(/^invalid YAML: .*alias/i);
    expect(rejection('mode: !shout monitor\n').problems[0]?.message).toMatch(/^invalid YAML: .*tag/i);
  });

  it('refuses a document that is not a mapping, showing what it is', () => {
    for (const text of ['- a\n- b\n', 'just text\n', '42\n']) {
      const [problem] = rejection(text).problems;
      expect(problem?.path).toBe('(root)');
      expect(problem?.message).toMatch(/expected a mapping of policy keys/);
      expect(problem?.received).toBeDefined();
    }
  });

  it('names each unknown key with the keys allowed there', () => {
    const error = rejection(`flows:${LOGIN_FLOW}\n    matc: { path: /x }\n    colour: red\nlimits:\n  maxBody: 1\n`);
    const messages = error.problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual([
      'flows[0].matc: unknown key (expected one of: name, kind, match, fields, outcome, account, session, bodyParser)',
      'flows[0].colour: unknown key (expected one of: name, kind, match, fields, outcome, account, session, bodyParser)',
      expect.stringMatching(/^limits\.maxBody: unknown key \(expected one of: maxBodyBytes, maxHeaderLines, /),
    ]);
  });

  it('lists the field roles when a field role is unknown', () => {
    const error = rejection(
      `flows:${LOGIN_FLOW}\n  - name: c\n    kind: comment\n    match: { path: /c }\n    fields: { body: text }\n`,
    );
    expect(error.problems.map((p) => `${p.path}: ${p.message}`)).toContain(
      'flows[1].fields.body: unknown key (expected one of: username, password, email, text, identity)',
    );
  });

  it('reports every schema problem at once, in document order, each with its line', () => {
    const error = rejection(
      'flows:\n  - name: x\n    kind: nope\n    match: { path: /x }\nmode: shadow\nlisten: 8080\n',
    );
    expect(error.problems.map((p) => [p.path, p.line])).toEqual([
      ['flows[0].kind', 3],
      ['mode', 5],
      ['listen', 6],
    ]);
    expect(error.problems.map((p) => p.received)).toEqual(['"nope"', '"shadow"', '8080']);
  });

  it('says "required" for a missing key', () => {
    const [problem] = rejection('flows:\n  - name: x\n    kind: page\n').problems;
    expect(problem).toMatchObject({
      path: 'flows[0].match',
      message: 'required: expected a mapping of keys to values',
    });
    expect(problem?.received).toBeUndefined();
  });

  it('runs the semantic checks on the parts that parsed, alongside the schema problems', () => {
    const error = rejection(
      `mode: shadow\ntrustedProxies: [10.0.0.0/33]\nflows:${LOGIN_FLOW}${LOGIN_FLOW}\n  - name: bad\n    kind: nope\n    match: { path: /b }\n`,
    );
    expect(error.problems.map((p) => p.path)).toEqual([
      'mode',
      'trustedProxies[0]',
      'flows[1].name',
      'flows[1].match',
      'flows[2].kind',
    ]);
  });

  it('skips rule references while a flow is rejected, instead of reporting them twice', () => {
    const error = rejection(
      'flows:\n  - name: login\n    kind: nope\n    match: { path: /l }\nrules:\n  - name: r\n    flows: [login]\n    when: { score: 50 }\n    action: block\n',
    );
    expect(error.problems.map((p) => p.path)).toEqual(['flows[0].kind']);
  });

  it('never echoes a secret or token', () => {
    const error = rejection('secret: hunter2-short\nadmin:\n  token: tok-short\n');
    expect(error.problems.map((p) => p.path)).toEqual(['secret', 'admin.token']);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('tok-short');
  });

  it('never echoes the CAPTCHA secret or a previous node secret', () => {
    const error = rejection('challenge:\n  previousSecrets: [987654321]\n  captcha:\n    secret: 123456789\n');
    expect(error.problems.map((p) => p.path)).toEqual(['challenge.previousSecrets[0]', 'challenge.captcha.secret']);
    expect(error.message).not.toContain('987654321');
    expect(error.message).not.toContain('123456789');
  });
});

describe('loadPolicyFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'botgate-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a file', async () => {
    const file = join(dir, 'ok.yaml');
    await writeFile(file, 'mode: monitor\n');
    expect((await loadPolicyFile(file)).mode).toBe('monitor');
  });

  it('names the file in its problems', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'mode: shadow\n');
    await expect(loadPolicyFile(file)).rejects.toThrow(`Cannot load policy ${file}: 1 problem`);
  });

  it('says plainly when the file is missing or a directory', async () => {
    const missing = join(dir, 'missing.yaml');
    await expect(loadPolicyFile(missing)).rejects.toMatchObject({
      code: 'BOTGATE_POLICY_UNREADABLE',
      message: `Cannot read policy ${missing}: no such file`,
    });
    await expect(loadPolicyFile(dir)).rejects.toMatchObject({
      code: 'BOTGATE_POLICY_UNREADABLE',
      message: `Cannot read policy ${dir}: it is a directory; expected a YAML file`,
    });
  });

  it.skipIf(process.getuid?.() === 0)('says when the file cannot be read', async () => {
    const file = join(dir, 'secret.yaml');
    await writeFile(file, 'mode: monitor\n');
    await chmod(file, 0o000);
    await expect(loadPolicyFile(file)).rejects.toThrow(`Cannot read policy ${file}: permission denied`);
  });

  it('finds the bundled default next to the package', () => {
    expect(defaultPolicyPath().endsWith('botgate.example.yaml')).toBe(true);
    expect(existsSync(defaultPolicyPath())).toBe(true);
  });
});

describe('applyEnvironment', () => {
  const base = parsePolicyText('secret: from-the-file-0123456789\n', 'x.yaml');

  it('overrides the admin token and the secret, returning a new frozen document', () => {
    const doc = applyEnvironment(base, {
      BOTGATE_ADMIN_TOKEN: 'token-from-env-0123456789',
      BOTGATE_SECRET: 'secret-from-env-0123456789',
    });
    expect(doc).not.toBe(base);
    expect(doc.admin.token).toBe('token-from-env-0123456789');
    expect(doc.secret).toBe('secret-from-env-0123456789');
    expect(doc.admin.listen).toBe(base.admin.listen);
    expect(base.secret).toBe('from-the-file-0123456789');
    expect(base.admin.token).toBeUndefined();
    expect(Object.isFrozen(doc)).toBe(true);
    expect(Object.isFrozen(doc.admin)).toBe(true);
  });

  it('treats unset and empty variables alike: the file stays in charge', () => {
    for (const env of [{}, { BOTGATE_SECRET: '', BOTGATE_ADMIN_TOKEN: '' }]) {
      const doc = applyEnvironment(base, env);
      expect(doc.secret).toBe('from-the-file-0123456789');
      expect('token' in doc.admin).toBe(false);
    }
  });

  it('refuses a short value, naming the variable but not its value', () => {
    let error: unknown;
    try {
      applyEnvironment(base, { BOTGATE_SECRET: 'short-one', BOTGATE_ADMIN_TOKEN: 'tiny' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const { problems, message } = error as PolicyError;
    expect(problems.map((p) => p.path)).toEqual(['BOTGATE_ADMIN_TOKEN', 'BOTGATE_SECRET']);
    expect(message).not.toContain('short-one');
    expect(message).not.toContain('tiny');
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays and returns the same value', () => {
    const value = { a: [{ b: 1 }], c: { d: { e: 'x' } } };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value.a[0])).toBe(true);
    expect(Object.isFrozen(value.c.d)).toBe(true);
  });

  it('handles shared and cyclic references', () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { one: shared, two: shared };
    cyclic.self = cyclic;
    deepFreeze(cyclic);
    expect(Object.isFrozen(shared)).toBe(true);
    expect(Object.isFrozen(cyclic)).toBe(true);
  });
});
