// Full-text search over every message, in the main process: the index answers for text in any
// message (questions, answers, tool results), keeps in step with saves, renames and deletes, and
// each hit carries a snippet whose highlights are exactly the matched words.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ConversationStore } from '../../src/main/store/conversations';
import { MessageSearch, snippetOf } from '../../src/main/store/search';
import type { Conversation, SearchResults } from '../../src/shared/protocol';
import { servePerTest } from '../support/serve';

const serve = servePerTest();
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const highlighted = (r: SearchResults) =>
  r.hits.flatMap((h) => h.snippet.highlights.map(([a, b]) => h.snippet.text.slice(a, b).toLowerCase()));

const user = (id: string, text: string) => ({ id, role: 'user' as const, text, createdAt: 0 });
const conversation = (id: string, title: string, texts: string[]): Conversation => ({
  id,
  title,
  createdAt: 0,
  updatedAt: 0,
  messages: texts.map((t, i) => user(`${id}-m${i}`, t)),
});

async function store(): Promise<ConversationStore> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-search-'));
  dirs.push(dir);
  return new ConversationStore(dir);
}

test('a word from a streamed answer finds that answer, through the API, with the word highlighted', async () => {
  const s = await serve({ settings: { sim: { scenario: 'sim-tool', ttftMs: 0, tpotMs: 0 } } });
  const reply = await s.call('POST', '/api/turns', {
    action: 'send',
    conversationId: null,
    text: 'What is 17 * 23?',
  });
  const conversationId = /"conversationId":"([^"]+)"/.exec(reply.text)?.[1] ?? '';
  const stored = await s.conversations.get(conversationId);
  const answer = stored.messages[1];
  if (answer?.role !== 'assistant') throw new Error('no answer');

  // The tool's result ("391") is in no text block: it is found in the answer that holds it.
  const byResult = (await s.call('POST', '/api/search', { query: '391' })).json as SearchResults;
  expect(byResult.hits.map((h) => [h.conversationId, h.messageId, h.role])).toEqual([
    [conversationId, answer.id, 'assistant'],
  ]);
  expect(highlighted(byResult)).toContain('391');
  expect(byResult.hits[0]?.title).toBe(stored.title);

  // The question is found as the person's message; a prefix finds the whole word.
  const byQuestion = (await s.call('POST', '/api/search', { query: 'wha' })).json as SearchResults;
  expect(byQuestion.hits.find((h) => h.role === 'user')?.messageId).toBe(stored.messages[0]?.id);
  expect(highlighted(byQuestion)).toContain('what');

  const none = (await s.call('POST', '/api/search', { query: 'zyzzyva' })).json as SearchResults;
  expect(none).toEqual({ query: 'zyzzyva', hits: [], total: 0 });
  const bad = await s.call('POST', '/api/search', { query: 5 });
  expect(bad.status).toBe(400);
});

test('the index keeps in step with the store: an edited message, a rename and a delete', async () => {
  const st = await store();
  await st.save(conversation('a', 'Gardening', ['tomatoes need sun', 'and water']));
  await st.save(conversation('b', 'Cooking', ['tomatoes in a sauce']));
  const search = new MessageSearch(st);
  expect((await search.search('tomatoes')).hits.map((h) => h.conversationId).sort()).toEqual(['a', 'b']);

  // A message whose text changed is found by its new words only.
  const a = await st.get('a');
  const first = a.messages[0];
  if (first?.role === 'user') first.text = 'peppers need sun';
  await st.save(a);
  expect((await search.search('tomatoes')).hits.map((h) => h.conversationId)).toEqual(['b']);
  expect((await search.search('peppers')).hits.map((h) => h.messageId)).toEqual(['a-m0']);
  // Both words, in one message (AND).
  expect((await search.search('peppers water')).hits).toEqual([]);
  expect((await search.search('peppers sun')).hits).toHaveLength(1);

  await st.rename('b', 'Italian cooking');
  expect((await search.search('sauce')).hits[0]?.title).toBe('Italian cooking');
  await st.delete('b');
  expect((await search.search('sauce')).hits).toEqual([]);

  // Imported conversations are found too.
  await st.importAll([conversation('c', 'Imported', ['a note about tomatoes'])]);
  expect((await search.search('tomatoes')).hits.map((h) => h.conversationId)).toEqual(['c']);
  search.close();
});

test('a snippet is cut at whole words around the first match, and its highlights are the matched words', () => {
  const text = `${'lorem ipsum '.repeat(20)}the Danube flows east; the danube is long. ${'dolor sit '.repeat(30)}`;
  const { text: snippet, highlights } = snippetOf(text, ['danube']);
  expect(snippet.startsWith('…')).toBe(true);
  expect(snippet.endsWith('…')).toBe(true);
  expect(snippet).toContain('the Danube flows east');
  expect(highlights.map(([a, b]) => snippet.slice(a, b))).toEqual(['Danube', 'danube']);
  // No word is cut in half at either end.
  expect(
    snippet
      .slice(1, -1)
      .trim()
      .split(' ')
      .every((w) => /^(lorem|ipsum|dolor|sit|the|Danube|danube|flows|east;|is|long\.)$/.test(w)),
  ).toBe(true);
});
