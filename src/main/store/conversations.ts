// Conversations on disk, one JSON file each, written atomically. One process owns a data
// directory at a time (the desktop app, or `sluice serve`: `lock.ts`).
//
// Listing does not read every file: `conversations.index.json` beside the folder keeps each
// conversation's summary with its file's size and modification time. At start each file is
// stat'ed, and only one that is new or differs from its entry (saved since the index was written,
// edited by hand) is read in full; then the index is written again, atomically. It is a cache,
// never trusted over the files: saves do not touch it (a conversation saved this session is read
// once at the next start), and a missing or unreadable index only means every file is read.
// Opened conversations are kept in memory, up to a bound; a file is read again when one falls out.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Conversation, ConversationSummary } from '../../shared/protocol';
import { activePath } from '../../shared/versions';
import { KeyedQueue, readJson, writeJsonAtomic } from './atomic';
export class NotFoundError extends Error {
  readonly type = 'not_found';
}

const ID = /^[A-Za-z0-9_-]{1,100}$/;

export const summarize = (c: Conversation): ConversationSummary => ({
  id: c.id,
  title: c.title,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  /** The messages on screen (the active path), not every version. */
  messageCount: activePath(c).length,
  ...(c.pinned ? { pinned: true } : {}),
});

/** What a file must look like to be loaded; any JSON can be on disk. */
const looksLikeConversation = (value: unknown): value is Conversation =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { id?: unknown }).id === 'string' &&
  Array.isArray((value as { messages?: unknown }).messages);

export type StoreChange = { type: 'saved'; conversation: Conversation } | { type: 'deleted'; id: string };

/** A file as the index last saw it: its summary, and the size and time that say it is unchanged. */
type IndexEntry = { summary: ConversationSummary; size: number; mtimeMs: number };
type IndexFile = { version: 1; entries: Record<string, IndexEntry> };

const INDEX_FILE = 'conversations.index.json';
/** Whole conversations kept in memory (the open ones, the last read); the rest are read on demand. */
const CACHE_LIMIT = 64;

const looksLikeEntry = (value: unknown): value is IndexEntry => {
  const e = value as Partial<IndexEntry> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.size === 'number' &&
    typeof e.mtimeMs === 'number' &&
    typeof e.summary?.id === 'string' &&
    typeof e.summary.updatedAt === 'number'
  );
};

export class ConversationStore {
  private readonly dir: string;
  private readonly indexPath: string;
  private readonly listeners = new Set<(change: StoreChange) => void>();
  /** Every conversation's summary, with what its file looked like when it was summarized. */
  private readonly entries = new Map<string, IndexEntry>();
  /** Whole conversations, most recently used last. */
  private readonly cache = new Map<string, Conversation>();
  private readonly queue = new KeyedQueue();
  private loaded: Promise<void> | null = null;
  /** Files that could not be read, moved aside rather than lost or overwritten. */
  readonly quarantined: string[] = [];
  /** How the last load went: files whose index entry held, and files read in full. */
  readonly loadStats = { fromIndex: 0, read: 0 };

