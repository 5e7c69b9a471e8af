// `sluice serve` end to end on loopback: the real server, ChatService and simulated provider, read
// by raw HTTP and by the browser client (createHttpClient) running in Node.
import { describe, expect, test } from 'vitest';
import { createHttpClient, HttpApiError } from '../../src/renderer/src/api/http';
import type { AssistantMessage, ChatClient, Conversation, RelayEvent } from '../../src/shared/protocol';
import { deltaText } from '../support/relay-events';
import { openTurn, parseSse, servePerTest, type TestServe } from '../support/serve';

const serve = servePerTest();

const clientFor = (s: TestServe): ChatClient =>
  createHttpClient({ baseUrl: s.server.origin, token: s.server.token });

const storedAnswer = (c: Conversation): AssistantMessage => {
  const last = c.messages.at(-1);
  if (last?.role !== 'assistant') throw new Error('the conversation does not end with an answer');
  return last;
};
const storedText = (m: AssistantMessage): string =>
  m.steps
    .flatMap((s) => s.message.blocks)
    .map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');

const isText = (e: RelayEvent) =>
  e.type === 'provider' && e.event.type === 'content_block_delta' && e.event.delta.type === 'text_delta';

describe('the SSE stream', () => {
  test('a turn is one SSE response: flushed headers, id-framed events, turn_start first, terminal last', async () => {
    const s = await serve();
    const reply = await s.call('POST', '/api/turns', { action: 'send', conversationId: null, text: 'hello' });

    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('no-cache, no-transform');
    expect(reply.headers['x-accel-buffering']).toBe('no');
    expect(reply.headers['connection']).toBe('keep-alive');
    expect(reply.headers['content-encoding']).toBeUndefined();
    // Ids are the turn's first 8 characters and a sequence number, so a re-attach names its turn.
    expect(reply.text).toMatch(/^id: [0-9a-f]{8}\.1\nevent: turn_start\ndata: \{/);

    const { events, ids, names } = parseSse(reply.text);
    const prefix = events[0]?.turnId.slice(0, 8);
    expect(ids).toEqual(events.map((_, i) => `${prefix}.${i + 1}`));
    expect(names).toEqual(events.map((e) => e.type));
    const start = events[0];
    expect(start?.type).toBe('turn_start');
    if (start?.type !== 'turn_start') return;
    expect(events.filter((e) => e.type === 'terminal')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'complete', stopReason: 'end_turn' });

    const stored = await s.conversations.get(start.conversationId);
    expect(stored.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(storedAnswer(stored).outcome).toBe('complete');
    expect(storedText(storedAnswer(stored))).toBe(deltaText(events));
    expect(deltaText(events).length).toBeGreaterThan(100);
  });

  test('the client receives the first text before the upstream has written its last', async () => {
    const s = await serve({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 5 } } });
    let writesAtFirstText = -1;
    let simEndsAtFirstText = -1;
    const events: RelayEvent[] = [];
    const handle = clientFor(s).startTurn(
      { action: 'send', conversationId: null, text: 'incremental' },
      (e) => {
        if (writesAtFirstText < 0 && isText(e)) {
          writesAtFirstText = s.simWrites.length;
          simEndsAtFirstText = s.simLog.length;
        }
        events.push(e);
      },
    );
    const terminal = await handle.done;
    const end = await s.nextSimEnd();

    expect(terminal.outcome).toBe('complete');
    expect(end.reason).toBe('complete');
    expect(simEndsAtFirstText).toBe(0);
    const written = s.simWrites.filter((w) => w.requestId === end.requestId);
    expect(written.at(-1)?.eventType).toBe('message_stop');
    // The upstream was nowhere near done when the first text reached the client.
    expect(writesAtFirstText).toBeGreaterThan(0);
    expect(writesAtFirstText).toBeLessThan(written.length / 2);
    expect(events.filter(isText).length).toBe(end.tokensGenerated);
  });

  test('Stop in the client reaches the simulated provider; the partial answer is stored as aborted', async () => {
    const s = await serve({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 5 } } });
    const client = clientFor(s);
    const events: RelayEvent[] = [];
    let texts = 0;
    const handle = client.startTurn({ action: 'send', conversationId: null, text: 'stop me' }, (e) => {
      events.push(e);
      if (isText(e) && ++texts === 5) handle.abort();
    });
    const terminal = await handle.done;
    const end = await s.nextSimEnd();

    expect(end.reason).toBe('client-closed');
    expect(end.tokensGenerated).toBeLessThan(300);
    // The server's own terminal event (with measured metrics), not one made up by the client.
    expect(terminal.outcome).toBe('aborted');
    expect(terminal.metrics.ttftMs).not.toBeNull();
    expect(events.at(-1)).toBe(terminal);
    const start = events[0];
    if (start?.type !== 'turn_start') throw new Error('no turn_start');
    expect(await handle.turnId).toBe(start.turnId);
    const stored = storedAnswer(await client.getConversation(start.conversationId));
    expect(stored.outcome).toBe('aborted');
    expect(storedText(stored)).toBe(deltaText(events));
    expect(deltaText(events).length).toBeGreaterThan(0);
    expect((await s.nextTurnEnd()).outcome).toBe('aborted');
    expect(s.service.liveTurns).toBe(0);
  });

  test('a client that drops the connection and does not come back: after the grace period the turn is aborted upstream and the partial is stored as interrupted', async () => {
    const graceMs = 400;
    const s = await serve({
      settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 5 }, resumeGraceMs: graceMs },
    });
    const { req, res } = await openTurn(s, { action: 'send', conversationId: null, text: 'then vanish' });
    let raw = '';
    await new Promise<void>((resolve) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        if (parseSse(raw).events.filter(isText).length >= 3) resolve();
      });
    });
    req.destroy();
    const droppedAt = performance.now();
    const [end, report] = await Promise.all([s.nextSimEnd(), s.nextTurnEnd()]);

    expect(end.reason).toBe('client-closed');
    // The turn ran on, waiting for the page, for the whole grace period (a lower bound, timer-made).
    expect(performance.now() - droppedAt).toBeGreaterThanOrEqual(graceMs - 20);
    expect(report.outcome).toBe('aborted');
    expect(report.clientClosed).toBe(true);
    const stored = storedAnswer(await s.conversations.get(report.conversationId));
    expect(stored.outcome).toBe('aborted');
    expect(stored.abortReason).toBe('client-closed');
    expect(storedText(stored).startsWith(deltaText(parseSse(raw).events))).toBe(true);
    expect(s.service.liveTurns).toBe(0);
    expect(s.server.liveTurns()).toBe(0);
  });

  test('pings keep a silent stream alive and leave the events undisturbed', async () => {
    const s = await serve({ settings: { sim: { scenario: 'sim-stall', ttftMs: 0, tpotMs: 1 } } });
    const patched = await s.call('PATCH', '/api/settings', { pingIntervalMs: 1000 });
    expect(patched.status).toBe(200);
    const { res } = await openTurn(s, {
      action: 'send',
      conversationId: null,
      text: 'say a little, then nothing',
    });
    let raw = '';
    let turnId = '';
    await new Promise<void>((resolve) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        const start = parseSse(raw).events[0];
        if (start?.type === 'turn_start') turnId = start.turnId;
        if ((raw.match(/^: ping$/gm) ?? []).length >= 2) resolve();
      });
    });
    expect((await s.call('POST', `/api/turns/${turnId}/abort`)).status).toBe(204);
    await new Promise<void>((resolve) => res.on('end', resolve));

    const { events, ids, comments } = parseSse(raw);
    expect(comments.filter((c) => c === 'ping').length).toBeGreaterThanOrEqual(2);
    // The pings came in the silence: after the last text, before the terminal event.
    const lastText = raw.lastIndexOf('"text_delta"');
    expect(raw.indexOf(': ping')).toBeGreaterThan(lastText);
    expect(raw.lastIndexOf(': ping')).toBeLessThan(raw.indexOf('event: terminal'));
    expect(ids).toEqual(events.map((_, i) => `${turnId.slice(0, 8)}.${i + 1}`));
    expect(events.filter(isText)).toHaveLength(4);
    expect(events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'aborted' });
    const report = await s.nextTurnEnd();
    expect(report.sse.pings).toBeGreaterThanOrEqual(2);
    const stored = storedAnswer(await s.conversations.get(report.conversationId));
    expect(storedText(stored)).toBe(deltaText(events));
    expect((await s.nextSimEnd()).reason).toBe('client-closed');
  });

  test('an unknown conversation is a 404 JSON answer, not a stream', async () => {
    const s = await serve();
    const reply = await s.call('POST', '/api/turns', {
      action: 'regenerate',
      conversationId: 'no-such-thing',
    });
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.json).toEqual({
      error: { type: 'not_found', message: 'No conversation with id "no-such-thing".' },
    });

    const terminal = await clientFor(s).startTurn({ action: 'continue', conversationId: 'gone' }, () => {})
      .done;
    expect(terminal.outcome).toBe('error');
    expect(terminal.error).toMatchObject({ type: 'not_found', status: 404, retryable: false });
    expect(s.simLog).toHaveLength(0);
  });

  test('an action the conversation cannot take is a 409 JSON answer', async () => {
    const s = await serve();
    const empty = await s.conversations.create('empty');
    for (const action of ['continue', 'regenerate'] as const) {
      const reply = await s.call('POST', '/api/turns', { action, conversationId: empty.id });
      expect(reply.status).toBe(409);
      expect(reply.json).toMatchObject({ error: { type: 'invalid_action' } });
    }
    expect(s.simLog).toHaveLength(0);
  });
});

