// Conversations on disk, one JSON file each, written atomically. One process owns a data
// directory at a time (the desktop app, or `sluice serve`: `lock.ts`); it keeps an in-memory copy.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
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

export class ConversationStore {
  private readonly dir: string;
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly cache = new Map<string, Conversation>();
  private readonly queue = new KeyedQueue();
  private loaded: Promise<void> | null = null;
  /** Files that could not be read at load, moved aside rather than lost or overwritten. */
  readonly quarantined: string[] = [];

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'conversations');
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      for (const name of await readdir(this.dir)) {
        if (!name.endsWith('.json')) continue;
        const path = join(this.dir, name);
        const read = await readJson(path);
        if (read.ok && looksLikeConversation(read.value)) {
          this.cache.set(read.value.id, read.value);
        } else if (!read.ok && !read.missing) {
          const aside = `${path}.unreadable-${Date.now()}`;
          await rename(path, aside).catch(() => {});
          this.quarantined.push(aside);
        }
      }
    })();
    return this.loaded;
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
    return [...this.cache.values()].map(summarize).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async get(id: string): Promise<Conversation> {
    await this.load();
    const found = ID.test(id) ? this.cache.get(id) : undefined;
    if (!found) throw new NotFoundError(`No conversation with id "${id}".`);
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
    this.cache.set(snapshot.id, snapshot);
    this.changed({ type: 'saved', conversation: snapshot });
    await this.queue.run(snapshot.id, () => writeJsonAtomic(join(this.dir, `${snapshot.id}.json`), snapshot));
  }

  /**
   * Changes the stored conversation in place: read and replaced with no wait in between, so a
   * save queued meanwhile is not lost; `change` may throw to refuse (nothing is written).
   */
  async update(id: string, change: (conversation: Conversation) => void): Promise<void> {
    const conversation = await this.get(id);
    change(conversation);
    const snapshot = structuredClone(conversation);
    this.cache.set(id, snapshot);
    this.changed({ type: 'saved', conversation: snapshot });
    await this.queue.run(id, () => writeJsonAtomic(join(this.dir, `${id}.json`), snapshot));
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
    const taken = new Set(this.cache.keys());
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
    this.changed({ type: 'deleted', id });
    await this.queue.run(id, () => rm(join(this.dir, `${id}.json`), { force: true }));
  }
}
