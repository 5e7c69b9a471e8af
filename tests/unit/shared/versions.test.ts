// The conversation tree (shared/versions.ts): old flat files read as one path, versions added and
// chosen, branches deleted, and files that are not a tree read safely (nothing out of reach) while
// import refuses them with a sentence.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ConversationStore } from '../../../src/main/store/conversations';
import { ImportError, planImport } from '../../../src/main/store/transfer';
import type { ChatMessage, Conversation } from '../../../src/shared/protocol';
import {
  activePath,
  addVersion,
  branchProblems,
  deleteBranch,
  putAnswer,
  ROOT,
  selectVersion,
  treeOf,
  versionsOf,
} from '../../../src/shared/versions';

const fixture = (name: string) =>
  readFile(join(import.meta.dirname, '../../fixtures/conversations', name), 'utf8').then(
    (text) => JSON.parse(text) as Conversation,
  );
// Written by the release this change builds on (d804cb1: send, send, regenerate, send, edit) and an older one.
const RELEASE_NOW = await fixture('release-d804cb1.json');
const RELEASE_OLD = await fixture('release-02df268.json');

const user = (id: string, text = id, parentId?: string | null): ChatMessage => ({
  id,
  role: 'user',
  text,
  createdAt: 1,
  ...(parentId === undefined ? {} : { parentId }),
});

const conversation = (messages: ChatMessage[], activeChild?: Record<string, string>): Conversation => ({
  id: 'c1',
  title: 't',
  createdAt: 1,
  updatedAt: 1,
  messages,
  ...(activeChild ? { activeChild } : {}),
});

const ids = (messages: readonly ChatMessage[]) => messages.map((m) => m.id);

