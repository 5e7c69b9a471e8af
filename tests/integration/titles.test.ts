// Titles made after the first answer: with a real wire, one tiny request through the turn's own
// adapter, marked as a title request (so it is no turn and counts as none); with the simulated
// provider, the heuristic one and no request at all. A rename first aborts the title request (the
// upstream sees its connection close) and the person's title stays.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ChatService } from '../../src/main/chat/service';
import { TITLE_PURPOSE_HEADER } from '../../src/main/chat/title';
import { EmbeddedSimulator, type KeySource } from '../../src/main/chat/target';
import { ConversationStore } from '../../src/main/store/conversations';
import { SettingsStore } from '../../src/main/store/settings';
import { DEFAULT_SETTINGS } from '../../src/shared/protocol';
import { startRawUpstream, type RawReply } from '../support/raw-upstream';
import { CollectingSink } from '../support/relay';
import { encodeSseEvents } from '../support/sse';
import { messageStart, textStream } from '../support/stream-events';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const aKey: KeySource = { get: () => ({ key: 'sk-test', source: 'env' }) };
const isTitle = (headers: Record<string, unknown>) => headers[TITLE_PURPOSE_HEADER] === 'title';

async function stack(settings: object, titleReply: RawReply, keys: KeySource = aKey) {
  const upstream = await startRawUpstream((_n, req) =>
    isTitle(req.headers)
      ? titleReply
      : { chunks: [encodeSseEvents(textStream(['Zebrafish ', 'see ultraviolet light.']))] },
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-titles-'));
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify(settings));
  const simulator = new EmbeddedSimulator({ defaults: { ttftMs: 0, tpotMs: 0 } });
  const conversations = new ConversationStore(dataDir);
  const chat = new ChatService({
    conversations,
    settings: new SettingsStore(dataDir),
    keys,
    simulator,
    env: { ANTHROPIC_BASE_URL: upstream.url },
  });
  cleanups.push(
    () => upstream.close(),
    () => rm(dataDir, { recursive: true, force: true }),
    () => chat.close(),
  );
  return { upstream, conversations, chat, dataDir };
}

// A model id of our own, so no model list is asked for (that happens only on the built-in default).
const anthropic = { provider: 'anthropic', model: 'claude-title-test' };

test('after the first answer the model names the conversation, with one marked request; the second answer makes none', async () => {
  const { upstream, conversations, chat, dataDir } = await stack(anthropic, {
    chunks: [encodeSseEvents(textStream(['"Zebrafish', ' vision."\n']))],
  });
  const first = await chat.startTurn(
    { action: 'send', conversationId: null, text: 'Could you tell me how zebrafish see colours?' },
    new CollectingSink(),
  );
  expect((await first.done).message.outcome).toBe('complete');
  expect(await first.titled).toBe('Zebrafish vision');

  expect(upstream.received.map((r) => isTitle(r.headers))).toEqual([false, true]);
  const titleBody = JSON.parse(upstream.received[1]?.body ?? '{}') as {
    model: string;
    max_tokens: number;
    messages: { content: string }[];
    tools?: unknown;
  };
  expect(titleBody).toMatchObject({ model: 'claude-title-test', max_tokens: 32 });
  expect(titleBody.tools).toBeUndefined();
  expect(titleBody.messages[0]?.content).toContain('how zebrafish see colours');
  expect(titleBody.messages[0]?.content).toContain('Zebrafish see ultraviolet light.');

  const stored = await conversations.get(first.conversationId);
  expect(stored).toMatchObject({ title: 'Zebrafish vision', titleSource: 'auto' });
  const onDisk = JSON.parse(await readFile(join(dataDir, 'conversations', `${stored.id}.json`), 'utf8')) as {
    title: string;
  };
  expect(onDisk.title).toBe('Zebrafish vision');

  const second = await chat.startTurn(
    { action: 'send', conversationId: first.conversationId, text: 'And in the dark?' },
    new CollectingSink(),
  );
  await second.done;
  expect(await second.titled).toBeNull();
  expect(upstream.received.map((r) => isTitle(r.headers))).toEqual([false, true, false]);
  expect((await conversations.get(first.conversationId)).title).toBe('Zebrafish vision');
});

test('a rename while the title request runs aborts it (the upstream sees the close) and the person’s title stays', async () => {
  // The title request gets its headers and first event, then nothing.
  const { upstream, conversations, chat } = await stack(anthropic, {
    chunks: [encodeSseEvents([messageStart()])],
    end: 'hang',
  });
  const started = await chat.startTurn(
    { action: 'send', conversationId: null, text: 'How do zebrafish see?' },
    new CollectingSink(),
  );
  await started.done;
  while (!upstream.received.some((r) => isTitle(r.headers))) await new Promise((r) => setTimeout(r, 10));
  expect(upstream.clientCloses).toBe(0);

  await conversations.rename(started.conversationId, 'Fish eyes');
  expect(await started.titled).toBeNull();
  while (upstream.clientCloses < 1) await new Promise((r) => setTimeout(r, 10));
  expect(upstream.clientCloses).toBe(1);
  expect(await conversations.get(started.conversationId)).toMatchObject({
    title: 'Fish eyes',
    titleSource: 'person',
  });
});

test('a conversation the person named before its first answer gets no title request and keeps its name', async () => {
  const { upstream, conversations, chat } = await stack(anthropic, {
    chunks: [encodeSseEvents(textStream(['Never used']))],
  });
  const conversation = await conversations.create('Draft');
  await conversations.rename(conversation.id, 'My own title');
  const started = await chat.startTurn(
    { action: 'send', conversationId: conversation.id, text: 'Zebrafish?' },
    new CollectingSink(),
  );
  await started.done;
  expect(await started.titled).toBeNull();
  expect(upstream.received.filter((r) => isTitle(r.headers))).toHaveLength(0);
  expect((await conversations.get(conversation.id)).title).toBe('My own title');
});

test('a title request that fails leaves the heuristic title', async () => {
  const { conversations, chat } = await stack(anthropic, {
    status: 529,
    headers: { 'content-type': 'application/json' },
    chunks: [JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })],
  });
  const started = await chat.startTurn(
    { action: 'send', conversationId: null, text: 'Hi! Can you explain zebrafish eyes? I am curious.' },
    new CollectingSink(),
  );
  await started.done;
  expect(await started.titled).toBe('Explain zebrafish eyes?');
  expect((await conversations.get(started.conversationId)).titleSource).toBe('auto');
});

test('the simulated provider: the heuristic title, and no request beyond the turn’s own', async () => {
  const { chat, conversations } = await stack(
    { sim: { ...DEFAULT_SETTINGS.sim, ttftMs: 0, tpotMs: 0 } },
    { chunks: [] },
  );
  const started = await chat.startTurn(
    {
      action: 'send',
      conversationId: null,
      text: 'please summarise the history of the printing press in europe',
    },
    new CollectingSink(),
  );
  await started.done;
  expect(await started.titled).toBe('Summarise the history of the printing press in…');
  expect(await conversations.get(started.conversationId)).toMatchObject({
    title: 'Summarise the history of the printing press in…',
    titleSource: 'auto',
  });
  const served = await chat.simulator.served();
  await served?.waitForEnd();
  expect(served?.entries).toHaveLength(1);
});
