// One writer per data directory. The desktop app and `sluice serve` each hold `sluice.lock` in the
// data directory while they run; a second face on the same directory is refused with a sentence
// naming the process that holds it (and, for `sluice serve`, the address to open instead).
// Decisions:
// - The lock file is created whole or not at all: the owner is written to a private temp file,
//   then hard-linked to the lock's name, which fails if the lock exists. No reader ever sees half
//   an owner.
// - A lock whose process is gone (killed with SIGKILL, a crash, a power cut) is stale and taken
//   over: it is renamed aside (one rename wins), and the taker checks that what it renamed is the
//   lock it judged stale, not a fresh one another starter made in between.
// - Liveness is by pid on this host. A pid the system has since given to another program would
//   look alive, so the owner's command line is checked too when it can be read.
// - The CLI's `chat` works in a temporary directory of its own and takes no lock.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { unlinkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine, isAlive } from '../system/processes';

export type LockFace = 'desktop' | 'serve';

export type LockOwner = {
  pid: number;
  face: LockFace;
  host: string;
  startedAt: number;
  /** Where `sluice serve` answers (with its token), once it listens. */
  url?: string;
};

export const LOCK_FILE = 'sluice.lock';

const FACE_NAMES: Record<LockFace, string> = { desktop: 'the Sluice desktop app', serve: 'sluice serve' };

/** Another live process holds the directory. `message` is the one line a face prints. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
    face: LockFace,
  ) {
    super(lockedSentence(dataDir, owner, face));
  }
}

/** The one line a refused face prints: who holds the directory, and the three ways on. */
export function lockedSentence(dataDir: string, owner: LockOwner, face: LockFace): string {
  const since = new Date(owner.startedAt).toISOString().slice(11, 19);
  const use = owner.url ? `open ${owner.url}` : 'use that window';
  const stop = owner.face === 'serve' ? `stop it (Ctrl-C in its terminal, or kill ${owner.pid})` : 'quit it';
  const other = face === 'serve' ? '--data-dir DIR' : 'SLUICE_DATA_DIR=DIR';
  return (
    `The data directory ${dataDir} is in use by ${FACE_NAMES[owner.face]} (pid ${owner.pid}, since ${since} UTC). ` +
    `To go on, ${use}, ${stop}, or start this one on another directory with ${other}.`
  );
}

export type DataDirLock = {
  readonly path: string;
  readonly owner: LockOwner;
  /** Records where the face answers, for the sentence a second face prints. */
  update(patch: Pick<LockOwner, 'url'>): Promise<void>;
  release(): Promise<void>;
};

const parseOwner = (text: string): LockOwner | null => {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid !== 'number' || typeof value.startedAt !== 'number') return null;
    if (value.face !== 'desktop' && value.face !== 'serve') return null;
    return {
      pid: value.pid,
      face: value.face,
      host: typeof value.host === 'string' ? value.host : '',
      startedAt: value.startedAt,
      ...(typeof value.url === 'string' ? { url: value.url } : {}),
    };
  } catch {
    return null;
  }
};

/** Whether the lock's owner still runs: its pid is alive here and (when readable) runs Node or Electron. */
async function ownerRuns(owner: LockOwner): Promise<boolean> {
  if (owner.host !== hostname()) return true; // A shared directory from another machine: never guessed dead.
  if (owner.pid === process.pid) return true;
  if (!isAlive(owner.pid)) return false;
  const cmd = await commandLine(owner.pid);
  return cmd === null || /node|electron|sluice|tsx/i.test(cmd);
}

const json = (owner: LockOwner) => `${JSON.stringify(owner)}\n`;

/**
 * Takes the data directory for this process, or rejects with a DataDirLockedError naming who has
 * it. A stale lock (its process is gone) is taken over.
 */
export async function lockDataDir(dataDir: string, face: LockFace): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  let owner: LockOwner = { pid: process.pid, face, host: hostname(), startedAt: Date.now() };
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;

  for (let attempt = 0; ; attempt++) {
    await writeFile(temp, json(owner), { mode: 0o600 });
    try {
      await link(temp, path);
      await unlink(temp);
      break;
    } catch (err) {
      await unlink(temp).catch(() => {});
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
    }
    const seen = await stat(path).catch(() => null);
    const holder = parseOwner(await readFile(path, 'utf8').catch(() => ''));
    if (seen === null) continue; // Released between our link and our look: try again.
    if (holder && (await ownerRuns(holder))) throw new DataDirLockedError(dataDir, holder, face);
    // Stale (or unreadable, which a whole-file link never leaves): move it aside, then make sure
    // the file moved is the one judged stale; if a fresh lock was moved instead, put it back.
    const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch {
      continue; // Someone else moved it first.
    }
    const moved = await stat(aside);
    if (moved.ino !== seen.ino) {
      await link(aside, path).catch(() => {});
      await unlink(aside).catch(() => {});
      continue;
    }
    await unlink(aside).catch(() => {});
  }

  const isOurs = (found: LockOwner | null) => found?.pid === owner.pid && found.startedAt === owner.startedAt;
  // Released on the way out even when the face exits without awaiting release (an uncaught error).
  const onExit = () => {
    try {
      if (isOurs(parseOwner(readFileSync(path, 'utf8')))) unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', onExit);
  const ours = async () => isOurs(parseOwner(await readFile(path, 'utf8').catch(() => '')));

  return {
    path,
    get owner() {
      return owner;
    },
    async update(patch) {
      if (!(await ours())) return;
      owner = { ...owner, ...patch };
      // Rewritten atomically (a temp file renamed over it) so a reader never sees half of it.
      await writeFile(temp, json(owner), { mode: 0o600 });
      await rename(temp, path);
    },
    async release() {
      process.off('exit', onExit);
      if (await ours()) await unlink(path).catch(() => {});
    },
  };
}
