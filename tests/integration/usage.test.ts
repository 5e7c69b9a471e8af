// Tokens, prices and the window's numbers, stored: an answer keeps its usage; the window's own
// numbers sent as the turn ends (before its final save) are stored with it and come back from a
// reopened data directory, on the HTTP face and the desktop handlers; a conversation file written
// by the previous release loads unchanged; the person's prices.json is used, or refused in words.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { createHandlers } from '../../src/main/desktop/handlers';
import { ConversationStore } from '../../src/main/store/conversations';
import { PriceStore } from '../../src/main/store/prices';
import { findPrice, SHIPPED_PRICES } from '../../src/shared/cost';
import type { AssistantMessage, Conversation, Metrics, RelayEvent } from '../../src/shared/protocol';
import { usageOfMessage } from '../../src/shared/usage';
import { CollectingSink } from '../support/relay';
import { servePerTest } from '../support/serve';
import { servicePerTest } from '../support/service';

const { dataDir, service: bare } = servicePerTest('usage');
const serve = servePerTest();

async function service(dir: string) {
  const made = await bare(dir);
  await made.settings.update({ provider: 'simulated', sim: { scenario: 'sim-tool', ttftMs: 0, tpotMs: 0 } });
  return made;
}

const WINDOW: Metrics = {
  ttfbMs: 12,
  firstProgressMs: 40,
  ttftMs: 41,
  tpotMs: 2.5,
  totalMs: 300,
  outputTokens: 60,
  tokensPerSecond: 400,
};

const answerOf = (c: Conversation, turnId: string) =>
  c.messages.find((m): m is AssistantMessage => m.role === 'assistant' && m.turnId === turnId);

test('a tool loop stores its summed usage; the window numbers sent at the terminal survive the final save and a reopen', async () => {
  const dir = await dataDir();
  const { chat } = await service(dir);
  const recorded: Promise<void>[] = [];
  let conversationId = '';
  let turnId = '';
  // The page answers the terminal at once: before the service has saved the final message.
  const sink = new (class extends CollectingSink {
    override write(event: RelayEvent): boolean {
      if (event.type === 'turn_start') ({ conversationId, turnId } = event);
      if (event.type === 'terminal') recorded.push(chat.recordWindowMetrics(conversationId, turnId, WINDOW));
      return super.write(event);
    }
  })();
  const turn = await chat.startTurn({ action: 'send', conversationId: null, text: 'What is 17 * 23?' }, sink);
  const { message } = await turn.done;
  expect(recorded).toHaveLength(1);
  await Promise.all(recorded);

  // Two requests (the tool call, then the answer): their usage summed, the last one's context.
  expect(message.steps).toHaveLength(2);
  const [a, b] = message.steps.map((s) => s.message.usage);
  expect(message.usage).toMatchObject({
    input: (a?.input_tokens as number) + (b?.input_tokens as number),
    output: (a?.output_tokens as number) + (b?.output_tokens as number),
    context: (b?.input_tokens as number) + (b?.output_tokens as number),
  });

  // Reopened from disk by a new store: the message has its usage and the window's numbers.
  const reopened = await new ConversationStore(dir).get(conversationId);
  const stored = answerOf(reopened, turnId);
  expect(stored?.windowMetrics).toEqual(WINDOW);
  expect(stored?.usage).toEqual(message.usage);
});

test('the window numbers of a turn not in the conversation are refused, and nothing is written', async () => {
  const dir = await dataDir();
  const { chat, conversations } = await service(dir);
  const turn = await chat.startTurn(
    { action: 'send', conversationId: null, text: 'hi' },
    new CollectingSink(),
  );
  await turn.done;
  const before = await readFile(join(dir, 'conversations', `${turn.conversationId}.json`), 'utf8');
  await expect(chat.recordWindowMetrics(turn.conversationId, 'no-such-turn', WINDOW)).rejects.toThrow(
    'This conversation has no stored answer of turn "no-such-turn".',
  );
  expect(await readFile(join(dir, 'conversations', `${turn.conversationId}.json`), 'utf8')).toBe(before);
  expect(answerOf(await conversations.get(turn.conversationId), turn.turnId)?.windowMetrics).toBeUndefined();
});

test('desktop handlers validate the window numbers and store them', async () => {
  const dir = await dataDir();
  const { chat, conversations, settings } = await service(dir);
  const handlers = createHandlers({
    service: chat,
    conversations,
    settings,
    keys: { get: () => null, set: async () => {}, note: () => null },
  });
  const turn = await chat.startTurn(
    { action: 'send', conversationId: null, text: 'hi' },
    new CollectingSink(),
  );
  await turn.done;
  const bad = await handlers['conversations:window-metrics']({
    id: turn.conversationId,
    turnId: turn.turnId,
    metrics: { ...WINDOW, ttftMs: -5 },
  });
  expect(bad).toMatchObject({ ok: false, error: { type: 'invalid_request' } });
  const good = await handlers['conversations:window-metrics']({
    id: turn.conversationId,
    turnId: turn.turnId,
    metrics: WINDOW,
  });
  expect(good).toEqual({ ok: true, value: null });
  expect(answerOf(await conversations.get(turn.conversationId), turn.turnId)?.windowMetrics).toEqual(WINDOW);
});

