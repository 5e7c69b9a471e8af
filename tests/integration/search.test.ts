// Full-text search over every message, in the main process: the index answers for text in any
// message (questions, answers, tool results), keeps in step with saves, renames and deletes, and
// each hit carries a snippet whose highlights are exactly the matched words.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ConversationStore } from '../../src/main/store/conversations';
import { foldedInPlace, INDEX_FILE, MessageSearch, snippetOf } from '../../src/main/store/search';
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

/** A fresh store and index on the same directory, as a restart makes them; ready when it resolves. */
async function restart(dir: string, opts = {}): Promise<MessageSearch> {
  const search = new MessageSearch(new ConversationStore(dir), opts);
  await search.whenReady();
  return search;
}

const found = async (search: MessageSearch, query: string) =>
  (await search.search(query)).hits.map((h) => `${h.conversationId}/${h.messageId}`).sort();

/**
 * Sixty conversations of three messages, the words `common`, `w<i>` and `c<i % 7>` in each; k0 the
 * newest, so a build (newest first) gives k0's messages the first ids.
 */
async function filled(): Promise<ConversationStore> {
  const st = await store();
  for (let i = 0; i < 60; i++)
    await st.save({
      ...conversation(`k${i}`, `Chat ${i}`, [`common alpha w${i} c${i % 7}`, `common beta`, `reply ${i}`]),
      updatedAt: 1000 - i,
    });
  return st;
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
  expect(none).toEqual({ query: 'zyzzyva', hits: [], more: false });
  const bad = await s.call('POST', '/api/search', { query: 5 });
  expect(bad.status).toBe(400);
});

test('the index keeps in step with the store: an edited message, a rename and a delete', async () => {
  const st = await store();
  await st.save(conversation('a', 'Gardening', ['tomatoes need sun', 'and water']));
  await st.save(conversation('b', 'Cooking', ['tomatoes in a sauce']));
  const search = new MessageSearch(st);
  await search.whenReady();
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
  await search.close();
});

test('a snippet deep in a long message is cut from the stretch around the match alone, at whole words', () => {
  const text = `${'alpha   beta\n'.repeat(500)}where the Danube\tflows${' gamma delta'.repeat(500)}`;
  const { text: snippet, highlights } = snippetOf(text, ['danube']);
  expect(snippet.startsWith('…')).toBe(true);
  expect(snippet.endsWith('…')).toBe(true);
  expect(snippet).toContain('alpha beta where the Danube flows gamma delta');
  expect(highlights.map(([a, b]) => snippet.slice(a, b))).toEqual(['Danube']);
  expect(snippet.length).toBeLessThanOrEqual(182);
  expect(
    snippet
      .slice(1, -1)
      .trim()
      .split(' ')
      .every((w) => /^(alpha|beta|where|the|Danube|flows|gamma|delta)$/.test(w)),
  ).toBe(true);
  // At the very start, no ellipsis before; a short message whole, with none at all.
  expect(snippetOf(`Danube ${'x '.repeat(400)}`, ['danube']).text.startsWith('Danube x')).toBe(true);
  expect(snippetOf('  the Danube  ', ['danube'])).toEqual({ text: 'the Danube', highlights: [[4, 10]] });
  // No word matched (a typo's near word the text lacks): the message's start.
  expect(snippetOf(`first words ${'y '.repeat(300)}`, ['zzz']).text.startsWith('first words y')).toBe(true);
});