describe('joined deltas for a reader that acknowledges', () => {
  test('the browser client acknowledges what it reads: a dense stream’s deltas join, and the turn is the same', async () => {
    const s = await serve({
      settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } },
      simTokens: 4000,
    });
    const events: RelayEvent[] = [];
    const terminal = await clientFor(s).startTurn(
      { action: 'send', conversationId: null, text: 'a long answer' },
      (e) => events.push(e),
    ).done;
    expect(terminal.outcome).toBe('complete');
    const report = await s.nextTurnEnd();
    // The server joined deltas into fewer messages than it had events; the page got every one once.
    expect(report.sse.joined).toBeGreaterThan(0);
    expect(events.length + report.sse.joined).toBe(report.sse.events);
    const stored = storedAnswer(await s.conversations.get(report.conversationId));
    expect(storedText(stored)).toBe(deltaText(events));
    expect(deltaText(events).length).toBeGreaterThan(4000);
  });

  test('a raw reader that never acknowledges gets one message per event', async () => {
    const s = await serve({
      settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } },
      simTokens: 4000,
    });
    const reply = await s.call('POST', '/api/turns', { action: 'send', conversationId: null, text: 'long' });
    const { events } = parseSse(reply.text);
    const report = await s.nextTurnEnd();
    expect(report.sse.joined).toBe(0);
    expect(events).toHaveLength(report.sse.events);
    expect(events.filter(isText).length).toBeGreaterThan(2000);
  });

  test('an acknowledgement for no live turn, or naming another turn’s event, is refused with what to send', async () => {
    const s = await serve();
    const none = await s.call('POST', '/api/turns/no-such-turn/ack', { lastEventId: '1' });
    expect(none.status).toBe(404);
    expect(none.json).toMatchObject({ error: { type: 'not_found' } });
    const reply = await s.call('POST', '/api/turns', { action: 'send', conversationId: null, text: 'hi' });
    const turnId = parseSse(reply.text).events[0]?.turnId ?? '';
    const foreign = await s.call('POST', `/api/turns/${turnId}/ack`, { lastEventId: 'ffffffff.3' });
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    expect(foreign.json).toMatchObject({ error: { type: 'invalid_action' } });
    expect(JSON.stringify(foreign.json)).toContain(`${turnId.slice(0, 8)}.41`);
    const junk = await s.call('POST', `/api/turns/${turnId}/ack`, { lastEventId: 3 });
    expect(junk.status).toBe(400);
    expect(junk.json).toMatchObject({ error: { type: 'invalid_request' } });
    // Its own event, after the turn ended (the feed lingers): accepted, changes nothing.
    const own = await s.call('POST', `/api/turns/${turnId}/ack`, { lastEventId: `${turnId.slice(0, 8)}.2` });
    expect([own.status, own.json]).toEqual([200, { turnId, lastEventId: `${turnId.slice(0, 8)}.2` }]);
  });
});

