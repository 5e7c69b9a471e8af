// Crash-safe JSON files: write-file-atomic writes a temp file, fsyncs it and renames it over the
// target, so a kill at any moment leaves either the old file or the new one, never half of one.
import { randomUUID } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import writeFileAtomic from 'write-file-atomic';

/** `fsync: false` only for a cache that may be lost (a torn one must read as absent). */
export async function writeJsonAtomic(path: string, value: unknown, opts = { fsync: true }): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value)}\n`, { fsync: opts.fsync });
}

/**
 * A large file of lines (a cache), written the same way, a temp file renamed over the target, but
 * line by line: no one string of the whole file is made, and the event loop turns between lines.
 */
export async function writeLinesAtomic(
  path: string,
  lines: readonly string[],
  opts = { fsync: true },
): Promise<void> {
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  const handle = await open(temp, 'w');
  try {
    for (const line of lines) await handle.write(`${line}\n`);
    if (opts.fsync) await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw err;
  }
}

/** The file's lines, read as they stream in; null when there is no file. */
export async function readLines(path: string): Promise<AsyncGenerator<string> | null> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return null;
  return (async function* lines() {
    const input = handle.createReadStream({ encoding: 'utf8' });
    const reader = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of reader) yield line;
    } finally {
      reader.close();
      input.destroy();
    }
  })();
}

export type ReadResult<T> = { ok: true; value: T } | { ok: false; missing: boolean; error: string };

export async function readJson<T = unknown>(path: string): Promise<ReadResult<T>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, missing, error: String(err) };
  }
  try {
    return { ok: true, value: JSON.parse(text) as T };
  } catch (err) {
    return { ok: false, missing: false, error: `${path} is not valid JSON: ${String(err)}` };
  }
}

/** Serializes async work per key, so two saves of one file never race each other's rename. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves once every write queued so far (under any key) has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