test('over HTTP: the window numbers are stored and come back with the conversation; a bad body is a 400', async () => {
  const app = await serve();
  const turn = await app.service.startTurn(
    { action: 'send', conversationId: null, text: 'hi' },
    new CollectingSink(),
  );
  await turn.done;
  const path = `/api/conversations/${turn.conversationId}/window-metrics`;
  const bad = await app.call('POST', path, { turnId: turn.turnId, metrics: { ttftMs: 'soon' } });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain("The window's numbers");
  const ok = await app.call('POST', path, { turnId: turn.turnId, metrics: WINDOW });
  expect(ok.status).toBe(200);
  expect(ok.json).toEqual({ turnId: turn.turnId, windowMetrics: WINDOW });
  const got = await app.call('GET', `/api/conversations/${turn.conversationId}`);
  expect(answerOf(got.json as Conversation, turn.turnId)?.windowMetrics).toEqual(WINDOW);
  const missing = await app.call('POST', `/api/conversations/nope/window-metrics`, {
    turnId: turn.turnId,
    metrics: WINDOW,
  });
  expect(missing.status).toBe(404);
});

test('a conversation file written by the previous release loads unchanged; its usage is read off its steps', async () => {
  const dir = await dataDir();
  await mkdir(join(dir, 'conversations'));
  const fixture = join(import.meta.dirname, '..', 'fixtures', 'conversations', 'release-02df268.json');
  const raw = JSON.parse(await readFile(fixture, 'utf8')) as Conversation;
  await copyFile(fixture, join(dir, 'conversations', `${raw.id}.json`));
  const store = new ConversationStore(dir);
  expect(store.quarantined).toEqual([]);
  const loaded = await store.get(raw.id);
  expect(loaded).toEqual(raw);
  const answers = loaded.messages.filter((m): m is AssistantMessage => m.role === 'assistant');
  expect(answers.map((m) => m.usage)).toEqual([undefined, undefined]);
  // The tool loop's two requests, and the continued answer's two parts, summed from the steps.
  const sums = answers.map((m) => usageOfMessage(m));
  const inputs = answers.map((m) =>
    m.steps.reduce((n, s) => n + ((s.message.usage.input_tokens as number | undefined) ?? 0), 0),
  );
  expect(sums.map((u) => u.input)).toEqual(inputs);
  expect(sums.every((u) => (u.output ?? 0) > 0)).toBe(true);
  // And a turn on top of it is stored beside the old messages, which stay as they were.
  const { chat } = await service(dir);
  await (
    await chat.startTurn({ action: 'send', conversationId: raw.id, text: 'more' }, new CollectingSink())
  ).done;
  const after = await new ConversationStore(dir).get(raw.id);
  expect(after.messages.slice(0, raw.messages.length)).toEqual(raw.messages);
  expect((after.messages.at(-1) as AssistantMessage).usage?.output).toBeGreaterThan(0);
});

test('the person’s prices.json is laid over the shipped table; a bad one is refused in words and left as it is', async () => {
  const dir = await dataDir();
  const prices = new PriceStore(dir);
  expect(await prices.view()).toEqual({
    entries: SHIPPED_PRICES,
    file: join(dir, 'prices.json'),
    problem: null,
  });

  const own = {
    models: [
      {
        provider: 'simulated',
        model: 'sim-text',
        input: 3,
        output: 15,
        contextWindow: 8000,
        asOf: '2026-11-01',
        source: 'my own test prices',
      },
    ],
  };
  await writeFile(join(dir, 'prices.json'), JSON.stringify(own));
  const view = await prices.view();
  expect(view.problem).toBeNull();
  expect(findPrice(view.entries, ['simulated'], 'sim-text')).toMatchObject({ input: 3, contextWindow: 8000 });
  expect(findPrice(view.entries, ['simulated'], 'sim-tool')?.input).toBe(0);

  const broken = '{"models": [{"provider": "anthropic", "model": "x", "input": "cheap"}]}';
  await writeFile(join(dir, 'prices.json'), broken);
  const refused = await prices.view();
  expect(refused.entries).toBe(SHIPPED_PRICES);
  expect(refused.problem).toContain(`Your prices in ${join(dir, 'prices.json')} are not used`);
  expect(refused.problem).toContain('models.0.input');
  expect(refused.problem).toContain('The shipped prices are in use; the file was left as it is');
  expect(await readFile(join(dir, 'prices.json'), 'utf8')).toBe(broken);

  await writeFile(join(dir, 'prices.json'), '{ not json');
  expect((await prices.view()).problem).toContain('is not valid JSON');

  // The settings every face reads carry the table in force.
  const { chat } = await service(dir);
  expect((await chat.settingsView()).prices?.problem).toContain('is not valid JSON');
});
