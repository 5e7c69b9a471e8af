// Full-text search over every message of every conversation, in the main process: a MiniSearch
// index of one document per message (a user's text; an answer's text, thinking and tool calls),
// kept in step with the ConversationStore — each save re-indexes only the messages whose text
// changed, so a streaming answer saved every second costs one document, not the conversation.
// Results carry a snippet around the first match, with the matched words' ranges to highlight.
import MiniSearch, { type SearchResult } from 'minisearch';
import type { ChatMessage, Conversation, SearchHit, SearchResults } from '../../shared/protocol';
import type { ConversationStore } from './conversations';

type Doc = {
  id: string;
  conversationId: string;
  messageId: string;
  role: 'user' | 'assistant';
  text: string;
};

const SNIPPET_BEFORE = 60;
const SNIPPET_LENGTH = 180;
const MAX_HITS = 50;

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

/** The snippet around the first place a matched word occurs, and where each matched word is in it. */
export function snippetOf(text: string, words: string[]): SearchHit['snippet'] {
  const flat = text.replace(/\s+/g, ' ').trim();
  const pattern = words.length > 0 ? new RegExp(`(${words.map(escape).join('|')})`, 'giu') : null;
  const first = pattern ? flat.search(pattern) : -1;
  const start = Math.max(0, (first < 0 ? 0 : first) - SNIPPET_BEFORE);
  // Whole words at the cut: start after a space, end before one.
  const from = start === 0 ? 0 : flat.indexOf(' ', start) + 1 || start;
  let to = Math.min(flat.length, from + SNIPPET_LENGTH);
  if (to < flat.length) to = flat.lastIndexOf(' ', to) > from ? flat.lastIndexOf(' ', to) : to;
  const body = flat.slice(from, to);
  const prefix = from > 0 ? '…' : '';
  const textOut = `${prefix}${body}${to < flat.length ? '…' : ''}`;
  const highlights: [number, number][] = [];
  if (pattern) {
    for (const m of body.matchAll(pattern)) {
      const at = m.index + prefix.length;
      highlights.push([at, at + m[0].length]);
    }
  }
  return { text: textOut, highlights };
}

export class MessageSearch {
  private readonly index = new MiniSearch<Doc>({
    fields: ['text'],
    storeFields: ['conversationId', 'messageId', 'role'],
    searchOptions: { prefix: true, fuzzy: 0.15, combineWith: 'AND' },
  });
  /** Per conversation: each indexed message's text, to see what a save changed. */
  private readonly indexed = new Map<string, Map<string, string>>();
  private readonly titles = new Map<string, string>();
  private built: Promise<void> | null = null;
  private readonly unsubscribe: () => void;

  constructor(private readonly store: ConversationStore) {
    this.unsubscribe = store.onChange((change) => {
      // Before the first search there is nothing to keep in step; the build reads the store then.
      if (!this.built) return;
      if (change.type === 'deleted') this.remove(change.id);
      else this.put(change.conversation);
    });
  }

  private build(): Promise<void> {
    this.built ??= (async () => {
      for (const summary of await this.store.list()) this.put(await this.store.get(summary.id));
    })();
    return this.built;
  }

  private put(conversation: Conversation): void {
    this.titles.set(conversation.id, conversation.title);
    const before = this.indexed.get(conversation.id) ?? new Map<string, string>();
    const after = new Map<string, string>();
    for (const message of conversation.messages) {
      const text = searchableText(message);
      after.set(message.id, text);
      const id = `${conversation.id}/${message.id}`;
      if (before.get(message.id) === text) continue;
      if (before.has(message.id)) this.index.discard(id);
      this.index.add({
        id,
        conversationId: conversation.id,
        messageId: message.id,
        role: message.role,
        text,
      });
    }
    for (const messageId of before.keys())
      if (!after.has(messageId)) this.index.discard(`${conversation.id}/${messageId}`);
    this.indexed.set(conversation.id, after);
  }

  private remove(conversationId: string): void {
    for (const messageId of this.indexed.get(conversationId)?.keys() ?? [])
      this.index.discard(`${conversationId}/${messageId}`);
    this.indexed.delete(conversationId);
    this.titles.delete(conversationId);
  }

  async search(query: string): Promise<SearchResults> {
    await this.build();
    const q = query.trim();
    if (!q) return { query: q, hits: [], total: 0 };
    const found: SearchResult[] = this.index.search(q);
    const hits = found.slice(0, MAX_HITS).map((r): SearchHit => {
      const conversationId = r['conversationId'] as string;
      const messageId = r['messageId'] as string;
      const text = this.indexed.get(conversationId)?.get(messageId) ?? '';
      return {
        conversationId,
        messageId,
        title: this.titles.get(conversationId) ?? '',
        role: r['role'] as 'user' | 'assistant',
        snippet: snippetOf(text, r.terms),
      };
    });
    return { query: q, hits, total: found.length };
  }

  close(): void {
    this.unsubscribe();
  }
}

const searches = new WeakMap<ConversationStore, MessageSearch>();

/** The one index of a store, made on first use (every face searches through this). */
export function searchOf(store: ConversationStore): MessageSearch {
  let search = searches.get(store);
  if (!search) {
    search = new MessageSearch(store);
    searches.set(store, search);
  }
  return search;
}
