// A conversation's own system prompt, temperature and max tokens, over `sluice serve`'s HTTP API
// against the simulated provider on both wires: the request the provider received carries them
// (recorded by a pass-through proxy), on send, regenerate, continue and after an edit from the
// header; Settings' system prompt and max tokens apply when the conversation has none; the
// Messages API gets no temperature (API version 2026-10-21 refuses it) and the turn says so; bad
// values are refused on both faces with a sentence, and nothing changes.
import { expect, test } from 'vitest';
import { createHandlers } from '../../src/main/desktop/handlers';
import { PURPOSE_HEADER } from '../../src/main/providers/types';
import type { AssistantMessage, Conversation, ProviderConfig, RelayEvent } from '../../src/shared/protocol';
import { parseSse, servePerTest, type TestServe } from '../support/serve';
import { CollectingSink } from '../support/relay';

const serve = servePerTest();

const DEFAULT_SYSTEM = 'Answer in one short paragraph.';

async function app(): Promise<TestServe> {
  // simHeaders (none) puts the recording pass-through proxy between the relay and the simulator.
  const s = await serve({
    simHeaders: {},
    settings: { systemPrompt: DEFAULT_SYSTEM, sim: { scenario: 'sim-echo', ttftMs: 0, tpotMs: 0 } },
  });
  const ollama: ProviderConfig = {
    id: 'ollama',
    preset: 'ollama',
    name: 'Ollama',
    baseURL: `${await s.service.simulator.url()}/ollama/v1`,
    model: 'sim-echo',
  };
  await s.settings.update({ providers: [ollama] });
  return s;
}

/** Runs one turn through POST /api/turns; its events, its conversation and the stored answer. */
async function turn(s: TestServe, body: Record<string, unknown>) {
  const reply = await s.call('POST', '/api/turns', body);
  expect(reply.status).toBe(200);
  const { events } = parseSse(reply.text);
  const start = events.find((e) => e.type === 'turn_start');
  const terminal = events.find((e) => e.type === 'terminal');
  expect(terminal).toMatchObject({ outcome: 'complete' });
  const conversationId = start?.type === 'turn_start' ? start.conversationId : '';
  const conversation = (await s.call('GET', `/api/conversations/${conversationId}`)).json as Conversation;
  const answer = conversation.messages.at(-1) as AssistantMessage;
  const text = answer.steps
    .flatMap((st) => st.message.blocks)
    .map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');
  // The turn's own request: a title request (after a first answer) is marked with its purpose.
  const turns = s.upstreamBodies.filter((_, i) => s.upstreamHeaders[i]?.[PURPOSE_HEADER] === undefined);
  return { events, conversationId, conversation, answer, text, sent: turns.at(-1) };
}

const notices = (events: RelayEvent[]) =>
  events.flatMap((e) => (e.type === 'status' && e.status.phase === 'notice' ? [e.status.message] : []));

test('Messages API: the system prompt and max tokens go with every action; no temperature, and the turn says why', async () => {
  const s = await app();
  const first = await turn(s, {
    action: 'send',
    conversationId: null,
    text: 'Where is the nearest lock?',
    params: { system: 'You are a lighthouse keeper.', temperature: 0.4, maxTokens: 900 },
  });
  expect(first.sent).toMatchObject({ system: 'You are a lighthouse keeper.', max_tokens: 900 });
  expect(first.sent).not.toHaveProperty('temperature');
  // What the simulated provider says it received.
  expect(first.text).toBe(
    'System prompt: “You are a lighthouse keeper.”. Temperature: not set. Max tokens: 900.',
  );
  expect(notices(first.events)).toEqual([
    "The Anthropic Messages API (version 2026-10-21) takes no temperature, so the conversation's 0.4 is not sent; it applies with an OpenAI-compatible provider (0 to 2).",
  ]);
  // Kept on the conversation as given.
  expect(first.conversation.params).toEqual({
    system: 'You are a lighthouse keeper.',
    temperature: 0.4,
    maxTokens: 900,
  });

  const again = await turn(s, { action: 'regenerate', conversationId: first.conversationId });
  expect(again.sent).toMatchObject({ system: 'You are a lighthouse keeper.', max_tokens: 900 });
  expect(again.text).toBe(first.text);

  // Changed from the header: the next send, the cut answer's continue and an edit all carry the new ones.
  const put = await s.call('PUT', `/api/conversations/${first.conversationId}/params`, {
    params: { system: 'Speak as a canal engineer.', maxTokens: 6 },
  });
  expect(put.status).toBe(200);
  expect(put.json).toEqual({ system: 'Speak as a canal engineer.', maxTokens: 6 });
  const cut = await turn(s, { action: 'send', conversationId: first.conversationId, text: 'And the weir?' });
  expect(cut.sent).toMatchObject({ system: 'Speak as a canal engineer.', max_tokens: 6 });
  expect(cut.answer.stopReason).toBe('max_tokens');
  const continued = await turn(s, { action: 'continue', conversationId: first.conversationId });
  expect(continued.sent).toMatchObject({ system: 'Speak as a canal engineer.', max_tokens: 6 });
  // The continuation picks up the same echo where the cut left it: the same system prompt arrived.
  expect(continued.text.length).toBeGreaterThan(cut.text.length);
  expect('System prompt: “Speak as a canal engineer.”. Temperature: not set. Max tokens: 6.').toContain(
    continued.text,
  );
  const edited = await turn(s, { action: 'edit', conversationId: first.conversationId, text: 'The sluice?' });
  expect(edited.sent).toMatchObject({ system: 'Speak as a canal engineer.', max_tokens: 6 });
  expect(s.upstreamBodies).toHaveLength(5);
});

