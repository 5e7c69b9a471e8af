// Full-text search over every message of every conversation, in the main process: a FlexSearch
// index of one document per message (a user's text; an answer's text, thinking and tool calls),
// kept in step with the ConversationStore — each save re-indexes only the messages whose text
// changed, so a streaming answer saved every second costs one document, not the conversation.
//
// FlexSearch answers the first hits of an AND query without scoring every message that holds a
// common word (MiniSearch scored and sorted all of them: 0.6–0.8 s for a word in 80,000 messages).
// Beside it a radix tree of the words indexed (MiniSearch's SearchableMap, each word with the
// number of messages holding it) widens a query's words before FlexSearch sees them: the last word
// is the one being typed and also stands for its most common completions; a word of five letters
// or more that no message holds stands for its nearest indexed words (a typo).
//
// The index is built in the background as soon as the store is opened, in slices that give the
// event loop back every few milliseconds (a streaming turn's relay keeps its pace); a search
// meanwhile answers from what is indexed and says how far the build is. Once built it is kept in
// the data directory (`search-index.jsonl`, written atomically, with a format version and a
// fingerprint of the conversation files): a later start loads it instead, and a file that is
// missing, torn, of another version or made from other files is rebuilt, never trusted.
import { join } from 'node:path';
import { Encoder, Index } from 'flexsearch';
import SearchableMap from 'minisearch/SearchableMap';
import type { ChatMessage, Conversation, SearchHit, SearchResults } from '../../shared/protocol';
import { readLines, writeLinesAtomic } from './atomic';
import type { ConversationStore } from './conversations';

type Doc = { conversationId: string; messageId: string; role: 'user' | 'assistant'; text: string };

const SNIPPET_BEFORE = 60;
const SNIPPET_LENGTH = 180;
const MAX_HITS = 50;
/** The word being typed stands for itself and at most this many completions, the most common. */
const PREFIX_TERMS = 8;
/** A word no message holds, this long or longer, stands for its nearest indexed words. */
const FUZZY_MIN = 5;
const FUZZY_TERMS = 4;
/** At most this many AND queries answer one search (the first words of each query word first). */
const MAX_CHOICES = 32;
/** How long a slice of background work may hold the event loop. */
const SLICE_MS = 8;
/** Removed messages left in a loaded shard before it is rebuilt from the texts in memory. */
const STALE_LIMIT = 500;
/** A change is written to the index file once this long has passed without another. */
const PERSIST_AFTER_MS = 30_000;

export const INDEX_FILE = 'search-index.jsonl';
const FORMAT = 'sluice.search-index';
const FORMAT_VERSION = 1;
const DOCS_PER_LINE = 500;
/**
 * Messages per shard: a search asks each shard in turn and stops once it has its hits, and a
 * shard's part of the file is small enough to write and read without holding the event loop long.
 */
const SHARD_SIZE = 10_000;

/** How the index came to be this session, for tests and the bench. */
export type IndexOrigin =
  { from: 'file' } | { from: 'build'; because: 'missing' | 'unreadable' | 'version' | 'stale' | 'compacted' };

