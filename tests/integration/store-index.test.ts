// The conversation list comes from the store's index without reading every file, and the files
// always win: a conversation saved, added, edited or removed since the index was written is listed
// as its file says; a broken index only means every file is read. Conversations that fall out of
// the in-memory bound are read again, after any write of them still queued.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ConversationStore } from '../../src/main/store/conversations';
import type { Conversation } from '../../src/shared/protocol';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-index-'));
  dirs.push(dir);
  return dir;
}

const conversation = (id: string, title: string, messages: number, updatedAt: number): Conversation => ({
  id,
  title,
  createdAt: 0,
  updatedAt,
  messages: Array.from({ length: messages }, (_, i) => ({
    id: `${id}-${i}`,
    role: 'user' as const,
    text: `message ${i} of ${title}`,
    createdAt: i,
  })),
});

const titles = async (store: ConversationStore) =>
  (await store.list()).map((c) => `${c.title}:${c.messageCount}`);

async function seeded(n: number): Promise<string> {
  const dir = await dataDir();
  const first = new ConversationStore(dir);
  for (let i = 0; i < n; i++) await first.save(conversation(`c${i}`, `T${i}`, i + 1, 1000 + i));
  // The index is written when a store loads and finds files it does not know.
  await new ConversationStore(dir).list();
  return dir;
}

test('a second start lists every conversation from the index, reading no file in full', async () => {
  const dir = await seeded(5);
  const store = new ConversationStore(dir);
  expect(await titles(store)).toEqual(['T4:5', 'T3:4', 'T2:3', 'T1:2', 'T0:1']);
  expect(store.loadStats).toEqual({ fromIndex: 5, read: 0 });
  // A conversation is still read whole when opened.
  expect((await store.get('c2')).messages.map((m) => m.id)).toEqual(['c2-0', 'c2-1', 'c2-2']);
});

test('files saved, added, edited by hand or removed since the index was written are listed as the files say', async () => {
  const dir = await seeded(4);
  const during = new ConversationStore(dir);
  await during.rename('c1', 'Renamed');
  await during.save(conversation('c9', 'New', 2, 5000));
  await during.delete('c3');
  // Behind the store's back: an edit of one file, one file removed.
  const path = join(dir, 'conversations', 'c0.json');
  const edited = JSON.parse(await readFile(path, 'utf8')) as Conversation;
  await writeFile(path, JSON.stringify({ ...edited, title: 'Edited by hand', updatedAt: 10 }));
  await rm(join(dir, 'conversations', 'c2.json'));

  const next = new ConversationStore(dir);
  const listed = await next.list();
  expect(listed.map((c) => `${c.title}:${c.messageCount}`)).toEqual([
    'Renamed:2',
    'New:2',
    'Edited by hand:1',
  ]);
  // c1 (renamed), c9 (new) and c0 (edited) were read; nothing else.
  expect(next.loadStats).toEqual({ fromIndex: 0, read: 3 });
  await expect(next.get('c2')).rejects.toThrow('No conversation with id "c2"');
  // And the index written then makes the start after it read nothing.
  const third = new ConversationStore(dir);
  expect(await titles(third)).toEqual(['Renamed:2', 'New:2', 'Edited by hand:1']);
  expect(third.loadStats).toEqual({ fromIndex: 3, read: 0 });
});

test('an index that is garbage, or whose entries lie, is not believed: the files are read', async () => {
  const dir = await seeded(3);
  const indexPath = join(dir, 'conversations.index.json');
  const index = JSON.parse(await readFile(indexPath, 'utf8')) as {
    entries: Record<string, { summary: { title: string } }>;
  };
  // An entry whose size and time match but whose fields are not an entry's.
  index.entries['c0'] = { summary: { title: 'Lie' } };
  await writeFile(indexPath, JSON.stringify(index));
  const lied = new ConversationStore(dir);
  expect(await titles(lied)).toEqual(['T2:3', 'T1:2', 'T0:1']);
  expect(lied.loadStats).toEqual({ fromIndex: 2, read: 1 });

  for (const junk of ['null', '[1, 2]', '{"version": 1, "entries": null}', '{"version": 2, "entries": {}}']) {
    await writeFile(indexPath, junk);
    const odd = new ConversationStore(dir);
    expect(await titles(odd)).toEqual(['T2:3', 'T1:2', 'T0:1']);
    expect(odd.loadStats).toEqual({ fromIndex: 0, read: 3 });
  }
  await writeFile(indexPath, '{"version": 1, "entr');
  const torn = new ConversationStore(dir);
  expect(await titles(torn)).toEqual(['T2:3', 'T1:2', 'T0:1']);
  expect(torn.loadStats).toEqual({ fromIndex: 0, read: 3 });
  expect(torn.quarantined).toEqual([]);
});

test('conversations beyond the in-memory bound are read again as last saved, even with a write still queued', async () => {
  const dir = await dataDir();
  const store = new ConversationStore(dir);
  const n = 80;
  for (let i = 0; i < n; i++) await store.save(conversation(`c${i}`, `T${i}`, 1, i));
  // Every one of them opened: the early ones have fallen out of memory by now.
  for (let i = 0; i < n; i++) expect((await store.get(`c${i}`)).title).toBe(`T${i}`);
  const c0 = await store.get('c0');
  c0.messages.push({ id: 'c0-new', role: 'user', text: 'added', createdAt: 9 });
  const saving = store.save(c0);
  for (let i = 1; i < n; i++) await store.get(`c${i}`);
  expect((await store.get('c0')).messages.map((m) => m.id)).toEqual(['c0-0', 'c0-new']);
  await saving;
  const reopened = new ConversationStore(dir);
  expect((await reopened.get('c0')).messages.map((m) => m.id)).toEqual(['c0-0', 'c0-new']);
});
