/** Starts a benchmark process that prints one JSON line of addresses, and stops it afterwards. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BOTGATE = fileURLToPath(new URL('../bin/botgate', import.meta.url));

/**
 * The node arguments of `botgate run` in front of `upstream` on free loopback ports, with
 * loopback trusted (the load generators send client addresses as X-Forwarded-For); `extra`
 * adds flags (`--config`, `--store`, `--log-level`).
 */
export function botgateRun(upstream: string, ...extra: string[]): string[] {
  return [
    BOTGATE,
    'run',
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

export interface BenchProcess {
  readonly addresses: Record<string, string>;
  /** Sends a signal (SIGHUP reloads a gateway's policy). */
  signal(name: NodeJS.Signals): void;
  /** CPU time the process has used so far, user and system, all threads (µs); NaN without /proc. */
  cpuMicros(): number;
  stop(): Promise<void>;
}

export async function startJsonLineProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<BenchProcess> {
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)));
  });
  child.stdout!.resume();
  return {
    addresses: JSON.parse(line) as Record<string, string>,
    signal: (name) => child.kill(name),
    cpuMicros: () => (child.pid === undefined ? Number.NaN : processCpuMicros(child.pid)),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/** Linux's USER_HZ: /proc reports CPU time in ticks of 10 ms. */
const TICK_MICROS = 10_000;

/** utime + stime from /proc/PID/stat (fields 14 and 15, counted after the command's closing parenthesis). */
function processCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MICROS;
  } catch {
    return Number.NaN;
  }
}