test('a file written by the current release (flat, no versions) reads as the one path it was, unchanged', async () => {
  for (const file of [RELEASE_NOW, RELEASE_OLD]) {
    const before = JSON.stringify(file);
    const path = activePath(file);
    expect(ids(path)).toEqual(ids(file.messages));
    expect(treeOf(file.messages).problems).toEqual([]);
    expect(branchProblems(file)).toEqual([]);
    // Reading changes nothing.
    expect(JSON.stringify(file)).toBe(before);
  }
  // And through the store, from disk: loaded as written, the summary counting the path.
  const dir = await mkdtemp(join(tmpdir(), 'sluice-versions-'));
  try {
    await mkdir(join(dir, 'conversations'));
    const file = RELEASE_NOW;
    await writeFile(join(dir, 'conversations', `${file.id}.json`), JSON.stringify(file));
    const store = new ConversationStore(dir);
    expect(await store.get(file.id)).toEqual(file);
    expect((await store.list())[0]).toMatchObject({ id: file.id, messageCount: 6 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a version added at a point keeps the old one and what followed it, byte for byte', () => {
  const c = conversation([user('u1'), user('a1'), user('u2'), user('a2')]);
  const untouched = JSON.stringify(c.messages);
  // A new version of a1 (a regenerate): a sibling under u1, on screen, with nothing below it yet.
  addVersion(c, user('a1b'), 'u1');
  expect(JSON.stringify(c.messages.slice(0, 4))).toBe(untouched);
  expect(ids(activePath(c))).toEqual(['u1', 'a1b']);
  const tree = treeOf(c.messages);
  expect(versionsOf(tree, 'a1b')).toEqual({ index: 2, count: 2, ids: ['a1', 'a1b'] });
  expect(versionsOf(tree, 'u2')).toEqual({ index: 1, count: 1, ids: ['u2'] });
  // Back to the first version: the conversation that followed it comes back with it.
  expect(selectVersion(c, 'a1')).toBe(true);
  expect(ids(activePath(c))).toEqual(['u1', 'a1', 'u2', 'a2']);
  // Choosing a message deep in a branch puts its whole path on screen.
  addVersion(c, user('x'), 'a1b');
  selectVersion(c, 'a2');
  expect(ids(activePath(c))).toEqual(['u1', 'a1', 'u2', 'a2']);
  selectVersion(c, 'x');
  expect(ids(activePath(c))).toEqual(['u1', 'a1b', 'x']);
  expect(selectVersion(c, 'nope')).toBe(false);
});

test('a new version of the first message is a second root', () => {
  const c = conversation([user('u1'), user('a1')]);
  addVersion(c, user('u1b'), null);
  expect(ids(activePath(c))).toEqual(['u1b']);
  expect(c.activeChild?.[ROOT]).toBe('u1b');
  expect(versionsOf(treeOf(c.messages), 'u1')).toMatchObject({ index: 1, count: 2 });
});

test('putAnswer replaces a streaming answer in place and adds it once, leaving a choice made meanwhile', () => {
  const c = conversation([user('u1'), user('a1')]);
  putAnswer(c, user('a2', 'partial'), 'u1');
  expect(ids(activePath(c))).toEqual(['u1', 'a2']);
  // The person goes back to a1 while a2 streams; the next save must not take that back.
  selectVersion(c, 'a1');
  putAnswer(c, user('a2', 'whole'), 'u1');
  expect(ids(c.messages)).toEqual(['u1', 'a1', 'a2']);
  expect(c.messages[2]).toMatchObject({ text: 'whole', parentId: 'u1' });
  expect(ids(activePath(c))).toEqual(['u1', 'a1']);
});

test('deleting a message removes its branch below it in every version; the rest keep their places', () => {
  const c = conversation([user('u1'), user('a1'), user('u2'), user('a2')]);
  addVersion(c, user('a1b'), 'u1');
  addVersion(c, user('u3'), 'a1b');
  const kept = JSON.stringify(c.messages.find((m) => m.id === 'a1b'));
  expect(deleteBranch(c, 'a1')).toBe(3);
  expect(ids(c.messages)).toEqual(['u1', 'a1b', 'u3']);
  expect(ids(activePath(c))).toEqual(['u1', 'a1b', 'u3']);
  expect(JSON.stringify(c.messages.find((m) => m.id === 'a1b'))).toBe(kept);
  // In a flat file everything after a message is below it: deleting one removes the rest.
  const flat = conversation([user('u1'), user('a1'), user('u2'), user('a2'), user('u3')]);
  expect(deleteBranch(flat, 'u2')).toBe(3);
  expect(ids(activePath(flat))).toEqual(['u1', 'a1']);
  expect(deleteBranch(flat, 'nope')).toBe(0);
  // A message whose parent was missing gets the parent it was read with written down on a change.
  const orphan = conversation([user('u1'), user('x', 'x', 'gone')]);
  addVersion(orphan, user('y'), 'u1');
  expect(orphan.messages[1]).toMatchObject({ id: 'x', parentId: null });
  expect(branchProblems(orphan)).toEqual([]);
  // Deleting the version on screen brings the one beside it.
  const two = conversation([user('u1'), user('a1')]);
  addVersion(two, user('a1b'), 'u1');
  deleteBranch(two, 'a1b');
  expect(ids(activePath(two))).toEqual(['u1', 'a1']);
  expect(two.activeChild).toEqual({});
});

test('a file that is not a tree is read safely: every message reachable, no loop, each problem named', () => {
  // A parent that does not exist: that message is read as a first message (a version at the top).
  const orphan = conversation([user('u1'), user('a1'), user('x', 'x', 'gone')]);
  const t1 = treeOf(orphan.messages);
  expect(t1.parent.get('x')).toBeNull();
  expect(t1.problems).toEqual(['the parent "gone" of message "x" is not in the conversation']);
  expect(versionsOf(t1, 'x')).toMatchObject({ count: 2 });
  // A cycle: a → b → a. The walk ends; both messages are reachable from the top.
  const cycle = conversation([user('a', 'a', 'b'), user('b', 'b', 'a')]);
  const t2 = treeOf(cycle.messages);
  expect(t2.problems).toEqual(['the messages around "a" are each other\'s parents (a cycle)']);
  expect(ids(activePath(cycle))).toEqual(['a', 'b']);
  // A message its own parent.
  expect(treeOf([user('s', 's', 's')]).problems).toEqual([
    'the parent "s" of message "s" is not in the conversation',
  ]);
  // A version on screen that is not in the tree, or not at that point: the newest child is shown.
  const stale = conversation([user('u1'), user('a1'), user('u2')], {
    u1: 'missing',
    [ROOT]: 'a1',
    a1: 'u1',
  });
  expect(ids(activePath(stale))).toEqual(['u1', 'a1', 'u2']);
  expect(branchProblems(stale)).toEqual([
    'the version on screen "missing" is not a message of the conversation',
    'the version on screen "a1" is not a first message',
    'the version on screen "u1" does not follow message "a1"',
  ]);
  // Two messages with one id.
  expect(treeOf([user('d'), user('d')]).problems).toEqual(['the id "d" is used by two messages']);
});

test('import refuses a Sluice file whose messages are not a tree, naming the conversation and the message', () => {
  const bad: Conversation[] = [
    conversation([user('u1'), user('x', 'x', 'gone')]),
    conversation([user('a', 'a', 'b'), user('b', 'b', 'a')]),
    conversation([user('u1'), user('a1')], { u1: 'nowhere' }),
  ];
  const expected = [
    /"t": the parent "gone" of message "x" is not in the conversation/,
    /"t": the messages around "a" are each other's parents \(a cycle\)/,
    /"t": the version on screen "nowhere" is not a message of the conversation/,
  ];
  bad.forEach((c, i) => {
    const text = JSON.stringify({ format: 'sluice.conversation', version: 1, conversation: c });
    let error: unknown;
    try {
      planImport(text, 'bad.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message).toMatch(expected[i]!);
    expect((error as Error).message).toMatch(/Nothing was imported/);
  });
  // A good tree with versions comes through as it is.
  const good = conversation([user('u1'), user('a1')]);
  addVersion(good, user('a1b'), 'u1');
  const plan = planImport(JSON.stringify({ format: 'sluice.conversation', version: 1, conversation: good }));
  expect(plan.conversations[0]).toEqual(good);
});

test('a ChatGPT mapping that is not a tree is refused with a sentence', () => {
  const node = (parent: string | null, text = 'hi', role = 'user') => ({
    parent,
    message: { author: { role }, content: { content_type: 'text', parts: [text] } },
  });
  const cases: [unknown, RegExp][] = [
    [
      { title: 'A', mapping: { r: node(null), x: node('gone') } },
      /"A": the parent "gone" of message "x" is not in its mapping/,
    ],
    [
      { title: 'B', mapping: { a: node('b'), b: node('a') } },
      /"B": its messages around "a" are each other's parents/,
    ],
    [
      { title: 'C', mapping: { r: node(null) }, current_node: 'zz' },
      /"C": its current_node "zz" is not in its mapping/,
    ],
  ];
  for (const [file, message] of cases) {
    expect(() => planImport(JSON.stringify([file]), 'conversations.json')).toThrow(message);
  }
});
