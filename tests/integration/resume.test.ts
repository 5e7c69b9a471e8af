// Concurrent turns and re-attaching over `sluice serve`, on loopback with the real service and the
// simulated provider: the limit and its sentence, Stop and shutdown per turn, and a client that
// drops its connection and comes back with Last-Event-ID (curl-style, raw HTTP) — replayed with
// the same ids, or a snapshot first when the id is too old or unknown, another turn's id refused.
import { request, type IncomingMessage } from 'node:http';
import { expect, test } from 'vitest';
import type { AssistantMessage, RelayEvent } from '../../src/shared/protocol';
import { stepsText, turnText } from '../support/relay-events';
import { openTurn, parseSse, servePerTest, type TestServe } from '../support/serve';

const serve = servePerTest();

const isText = (e: RelayEvent) =>
  e.type === 'provider' && e.event.type === 'content_block_delta' && e.event.delta.type === 'text_delta';

/** Collects an SSE response as it arrives; `until` waits for what arrived to satisfy a test (or the end). */
function collect(res: IncomingMessage) {
  const got = { raw: '', ended: false };
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    got.raw += chunk;
    wake();
  });
  res.on('end', () => {
    got.ended = true;
    wake();
  });
  res.on('close', () => {
    got.ended = true;
    wake();
  });
  const until = async (test: (raw: string) => boolean = () => false): Promise<string> => {
    while (!test(got.raw) && !got.ended) await new Promise<void>((r) => waiters.push(r));
    return got.raw;
  };
  return { got, until };
}
const texts = (raw: string) => parseSse(raw).events.filter(isText).length;

function attach(s: TestServe, turnId: string, lastEventId?: string) {
  return new Promise<{ req: ReturnType<typeof request>; res: IncomingMessage }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: s.server.port,
        path: `/api/turns/${turnId}/events`,
        headers: {
          authorization: `Bearer ${s.server.token}`,
          ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
        },
      },
      (res) => resolve({ req, res }),
    );
    req.on('error', reject);
    req.end();
  });
}

const storedAnswer = async (s: TestServe, conversationId: string): Promise<AssistantMessage> => {
  const last = (await s.conversations.get(conversationId)).messages.at(-1);
  if (last?.role !== 'assistant') throw new Error('no stored answer');
  return last;
};
const textOfMessage = (m: AssistantMessage) => stepsText(m.steps);
const textOfEvents = turnText;

async function startSlow(s: TestServe, text: string, conversationId: string | null = null) {
  const { req, res } = await openTurn(s, { action: 'send', conversationId, text });
  const stream = collect(res);
  const start = parseSse(await stream.until((r) => parseSse(r).events.length > 0)).events[0];
  if (start?.type !== 'turn_start') throw new Error('no turn_start');
  return { req, res, turnId: start.turnId, conversationId: start.conversationId, until: stream.until };
}

test('turns in several conversations run at once up to the limit; past it the refusal names them and says how to stop one', async () => {
  const s = await serve({
    settings: { maxConcurrentTurns: 2, sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 20 } },
  });
  const a = await startSlow(s, 'Alpha question');
  const b = await startSlow(s, 'Beta question');
  expect(s.service.liveTurns).toBe(2);
  const listed = await s.call('GET', '/api/turns');
  expect(listed.status).toBe(200);
  expect(listed.json).toEqual([
    { turnId: a.turnId, conversationId: a.conversationId },
    { turnId: b.turnId, conversationId: b.conversationId },
  ]);

  const third = await s.call('POST', '/api/turns', { action: 'send', conversationId: null, text: 'Gamma' });
  expect(third.status).toBe(409);
  const refusal = (third.json as { error: { type: string; message: string } }).error;
  expect(refusal.type).toBe('busy');
  expect(refusal.message).toContain('2 answers are already streaming (“Alpha question”, “Beta question”)');
  expect(refusal.message).toContain('press Stop');

  // Stop stops that turn only; the other streams to its end.
  expect((await s.call('POST', `/api/turns/${a.turnId}/abort`)).status).toBe(204);
  const same = await s.call('POST', '/api/turns', {
    action: 'send',
    conversationId: b.conversationId,
    text: 'again',
  });
  expect(same.status).toBe(409);
  expect((same.json as { error: { message: string } }).error.message).toMatch(
    /^An answer is still streaming in “Beta question”; a conversation streams one answer at a time\./,
  );
  const [endA, endB] = await Promise.all([a.until(), b.until()]);
  expect(parseSse(endA).events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'aborted' });
  expect(parseSse(endB).events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'complete' });
  expect((await storedAnswer(s, a.conversationId)).abortReason).toBeUndefined(); // the person's Stop
});

