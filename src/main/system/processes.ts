// Small process helpers: liveness by pid, a process's command line, graceful-then-forceful
// termination, and a free loopback port.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * EPERM means it exists but belongs to someone else: alive. A zombie (exited, not yet reaped by its
 * parent or init) still answers signal 0 but runs nothing and holds no port: dead.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    // Field 3 of /proc/PID/stat, after the parenthesised command name (which may itself hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch (err) {
    // Reaped between the two checks: gone, which is what the caller asks about.
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone, or a signal this platform lacks (SIGQUIT on Windows): the next step escalates.
  }
}

/** The process's argv joined by spaces, or null if it is gone or unreadable. */
export async function commandLine(pid: number): Promise<string | null> {
  if (process.platform === 'linux') {
    try {
      return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim() || null;
    } catch {
      return null;
    }
  }
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'command=', '-p', String(pid)], { timeout: 5_000 }, (err, stdout) =>
      resolve(err ? null : stdout.trim() || null),
    );
  });
}

/**
 * Ends a process: each signal in turn, waiting up to its grace period for the process to be gone.
 * `exited` is given for our own child (its exit event means it is reaped, not a zombie); otherwise
 * liveness is polled by pid.
 */
export async function terminate(
  pid: number,
  steps: [NodeJS.Signals, number][],
  exited: () => boolean = () => !isAlive(pid),
): Promise<boolean> {
  for (const [sig, graceMs] of steps) {
    if (exited()) return true;
    signal(pid, sig);
    const deadline = performance.now() + graceMs;
    while (!exited() && performance.now() < deadline) await sleep(10);
  }
  return exited();
}

export const STOP_STEPS: [NodeJS.Signals, number][] = [
  ['SIGQUIT', 1_500],
  ['SIGTERM', 1_500],
  ['SIGKILL', 3_000],
];

/** A port that was free a moment ago; the caller retries if nginx loses the race for it. */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('No free port on 127.0.0.1.'))));
    });
  });
}