describe('the JSON endpoints through the client', () => {
  test('conversations: list, get, rename, delete', async () => {
    const s = await serve();
    const client = clientFor(s);
    const events: RelayEvent[] = [];
    const first = await client.startTurn({ action: 'send', conversationId: null, text: 'first' }, (e) =>
      events.push(e),
    ).done;
    expect(first.outcome).toBe('complete');
    const start = events[0];
    if (start?.type !== 'turn_start') throw new Error('no turn_start');
    const id = start.conversationId;

    const second = await client.startTurn({ action: 'send', conversationId: id, text: 'second' }, () => {})
      .done;
    expect(second.outcome).toBe('complete');
    const list = await client.listConversations();
    expect(list).toEqual([expect.objectContaining({ id, title: 'first', messageCount: 4 })]);
    expect((await client.getConversation(id)).messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);

    expect(await client.renameConversation(id, '  Renamed  ')).toMatchObject({ id, title: 'Renamed' });
    const refused = await client.renameConversation(id, '   ').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpApiError);
    expect(refused).toMatchObject({
      type: 'invalid_request',
      status: 400,
      issues: [{ path: 'title', message: 'The title is empty.' }],
    });

    await client.deleteConversation(id);
    expect(await client.listConversations()).toEqual([]);
    const missing = await client.getConversation(id).catch((e: unknown) => e);
    expect(missing).toMatchObject({ type: 'not_found', status: 404 });
  });

  test('settings: read, change, and an invalid change refused with its issues and nothing saved', async () => {
    const s = await serve();
    const client = clientFor(s);
    const before = await client.getSettings();
    expect(before).toMatchObject({ provider: 'simulated', keySet: false, keySource: null });

    const after = await client.updateSettings({ maxTokens: 2000, sim: { tpotMs: 7 } });
    expect(after).toMatchObject({ maxTokens: 2000, sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 7 } });

    const refused = await client
      .updateSettings({ maxTokens: 0, sim: { scenario: 'sim-nope' as never } })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpApiError);
    const issues = (refused as HttpApiError).issues.map((i) => i.path).sort();
    expect(issues).toEqual(['maxTokens', 'sim.scenario']);
    expect(await client.getSettings()).toEqual(after);
  });
});
