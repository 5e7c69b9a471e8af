// `npm start`: the desktop app where an Electron runtime can be had; otherwise one clear line
// saying so, then the browser twin (`sluice serve --open`) with the same renderer and relay.
//
// Signals. This script runs one child at a time (the Electron download and probe, then the app)
// and stops it on SIGINT, SIGTERM and SIGHUP, then exits as the app did. The links above it drop
// signals, so each is handled here:
// - npm forwards SIGINT and SIGTERM to its child but not SIGHUP; the `exec` in package.json's
//   start script makes that child this process, not a `sh -c` that would swallow them.
// - When npm dies without forwarding (SIGHUP, SIGKILL), nothing reaches this process: it watches
//   its parent and stops when the parent is gone.
// - Ctrl-C or a hangup in a terminal signals the whole foreground process group, and npm forwards
//   its own copy too. The app runs in its own process group (POSIX), so it hears of it once, from
//   here, and the same signal twice within a moment is relayed once: a second signal tells
//   `sluice serve` to stop at once instead of cleanly.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const SAME_SIGNAL_MS = 500;
const ORPHAN_GRACE_MS = 10_000;
const posix = process.platform !== 'win32';

/** The child running now, if any, and whether it leads its own process group. */
let current = null;
let currentLeadsGroup = false;
/** The first stop signal received. */
let stopping = null;
let last = { signal: '', at: 0 };

const running = () => current !== null && current.exitCode === null && current.signalCode === null;

/** Ends this process as `signal` would have, so whoever started it (npm) sees what happened. */
function dieOf(signal) {
  for (const s of STOP_SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal);
  setTimeout(() => process.exit(128 + constants.signals[signal]), 100);
}

function relay(signal) {
  const now = Date.now();
  if (signal === last.signal && now - last.at < SAME_SIGNAL_MS) return;
  last = { signal, at: now };
  stopping ??= signal;
  if (running()) current.kill(signal);
  else dieOf(signal);
}
for (const signal of STOP_SIGNALS) process.on(signal, relay);

const parent = process.ppid;
function parentGone() {
  if (process.ppid !== parent) return true; // reparented: the parent exited
  try {
    process.kill(parent, 0);
    return false;
  } catch (err) {
    return err.code !== 'EPERM';
  }
}
const watch = setInterval(() => {
  if (!parentGone()) return;
  clearInterval(watch);
  relay('SIGTERM');
  // No one is left to insist; if the child hangs, end it and whatever it started.
  setTimeout(() => {
    if (!running()) return;
    try {
      if (currentLeadsGroup) process.kill(-current.pid, 'SIGKILL');
      else current.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }, ORPHAN_GRACE_MS).unref();
}, 250);
watch.unref();

/** Runs a short step (quietly, bounded) as the current child; its exit code, or null. */
function step(cmd, args, timeoutMs, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], env });
    current = child;
    currentLeadsGroup = false;
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let settled = false;
    const done = (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      current = null;
      if (stopping) dieOf(stopping);
      else resolve(code === 0 ? out : null);
    };
    child.on('error', () => done(null));
    child.on('exit', (code) => done(code));
  });
}

async function electronRuntime() {
  // ELECTRON_EXEC_PATH is electron-vite's own override for the binary; honour it the same way.
  let binary = process.env.ELECTRON_EXEC_PATH;
  if (!binary) {
    const electronDir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(electronDir, 'path.txt');
    if (!existsSync(pathFile)) {
      // The binary is fetched on first launch; give it one bounded chance, quietly.
      const fetched = await step(process.execPath, [join(electronDir, 'install.js')], 180_000);
      if (fetched === null || !existsSync(pathFile)) return null;
    }
    binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  }
  const version = await step(binary, ['--version'], 30_000, { ...process.env, ELECTRON_RUN_AS_NODE: '1' });
  return version === null ? null : binary;
}

/** Runs `node ...args` as the app, in its own process group, and exits as it does. */
function run(args) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // Nothing the app runs reads the terminal; in its own group it must not try.
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: posix,
  });
  current = child;
  currentLeadsGroup = posix;
  child.on('error', (err) => {
    console.error(`npm start: could not start ${args.join(' ')}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    clearInterval(watch);
    if (signal === null) process.exit(code ?? 0);
    if (STOP_SIGNALS.includes(signal)) dieOf(signal);
    else process.exit(128 + constants.signals[signal]);
  });
}

if (await electronRuntime()) {
  const electronVite = join(dirname(require.resolve('electron-vite')), '..', 'bin', 'electron-vite.js');
  run([electronVite, 'dev']);
} else {
  console.log(
    'No Electron runtime can be started on this machine, so Sluice opens its browser twin instead: `npm run -s sluice -- serve --open` (same renderer, same relay).',
  );
  // tsx as Node's loader rather than the tsx CLI, which would put one more process in between.
  const tsx = import.meta.resolve('tsx');
  run(['--import', tsx, join(ROOT, 'src', 'main', 'cli.ts'), 'serve', '--open', ...process.argv.slice(2)]);
}
