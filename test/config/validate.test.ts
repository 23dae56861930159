import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLOW_NAME } from '../../src/config/compile.js';
import { type FlowDocument, type PolicyDocument, policySchema } from '../../src/config/schema.js';
import { addressProblem, checkPolicy, flowMethods, RESERVED_FLOW_NAME } from '../../src/config/validate.js';
import { parseCidr } from '../../src/signals/cidr.js';

/** A schema-valid document from a partial one, so each test states only what it is about. */
function policy(partial: Record<string, unknown>): PolicyDocument {
  return policySchema.parse(partial);
}

function paths(doc: PolicyDocument): string[] {
  return checkPolicy(doc).map((p) => p.path);
}

const login = (name: string, path: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name,
  kind: 'login',
  match: { methods: ['POST'], path, ...extra },
  fields: { username: 'username', password: 'password' },
});

describe('addresses', () => {
  it.each([
    '10.0.0.0/8',
    '192.0.2.7',
    '0.0.0.0/0',
    '10.0.0.1/8',
    '2001:db8::/32',
    '::1',
    '::/0',
    '::ffff:10.0.0.0/104',
  ])('accepts %s', (entry) => {
    expect(addressProblem(entry)).toBeNull();
  });

  it.each([
    ['10.0.0.0/33', /0–32/],
    ['2001:db8::/129', /0–128/],
    ['10.0.0.0/-1', /prefix length/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/8/8', /prefix length/],
    ['10.0.0.300', /expected an IPv4 or IPv6 address/],
    ['01.2.3.4', /expected an IPv4 or IPv6 address/],
    ['example.com', /expected an IPv4 or IPv6 address/],
    ['fe80::1%eth0', /expected an IPv4 or IPv6 address/],
    ['', /empty/],
    [' 10.0.0.1', /spaces/],
    ['::ffff:10.0.0.0/64', /at least 96/],
  ])('refuses %j', (entry, why) => {
    expect(addressProblem(entry)).toMatch(why);
  });

  it('accepts only what both compilers accept (signals/cidr.ts and node:net BlockList)', () => {
    const entries = [
      '10.0.0.0/8',
      '1.2.3.4',
      '::',
      '::ffff:1.2.3.4',
      ' 1.2.3.4 ',
      '1.2.3.4/33',
      '::ffff:1.0.0.0/90',
      'x',
    ];
    for (const entry of entries) {
      const blockListTakes = (() => {
        try {
          const [address = '', prefix] = entry.split('/');
          const type = address.includes(':') ? 'ipv6' : 'ipv4';
          if (prefix === undefined) new BlockList().addAddress(address, type);
          else new BlockList().addSubnet(address, Number(prefix), type);
          return true;
        } catch {
          return false;
        }
      })();
      const accepted = addressProblem(entry) === null;
      expect(accepted, entry).toBe(parseCidr(entry).ok && blockListTakes && entry === entry.trim());
    }
  });

  it('checks trusted proxies and both lists, each entry by its index', () => {
    const doc = policy({
      trustedProxies: ['10.0.0.0/8', 'nope'],
      lists: { allow: { ips: ['1.2.3.4/40'], fingerprints: [''] }, deny: { ips: ['::1', 'x'] } },
    });
    expect(paths(doc)).toEqual([
      'trustedProxies[1]',
      'lists.allow.ips[0]',
      'lists.allow.fingerprints[0]',
      'lists.deny.ips[1]',
    ]);
    expect(checkPolicy(doc)[0]?.received).toBe('"nope"');
  });
});

describe('listeners', () => {
  it.each([
    ['127.0.0.1:8080', '127.0.0.1:8080', true],
    ['0.0.0.0:8080', '127.0.0.1:8080', true],
    ['[::]:8080', '127.0.0.1:8080', true],
    ['localhost:8080', '127.0.0.1:8080', true],
    ['127.0.0.1:0', '127.0.0.1:0', false],
    ['127.0.0.1:8080', '127.0.0.1:9090', false],
    ['10.0.0.1:8080', '10.0.0.2:8080', false],
  ])('listen %s and admin.listen %s conflict: %s', (listen, admin, conflict) => {
    expect(paths(policy({ listen, admin: { listen: admin } })).includes('admin.listen')).toBe(conflict);
  });

  it.each([
    ['127.0.0.1:8080', 'http://127.0.0.1:8080', true],
    ['0.0.0.0:8080', 'http://localhost:8080/', true],
    ['127.0.0.1:80', 'http://localhost', true],
    ['0.0.0.0:8443', 'https://app.internal:8443', false],
    ['127.0.0.1:8080', 'http://127.0.0.1:3000', false],
  ])('listen %s and upstream %s loop: %s', (listen, url, loops) => {
    expect(paths(policy({ listen, upstream: { url } })).includes('upstream.url')).toBe(loops);
  });
});

describe('limits', () => {
  it('keeps the URL limit within the head limit, which the parser enforces first', () => {
    expect(paths(policy({ limits: { maxUrlBytes: 16_384, maxHeaderBytes: 16_384 } }))).toEqual([]);
    const [problem] = checkPolicy(policy({ limits: { maxUrlBytes: 20_000, maxHeaderBytes: 16_384 } }));
    expect(problem?.path).toBe('limits.maxUrlBytes');
    expect(problem?.message).toMatch(/cannot exceed limits\.maxHeaderBytes \(16384\)/);
  });
});

describe('flows', () => {
  it('wants unique names, and no name that is reserved or another kind', () => {
    const doc = policy({
      flows: [
        login('login', '/login'),
        login('login', '/signin'),
        { name: RESERVED_FLOW_NAME, kind: 'page', match: { path: '/*' } },
        { name: 'asset', kind: 'api', match: { path: '/api/*' } },
        { name: 'api', kind: 'api', match: { path: '/v2/*' } },
      ],
    });
    expect(paths(doc)).toEqual(['flows[1].name', 'flows[2].name', 'flows[3].name']);
  });

  it('keeps the reserved name equal to the name compile.ts gives unmatched requests', () => {
    expect(RESERVED_FLOW_NAME).toBe(DEFAULT_FLOW_NAME);
  });

  it('needs the fields of each kind, and field paths that are dotted identifiers', () => {
    const doc = policy({
      flows: [
        { name: 'l', kind: 'login', match: { path: '/l' }, fields: { username: 'user.name' } },
        { name: 's1', kind: 'signup', match: { path: '/s1' }, fields: { email: 'email' } },
        { name: 's2', kind: 'signup', match: { path: '/s2' }, fields: { username: 'login' } },
        { name: 's3', kind: 'signup', match: { path: '/s3' }, fields: { password: 'pw' } },
        { name: 'c', kind: 'comment', match: { path: '/c' }, fields: { text: 'comment[body]' } },
        { name: 'a', kind: 'api', match: { path: '/a' } },
        { name: 'p', kind: 'page', match: { path: '/p' }, fields: { identity: '1st' } },
      ],
    });
    expect(paths(doc)).toEqual([
      'flows[0].fields.password',
      'flows[3].fields.email',
      'flows[4].fields.text',
      'flows[6].fields.identity',
    ]);
  });

  it('wants a session only where success is declared, and a JSON path that is a dotted identifier', () => {
    const ok = { success: { status: [200] } };
    const doc = policy({
      flows: [login('bound', '/a', {}), login('no-outcome', '/b'), login('bad-path', '/c'), login('cookie', '/d')].map(
        (flow, i) => ({
          ...flow,
          ...[
            { session: { json: 'data.token' }, outcome: ok },
            { session: { cookie: 'sid' } },
            { session: { json: 'data..token' }, outcome: ok },
            { session: { cookie: 'sid' }, outcome: ok },
          ][i],
        }),
      ),
    });
    expect(paths(doc)).toEqual(['flows[1].session', 'flows[2].session.json']);
    expect(() => policy({ flows: [{ ...login('empty', '/e'), session: {} }] })).toThrow(/a cookie name, a JSON field/);
  });

  it('tries each pattern on the router and reports its complaint', () => {
    const doc = policy({
      flows: [
        { name: 'a', kind: 'page', match: { path: '/a/*/b' } },
        { name: 'b', kind: 'page', match: { path: '/b?x=1' } },
        { name: 'c', kind: 'page', match: { path: '/c/:id(\\d+' } },
        { name: 'd', kind: 'page', match: { path: '/d e' } },
        { name: 'e', kind: 'page', match: { path: '/e/:id(^\\d+$)/f' } },
        { name: 'f', kind: 'page', match: { path: '/f*' } },
      ],
    });
    const problems = checkPolicy(doc);
    expect(problems.map((p) => p.path)).toEqual([
      'flows[0].match.path',
      'flows[1].match.path',
      'flows[2].match.path',
      'flows[3].match.path',
    ]);
    expect(problems[2]?.message).toMatch(/^the router cannot use this pattern: Invalid regexp expression/);
  });

  it('finds flows that match the same requests, naming the earlier one', () => {
    const doc = policy({
      flows: [
        login('form', '/login'),
        { name: 'api', kind: 'api', match: { methods: ['*'], path: '/api/*' } },
        login('api-login', '/api/login'),
        login('shouting', '/LOGIN'),
        { name: 'api-get', kind: 'api', match: { methods: ['GET', 'PUT'], path: '/api/*' } },
        login('other-host', '/login', { host: 'admin.example.com' }),
        login('same-host', '/login/', { host: 'Admin.Example.com' }),
        { name: 'params', kind: 'comment', match: { methods: ['POST'], path: '/x/:id/c' }, fields: { text: 't' } },
        { name: 'params2', kind: 'comment', match: { methods: ['POST'], path: '/x/:other/c' }, fields: { text: 't' } },
      ],
    });
    const problems = checkPolicy(doc);
    expect(problems.map((p) => p.path)).toEqual([
      'flows[3].match',
      'flows[4].match',
      'flows[6].match',
      'flows[8].match',
    ]);
    expect(problems[0]?.message).toContain('flows[0] ("form"): POST /LOGIN');
    expect(problems[1]?.message).toContain('flows[1] ("api"): GET, PUT /api/*');
    expect(problems[2]?.message).toContain('flows[5] ("other-host")');
    expect(problems[2]?.message).toContain('on host Admin.Example.com');
  });

  it('refuses a method listed twice, which the compile step would choke on', () => {
    const doc = policy({ flows: [login('l', '/l', { methods: ['POST', 'PUT', 'POST'] })] });
    expect(paths(doc)).toEqual(['flows[0].match.methods[2]']);
  });

  it('expands * to the methods compile.ts registers', () => {
    const flow = policy({ flows: [{ name: 'a', kind: 'api', match: { path: '/a' } }] }).flows[0] as FlowDocument;
    expect(flowMethods(flow)).toEqual(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
  });
});

describe('rules', () => {
  const flows = [login('login-form', '/login'), { name: 'pages', kind: 'page', match: { path: '/*' } }];

  it('wants unique names', () => {
    const doc = policy({
      rules: [
        { name: 'r', when: { score: 10 }, action: 'tag' },
        { name: 'r', when: { score: 20 }, action: 'block' },
      ],
    });
    expect(paths(doc)).toEqual(['rules[1].name']);
  });

  it('accepts flow names, kinds in use, the default flow and its kind; refuses the rest', () => {
    const doc = policy({
      flows,
      rules: [
        { name: 'ok', flows: ['login-form', 'login', 'pages', 'page', 'default'], when: { score: 10 }, action: 'tag' },
        { name: 'bad', flows: ['signup', 'login-from', 'api'], when: { score: 10 }, action: 'tag' },
      ],
    });
    const problems = checkPolicy(doc);
    expect(problems.map((p) => p.path)).toEqual(['rules[1].flows[0]', 'rules[1].flows[1]', 'rules[1].flows[2]']);
    expect(problems[1]?.message).toContain('flows: login-form, pages');
    expect(problems[1]?.received).toBe('"login-from"');
  });

  it('wants dotted reason codes', () => {
    const doc = policy({
      rules: [
        {
          name: 'r',
          when: { reasons: ['ua.automation', 'rate.exceeded', 'x.y_z-1', 'automation', 'UA.Automation', 'ua.'] },
          action: 'block',
        },
      ],
    });
    expect(paths(doc)).toEqual(['rules[0].when.reasons[3]', 'rules[0].when.reasons[4]', 'rules[0].when.reasons[5]']);
  });

  it('refuses counting by a field no flow of the rule declares', () => {
    const doc = policy({
      flows,
      rules: [
        {
          name: 'by-user',
          flows: ['login'],
          ratelimit: { key: 'username', limit: 5, windowSeconds: 60 },
          action: 'challenge',
        },
        {
          name: 'by-email',
          flows: ['pages'],
          ratelimit: { key: 'email', limit: 5, windowSeconds: 60 },
          action: 'challenge',
        },
        { name: 'all-by-user', ratelimit: { key: 'username', limit: 5, windowSeconds: 60 }, action: 'challenge' },
      ],
    });
    expect(paths(doc)).toEqual(['rules[1].ratelimit.key']);
  });
});

describe('a valid document', () => {
  it('has no problems', () => {
    expect(checkPolicy(policy({}))).toEqual([]);
  });
});
