// `npm start`, the README's front door, stopped the ways a launcher, an IDE or a terminal stops it:
// SIGTERM, SIGINT or SIGHUP sent to the npm process alone. Each must take down the whole tree it
// started (npm, scripts/start.mjs, `sluice serve` or electron-vite and the app) and close its port.
// The desktop path runs electron-vite for real with a stand-in Electron binary (ELECTRON_EXEC_PATH,
// electron-vite's own override); it builds out/main and out/preload as `npm start` always does.
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, test, type TestContext } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** pid → parent pid for every process on the machine (/proc where there is one, else ps). */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  if (existsSync('/proc/self/stat')) {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (fields[0] !== 'Z') table.set(Number(name), Number(fields[1]));
      } catch {
        // Gone while we looked.
      }
    }
    return table;
  }
  const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,stat='], { encoding: 'utf8' });
  for (const line of ps.stdout.trim().split('\n')) {
    const [pid, ppid, stat] = line.trim().split(/\s+/);
    if (!stat?.startsWith('Z')) table.set(Number(pid), Number(ppid));
  }
  return table;
}

/** `pid` and everything under it, as it stands now. */
function tree(pid: number): number[] {
  const table = processTable();
  const found = [pid];
  for (let i = 0; i < found.length; i += 1) {
    for (const [child, parent] of table) if (parent === found[i]) found.push(child);
  }
  return found.filter((p) => table.has(p));
}

const living = (pids: number[]) => {
  const table = processTable();
  return pids.filter((p) => table.has(p));
};

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, autoSelectFamily: true });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until<T>(what: string, probe: () => T | null | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Started = { npm: number; output: () => string; exited: Promise<unknown> };
/** The test's own hook: with concurrent tests, only the context knows which test is whose. */
type Finally = TestContext['onTestFinished'];

async function npmStart(args: string[], env: NodeJS.ProcessEnv, onTestFinished: Finally): Promise<Started> {
  const home = await mkdtemp(join(tmpdir(), 'sluice-start-'));
  const child = spawn('npm', ['start', ...(args.length ? ['--', ...args] : [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Nothing of the real user: a temp home and data directory, no browser, no API key.
    env: {
      PATH: process.env['PATH'],
      HOME: home,
      XDG_DATA_HOME: join(home, 'data'),
      BROWSER: 'none',
      npm_config_update_notifier: 'false',
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const npm = child.pid ?? 0;
  const seen = new Set<number>([npm]);
  onTestFinished(async () => {
    for (const pid of living([...seen])) process.kill(pid, 'SIGKILL');
    await exited;
    await rm(home, { recursive: true, force: true });
  });
  return {
    npm,
    output: () => {
      tree(npm).forEach((p) => seen.add(p));
      return output;
    },
    exited,
  };
}

/** A process as a failure message names it: pid, command line, state. */
function describePid(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    const state = /^State:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return `${pid} (${cmd}; ${state ?? '?'})`;
  } catch {
    return String(pid);
  }
}

/** Sends `signal` to npm alone and asserts that every process it started ends and the port closes. */
async function stopAndCheck(s: Started, signal: NodeJS.Signals, host: string, port: number) {
  const pids = tree(s.npm);
  expect(await answers(host, port)).toBe(true);
  process.kill(s.npm, signal);
  await until('the whole tree to end', () => (living(pids).length === 0 ? true : null), 12_000).catch(() => {
    throw new Error(
      `still running after ${signal} to npm (${s.npm}): ${living(pids).map(describePid).join(', ')} of ${pids.join(', ')}\n${s.output()}`,
    );
  });
  expect(await answers(host, port)).toBe(false);
  return pids;
}

describe.skipIf(process.platform === 'win32')('npm start stops everything it started', () => {
  describe.concurrent('the browser twin (no Electron runtime)', () => {
    test.for(SIGNALS)('%s to npm', async (signal, { onTestFinished }) => {
      const dir = await mkdtemp(join(tmpdir(), 'sluice-start-data-'));
      onTestFinished(() => rm(dir, { recursive: true, force: true }));
      const s = await npmStart(
        ['--no-build', '--data-dir', dir],
        { ELECTRON_EXEC_PATH: join(dir, 'no-electron-here') },
        onTestFinished,
      );
      const url = await until(
        'the URL',
        () => /http:\/\/127\.0\.0\.1:(\d+)\/\?token=/.exec(s.output())?.[1],
        20_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; npm start printed:\n${s.output()}`);
      });
      expect(s.output()).toContain('No Electron runtime can be started on this machine');
      const pids = await stopAndCheck(s, signal, '127.0.0.1', Number(url));
      // npm, scripts/start.mjs and `sluice serve` at least; nothing was left to chance.
      expect(pids.length).toBeGreaterThanOrEqual(3);
      // The server shut down through its own path (turns ended, stores closed), not by being killed.
      expect(s.output()).toContain('Sluice serve stopped.');
      expect(s.output()).toContain(`Data: ${dir}`);
      // BROWSER=none: not even an attempt to open one.
      expect(s.output()).not.toContain('Could not open a browser');
    });
  });

  // One at a time: each run rebuilds out/main and out/preload.
  describe('the desktop app (electron-vite dev, a stand-in Electron)', () => {
    test.for(SIGNALS)('%s to npm', async (signal, { onTestFinished }) => {
      const dir = await mkdtemp(join(tmpdir(), 'sluice-start-electron-'));
      onTestFinished(() => rm(dir, { recursive: true, force: true }));
      const electron = join(dir, 'electron');
      await writeFile(
        electron,
        [
          '#!/bin/sh',
          '# Stands in for the Electron binary: answers the version probe, then runs until signalled.',
          'if [ "$1" = "--version" ]; then echo v45.0.0; exit 0; fi',
          'echo "stand-in electron running"',
          'exec sleep 600',
          '',
        ].join('\n'),
      );
      await chmod(electron, 0o755);
      const s = await npmStart([], { ELECTRON_EXEC_PATH: electron }, onTestFinished);
      // electron-vite logs "starting electron app" once it has spawned the app and set up its own
      // signal relay; a signal before that (a window of microseconds) would orphan the app.
      await until(
        'the stand-in Electron',
        () =>
          ['stand-in electron running', 'starting electron app'].every((l) => s.output().includes(l)) || null,
        25_000,
      );
      const dev = new URL(
        await until(
          'the dev server URL',
          () => /Local:\s+(http:\/\/\S+)/.exec(stripVTControlCharacters(s.output()))?.[1],
          1000,
        ),
      );
      const pids = await stopAndCheck(s, signal, dev.hostname, Number(dev.port));
      // npm, scripts/start.mjs, electron-vite and the app.
      expect(pids.length).toBeGreaterThanOrEqual(4);
    });
  });
});
