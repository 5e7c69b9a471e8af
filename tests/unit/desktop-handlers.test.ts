// The request/response channels as the main process runs them: payloads validated, errors typed,
// the key never in a reply; and the sender check and CSP the Electron wiring applies.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ChatService } from '../../src/main/chat/service';
import { contentSecurityPolicy } from '../../src/main/electron/csp';
import type { KeyStore } from '../../src/main/chat/target';
import { createHandlers } from '../../src/main/desktop/handlers';
import { isTrustedFrame } from '../../src/main/desktop/sender';
import { ConversationStore } from '../../src/main/store/conversations';
import { closeSearch } from '../../src/main/store/search';
import { SettingsStore } from '../../src/main/store/settings';
import { IPC_CHANNELS, INVOKE_CHANNELS } from '../../src/shared/ipc';

const SECRET = 'sk-ant-test-0123456789';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

class MemoryKeys implements KeyStore {
  key: string | null = null;
  get() {
    return this.key ? { key: this.key, source: 'session' as const } : null;
  }
  async set(key: string | null) {
    this.key = key;
  }
  note() {
    return this.key ? 'Kept for this session only.' : null;
  }
}

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-ipc-handlers-'));
  const conversations = new ConversationStore(dir);
  const settings = new SettingsStore(dir);
  const keys = new MemoryKeys();
  const service = new ChatService({ conversations, settings, keys });
  cleanups.push(async () => {
    await service.close();
    // The full-text index the handlers started writes into the directory: closed first, as at quit.
    await closeSearch(conversations);
    await rm(dir, { recursive: true, force: true });
  });
  return { conversations, keys, handlers: createHandlers({ service, conversations, settings, keys }) };
}

test('every invoke channel has a handler, and channel names are domain:action', async () => {
  const { handlers } = await setup();
  expect(Object.keys(handlers).sort()).toEqual([...INVOKE_CHANNELS].sort());
  for (const name of Object.values(IPC_CHANNELS)) expect(name).toMatch(/^[a-z]+:[a-z-]+$/);
});

test('conversations: list, get, rename and delete, with typed errors for bad ids and titles', async () => {
  const { handlers, conversations } = await setup();
  const c = await conversations.create('First');

  expect(await handlers['conversations:list'](null)).toMatchObject({
    ok: true,
    value: [{ id: c.id, title: 'First' }],
  });
  expect(await handlers['conversations:get']({ id: c.id })).toMatchObject({ ok: true, value: { id: c.id } });
  expect(await handlers['conversations:rename']({ id: c.id, title: '  Renamed  ' })).toMatchObject({
    ok: true,
    value: { id: c.id, title: 'Renamed' },
  });

  expect(await handlers['conversations:get']({ id: 'missing' })).toMatchObject({
    ok: false,
    error: { type: 'not_found' },
  });
  expect(await handlers['conversations:rename']({ id: c.id, title: '   ' })).toMatchObject({
    ok: false,
    error: { type: 'invalid_request', issues: [{ path: 'title', message: 'The title is empty.' }] },
  });
  for (const bad of [undefined, 'id', { id: 5 }, { id: '' }, { id: c.id, extra: true }]) {
    expect(await handlers['conversations:delete'](bad)).toMatchObject({
      ok: false,
      error: { type: 'invalid_request' },
    });
  }
  expect(await handlers['conversations:list']({ sneaky: 1 })).toMatchObject({ ok: false });

  expect(await handlers['conversations:delete']({ id: c.id })).toEqual({ ok: true, value: null });
  expect(await handlers['conversations:list'](null)).toEqual({ ok: true, value: [] });
});

test('conversations: pin and unpin, the list order kept by time, a bad pin refused with a sentence', async () => {
  const { handlers, conversations } = await setup();
  const c = await conversations.create('Pin me');
  const before = (await conversations.get(c.id)).updatedAt;
  expect(await handlers['conversations:pin']({ id: c.id, pinned: true })).toMatchObject({
    ok: true,
    value: { id: c.id, pinned: true },
  });
  expect(await conversations.get(c.id)).toMatchObject({ pinned: true, updatedAt: before });
  expect(await handlers['conversations:list'](null)).toMatchObject({ ok: true, value: [{ pinned: true }] });
  const unpinned = await handlers['conversations:pin']({ id: c.id, pinned: false });
  expect(unpinned.ok && !('pinned' in unpinned.value)).toBe(true);
  expect((await conversations.get(c.id)).pinned).toBeUndefined();
  for (const bad of [{ id: c.id }, { id: c.id, pinned: 'yes' }, { id: c.id, pinned: true, title: 'x' }]) {
    expect(await handlers['conversations:pin'](bad)).toMatchObject({
      ok: false,
      error: { type: 'invalid_request' },
    });
  }
  expect(await handlers['conversations:pin']({ id: 'missing', pinned: true })).toMatchObject({
    ok: false,
    error: { type: 'not_found' },
  });
});

test('settings: a valid patch is saved; an invalid one changes nothing and names the field', async () => {
  const { handlers } = await setup();
  expect(await handlers['settings:update']({ sim: { tpotMs: 5 } })).toMatchObject({
    ok: true,
    value: { sim: { tpotMs: 5, ttftMs: 400 } },
  });
  const refused = await handlers['settings:update']({ maxTokens: 0 });
  expect(refused).toMatchObject({
    ok: false,
    error: { type: 'invalid_settings', issues: [{ path: 'maxTokens' }] },
  });
  expect(await handlers['settings:update']([1, 2])).toMatchObject({
    ok: false,
    error: { type: 'invalid_request' },
  });
  expect(await handlers['settings:get'](null)).toMatchObject({
    ok: true,
    value: { maxTokens: 4096, sim: { tpotMs: 5 } },
  });
});

