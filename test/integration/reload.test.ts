/**
 * SIGHUP reloads the policy file: the whole new policy takes effect, or, when the file is
 * invalid or changes what needs a restart, nothing changes and the gateway keeps serving.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPolicyPath } from '../../src/config/load.js';
import { killAll, type RunningProcess, startBotgate } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';

const started: RunningProcess[] = [];
afterAll(async () => {
  for (const p of started) await p.stop();
  killAll();
});

async function hydraLogin(gateway: string): Promise<number> {
  const res = await request(`${gateway}/login`, {
    method: 'POST',
    headers: { 'user-agent': 'Mozilla/5.0 (Hydra)', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=admin&password=admin',
  });
  await res.body.dump();
  return res.statusCode;
}

async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('policy reload on SIGHUP', () => {
  it('swaps the whole policy, and refuses a broken one while serving on', async () => {
    const upstream = await startBotgate(['marketplace', '--listen', '127.0.0.1:0']);
    started.push(upstream);
    const dir = await tempDir('botgate-reload-');
    const file = join(dir, 'policy.yaml');
    const base = (await readFile(defaultPolicyPath(), 'utf8'))
      .replace(/^events:\n/m, 'events:\n  sqlite: false\n')
      .replace(/^ {2}sqlite: botgate-events\.db\n/m, '');
    await writeFile(file, base);
    const gw = await startBotgate([
      'run',
      '--config',
      file,
      '--upstream',
      upstream.addresses.upstream!,
      '--listen',
      '127.0.0.1:0',
      '--admin-listen',
      '127.0.0.1:0',
      '--log-level',
      'info',
    ]);
    started.push(gw);
    const url = gw.addresses.gateway!;
    expect(await hydraLogin(url)).toBe(403);

    await writeFile(file, base.replace(/^mode: enforce$/m, 'mode: monitor'));
    gw.child.kill('SIGHUP');
    // Monitor mode forwards: the marketplace answers Hydra's wrong password with its login page.
    expect(await eventually(async () => (await hydraLogin(url)) === 200)).toBe(true);

    await writeFile(file, base.replace(/^mode: enforce$/m, 'mode: sometimes'));
    gw.child.kill('SIGHUP');
    expect(await eventually(async () => gw.stderr().includes('policy reload refused'))).toBe(true);
    expect(gw.stderr()).toContain('mode');
    expect(await hydraLogin(url)).toBe(200);
  });
});
