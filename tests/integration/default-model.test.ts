// The SDK prints a multi-line console.warn on every request whose model is on its deprecated list,
// whatever the base URL. The default model is not on it, and the simulated provider is sent the
// scenario name, so no turn Sluice starts by default (nor one on a stored deprecated model, without
// a key) makes the SDK warn.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test, vi, type MockInstance } from 'vitest';
import { ChatService } from '../../src/main/chat/service';
import { EmbeddedSimulator, type KeySource } from '../../src/main/chat/target';
import { ProviderClient } from '../../src/main/providers/anthropic';
import { ConversationStore } from '../../src/main/store/conversations';
import { SettingsStore } from '../../src/main/store/settings';
import { DEFAULT_SETTINGS } from '../../src/shared/protocol';
import { CollectingSink } from '../support/relay';

const cleanups: (() => Promise<unknown>)[] = [];
let warn: MockInstance<typeof console.warn>;
afterEach(async () => {
  warn.mockRestore();
  for (const c of cleanups.splice(0).reverse()) await c();
});

const deprecationWarnings = () =>
  warn.mock.calls.filter((args) => args.some((a) => typeof a === 'string' && /deprecat/i.test(a)));

async function turn(storedSettings: object, keys: KeySource) {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-default-model-'));
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify(storedSettings));
  const simulator = new EmbeddedSimulator({ defaults: { ttftMs: 0, tpotMs: 0 } });
  const chat = new ChatService({
    conversations: new ConversationStore(dataDir),
    settings: new SettingsStore(dataDir),
    keys,
    simulator,
    env: { ANTHROPIC_BASE_URL: await simulator.url() },
  });
  cleanups.push(
    () => rm(dataDir, { recursive: true, force: true }),
    () => chat.close(),
    () => simulator.close(),
  );
  const sink = new CollectingSink();
  const started = await chat.startTurn({ action: 'send', conversationId: null, text: 'hi' }, sink);
  const result = await started.done;
  const start = sink.providerEvents().find((e) => e.type === 'message_start');
  const notices = sink.of('status').flatMap((e) => (e.status.phase === 'notice' ? [e.status.message] : []));
  return { result, modelSent: start?.type === 'message_start' ? start.message.model : null, notices };
}

const noKey: KeySource = { get: () => null };
const aKey: KeySource = { get: () => ({ key: 'sk-test', source: 'env' }) };
// The simulated provider's timing only, so the turn is quick; everything else is the default.
const quick = { sim: { ...DEFAULT_SETTINGS.sim, ttftMs: 0, tpotMs: 0 } };

test('the detector works: the SDK warns for a deprecated model', async () => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const simulator = new EmbeddedSimulator({ defaults: { ttftMs: 0, tpotMs: 0 } });
  cleanups.push(() => simulator.close());
  const target = {
    kind: 'simulated',
    label: 'Simulated',
    apiKey: 'x',
    baseURL: await simulator.url(),
  } as const;
  const stream = await new ProviderClient(target).open({
    params: { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
    signal: new AbortController().signal,
    maxRetries: 0,
    observer: { onAttempt() {}, onRetry() {}, onHeaders() {}, onBytes() {} },
  });
  let events = 0;
  for await (const _ of stream) events += 1;
  expect(events).toBeGreaterThan(0);
  expect(deprecationWarnings()).toHaveLength(1);
});

test('a turn with default settings, simulated provider: no deprecation warning', async () => {
  const { result, modelSent } = await turn(quick, noKey);
  expect(result.outcome).toBe('complete');
  expect(modelSent).toBe(DEFAULT_SETTINGS.sim.scenario);
  expect(deprecationWarnings()).toEqual([]);
});

test('a turn with default settings on the Anthropic provider: a model the key lists reaches the SDK, with a notice, no warning', async () => {
  // The simulated provider lists only its scenarios, so the built-in default gives way to the
  // newest listed model, and the turn says so.
  const { result, modelSent, notices } = await turn({ provider: 'anthropic' }, aKey);
  expect(result.outcome).toBe('complete');
  expect(modelSent).toBe('sim-text');
  expect(notices).toEqual([
    `${DEFAULT_SETTINGS.model} is not among the models this key lists; this turn uses sim-text, the newest listed. Choose a model in Settings to change it.`,
  ]);
  expect(deprecationWarnings()).toEqual([]);
});

test('a model chosen in Settings is sent as it is, without asking for the list', async () => {
  const { modelSent, notices } = await turn({ provider: 'anthropic', model: 'claude-opus-4-8' }, aKey);
  expect(modelSent).toBe('claude-opus-4-8');
  expect(notices).toEqual([]);
});

test('a stored settings file naming a deprecated model, simulated provider: the SDK never sees it', async () => {
  const { result, modelSent } = await turn({ ...quick, model: 'claude-sonnet-4-5' }, noKey);
  expect(result.outcome).toBe('complete');
  expect(modelSent).toBe('sim-text');
  expect(deprecationWarnings()).toEqual([]);
});
