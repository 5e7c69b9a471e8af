// Providers people configure: OpenAI-compatible configs in settings, validated whole; a key per
// provider that never comes back; a provider and model per conversation that sticks, and gives way
// (saying so) when settings can no longer serve it.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ChatService } from '../../src/main/chat/service';
import { createHandlers } from '../../src/main/desktop/handlers';
import { SecretKeyStore, type Cipher } from '../../src/main/electron/secrets';
import { ConversationStore } from '../../src/main/store/conversations';
import { closeSearch } from '../../src/main/store/search';
import { InvalidSettingsError, SettingsStore } from '../../src/main/store/settings';
import { DEFAULT_SETTINGS, type ProviderConfig } from '../../src/shared/protocol';
import { CollectingSink } from '../support/relay';
import { servicePerTest } from '../support/service';

const { dataDir, service: bare, cleanup } = servicePerTest('providers');

const OLLAMA: ProviderConfig = {
  id: 'ollama',
  preset: 'ollama',
  name: 'Ollama',
  baseURL: 'http://127.0.0.1:11434/v1',
  model: 'llama3.2',
};

async function service(dir: string) {
  const made = await bare(dir);
  await made.settings.update({ sim: { ...DEFAULT_SETTINGS.sim, ttftMs: 0, tpotMs: 0 } });
  return made;
}

test('settings take OpenAI-compatible providers and refuse a bad one whole, naming its field', async () => {
  const settings = new SettingsStore(await dataDir());
  const saved = await settings.update({ providers: [OLLAMA], provider: 'ollama' });
  expect(saved.provider).toBe('ollama');
  expect(saved.providers).toEqual([OLLAMA]);

  const refusals: [object, string, RegExp][] = [
    [
      { provider: 'lmstudio' },
      'provider',
      /No provider "lmstudio" is configured: choose simulated, anthropic, ollama/,
    ],
    [{ providers: [OLLAMA, { ...OLLAMA, name: 'Twin' }] }, 'providers.1.id', /taken/],
    [{ providers: [{ ...OLLAMA, id: 'anthropic' }] }, 'providers.0.id', /taken/],
    [
      { providers: [{ ...OLLAMA, baseURL: '127.0.0.1:11434' }] },
      'providers.0.baseURL',
      /http:\/\/ or https:\/\//,
    ],
    [{ providers: [{ ...OLLAMA, preset: 'gemini' }] }, 'providers.0.preset', /./],
  ];
  for (const [patch, path, message] of refusals) {
    const err = await settings.update(patch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidSettingsError);
    const issue = (err as InvalidSettingsError).issues.find((i) => i.path === path);
    expect(issue?.message, `${JSON.stringify(patch)} → ${path}`).toMatch(message);
  }
  // Nothing of a refused change was kept.
  expect(await settings.get()).toMatchObject({ provider: 'ollama', providers: [OLLAMA] });
});

test('a settings file written before providers existed loads unchanged, with no providers', async () => {
  const dir = await dataDir();
  const old = { ...DEFAULT_SETTINGS, provider: 'anthropic', model: 'claude-opus-4-8' } as Record<
    string,
    unknown
  >;
  delete old['providers'];
  await writeFile(join(dir, 'settings.json'), JSON.stringify(old));
  const settings = new SettingsStore(dir);
  expect(await settings.get()).toMatchObject({
    provider: 'anthropic',
    model: 'claude-opus-4-8',
    providers: [],
  });
  expect(settings.warning).toBeNull();
});