test('setting the key answers whether one is set and how it is kept, never the key itself', async () => {
  const { handlers, keys } = await setup();
  const set = await handlers['settings:set-key']({ key: `  ${SECRET}  ` });
  expect(set).toMatchObject({
    ok: true,
    value: { keySet: true, keySource: 'session', keyNote: 'Kept for this session only.' },
  });
  expect(JSON.stringify(set)).not.toContain(SECRET);
  expect(keys.key).toBe(SECRET);
  expect(JSON.stringify(await handlers['settings:get'](null))).not.toContain(SECRET);

  for (const bad of [{ key: '' }, { key: 'two words' }, { key: 42 }, {}, { key: 'x'.repeat(600) }]) {
    expect(await handlers['settings:set-key'](bad)).toMatchObject({
      ok: false,
      error: { type: 'invalid_request' },
    });
  }
  expect(keys.key).toBe(SECRET);

  const cleared = await handlers['settings:set-key']({ key: null });
  expect(cleared).toMatchObject({ ok: true, value: { keySet: false, keySource: null } });
  expect(cleared.ok && 'keyNote' in cleared.value).toBe(false);
});

test('only the top-level frame showing our renderer is trusted', () => {
  const built = 'sluice://app/index.html';
  expect(isTrustedFrame({ url: 'sluice://app/index.html#/c/1', parent: null }, built)).toBe(true);
  expect(isTrustedFrame({ url: 'sluice://app/index.html', parent: {} }, built)).toBe(false);
  expect(isTrustedFrame({ url: 'sluice://evil/index.html', parent: null }, built)).toBe(false);
  expect(isTrustedFrame({ url: 'file:///tmp/index.html', parent: null }, built)).toBe(false);
  expect(isTrustedFrame({ url: 'https://example.com/', parent: null }, built)).toBe(false);
  expect(isTrustedFrame(null, built)).toBe(false);
  expect(isTrustedFrame({ url: 'not a url', parent: null }, built)).toBe(false);

  const dev = 'http://localhost:5173/';
  expect(isTrustedFrame({ url: 'http://localhost:5173/index.html', parent: null }, dev)).toBe(true);
  expect(isTrustedFrame({ url: 'http://localhost:5174/', parent: null }, dev)).toBe(false);
});

test('the built app’s CSP allows only its own files: no inline code, no eval, no network', () => {
  const csp = contentSecurityPolicy(null);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|http:|https:|ws:/);
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");

  const dev = contentSecurityPolicy('http://localhost:5173');
  expect(dev).toContain("connect-src 'self' http://localhost:5173 ws://localhost:5173");
  expect(dev).not.toContain('unsafe-eval');
});

test('export and import on the desktop face: a file out, the same file in as a copy, a bad one refused as a value', async () => {
  const { handlers, conversations } = await setup();
  const c = await conversations.create('Kept');
  const exported = await handlers['conversations:export']({ id: c.id, format: 'json' });
  if (!exported.ok) throw new Error(exported.error.message);
  expect(exported.value.filename).toMatch(/^kept-\d{4}-\d{2}-\d{2}\.sluice\.json$/);

  const imported = await handlers['conversations:import']({
    filename: 'kept.json',
    text: exported.value.text,
  });
  expect(imported).toMatchObject({
    ok: true,
    value: { imported: [{ copyOf: c.id, title: 'Kept (imported copy)' }] },
  });
  expect((await conversations.list()).map((s) => s.title).sort()).toEqual(['Kept', 'Kept (imported copy)']);

  const refused = await handlers['conversations:import']({
    filename: 'x.json',
    text: '{"format":"sluice.backup"}',
  });
  expect(refused).toMatchObject({
    ok: false,
    error: { type: 'invalid_request', issues: [{ path: 'version' }, { path: 'conversations' }] },
  });
  expect(await handlers['conversations:export']({ id: c.id, format: 'pdf' })).toMatchObject({
    ok: false,
    error: { type: 'invalid_request' },
  });
  expect(await conversations.list()).toHaveLength(2);
});

test('versions on the desktop face: a version put on screen, a message deleted with its branch, bad payloads refused', async () => {
  const { handlers, conversations } = await setup();
  const c = await conversations.create('Rivers');
  const at = (id: string, text: string, parentId: string | null) =>
    ({ id, role: 'user', text, createdAt: 1, parentId }) as const;
  c.messages = [at('u1', 'one', null), at('a1', 'two', 'u1'), at('a1b', 'two again', 'u1')];
  await conversations.save(c);

  const chosen = await handlers['conversations:select-version']({ id: c.id, messageId: 'a1' });
  expect(chosen).toMatchObject({ ok: true, value: { activeChild: { '': 'u1', u1: 'a1' } } });
  expect((await conversations.get(c.id)).activeChild).toEqual({ '': 'u1', u1: 'a1' });

  const deleted = await handlers['conversations:delete-message']({ id: c.id, messageId: 'a1' });
  expect(deleted.ok && deleted.value.messages.map((m) => m.id)).toEqual(['u1', 'a1b']);

  expect(await handlers['conversations:delete-message']({ id: c.id, messageId: 'a1' })).toMatchObject({
    ok: false,
    error: { type: 'not_found', message: 'This conversation has no message "a1".' },
  });
  expect(await handlers['conversations:select-version']({ id: c.id })).toMatchObject({
    ok: false,
    error: { type: 'invalid_request' },
  });
  expect(
    await handlers['conversations:select-version']({ id: c.id, messageId: 'u1', extra: true }),
  ).toMatchObject({ ok: false, error: { type: 'invalid_request' } });
  expect((await conversations.get(c.id)).messages.map((m) => m.id)).toEqual(['u1', 'a1b']);
});