test('an accented word is found by its folded form and marked as written', () => {
  const text = `${'lorem ipsum '.repeat(20)}We met at the Café in Zürich, then a CAFÉ au lait. ${'dolor '.repeat(40)}`;
  const { text: snippet, highlights } = snippetOf(text, ['cafe', 'zurich']);
  expect(snippet).toContain('We met at the Café in Zürich, then a CAFÉ au lait.');
  expect(highlights.map(([a, b]) => snippet.slice(a, b))).toEqual(['Café', 'Zürich', 'CAFÉ']);
  // Folding keeps every place: only letters that fold to one letter change, nothing else does.
  expect(foldedInPlace('Straße ﬁle naïve ´ x\u00a0y 😀é')).toBe('Straße ﬁle naive ´ x\u00a0y 😀e');
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

test('a persisted index survives a restart: it is loaded, not built, and answers the same hits', async () => {
  const st = await filled();
  const first = new MessageSearch(st);
  await first.whenReady();
  expect(first.origin).toEqual({ from: 'build', because: 'missing' });
  const queries = ['common', 'w17', 'alpha c3', 'bet', 'reply 42'];
  const before = await Promise.all(queries.map((q) => found(first, q)));
  expect(before[1]).toEqual(['k17/k17-m0']);
  expect(before[2]).toHaveLength(9); // c3: k3, k10, … k59
  await first.close();

  const second = await restart(st.dataDir);
  expect(second.origin).toEqual({ from: 'file' });
  expect(await Promise.all(queries.map((q) => found(second, q)))).toEqual(before);
  // The loaded index keeps in step too: an edit and a delete after the load.
  const store2 = (second as unknown as { store: ConversationStore }).store;
  const k17 = await store2.get('k17');
  if (k17.messages[0]?.role === 'user') k17.messages[0].text = 'renamed words only';
  await store2.save(k17);
  await store2.delete('k3');
  expect(await found(second, 'w17')).toEqual([]);
  expect(await found(second, 'renamed')).toEqual(['k17/k17-m0']);
  expect(await found(second, 'alpha c3')).toHaveLength(7); // k3 deleted, k17 edited
  await second.close();
  // …and what changed is in the file written at close: the next start loads it.
  const third = await restart(st.dataDir);
  expect(third.origin).toEqual({ from: 'file' });
  expect(await found(third, 'renamed')).toEqual(['k17/k17-m0']);
  expect(await found(third, 'alpha c3')).toHaveLength(7);
  await third.close();
});

test('a torn, foreign-version or stale index file is rebuilt, and the hits are right', async () => {
  const st = await filled();
  const first = new MessageSearch(st);
  await first.whenReady();
  await first.close();
  const file = join(st.dataDir, INDEX_FILE);
  const good = await readFile(file, 'utf8');

  // Torn: the file cut in half (a power cut while a cache without fsync was written).
  await writeFile(file, good.slice(0, Math.floor(good.length / 2)));
  let search = await restart(st.dataDir);
  expect(search.origin).toEqual({ from: 'build', because: 'unreadable' });
  expect(await found(search, 'w5 alpha')).toEqual(['k5/k5-m0']);
  await search.close();

  // Not JSON at all.
  await writeFile(file, 'garbage\n');
  search = await restart(st.dataDir);
  expect(search.origin).toEqual({ from: 'build', because: 'unreadable' });
  await search.close();

  // Another format version.
  const lines = (await readFile(file, 'utf8')).split('\n');
  const header = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  await writeFile(file, [JSON.stringify({ ...header, version: 99 }), ...lines.slice(1)].join('\n'));
  search = await restart(st.dataDir);
  expect(search.origin).toEqual({ from: 'build', because: 'version' });
  await search.close();

  // Stale: a conversation file changed while Sluice was not running (another copy, a hand edit).
  const edited = conversation('k5', 'Chat 5', ['edited outside tomatoes', 'common beta', 'reply 5']);
  await writeFile(join(st.dataDir, 'conversations', 'k5.json'), JSON.stringify(edited));
  search = await restart(st.dataDir);
  expect(search.origin).toEqual({ from: 'build', because: 'stale' });
  expect(await found(search, 'w5 alpha')).toEqual([]);
  expect(await found(search, 'tomatoes')).toEqual(['k5/k5-m0']);
  expect(await found(search, 'common')).toHaveLength(50); // the first 50 of 120
  expect((await search.search('common')).more).toBe(true);
  await search.close();
});

test('a save, a delete and an import during the background build are not lost', async () => {
  // A store opened anew, as at a start: the build reads the files one by one, yielding between them.
  const st = new ConversationStore((await filled()).dataDir);
  const search = new MessageSearch(st);
  // Part way through the build.
  while (search.status().done < 10) await new Promise((r) => setImmediate(r));
  expect(search.status()).toMatchObject({ building: true, total: 60 });
  const during = await search.search('common');
  expect(during.indexing?.total).toBe(60);
  expect(during.indexing?.done).toBeGreaterThanOrEqual(10);

  // Each change reaches the index while it is still building (seen by a listener after its own).
  const seen: boolean[] = [];
  st.onChange(() => seen.push(search.status().building));
  const late = conversation('k55', 'Chat 55', ['saved while building', 'common beta', 'reply 55']);
  const early = conversation('k2', 'Chat 2', ['common alpha w2 c2', 'common beta', 'early one changed']);
  await Promise.all([
    st.save(late),
    st.save(early),
    st.delete('k40'),
    st.importAll([conversation('new', 'New', ['imported while building'])]),
  ]);
  expect(seen).toEqual([true, true, true, true]);

  await search.whenReady();
  expect(search.status().building).toBe(false);
  expect((await search.search('common')).indexing).toBeUndefined();
  expect(await found(search, 'building')).toEqual(['k55/k55-m0', 'new/new-m0']);
  expect(await found(search, 'w55')).toEqual([]);
  expect(await found(search, 'early changed')).toEqual(['k2/k2-m2']);
  expect(await found(search, 'w40')).toEqual([]);
  expect(await found(search, '2 reply')).toEqual([]);
  await search.close();
  // What was written at the end of the build has them too.
  const again = await restart(st.dataDir);
  expect(again.origin).toEqual({ from: 'file' });
  expect(await found(again, 'building')).toEqual(['k55/k55-m0', 'new/new-m0']);
  await again.close();
});

test('per word: the word being typed completes, a typo in a long word is forgiven, a short one is not', async () => {
  const st = await store();
  await st.save(
    conversation('z', 'Fish', ['zebrafish see colours', 'tomatoes need sun', 'to water them', 'a ze note']),
  );
  const search = new MessageSearch(st);
  await search.whenReady();
  // Two letters, last: the word being typed, completed (zebrafish, and the word "ze" itself).
  expect(await found(search, 'ze')).toEqual(['z/z-m0', 'z/z-m3']);
  expect(await found(search, 'tomat')).toEqual(['z/z-m1']);
  // Not the last word: a word of its own, no completion ("col" is in no message as a word).
  expect(await found(search, 'col zebrafish')).toEqual([]);
  expect(await found(search, 'zebrafish col')).toEqual(['z/z-m0']);
  // A typo in a word of five letters or more: its nearest indexed words (one edit; two from eight).
  expect(await found(search, 'tomatos')).toEqual(['z/z-m1']);
  expect(await found(search, 'zebrafihs see')).toEqual(['z/z-m0']);
  const typo = await search.search('tomatos');
  expect(typo.hits[0]?.snippet.highlights.map(([a, b]) => typo.hits[0]?.snippet.text.slice(a, b))).toEqual([
    'tomatoes',
  ]);
  // A short word with a typo is not guessed at: "sunn" is no word here, and four letters.
  expect(await found(search, 'sunn need')).toEqual([]);
  // A one-letter word, last, is only itself.
  expect(await found(search, 'a')).toEqual(['z/z-m3']);
  await search.close();
});

test('several shards: hits from each, and a loaded shard with removed messages is rebuilt right', async () => {
  const st = await filled();
  const small = { shardSize: 50, staleLimit: 5 };
  const first = await restart(st.dataDir, small);
  expect(first.origin).toEqual({ from: 'build', because: 'missing' });
  // 180 messages in shards of 50: a word in every conversation is found in all four.
  expect(await found(first, 'w0 alpha')).toEqual(['k0/k0-m0']);
  expect(await found(first, 'w59 alpha')).toEqual(['k59/k59-m0']);
  expect(await found(first, 'alpha c3')).toHaveLength(9);
  await first.close();
  // Another shard size is another format: rebuilt, not misread.
  const other = await restart(st.dataDir);
  expect(other.origin).toEqual({ from: 'build', because: 'version' });
  await other.close();

  await restart(st.dataDir, small).then((s) => s.close());
  const search = await restart(st.dataDir, small);
  expect(search.origin).toEqual({ from: 'file' });
  const store2 = (search as unknown as { store: ConversationStore }).store;
  // Edits of loaded messages (k0–k7: the first shard): each leaves one stale there; past five, the
  // shard is rebuilt from the texts in memory.
  const edit = (i: number) =>
    store2.save({
      ...conversation(`k${i}`, `Chat ${i}`, [`edited ${i} gamma`, 'common beta', `reply ${i}`]),
      updatedAt: 1000 - i,
    });
  for (let i = 0; i < 5; i++) await edit(i);
  expect(search.status().stale).toBe(5);
  expect(await found(search, 'w3 alpha')).toEqual([]);
  for (let i = 5; i < 8; i++) await edit(i);
  while (search.status().stale > 0) await new Promise((r) => setTimeout(r, 5));
  expect(await found(search, 'gamma')).toHaveLength(8);
  expect(await found(search, 'w3 alpha')).toEqual([]);
  expect(await found(search, '3 edited')).toEqual(['k3/k3-m0']);
  expect(await found(search, 'alpha c3')).toHaveLength(8); // k10 … k59: k3 lost its alpha
  await search.close();
});