/** What of a message is searchable: its text, and for an answer its thinking and tool calls too. */
export function searchableText(message: ChatMessage): string {
  if (message.role === 'user') return message.text;
  const parts: string[] = [];
  for (const step of message.steps) {
    for (const block of step.message.blocks) {
      if (block?.type === 'text') parts.push(block.text);
      else if (block?.type === 'thinking') parts.push(block.thinking);
      else if (block?.type === 'tool_use') parts.push(`${block.name} ${block.inputJson}`);
    }
    for (const result of step.toolResults) parts.push(result.content);
  }
  return parts.join('\n');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` with each accented letter folded to its base letter, one code unit for one, so what is
 * found in the copy is at the same place in the original: "Café" → "Cafe". A letter that folds to
 * more or less than one letter or digit (ß, ﬁ, a lone mark) stays as it is.
 */
export function foldedInPlace(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, foldedLetter);
}

const foldedLetters = new Map<string, string>();
function foldedLetter(c: string): string {
  let folded = foldedLetters.get(c);
  if (folded === undefined) {
    const base = c.normalize('NFKD').replace(/\p{M}/gu, '');
    folded = base.length === 1 && /[\p{L}\p{N}]/u.test(base) ? base : c;
    if (foldedLetters.size < 4096) foldedLetters.set(c, folded);
  }
  return folded;
}

/** The snippet around the first place a matched word occurs, and where each matched word is in it. */
export function snippetOf(text: string, words: string[]): SearchHit['snippet'] {
  const pattern = words.length > 0 ? new RegExp(`(${words.map(escape).join('|')})`, 'giu') : null;
  // The index folds accents, so the words are found in a folded copy; the original is what is cut
  // and shown. Every step below does the same to both, so their places stay the same.
  const folded = foldedInPlace(text);
  // Only the stretch around the first match is flattened and cut, not the whole message (a long
  // answer would cost each of the 50 hits its full length); whitespace runs make it a little wider.
  const match = pattern ? folded.search(pattern) : -1;
  const windowFrom = Math.max(0, match - SNIPPET_BEFORE * 4);
  const windowTo = Math.min(text.length, Math.max(match, 0) + SNIPPET_LENGTH * 4);
  const cutBefore = windowFrom > 0;
  const cutAfter = windowTo < text.length;
  const cut = (s: string) => {
    const flat = s.slice(windowFrom, windowTo).replace(/\s+/g, ' ');
    const trimmed = cutBefore ? flat : flat.trimStart();
    return cutAfter ? trimmed : trimmed.trimEnd();
  };
  const body0 = cut(text);
  const foldedBody0 = cut(folded);
  const first = pattern ? foldedBody0.search(pattern) : -1;
  const start = Math.max(0, (first < 0 ? 0 : first) - SNIPPET_BEFORE);
  // Whole words at the cut: start after a space, end before one.
  const from = start === 0 && !cutBefore ? 0 : body0.indexOf(' ', start) + 1 || start;
  let to = Math.min(body0.length, from + SNIPPET_LENGTH);
  if (to < body0.length || cutAfter) to = body0.lastIndexOf(' ', to) > from ? body0.lastIndexOf(' ', to) : to;
  const body = body0.slice(from, to);
  const prefix = from > 0 || cutBefore ? '…' : '';
  const textOut = `${prefix}${body}${to < body0.length || cutAfter ? '…' : ''}`;
  const highlights: [number, number][] = [];
  if (pattern) {
    for (const m of foldedBody0.slice(from, to).matchAll(pattern)) {
      const at = m.index + prefix.length;
      highlights.push([at, at + m[0].length]);
    }
  }
  return { text: textOut, highlights };
}

/**
 * The index's words and the query's: lower case, accents folded, split at anything not a letter or
 * digit; not FlexSearch's default, which also merges doubled letters ("buffer" → "bufer") and cuts
 * numbers in threes, so a word would no longer be found as written in the snippet to mark it.
 */
const encoder = new Encoder({ dedupe: false, numeric: false });
const wordsOf = (text: string): string[] => encoder.encode(text);
const newIndex = (fastupdate: boolean) => new Index({ tokenize: 'strict', encoder, fastupdate });
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The words of each query word: itself if indexed, completions of the last, near words of a typo. */
export function queryWords(words: readonly string[], vocabulary: SearchableMap<number>): string[][] {
  const commonest = (found: Iterable<[string, number]>, n: number) =>
    [...found].sort((a, b) => b[1] - a[1]).slice(0, n);
  return words.map((word, i) => {
    const out = new Set<string>();
    if (vocabulary.has(word)) out.add(word);
    if (i === words.length - 1 && word.length >= 2)
      for (const [w] of commonest(vocabulary.atPrefix(word).entries(), PREFIX_TERMS)) out.add(w);
    if (out.size === 0 && word.length >= FUZZY_MIN) {
      const near = [...vocabulary.fuzzyGet(word, word.length >= 8 ? 2 : 1)];
      near.sort((a, b) => a[1][1] - b[1][1] || b[1][0] - a[1][0]);
      for (const [w] of near.slice(0, FUZZY_TERMS)) out.add(w);
    }
    return [...out];
  });
}

export class MessageSearch {
  /** Message `id` is in shard `floor(id / shardSize)`. */
  private shards: (Shard | undefined)[] = [];
  private nextId = 0;
  private readonly docs = new Map<number, Doc>();
  /** Per conversation: each indexed message's document id. */
  private readonly byConversation = new Map<string, Map<string, number>>();
  private readonly titles = new Map<string, string>();
  private vocabulary = new SearchableMap<number>();
  /** Conversations saved or deleted since the build began (the listener indexed them already). */
  private readonly touched = new Set<string>();
  private progress = { done: 0, total: 0 };
  private building = true;
  /** Every conversation is in the index (loaded or built whole): only then is it written. */
  private complete = false;
  /** Bumped by every change: a snapshot written while it moved is thrown away. */
  private generation = 0;
  private persisted = -1;
  private persistTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly ready: Promise<void>;
  private readonly unsubscribe: () => void;
  origin: IndexOrigin | null = null;

  private readonly shardSize: number;
  private readonly staleLimit: number;

  /** `shardSize` and `staleLimit` are for tests, to see several shards and a rebuild on a few messages. */
  constructor(
    private readonly store: ConversationStore,
    opts: { shardSize?: number; staleLimit?: number } = {},
  ) {
    this.shardSize = opts.shardSize ?? SHARD_SIZE;
    this.staleLimit = opts.staleLimit ?? STALE_LIMIT;
    this.unsubscribe = store.onChange((change) => {
      this.touched.add(change.type === 'deleted' ? change.id : change.conversation.id);
      if (change.type === 'deleted') this.remove(change.id);
      else drain(this.putSteps(change.conversation));
      this.changed();
    });
    // A failed build (an unreadable directory) leaves what was indexed; searches still answer.
    this.ready = this.start().catch(() => {});
  }

  private get file(): string {
    return join(this.store.dataDir, INDEX_FILE);
  }

  /** Resolves when every conversation is indexed (loaded or built). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** How far the build is (conversations indexed of all), and removed messages loaded shards still hold. */
  status(): { building: boolean; done: number; total: number; stale: number } {
    const stale = this.shards.reduce((n, s) => n + (s?.stale ?? 0), 0);
    return { building: this.building, ...this.progress, stale };
  }

  private async start(): Promise<void> {
    try {
      const summaries = await this.store.list();
      this.progress = { done: 0, total: summaries.length };
      const fingerprint = await this.store.fingerprint();
      const loaded = await this.load(fingerprint);
      if (loaded === true) {
        this.origin = { from: 'file' };
        this.persisted = this.generation;
      } else {
        this.origin = { from: 'build', because: loaded };
        await this.build(summaries.map((s) => s.id));
      }
      this.complete = !this.closed;
    } finally {
      this.building = false;
      this.progress.done = this.progress.total;
    }
    await this.persist();
  }

  /** Indexes every conversation, a slice at a time; a conversation changed meanwhile is skipped. */
  private async build(ids: string[]): Promise<void> {
    this.touched.clear();
    let sliceStart = performance.now();
    for (const id of ids) {
      if (this.closed) return;
      if (!this.touched.has(id)) {
        const conversation = await this.store.get(id).catch(() => null);
        if (conversation && !this.touched.has(id)) {
          const steps = this.putSteps(conversation);
          while (!steps.next().done) {
            if (performance.now() - sliceStart < SLICE_MS) continue;
            await tick();
            sliceStart = performance.now();
            // A save of it while this slice waited indexed all of it; nothing more to do here.
            if (this.touched.has(id)) break;
          }
        }
      }
      this.progress.done++;
      if (performance.now() - sliceStart >= SLICE_MS) {
        await tick();
        sliceStart = performance.now();
      }
    }
  }

  private terms(text: string): string[] {
    return [...new Set(wordsOf(text))];
  }

  private add(doc: Doc): number {
    const id = this.nextId++;
    const n = Math.floor(id / this.shardSize);
    const shard = (this.shards[n] ??= { index: newIndex(true), fast: true, stale: 0, next: null });
    shard.index.add(id, doc.text);
    shard.next?.add(id, doc.text);
    this.docs.set(id, doc);
    for (const term of this.terms(doc.text)) this.vocabulary.update(term, (n = 0) => n + 1);
    return id;
  }

  private discard(id: number): void {
    const doc = this.docs.get(id);
    if (!doc) return;
    this.docs.delete(id);
    for (const term of this.terms(doc.text)) {
      const n = (this.vocabulary.get(term) ?? 1) - 1;
      if (n > 0) this.vocabulary.set(term, n);
      else this.vocabulary.delete(term);
    }
    const n = Math.floor(id / this.shardSize);
    const shard = this.shards[n];
    if (!shard) return;
    shard.next?.remove(id);
    if (shard.fast) shard.index.remove(id);
    else if (++shard.stale > this.staleLimit && !shard.next && !this.building) void this.compact(n, shard);
  }

  /** Indexes a conversation's messages whose text changed, yielding after each message. */
  private *putSteps(conversation: Conversation): Generator<void> {
    this.titles.set(conversation.id, conversation.title);
    let ids = this.byConversation.get(conversation.id);
    if (!ids) this.byConversation.set(conversation.id, (ids = new Map()));
    const present = new Set<string>();
    for (const message of conversation.messages) {
      present.add(message.id);
      const text = searchableText(message);
      const before = ids.get(message.id);
      if (before !== undefined && this.docs.get(before)?.text === text) continue;
      if (before !== undefined) this.discard(before);
      const doc: Doc = { conversationId: conversation.id, messageId: message.id, role: message.role, text };
      ids.set(message.id, this.add(doc));
      yield;
    }
    for (const [messageId, id] of ids)
      if (!present.has(messageId)) {
        this.discard(id);
        ids.delete(messageId);
      }
  }

  private remove(conversationId: string): void {
    for (const id of this.byConversation.get(conversationId)?.values() ?? []) this.discard(id);
    this.byConversation.delete(conversationId);
    this.titles.delete(conversationId);
  }

  /**
   * The first `limit` documents holding, for each query word, one of its words: one AND query per
   * choice of words, the query's own words first, each cut at `limit` (FlexSearch stops there
   * instead of merging whole lists, which an OR of eight common completions costs).
   */
  private find(groups: string[][], limit: number): number[] {
    const out = new Set<number>();
    for (const shard of this.shards) {
      if (!shard) continue;
      for (const words of choices(groups, MAX_CHOICES)) {
        const found = shard.index.search(words.join(' '), { limit: limit + shard.stale }) as number[];
        for (const id of found) if (this.docs.has(id)) out.add(id);
        if (out.size >= limit) return [...out].slice(0, limit);
      }
    }
    return [...out];
  }

  async search(query: string): Promise<SearchResults> {
    const q = query.trim();
    const indexing = this.building ? { indexing: { ...this.progress } } : {};
    if (!q) return { query: q, hits: [], more: false, ...indexing };
    const groups = queryWords(wordsOf(q), this.vocabulary);
    if (groups.length === 0 || groups.some((g) => g.length === 0))
      return { query: q, hits: [], more: false, ...indexing };
    const live = this.find(groups, MAX_HITS + 1);
    const words = groups.flat();
    const hits = live.slice(0, MAX_HITS).map((id): SearchHit => {
      const doc = this.docs.get(id) as Doc;
      return {
        conversationId: doc.conversationId,
        messageId: doc.messageId,
        title: this.titles.get(doc.conversationId) ?? '',
        role: doc.role,
        snippet: snippetOf(doc.text, words),
      };
    });
    return { query: q, hits, more: live.length > MAX_HITS, ...indexing };
  }

  private changed(): void {
    this.generation++;
    if (!this.building) this.persistLater();
  }

  private persistLater(): void {
    if (this.closed) return;
    if (this.persistTimer) clearTimeout(this.persistTimer);
    // A cache: a write that fails (a full disk) means a rebuild at the next start, nothing more.
    this.persistTimer = setTimeout(() => void this.persist().catch(() => {}), PERSIST_AFTER_MS);
    this.persistTimer.unref();
  }

  /** Rebuilds a loaded shard from the texts in memory (dropping removed messages), then swaps it in. */
  private async compact(n: number, shard: Shard): Promise<void> {
    const next = newIndex(true);
    shard.next = next;
    const from = n * this.shardSize;
    const ids = [...this.docs.keys()].filter((id) => id >= from && id < from + this.shardSize);
    let sliceStart = performance.now();
    for (const id of ids) {
      if (this.closed) {
        shard.next = null;
        return;
      }
      const doc = this.docs.get(id);
      if (doc) next.add(id, doc.text);
      if (performance.now() - sliceStart >= SLICE_MS) {
        await tick();
        sliceStart = performance.now();
      }
    }
    this.shards[n] = { index: next, fast: true, stale: 0, next: null };
    this.generation++;
    this.persistLater();
  }

  /** The lines of the index file, made a slice at a time; null if a change came meanwhile. */
  private async snapshot(fingerprint: string): Promise<string[] | null> {
    const generation = this.generation;
    const lines: string[] = [
      JSON.stringify({
        format: FORMAT,
        version: FORMAT_VERSION,
        shardSize: this.shardSize,
        fingerprint,
        nextId: this.nextId,
      }),
      JSON.stringify({ titles: [...this.titles] }),
    ];
    const docs = [...this.docs];
    for (let i = 0; i < docs.length; i += DOCS_PER_LINE) {
      const chunk = docs
        .slice(i, i + DOCS_PER_LINE)
        .map(([id, d]) => [id, d.conversationId, d.messageId, d.role, d.text]);
      lines.push(JSON.stringify({ docs: chunk }));
      await tick();
      if (this.generation !== generation) return null;
    }
    lines.push(JSON.stringify({ vocabulary: [...this.vocabulary] }));
    const shards = [...this.shards];
    for (const [n, shard] of shards.entries()) {
      if (!shard) continue;
      lines.push(JSON.stringify({ shard: n, stale: shard.stale }));
      // FlexSearch's own export: its key on one line, its data (JSON already) on the next, as is.
      // With a handler that returns a promise, FlexSearch waits for it between parts.
      const exported = shard.index.export(async (key, data) => {
        lines.push(JSON.stringify({ part: key }), data);
        await tick();
      }) as unknown as Promise<void>;
      await exported;
      if (this.generation !== generation || this.shards[n] !== shard) return null;
    }
    lines.push(JSON.stringify({ end: lines.length }));
    return lines;
  }

  /** Writes the index file, unless nothing changed since the last; a change meanwhile tries later. */
  async persist(): Promise<void> {
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = null;
    const compacting = this.shards.some((s) => s?.next);
    if (!this.complete || this.building || compacting || this.persisted === this.generation) return;
    const generation = this.generation;
    // The files as every change indexed so far left them: a change after this one is seen by the
    // generation, and the snapshot is thrown away rather than written with a wrong fingerprint.
    await this.store.settled();
    const fingerprint = await this.store.fingerprint();
    const lines = await this.snapshot(fingerprint);
    if (!lines || this.generation !== generation) {
      this.persistLater();
      return;
    }
    // A cache: no fsync (a torn file reads as unreadable and is rebuilt).
    await writeLinesAtomic(this.file, lines, { fsync: false });
    this.persisted = generation;
  }

  /** Reads the index file into this index; true, or why it cannot be trusted. */
  private async load(fingerprint: string): Promise<true | 'missing' | 'unreadable' | 'version' | 'stale'> {
    const lines = await readLines(this.file);
    if (!lines) return 'missing';
    type Header = Partial<Record<'format' | 'version' | 'shardSize' | 'fingerprint' | 'nextId', unknown>>;
    let header: Header;
    try {
      header = JSON.parse((await lines.next()).value ?? '') as Header;
    } catch {
      await lines.return(undefined);
      return 'unreadable';
    }
    const refuse = (): 'unreadable' | 'version' | 'stale' | null => {
      if (header.format !== FORMAT || typeof header.nextId !== 'number') return 'unreadable';
      if (header.version !== FORMAT_VERSION || header.shardSize !== this.shardSize) return 'version';
      return header.fingerprint === fingerprint ? null : 'stale';
    };
    const refused = refuse();
    if (refused) {
      await lines.return(undefined);
      return refused;
    }
    const shards: (Shard | undefined)[] = [];
    const docs = new Map<number, Doc>();
    const titles = new Map<string, string>();
    let vocabulary: [string, number][] = [];
    let count = 1;
    let ended = false;
    try {
      let sliceStart = performance.now();
      let shard: Shard | null = null;
      let part: string | null = null;
      for await (const line of lines) {
        count++;
        if (part !== null) {
          shard?.index.import(part, line);
          part = null;
        } else {
          const value = JSON.parse(line) as {
            titles?: [string, string][];
            docs?: [number, string, string, 'user' | 'assistant', string][];
            vocabulary?: [string, number][];
            shard?: number;
            stale?: number;
            part?: string;
            end?: number;
          };
          if (value.titles) for (const [id, title] of value.titles) titles.set(id, title);
          else if (value.docs)
            for (const [id, conversationId, messageId, role, text] of value.docs)
              docs.set(id, { conversationId, messageId, role, text });
          else if (value.vocabulary) vocabulary = value.vocabulary;
          else if (typeof value.shard === 'number')
            shards[value.shard] = shard = {
              index: newIndex(false),
              fast: false,
              stale: value.stale ?? 0,
              next: null,
            };
          else if (typeof value.part === 'string' && shard) part = value.part;
          else if (value.end === count - 1) ended = true;
          else return 'unreadable';
        }
        if (performance.now() - sliceStart >= SLICE_MS) {
          await tick();
          sliceStart = performance.now();
        }
      }
    } catch {
      return 'unreadable';
    }
    if (!ended) return 'unreadable';
    // Saves that came while it loaded were indexed into the (empty) live index: start again clean.
    if (this.touched.size > 0) return 'stale';
    this.shards = shards;
    // New messages go to a shard of their own, built this session, where removing one is cheap.
    this.nextId = Math.ceil((header.nextId as number) / this.shardSize) * this.shardSize;
    for (const [id, doc] of docs) {
      this.docs.set(id, doc);
      let ids = this.byConversation.get(doc.conversationId);
      if (!ids) this.byConversation.set(doc.conversationId, (ids = new Map()));
      ids.set(doc.messageId, id);
    }
    for (const [id, title] of titles) this.titles.set(id, title);
    this.vocabulary = SearchableMap.from(vocabulary);
    return true;
  }

  /** Stops the background work and writes what changed since the file was last written. */
  async close(): Promise<void> {
    this.unsubscribe();
    this.closed = true;
    if (searches.get(this.store) === this) searches.delete(this.store);
    await this.ready.catch(() => {});
    await this.persist().catch(() => {});
  }
}

type FlexIndex = ReturnType<typeof newIndex>;
/**
 * A part of the index: its messages' ids are a range of `shardSize`. Loaded from the file it cannot
 * remove a message cheaply (FlexSearch keeps no register through an export), so a removal there
 * only counts it stale (searches skip it) until the shard is rebuilt (`next`) in the background.
 */
type Shard = { index: FlexIndex; fast: boolean; stale: number; next: FlexIndex | null };

/** One word from each group, every way, earlier words of each group first; at most `max` ways. */
function* choices(groups: string[][], max: number): Generator<string[]> {
  const at = groups.map(() => 0);
  for (let n = 0; n < max; n++) {
    yield groups.map((g, i) => g[at[i] as number] as string);
    // The last group moves fastest: the query's own words stay while the typed word's completions vary.
    let i = groups.length - 1;
    while (i >= 0 && (at[i] as number) + 1 >= (groups[i] as string[]).length) at[i--] = 0;
    if (i < 0) return;
    at[i] = (at[i] as number) + 1;
  }
}

function drain(steps: Iterator<void>): void {
  while (!steps.next().done);
}

const searches = new WeakMap<ConversationStore, MessageSearch>();

/** The one index of a store, made (and its background build begun) on first use. */
export function searchOf(store: ConversationStore): MessageSearch {
  let search = searches.get(store);
  if (!search) {
    search = new MessageSearch(store);
    searches.set(store, search);
  }
  return search;
}

/** Closes the store's index if it has one (a face that is closing; tests removing its directory). */
export async function closeSearch(store: ConversationStore): Promise<void> {
  await searches.get(store)?.close();
}
