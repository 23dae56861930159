/**
 * Starts real botgate processes (bin/botgate …) for integration tests and reads the JSON line
 * they print on start. Every process is stopped after its test, even when the test fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const BOTGATE = fileURLToPath(new URL('../../bin/botgate', import.meta.url));

export interface RunningProcess {
  readonly child: ChildProcess;
  /** The JSON object from the first stdout line. */
  readonly addresses: Record<string, string>;
  stderr(): string;
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

export interface ExitedProcess {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const running = new Set<ChildProcess>();

/**
 * `botgate run` with a policy file in front of `upstream`, on free loopback ports, with loopback
 * trusted (the tests' clients send their address as X-Forwarded-For); `extra` adds flags.
 */
export function gatewayArgs(policy: string, upstream: string, ...extra: string[]): string[] {
  return [
    'run',
    '--config',
    policy,
    '--upstream',
    upstream,
    '--listen',
    '127.0.0.1:0',
    '--admin-listen',
    '127.0.0.1:0',
    '--trusted-proxies',
    '127.0.0.1',
    ...extra,
  ];
}

export async function startBotgate(args: readonly string[], env: Record<string, string> = {}): Promise<RunningProcess> {
  const child = spawn(process.execPath, [BOTGATE, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let stdout = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline !== -1) resolve(stdout.slice(0, newline));
    });
    child.once('exit', (code) =>
      reject(new Error(`botgate ${args.join(' ')} exited with ${code} before starting:\n${stderr}`)),
    );
  });
  const line = await firstLine;
  return {
    child,
    addresses: JSON.parse(line) as Record<string, string>,
    stderr: () => stderr,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      running.delete(child);
      return code;
    },
  };
}

/** Runs a command to completion (check, --help, a run that must fail). */
export async function runBotgate(args: readonly string[], env: Record<string, string> = {}): Promise<ExitedProcess> {
  const child = spawn(process.execPath, [BOTGATE, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  running.delete(child);
  return { code, stdout, stderr };
}

/** Kills whatever a failed test left running. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
