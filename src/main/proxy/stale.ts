// After a crash (or a SIGKILL, which no exit hook survives) an nginx may still run from a prefix.
// On start, kill each one whose owning Node process is gone — but only after its command line
// proves it is the nginx running from that prefix, so a recycled pid is never killed.
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readOwner, readPidFile } from './owner';
import { commandLine, isAlive, STOP_STEPS, terminate } from '../system/processes';

export function defaultBaseDir(): string {
  return path.join(os.tmpdir(), 'sluice-nginx');
}

/** Returns how many nginx processes were killed. Prefixes of live owners are left alone. */
export async function cleanupStaleNginx(baseDir: string = defaultBaseDir()): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir(baseDir);
  } catch {
    return 0;
  }
  let killed = 0;
  for (const name of entries) {
    const prefix = path.join(baseDir, name);
    const owner = await readOwner(prefix);
    // No marker: not provably ours (or another Sluice is between mkdtemp and writing it).
    if (owner === null || isAlive(owner.ownerPid)) continue;
    const pids = new Set([owner.nginxPid, await readPidFile(prefix)].filter((p): p is number => p !== null));
    for (const pid of pids) {
      const cmd = await commandLine(pid);
      if (cmd === null || !cmd.includes(prefix + path.sep)) continue;
      if (await terminate(pid, STOP_STEPS)) killed++;
    }
    await rm(prefix, { recursive: true, force: true });
  }
  return killed;
}