test('a conversation keeps the provider and model it was sent with; later turns use them', async () => {
  const { chat, conversations } = await service(await dataDir());
  const sink = new CollectingSink();
  const first = await chat.startTurn(
    {
      action: 'send',
      conversationId: null,
      text: 'weather?',
      model: { provider: 'simulated', model: 'sim-tool' },
    },
    sink,
  );
  expect((await first.done).outcome).toBe('complete');
  expect(sink.of('turn_start')[0]).toMatchObject({ provider: 'simulated', model: 'sim-tool' });
  expect((await conversations.get(first.conversationId)).model).toEqual({
    provider: 'simulated',
    model: 'sim-tool',
  });

  // No choice in the request: the conversation's own, not the settings' default (sim-text).
  const again = new CollectingSink();
  const second = await chat.startTurn(
    { action: 'send', conversationId: first.conversationId, text: 'and now?' },
    again,
  );
  await second.done;
  expect(again.of('turn_start')[0]).toMatchObject({ model: 'sim-tool' });
  expect(
    again
      .providerEvents()
      .some((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use'),
  ).toBe(true);

  // A new conversation starts from the settings' default.
  const fresh = new CollectingSink();
  await (
    await chat.startTurn({ action: 'send', conversationId: null, text: 'hi' }, fresh)
  ).done;
  expect(fresh.of('turn_start')[0]).toMatchObject({ provider: 'simulated', model: 'sim-text' });
});

test('a choice settings cannot serve is refused before anything starts; a stale stored one gives way with a notice', async () => {
  const { chat, conversations, settings } = await service(await dataDir());
  await expect(
    chat.startTurn(
      { action: 'send', conversationId: null, text: 'hi', model: { provider: 'lmstudio', model: 'x' } },
      new CollectingSink(),
    ),
  ).rejects.toThrow(
    'No provider "lmstudio" is configured (it may have been removed in Settings). Pick another model.',
  );
  await expect(
    chat.startTurn(
      { action: 'send', conversationId: null, text: 'hi', model: { provider: 'simulated', model: 'gpt-5' } },
      new CollectingSink(),
    ),
  ).rejects.toThrow(/The simulated provider has no model "gpt-5"/);
  expect(await conversations.list()).toEqual([]);

  // A conversation on a provider that was since removed.
  await settings.update({ providers: [OLLAMA] });
  const c = await conversations.create('Old');
  await conversations.save({ ...c, model: { provider: 'ollama', model: 'llama3.2' } });
  await settings.update({ providers: [] });
  const sink = new CollectingSink();
  const turn = await chat.startTurn({ action: 'send', conversationId: c.id, text: 'still there?' }, sink);
  expect((await turn.done).outcome).toBe('complete');
  const notices = sink.of('status').flatMap((e) => (e.status.phase === 'notice' ? [e.status.message] : []));
  expect(notices).toEqual([
    'No provider "ollama" is configured (it may have been removed in Settings). This turn uses simulated (sim-text) instead.',
  ]);
});

const fakeCipher: Cipher = {
  unavailableReason: async () => null,
  encrypt: async (plain) => Buffer.from(`enc:${plain}`),
  decrypt: async (data) => data.toString().replace(/^enc:/, ''),
};

test('each provider has its own key: set through the desktop face, reported only as set, kept across restarts', async () => {
  const dir = await dataDir();
  const conversations = new ConversationStore(dir);
  const settings = new SettingsStore(dir);
  const openai: ProviderConfig = {
    id: 'openai',
    preset: 'openai',
    name: 'OpenAI',
    baseURL: 'https://api.openai.com/v1',
    model: 'gpt-5-mini',
  };
  await settings.update({ providers: [OLLAMA, openai] });
  const env = { OPENAI_API_KEY: 'sk-env-openai' };
  const keys = new SecretKeyStore({ file: join(dir, 'key.bin'), cipher: fakeCipher, env });
  await keys.load();
  const chat = new ChatService({ conversations, settings, keys, env });
  cleanup(() => chat.close());
  cleanup(() => closeSearch(conversations));
  const handlers = createHandlers({ service: chat, conversations, settings, keys });

  const before = await handlers['settings:get'](null);
  expect(before).toMatchObject({
    ok: true,
    value: {
      keySet: false,
      providerKeys: { ollama: { set: false, source: null }, openai: { set: true, source: 'env' } },
    },
  });
  const set = await handlers['settings:set-key']({ key: 'sk-typed-openai', provider: 'openai' });
  expect(set).toMatchObject({
    ok: true,
    value: { keySet: false, providerKeys: { openai: { set: true, source: 'stored' } } },
  });
  expect(JSON.stringify(set)).not.toContain('sk-typed-openai');
  expect(await handlers['settings:set-key']({ key: 'x', provider: 'nope' })).toMatchObject({
    ok: false,
    error: { type: 'not_found', message: 'No provider "nope" is configured; save it first.' },
  });

  const restarted = new SecretKeyStore({ file: join(dir, 'key.bin'), cipher: fakeCipher, env });
  await restarted.load();
  expect(restarted.get({ id: 'openai', env: 'OPENAI_API_KEY' })).toEqual({
    key: 'sk-typed-openai',
    source: 'stored',
  });
  expect(restarted.get()).toBeNull();
  expect((await readdir(dir)).filter((f) => f.startsWith('key'))).toEqual(['key-openai.bin']);
  await restarted.set(null, { id: 'openai', env: 'OPENAI_API_KEY' });
  expect(restarted.get({ id: 'openai', env: 'OPENAI_API_KEY' })).toEqual({
    key: 'sk-env-openai',
    source: 'env',
  });
});
