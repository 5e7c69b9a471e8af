// Continue after a max_tokens cut: the answer goes on in the same stored message, on both wires,
// and reads exactly as the answer the simulated provider gives in one go; the next request sends
// it once.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ChatService } from '../../src/main/chat/service';
import { EmbeddedSimulator, envKeySource } from '../../src/main/chat/target';
import { toApiMessages } from '../../src/main/relay/history';
import { ConversationStore } from '../../src/main/store/conversations';
import { SettingsStore } from '../../src/main/store/settings';
import { continueModeOf } from '../../src/shared/continue';
import {
  DEFAULT_SETTINGS,
  type AssistantMessage,
  type ModelChoice,
  type ProviderConfig,
} from '../../src/shared/protocol';
import { CollectingSink } from '../support/relay';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PROMPT = 'How does backpressure work in a streaming relay?';

/** A pass-through proxy that keeps every request body the relay sent. */
async function recordingProxy(target: string) {
  const bodies: Record<string, unknown>[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.length > 0) bodies.push(JSON.parse(body.toString('utf8')) as Record<string, unknown>);
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-continue-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const simulator = new EmbeddedSimulator({ defaults: { ttftMs: 0, tpotMs: 0 } });
  const conversations = new ConversationStore(dir);
  const settings = new SettingsStore(dir);
  const chat = new ChatService({ conversations, settings, keys: envKeySource({}), simulator, env: {} });
  cleanups.push(() => chat.close());
  const simURL = await simulator.url();
  const ollama: ProviderConfig = {
    id: 'ollama',
    preset: 'ollama',
    name: 'Ollama',
    baseURL: `${simURL}/ollama/v1`,
    model: 'sim-text',
  };
  await settings.update({
    sim: { ...DEFAULT_SETTINGS.sim, scenario: 'sim-text', ttftMs: 0, tpotMs: 0 },
    providers: [ollama],
  });
  return { chat, conversations, settings };
}

const textOf = (message: AssistantMessage) =>
  message.steps
    .flatMap((s) => s.message.blocks)
    .map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');

const WIRES: { name: string; model: ModelChoice }[] = [
  { name: 'Anthropic (simulated)', model: { provider: 'simulated', model: 'sim-text' } },
  { name: 'OpenAI-compatible (ollama)', model: { provider: 'ollama', model: 'sim-text' } },
];

