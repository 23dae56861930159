import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SERVE = fileURLToPath(new URL('../../src/demo/serve.ts', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

function serve(args: string[]): ChildProcess {
  child = spawn(process.execPath, ['--import', 'tsx', SERVE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return child;
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0] as string;
}

describe('serve.ts', () => {
  it('runs the marketplace as a process, says where, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'botgate-demo-serve-'));
    try {
      const users = join(dir, 'users.csv');
      await writeFile(users, 'username,email,password\nzed,zed@example.com,zed-password\n');
      const process = serve(['--port', '0', '--users', users]);
      const line = await firstLine(process.stdout as NodeJS.ReadableStream);
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+) \(1 users\)$/.exec(line)?.[1];
      expect(url, line).toBeDefined();

      const login = await fetch(`${url}/api/login`, {
        method: 'POST',
        body: '{"username":"zed","password":"zed-password"}',
      });
      expect(login.status).toBe(200);

      process.kill('SIGTERM');
      const [code] = await once(process, 'exit');
      expect(code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits with one clear line for a bad users file', async () => {
    const process = serve(['--users', '/nonexistent/users.csv']);
    let stderr = '';
    process.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const [code] = await once(process, 'exit');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('/nonexistent/users.csv');
  });
});