  constructor(readonly dataDir: string) {
    this.dir = join(dataDir, 'conversations');
    this.indexPath = join(dataDir, INDEX_FILE);
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      const index = await readJson(this.indexPath);
      // Any JSON can be on disk: only a version-1 index with an entries object is read at all.
      const value = index.ok ? (index.value as { version?: unknown; entries?: unknown } | null) : null;
      const entries = value?.version === 1 ? value.entries : undefined;
      const known = (entries && typeof entries === 'object' ? entries : {}) as Record<string, unknown>;
      const names = (await readdir(this.dir)).filter((name) => name.endsWith('.json'));
      let changed = !index.ok;
      await mapLimit(names, 32, async (name) => {
        const path = join(this.dir, name);
        const info = await stat(path).catch(() => null);
        if (!info) return;
        const entry = known[name.slice(0, -'.json'.length)];
        if (looksLikeEntry(entry) && entry.size === info.size && entry.mtimeMs === info.mtimeMs) {
          this.entries.set(entry.summary.id, entry);
          this.loadStats.fromIndex++;
          return;
        }
        changed = true;
        this.loadStats.read++;
        const conversation = await this.readFile(path);
        if (conversation) this.remember(conversation, info);
      });
      if (changed || this.entries.size !== Object.keys(known).length) {
        const file: IndexFile = { version: 1, entries: Object.fromEntries(this.entries) };
        // No fsync: a torn index after a power cut reads as no index, and every file is read.
        await writeJsonAtomic(this.indexPath, file, { fsync: false }).catch(() => {});
      }
    })();
    return this.loaded;
  }

  /** The file's conversation, or null when there is none; an unreadable one is moved aside. */
  private async readFile(path: string): Promise<Conversation | null> {
    const read = await readJson(path);
    if (read.ok && looksLikeConversation(read.value)) return read.value;
    if (!read.ok && !read.missing) {
      const aside = `${path}.unreadable-${Date.now()}`;
      await rename(path, aside).catch(() => {});
      this.quarantined.push(aside);
    }
    return null;
  }

  private remember(conversation: Conversation, file: { size: number; mtimeMs: number } | null): void {
    this.entries.set(conversation.id, {
      summary: summarize(conversation),
      // Saved this session: the index written at the next start will have its file's.
      size: file?.size ?? -1,
      mtimeMs: file?.mtimeMs ?? -1,
    });
  }

  private cached(conversation: Conversation): void {
    this.cache.delete(conversation.id);
    this.cache.set(conversation.id, conversation);
    while (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
  }

  /** Writes one conversation's file, after any write of it already queued. */
  private write(snapshot: Conversation): Promise<void> {
    return this.queue.run(snapshot.id, () =>
      writeJsonAtomic(join(this.dir, `${snapshot.id}.json`), snapshot),
    );
  }

  /**
   * What the conversation files look like now (each one's name, size and time, hashed): a cache
   * made from them (the search index) is trusted only while this is unchanged.
   */
  async fingerprint(): Promise<string> {
    await this.load();
    const names = (await readdir(this.dir)).filter((name) => name.endsWith('.json')).sort();
    const lines = new Map<string, string>();
    await mapLimit(names, 32, async (name) => {
      const info = await stat(join(this.dir, name)).catch(() => null);
      if (info) lines.set(name, `${name}:${info.size}:${info.mtimeMs}\n`);
    });
    const hash = createHash('sha256');
    for (const name of names) hash.update(lines.get(name) ?? '');
    return hash.digest('hex');
  }

  /** Resolves once every file write and removal queued so far is done. */
  settled(): Promise<void> {
    return this.queue.idle();
  }

  /** Called after each save and delete (the search index keeps in step); returns the unsubscribe. */
  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(change: StoreChange): void {
    for (const listener of this.listeners) listener(change);
  }

  async list(): Promise<ConversationSummary[]> {
    await this.load();
    return [...this.entries.values()]
      .map((e) => ({ ...e.summary }))
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async get(id: string): Promise<Conversation> {
    await this.load();
    const missing = () => new NotFoundError(`No conversation with id "${id}".`);
    if (!ID.test(id) || !this.entries.has(id)) throw missing();
    let found = this.cache.get(id);
    if (!found) {
      // After any write of it still queued, so what is read is what was last saved.
      const read = await this.queue.run(id, () => this.readFile(join(this.dir, `${id}.json`)));
      found = this.cache.get(id) ?? read ?? undefined;
      if (!found || found.id !== id) {
        this.entries.delete(id);
        throw missing();
      }
    }
    this.cached(found);
    return structuredClone(found);
  }

  async create(title: string): Promise<Conversation> {
    await this.load();
    const now = Date.now();
    const conversation: Conversation = {
      id: randomUUID(),
      title,
      createdAt: now,
      updatedAt: now,
      messages: [],
    };
    await this.save(conversation);
    return structuredClone(conversation);
  }

  /** Replaces the stored conversation (the caller read it with get and changed it). */
  async save(conversation: Conversation): Promise<void> {
    await this.load();
    if (!ID.test(conversation.id)) throw new Error(`Invalid conversation id "${conversation.id}".`);
    const snapshot = structuredClone(conversation);
    this.cached(snapshot);
    this.remember(snapshot, null);
    this.changed({ type: 'saved', conversation: snapshot });
    await this.write(snapshot);
  }

  /**
   * Changes the stored conversation in place: read and replaced with no wait in between, so a
   * save queued meanwhile is not lost; `change` may throw to refuse (nothing is written).
   */
  async update(id: string, change: (conversation: Conversation) => void): Promise<void> {
    const conversation = await this.get(id);
    change(conversation);
    const snapshot = structuredClone(conversation);
    this.cached(snapshot);
    this.remember(snapshot, null);
    this.changed({ type: 'saved', conversation: snapshot });
    await this.write(snapshot);
  }

  /** The person's title: a title made later never replaces it. */
  async rename(id: string, title: string): Promise<ConversationSummary> {
    const conversation = await this.get(id);
    conversation.title = title;
    conversation.titleSource = 'person';
    conversation.updatedAt = Date.now();
    await this.save(conversation);
    return summarize(conversation);
  }

  /**
   * A title made after the first answer (chat/title.ts); false, and nothing written, when the
   * person has named the conversation meanwhile. The list's order (updatedAt) does not move.
   */
  async setAutoTitle(id: string, title: string): Promise<boolean> {
    const conversation = await this.get(id);
    if (conversation.titleSource === 'person') return false;
    conversation.title = title;
    conversation.titleSource = 'auto';
    await this.save(conversation);
    return true;
  }

  /** Pins the conversation to the top of the list, or unpins it; its place in time does not move. */
  async pin(id: string, pinned: boolean): Promise<ConversationSummary> {
    const conversation = await this.get(id);
    if (pinned) conversation.pinned = true;
    else delete conversation.pinned;
    await this.save(conversation);
    return summarize(conversation);
  }

  /**
   * Stores conversations as new ones, all or none: one whose id is already taken (stored, or earlier
   * in `incoming`) comes in as a copy with a new id; if a write fails, those written are removed.
   */
  async importAll(incoming: Conversation[]): Promise<{ stored: Conversation; copyOf?: string }[]> {
    await this.load();
    const taken = new Set(this.entries.keys());
    const planned = incoming.map((c) => {
      const copyOf = taken.has(c.id) ? c.id : undefined;
      const stored = structuredClone(
        copyOf ? { ...c, id: randomUUID(), title: `${c.title} (imported copy)` } : c,
      );
      taken.add(stored.id);
      return copyOf ? { stored, copyOf } : { stored };
    });
    const written: string[] = [];
    try {
      for (const { stored } of planned) {
        await this.save(stored);
        written.push(stored.id);
      }
    } catch (err) {
      for (const id of written) await this.delete(id).catch(() => {});
      throw err;
    }
    return planned;
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    this.cache.delete(id);
    this.entries.delete(id);
    this.changed({ type: 'deleted', id });
    await this.queue.run(id, () => rm(join(this.dir, `${id}.json`), { force: true }));
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
