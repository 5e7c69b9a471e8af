// The desktop face's turns over real ports (Node MessageChannel), with the real ChatService, stores
// and the embedded simulated provider: Stop, a page that goes away, a reload, quitting, refused
// requests, and a tool turn whose page-side message equals the saved one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ChatService } from '../../src/main/chat/service';
import { EmbeddedSimulator, envKeySource } from '../../src/main/chat/target';
import { PortTurns } from '../../src/main/desktop/turns';
import type { SimLogEntry } from '../../src/main/providers/simulated';
import { ConversationStore } from '../../src/main/store/conversations';
import { SettingsStore } from '../../src/main/store/settings';
import type { AssistantMessage, RelayEvent, SettingsPatch, TerminalEvent } from '../../src/shared/protocol';
import { openTurnChannel, pageEnd, pageMessages } from '../support/ipc-ports';
import { deltaText } from '../support/relay-events';

const OWNER = 7;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function desktop(patch: SettingsPatch = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-ipc-'));
  const simLog: SimLogEntry[] = [];
  const simWaiters: ((e: SimLogEntry) => void)[] = [];
  const conversations = new ConversationStore(dir);
  const settings = new SettingsStore(dir);
  await settings.update({ ...patch, sim: { ttftMs: 0, tpotMs: 15, ...patch.sim } });
  const service = new ChatService({
    conversations,
    settings,
    keys: envKeySource({}),
    simulator: new EmbeddedSimulator({
      log: (e) => {
        simLog.push(e);
        simWaiters.shift()?.(e);
      },
    }),
    // The periodic save of a streaming answer is ChatService's business; here only the final save counts.
    saveIntervalMs: 60_000,
  });
  const turns = new PortTurns(service);
  const ports: { close(): void }[] = [];
  cleanups.push(async () => {
    for (const p of ports) p.close();
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    turns,
    conversations,
    simLog,
    /** The simulated provider's log line for the (one) request, once it has ended. */
    simEnd: () =>
      new Promise<SimLogEntry>((resolve) => (simLog[0] ? resolve(simLog[0]) : simWaiters.push(resolve))),
    start(request: unknown) {
      const { main, mainPort, pagePort } = openTurnChannel();
      ports.push(mainPort, pagePort);
      const page = pageEnd(pagePort);
      const report = turns.start(OWNER, request, main);
      return { page, report };
    },
  };
}

const textDeltas = (n: number) => (events: RelayEvent[]) =>
  events.filter((e) => e.type === 'provider' && e.event.type === 'content_block_delta').length >= n;

const send = (text: string) => ({ action: 'send', conversationId: null, text });

async function savedAnswer(
  d: Awaited<ReturnType<typeof desktop>>,
  conversationId: string,
): Promise<AssistantMessage> {
  const saved = (await d.conversations.get(conversationId)).messages.at(-1);
  expect(saved?.role).toBe('assistant');
  return saved as AssistantMessage;
}

const savedText = (m: AssistantMessage) =>
  m.steps
    .flatMap((s) => s.message.blocks)
    .map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');

const conversationOf = (events: RelayEvent[]) => {
  const start = events.find((e) => e.type === 'turn_start');
  if (start?.type !== 'turn_start') throw new Error('no turn_start');
  return start.conversationId;
};

test('Stop goes over the port: the upstream is closed, the page gets the aborted terminal, the partial is saved', async () => {
  const d = await desktop();
  const { page, report } = d.start(send('Tell me about rivers'));
  await page.until(textDeltas(3));
  page.client.abort();

  const terminal = await page.client.done;
  expect(terminal).toMatchObject({ type: 'terminal', outcome: 'aborted' });
  expect(await report).toMatchObject({ outcome: 'aborted', pageGone: false });
  expect(await d.simEnd()).toMatchObject({ reason: 'client-closed' });

  const saved = await savedAnswer(d, conversationOf(page.events));
  expect(saved.outcome).toBe('aborted');
  expect(savedText(saved)).toBe(deltaText(page.events));
  expect(savedText(saved).length).toBeGreaterThan(0);
  expect(d.turns.size).toBe(0);
});

test('a page whose port closes mid-stream and does not come back: after the grace period the upstream request is aborted; the partial is saved as interrupted', async () => {
  const d = await desktop({ resumeGraceMs: 300 });
  const { page, report } = d.start(send('Tell me about mountains'));
  await page.until(textDeltas(3));
  const seen = deltaText(page.events);
  page.close();

  expect(await report).toMatchObject({ outcome: 'aborted', pageGone: true });
  expect(await d.simEnd()).toMatchObject({ reason: 'client-closed' });
  const saved = await savedAnswer(d, conversationOf(page.events));
  expect(saved.outcome).toBe('aborted');
  expect(savedText(saved).startsWith(seen)).toBe(true);
  expect(saved.steps[0]?.message.stopReason).toBeNull();
  expect(saved.abortReason).toBe('client-closed');
});

test('a reload or crash of the page (pageGone) that does not re-attach stops its turns after the grace, and no one else’s', async () => {
  const d = await desktop({ resumeGraceMs: 300 });
  const { page, report } = d.start(send('Tell me about lakes'));
  await page.until(textDeltas(2));
  expect(d.turns.pageGone(OWNER + 1)).toBe(0);
  expect(d.turns.pageGone(OWNER)).toBe(1);

  expect(await report).toMatchObject({ outcome: 'aborted', pageGone: true });
  expect(await d.simEnd()).toMatchObject({ reason: 'client-closed' });
  expect((await savedAnswer(d, conversationOf(page.events))).outcome).toBe('aborted');
});

test('a reloaded page re-attaches to its running turn on a fresh port: not stopped, and it builds exactly the saved message', async () => {
  const d = await desktop({ resumeGraceMs: 5_000 });
  const { page, report } = d.start(send('Tell me about volcanoes'));
  await page.until(textDeltas(3));
  const turnId = await page.client.turnId;
  expect(d.turns.pageGone(OWNER)).toBe(1); // the reload: the old page and its port are gone

  const { main, mainPort, pagePort } = openTurnChannel();
  cleanups.push(async () => {
    mainPort.close();
    pagePort.close();
  });
  const fresh = pageEnd(pagePort);
  const attached = d.turns.attach(OWNER, { turnId }, main);
  const terminal = await fresh.client.done;
  expect(terminal).toMatchObject({ outcome: 'complete' });
  expect(await attached).toMatchObject({ turnId, outcome: 'complete', pageGone: false });
  expect(await report).toMatchObject({ pageGone: true });
  expect(await d.simEnd()).toMatchObject({ reason: 'complete' });
  // Everything from the first event (the buffer still held it all), or a snapshot: either way the
  // page's turn is the saved one.
  const saved = await savedAnswer(d, conversationOf(page.events));
  expect(saved.outcome).toBe('complete');
  expect(pageMessages(fresh.events)).toEqual(saved.steps.map((s) => s.message));
  expect(fresh.events.filter((e) => e.type === 'terminal')).toHaveLength(1);
});

test('a re-attach to a turn that is gone, or without a turn id, ends with one error terminal', async () => {
  const d = await desktop();
  for (const [request, type] of [
    [{ turnId: 'no-such-turn' }, 'not_found'],
    [{}, 'invalid_request'],
  ] as const) {
    const { main, mainPort, pagePort } = openTurnChannel();
    cleanups.push(async () => {
      mainPort.close();
      pagePort.close();
    });
    const page = pageEnd(pagePort);
    const report = d.turns.attach(OWNER, request, main);
    const terminal = await page.client.done;
    expect(terminal).toMatchObject({ outcome: 'error', error: { type, retryable: false } });
    expect(page.events).toEqual([terminal]);
    expect((await report).turnId).toBeNull(); // nothing was attached
  }
});

test('quitting aborts every live turn and waits until their partials are saved', async () => {
  const d = await desktop();
  const first = d.start(send('Tell me about oceans'));
  const second = d.start(send('Tell me about deserts'));
  await first.page.until(textDeltas(2));
  await second.page.until(textDeltas(2));
  expect(d.turns.size).toBe(2);

  expect(await d.turns.shutdown(10_000)).toBe(true);
  expect(d.turns.size).toBe(0);
  for (const { page, report } of [first, second]) {
    expect((await report).outcome).toBe('aborted');
    expect((await savedAnswer(d, conversationOf(page.events))).outcome).toBe('aborted');
  }
});

test('a refused request ends with exactly one error terminal and no turn', async () => {
  const d = await desktop();
  const cases: [unknown, string][] = [
    [send('   '), 'invalid_request'],
    ['not a request', 'invalid_request'],
    [{ action: 'regenerate', conversationId: 'no-such-conversation' }, 'not_found'],
  ];
  for (const [request, type] of cases) {
    const { page, report } = d.start(request);
    const terminal: TerminalEvent = await page.client.done;
    expect(terminal).toMatchObject({ outcome: 'error', turnId: '', error: { type, retryable: false } });
    expect(page.events).toEqual([terminal]);
    expect(await page.client.turnId).toBe('');
    expect((await report).turnId).toBeNull();
  }
  expect(d.simLog).toEqual([]);
});

test('a tool turn arrives whole and in order: the page builds exactly the message that was saved', async () => {
  const d = await desktop({ sim: { scenario: 'sim-tool', ttftMs: 0, tpotMs: 0 } });
  const { page, report } = d.start(send('What is (17.5 * 4) / 2 + 3, and the time in Tokyo?'));
  const terminal = await page.client.done;
  expect(terminal).toMatchObject({ outcome: 'complete', stopReason: 'end_turn' });
  expect(await report).toMatchObject({ outcome: 'complete', pageGone: false });

  const saved = await savedAnswer(d, conversationOf(page.events));
  expect(saved.steps.length).toBeGreaterThanOrEqual(2);
  expect(pageMessages(page.events)).toEqual(saved.steps.map((s) => s.message));
  const pageResults = page.events.flatMap((e) => (e.type === 'tool_result' ? [e.result] : []));
  expect(pageResults).toEqual(saved.steps.flatMap((s) => s.toolResults));
  expect(pageResults.map((r) => r.name).sort()).toEqual(['calculator', 'current_time']);
  expect(page.events.filter((e) => e.type === 'terminal')).toHaveLength(1);
  expect(page.events[0]?.type).toBe('turn_start');
});