test('Settings: its system prompt and max tokens apply when the conversation has none', async () => {
  const s = await app();
  const plain = await turn(s, { action: 'send', conversationId: null, text: 'Hello' });
  expect(plain.sent).toMatchObject({ system: DEFAULT_SYSTEM, max_tokens: 4096 });
  expect(plain.conversation.params).toBeUndefined();
  expect(notices(plain.events)).toEqual([]);
  // An empty system prompt of its own means Settings' one, and is not stored.
  const put = await s.call('PUT', `/api/conversations/${plain.conversationId}/params`, {
    params: { system: '   ', maxTokens: 1200 },
  });
  expect(put.json).toEqual({ maxTokens: 1200 });
  const next = await turn(s, { action: 'regenerate', conversationId: plain.conversationId });
  expect(next.sent).toMatchObject({ system: DEFAULT_SYSTEM, max_tokens: 1200 });
  expect(next.text).toBe(`System prompt: “${DEFAULT_SYSTEM}”. Temperature: not set. Max tokens: 1200.`);
});

test('Chat Completions: a system message first, the temperature and max tokens, on send and regenerate', async () => {
  const s = await app();
  const model = { provider: 'ollama', model: 'sim-echo' };
  const first = await turn(s, {
    action: 'send',
    conversationId: null,
    text: 'Ahoy',
    model,
    params: { system: 'Talk like a pirate.', temperature: 1.7, maxTokens: 700 },
  });
  expect(first.sent).toMatchObject({ temperature: 1.7, max_tokens: 700 });
  expect((first.sent?.['messages'] as unknown[])[0]).toEqual({
    role: 'system',
    content: 'Talk like a pirate.',
  });
  expect(first.text).toBe('System prompt: “Talk like a pirate.”. Temperature: 1.7. Max tokens: 700.');
  expect(notices(first.events)).toEqual([]);
  const again = await turn(s, { action: 'regenerate', conversationId: first.conversationId });
  expect(again.sent).toMatchObject({ temperature: 1.7, max_tokens: 700 });
  expect((again.sent?.['messages'] as unknown[])[0]).toEqual({
    role: 'system',
    content: 'Talk like a pirate.',
  });

  // Without its own: Settings' system prompt, and no temperature at all.
  const plain = await turn(s, { action: 'send', conversationId: null, text: 'Ahoy', model });
  expect((plain.sent?.['messages'] as unknown[])[0]).toEqual({ role: 'system', content: DEFAULT_SYSTEM });
  expect(plain.sent).not.toHaveProperty('temperature');
  expect(plain.text).toBe(`System prompt: “${DEFAULT_SYSTEM}”. Temperature: not set. Max tokens: 4096.`);
});