for (const wire of WIRES) {
  test(`continue after a max_tokens cut extends the same message to the uncut answer: ${wire.name}`, async () => {
    const { chat, conversations, settings } = await setup();
    const { model } = wire;

    // The answer in one go, for the same prompt.
    await settings.update({ maxTokens: 8192 });
    const whole = await chat.startTurn(
      { action: 'send', conversationId: null, text: PROMPT, model },
      new CollectingSink(),
    );
    const uncut = (await whole.done).message;
    expect(uncut.stopReason).toBe('end_turn');
    const full = textOf(uncut);

    // Cut at 30 tokens, then continued with room to finish.
    await settings.update({ maxTokens: 30 });
    const first = await chat.startTurn(
      { action: 'send', conversationId: null, text: PROMPT, model },
      new CollectingSink(),
    );
    const cut = (await first.done).message;
    expect(cut.stopReason).toBe('max_tokens');
    expect(full.startsWith(textOf(cut).trimEnd())).toBe(true);
    expect(textOf(cut).length).toBeLessThan(full.length);

    await settings.update({ maxTokens: 8192 });
    const next = await chat.startTurn(
      { action: 'continue', conversationId: first.conversationId, model },
      new CollectingSink(),
    );
    const result = await next.done;
    expect(result.message.stopReason).toBe('end_turn');

    const stored = await conversations.get(first.conversationId);
    expect(stored.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    const answer = stored.messages[1] as AssistantMessage;
    expect(textOf(answer)).toBe(full);
    expect(answer.id).toBe(cut.id);
    expect(answer.outcome).toBe('complete');
    expect(answer.stopReason).toBe('end_turn');
    expect(answer.earlier).toEqual([
      { turnId: cut.turnId, outcome: cut.outcome, stopReason: 'max_tokens', metrics: cut.metrics },
    ]);

    // The next request sends the answer once: one assistant message holding exactly the full text.
    const api = toApiMessages(stored.messages);
    expect(api.map((m) => m.role)).toEqual(['user', 'assistant']);
    const content = api[1]!.content;
    const sentText =
      typeof content === 'string' ? content : content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(sentText).toBe(full.trimEnd());
  });
}

test('where the provider ignores a prefill (OpenAI), Continue asks the model to go on, and stores one message', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-continue-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const simulator = new EmbeddedSimulator({ defaults: { ttftMs: 0, tpotMs: 0 } });
  const simURL = await simulator.url();
  const proxy = await recordingProxy(simURL);
  const conversations = new ConversationStore(dir);
  const settings = new SettingsStore(dir);
  const chat = new ChatService({
    conversations,
    settings,
    keys: envKeySource({ OPENAI_API_KEY: 'sk-test' }),
    simulator,
    env: {},
    // OpenAI's address in settings; the requests go to the simulator through the recorder.
    routeBaseURL: (baseURL) =>
      Promise.resolve(baseURL.replace('https://api.openai.com', `${proxy.url}/openai`)),
  });
  cleanups.push(() => chat.close());
  await settings.update({
    maxTokens: 30,
    providers: [
      {
        id: 'openai',
        preset: 'openai',
        name: 'OpenAI',
        baseURL: 'https://api.openai.com/v1',
        model: 'sim-text',
      },
    ],
  });
  const model: ModelChoice = { provider: 'openai', model: 'sim-text' };
  const first = await chat.startTurn(
    { action: 'send', conversationId: null, text: PROMPT, model },
    new CollectingSink(),
  );
  const cut = (await first.done).message;
  expect(cut.stopReason).toBe('max_tokens');
  await settings.update({ maxTokens: 8192 });
  const next = await chat.startTurn(
    { action: 'continue', conversationId: first.conversationId, model },
    new CollectingSink(),
  );
  expect((await next.done).message.stopReason).toBe('end_turn');

  // The request ended with a user message asking to go on, after the answer so far.
  const sent = proxy.bodies.at(-1)!['messages'] as { role: string; content: unknown }[];
  expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  expect(sent.at(-1)!.content).toBe('Continue.');
  // Stored: one answer, the continuation as a step after the cut one; the prompt is not kept.
  const stored = await conversations.get(first.conversationId);
  expect(stored.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  const answer = stored.messages[1] as AssistantMessage;
  expect(answer.steps).toHaveLength(2);
  expect(answer.stopReason).toBe('end_turn');
  expect(textOf(answer).startsWith(textOf(cut))).toBe(true);
  expect(toApiMessages(stored.messages).map((m) => m.role)).toEqual(['user', 'assistant']);
});

test('OpenAI’s own API is asked to go on; Anthropic with thinking too; the rest continue a prefill', () => {
  const openai: ProviderConfig = {
    id: 'openai',
    preset: 'openai',
    name: 'OpenAI',
    baseURL: 'https://api.openai.com/v1',
    model: 'gpt-4.1',
  };
  const settings = { ...DEFAULT_SETTINGS, providers: [openai] };
  expect(continueModeOf(settings, { provider: 'openai', model: 'gpt-4.1' })).toBe('ask');
  expect(continueModeOf(settings, { provider: 'simulated', model: 'sim-text' })).toBe('prefill');
  expect(continueModeOf(settings, { provider: 'anthropic', model: 'x' })).toBe('prefill');
  expect(
    continueModeOf(
      { ...settings, thinking: { ...settings.thinking, enabled: true } },
      { provider: 'anthropic', model: 'x' },
    ),
  ).toBe('ask');
});
