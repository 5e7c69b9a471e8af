// No nginx outlives Sluice. Every running front is registered here; if the Node process exits or
// is told to stop by a signal, each one is killed synchronously and its prefix removed. The
// registry is module state on purpose: an exit hook has nowhere else to find the fronts.
import { rmSync } from 'node:fs';

type Guarded = { pid: number; prefix: string };

const live = new Map<number, Guarded>();
const SIGNALS: NodeJS.Signals[] =
  process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Registers a running nginx; the returned function unregisters it (after a normal stop). */
export function guard(entry: Guarded): () => void {
  if (live.size === 0) install();
  live.set(entry.pid, entry);
  return () => {
    if (live.get(entry.pid) !== entry) return;
    live.delete(entry.pid);
    if (live.size === 0) uninstall();
  };
}

function killAllSync(): void {
  for (const { pid, prefix } of live.values()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    rmSync(prefix, { recursive: true, force: true });
  }
  live.clear();
}

function onExit(): void {
  killAllSync();
}

// Listening for a signal replaces Node's default (exit), so after cleaning up, the signal is raised
// again unless someone else (the Electron app, the CLI) has its own handler and decides.
function onSignal(sig: NodeJS.Signals): void {
  killAllSync();
  uninstall();
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

function install(): void {
  process.on('exit', onExit);
  for (const sig of SIGNALS) process.on(sig, onSignal);
}

function uninstall(): void {
  process.off('exit', onExit);
  for (const sig of SIGNALS) process.off(sig, onSignal);
}