test('stopping serve stops every running turn, and the provider sees each connection close', async () => {
  const s = await serve({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 20 } } });
  const turns = [await startSlow(s, 'one'), await startSlow(s, 'two'), await startSlow(s, 'three')];
  // Each request is at the provider (text is streaming) before serve stops.
  for (const t of turns) await t.until((r) => texts(r) >= 1);
  await s.server.close();
  const ends = await Promise.all(turns.map(() => s.nextSimEnd()));
  expect(ends.map((e) => e.reason)).toEqual(['client-closed', 'client-closed', 'client-closed']);
  expect(s.service.liveTurns).toBe(0);
  for (const t of turns) expect((await storedAnswer(s, t.conversationId)).abortReason).toBe('shutdown');
});

test('a dropped client re-attaches with Last-Event-ID: the missed events with the same ids, then live; nothing lost or doubled', async () => {
  const s = await serve({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 5 } } });
  const t = await startSlow(s, 'tell me about rivers');
  const before = await t.until((r) => texts(r) >= 8);
  t.req.destroy();
  const had = parseSse(before);
  const lastId = had.ids.at(-1) ?? '';
  await new Promise((r) => setTimeout(r, 100)); // the turn streams on, detached

  // curl -N -H 'Last-Event-ID: <n>' …/api/turns/ID/events: a bare number is this turn's event n.
  const bare = lastId.split('.')[1] ?? '';
  const again = await attach(s, t.turnId, bare);
  expect(again.res.statusCode).toBe(200);
  expect(again.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  const after = parseSse(await collect(again.res).until());
  expect(after.events[0]?.type).not.toBe('snapshot');
  const seqs = [...had.ids, ...after.ids].map((id) => Number(id.split('.')[1]));
  expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // consecutive from 1: no gap, no duplicate
  expect(after.events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'complete' });
  const stored = await storedAnswer(s, t.conversationId);
  expect(textOfEvents([...had.events, ...after.events])).toBe(textOfMessage(stored));
  expect(stored.outcome).toBe('complete');
});

test('an id older than the buffer, or one the turn never sent, gets a snapshot first; the text still ends exact', async () => {
  const s = await serve({
    simTokens: 6000,
    settings: {
      replayBufferBytes: 65_536,
      maxTokens: 8192,
      sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 1 },
    },
  });
  const t = await startSlow(s, 'a long one');
  t.req.destroy();
  // Detached, the turn runs on well past what 64 KiB holds.
  while ((s.service.feedOf(t.turnId)?.stats.dropped ?? 0) < 500) await new Promise((r) => setTimeout(r, 20));
  const again = await attach(s, t.turnId, `${t.turnId.slice(0, 8)}.1`);
  const got = parseSse(await collect(again.res).until());
  expect(got.events[0]?.type).toBe('snapshot');
  expect(got.events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'complete' });
  const stored = await storedAnswer(s, t.conversationId);
  expect(textOfEvents(got.events)).toBe(textOfMessage(stored));
  expect(s.service.feedOf(t.turnId)?.stats.peakBytes).toBeLessThanOrEqual(65_536);

  // The turn has ended; its feed lingers, and an id it never sent is the snapshot path too.
  const unknown = parseSse(
    (await s.call('GET', `/api/turns/${t.turnId}/events`, undefined, { 'last-event-id': '999999' })).text,
  );
  expect(unknown.events.map((e) => e.type)).toEqual(['snapshot', 'terminal']);
  expect(textOfEvents(unknown.events)).toBe(textOfMessage(stored));
});

test('a Last-Event-ID of another turn is refused with a sentence; an unknown turn is 404; the token is required', async () => {
  const s = await serve({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 20 } } });
  const a = await startSlow(s, 'first');
  const b = await startSlow(s, 'second');
  const foreign = await s.call('GET', `/api/turns/${a.turnId}/events`, undefined, {
    'last-event-id': `${b.turnId.slice(0, 8)}.3`,
  });
  expect(foreign.status).toBe(409);
  expect((foreign.json as { error: { message: string } }).error.message).toContain('belongs to another turn');
  const junk = await s.call('GET', `/api/turns/${a.turnId}/events`, undefined, {
    'last-event-id': 'yesterday',
  });
  expect(junk.status).toBe(409);
  expect((junk.json as { error: { message: string } }).error.message).toContain('is not an event id');
  const missing = await s.call('GET', '/api/turns/no-such-turn/events');
  expect(missing.status).toBe(404);
  expect((missing.json as { error: { message: string } }).error.message).toContain('GET /api/turns lists');
  const anonymous = await s.call('GET', `/api/turns/${a.turnId}/events`, undefined, { authorization: null });
  expect(anonymous.status).toBe(401);
  for (const t of [a, b]) await s.call('POST', `/api/turns/${t.turnId}/abort`);
});