test('bad settings are refused with a sentence on the HTTP face and the desktop handlers; nothing changes', async () => {
  const s = await app();
  const first = await turn(s, {
    action: 'send',
    conversationId: null,
    text: 'Hi',
    params: { system: 'Keep it short.', maxTokens: 500 },
  });
  const path = `/api/conversations/${first.conversationId}/params`;
  const hot = await s.call('PUT', path, { params: { temperature: 3 } });
  expect(hot.status).toBe(400);
  expect(hot.text).toContain('The temperature can be at most 2');
  const typed = await s.call('PUT', path, { params: { maxTokens: 'abc12' } });
  expect(typed.status).toBe(400);
  const zero = await s.call('PUT', path, { params: { maxTokens: 0 } });
  expect(zero.text).toContain('Max tokens must be at least 1.');
  const missing = await s.call('PUT', '/api/conversations/nope/params', { params: {} });
  expect(missing.status).toBe(404);
  // A turn that carries a bad value is refused before anything is stored.
  const badTurn = await s.call('POST', '/api/turns', {
    action: 'send',
    conversationId: first.conversationId,
    text: 'More',
    params: { temperature: -1 },
  });
  expect(badTurn.status).toBe(400);
  expect(badTurn.text).toContain('The temperature must be 0 or more.');

  const handlers = createHandlers({
    service: s.service,
    conversations: s.conversations,
    settings: s.settings,
    keys: { get: () => null, set: async () => {}, note: () => null },
  });
  const refused = await handlers['conversations:configure']({
    id: first.conversationId,
    params: { maxTokens: 200_000 },
  });
  expect(refused).toMatchObject({
    ok: false,
    error: { type: 'invalid_request', message: 'Max tokens can be at most 128,000.' },
  });
  const stored = (await s.call('GET', `/api/conversations/${first.conversationId}`)).json as Conversation;
  expect(stored.params).toEqual({ system: 'Keep it short.', maxTokens: 500 });
  expect(stored.messages).toHaveLength(2);

  const saved = await handlers['conversations:configure']({
    id: first.conversationId,
    params: { temperature: 0.2 },
  });
  expect(saved).toEqual({ ok: true, value: { temperature: 0.2 } });
  expect((await s.conversations.get(first.conversationId)).params).toEqual({ temperature: 0.2 });
});

test('settings cannot change while an answer streams in that conversation', async () => {
  const s = await app();
  await s.settings.update({ sim: { scenario: 'sim-stall', ttftMs: 0, tpotMs: 0 } });
  const live = await s.service.startTurn(
    { action: 'send', conversationId: null, text: 'Wait', params: { maxTokens: 300 } },
    new CollectingSink(),
  );
  const busy = await s.call('PUT', `/api/conversations/${live.conversationId}/params`, {
    params: { maxTokens: 10 },
  });
  expect(busy.status).toBe(409);
  expect(busy.text).toContain('An answer is streaming in this conversation');
  s.service.abort(live.turnId);
  await live.done;
  expect((await s.conversations.get(live.conversationId)).params).toEqual({ maxTokens: 300 });
});

test('export keeps them: the JSON imports back with its settings, the Markdown shows the system prompt; a bad value in a file is refused', async () => {
  const s = await app();
  const first = await turn(s, {
    action: 'send',
    conversationId: null,
    text: 'Hello',
    params: { system: 'You are a lighthouse keeper.\nSpeak of the sea.', temperature: 0.4, maxTokens: 900 },
  });
  const json = (await s.call('POST', '/api/export', { id: first.conversationId, format: 'json' })).json as {
    filename: string;
    text: string;
  };
  const elsewhere = await serve();
  const imported = await elsewhere.call('POST', '/api/import', { filename: json.filename, text: json.text });
  expect(imported.status).toBe(200);
  expect((await elsewhere.conversations.get(first.conversationId)).params).toEqual({
    system: 'You are a lighthouse keeper.\nSpeak of the sea.',
    temperature: 0.4,
    maxTokens: 900,
  });

  const md = (await s.call('POST', '/api/export', { id: first.conversationId, format: 'markdown' })).json as {
    text: string;
  };
  const system = md.text.indexOf(
    '## System prompt\n\n> You are a lighthouse keeper.\n> Speak of the sea.\n\n_Settings: temperature 0.4 · max tokens 900_',
  );
  expect(system).toBeGreaterThan(0);
  expect(md.text.indexOf('## You')).toBeGreaterThan(system);

  const bad = JSON.parse(json.text) as { conversation: { params: unknown } };
  bad.conversation.params = { temperature: 5 };
  const fresh = await serve();
  const refused = await fresh.call('POST', '/api/import', {
    filename: json.filename,
    text: JSON.stringify(bad),
  });
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('The temperature can be at most 2');
  expect(await fresh.conversations.list()).toEqual([]);
});
