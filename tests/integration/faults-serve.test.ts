// A network that fails on purpose between a client and `sluice serve` (the fault-injecting TCP
// proxy of tests/support/fault-proxy.ts in front of the server): latency, a bandwidth limit and a
// pause longer than the idle timeout all end complete with every event; a reset mid-stream, and
// a client that stops reading and then goes away, end the turn as aborted (client-closed) with the
// partial stored and the provider's request closed. Each test leaves no socket or timer behind.
import { request } from 'node:http';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { AssistantMessage, RelayEvent } from '../../src/shared/protocol';
import { startFaultProxy, type FaultProxy, type Faults } from '../support/fault-proxy';
import { activeResources, leftBehind } from '../support/handles';
import { deltaText } from '../support/relay-events';
import { parseSse, startTestServe, type TestServe } from '../support/serve';

let before: Map<string, number>;
let s: TestServe | null = null;
let proxy: FaultProxy | null = null;

beforeEach(() => {
  before = activeResources();
});
afterEach(async () => {
  await proxy?.close();
  proxy = null;
  await s?.close();
  s = null;
  expect(await leftBehind(before)).toEqual([]);
});

/**
 * A server whose simulated answers are `tokens` deltas, `tpotMs` apart; idle timeout 1 s. A client
 * gone is waited for 300 ms (the reconnect grace), then its turn stops as client-closed.
 */
async function serveWith(tokens: number, tpotMs: number, faults: Faults): Promise<TestServe> {
  s = await startTestServe({
    simTokens: tokens,
    settings: { idleTimeoutMs: 1000, resumeGraceMs: 300, sim: { scenario: 'sim-text', ttftMs: 0, tpotMs } },
  });
  proxy = await startFaultProxy({ port: s.server.port }, faults);
  return s;
}

type Read = { events: RelayEvent[]; error: string | null };

/** A turn read through `port` (the proxy, or the server itself) to its end, or to the error that cut it. */
function turnVia(server: TestServe, port: number, text: string): Promise<Read> {
  return new Promise((resolve) => {
    let raw = '';
    const done = (error: string | null) => resolve({ events: parseSse(raw).events, error });
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/turns',
        headers: {
          // The server's own name: the proxy passes bytes on untouched.
          host: `127.0.0.1:${server.server.port}`,
          authorization: `Bearer ${server.server.token}`,
          'content-type': 'application/json',
        },
      },
      (res) => {
        // Decoded as a stream: a chunk may end inside a character (the proxy cuts anywhere).
        res.setEncoding('utf8');
        res.on('data', (c: string) => (raw += c));
        res.on('end', () => done(null));
        res.on('error', (err) => done(err.message));
      },
    );
    req.on('error', (err) => done(err.message));
    req.end(JSON.stringify({ action: 'send', conversationId: null, text }));
  });
}

const answerText = (m: AssistantMessage | undefined) =>
  (m?.steps ?? [])
    .flatMap((step) => step.message.blocks)
    .map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');

/** The turn straight to the server, then the same through the proxy: both whole and equal. */
async function expectComplete(server: TestServe, faulty: FaultProxy) {
  const direct = await turnVia(server, server.server.port, 'the same question');
  await server.nextTurnEnd();
  const via = await turnVia(server, faulty.port, 'the same question');
  const report = await server.nextTurnEnd();
  expect(via.error).toBeNull();
  expect(via.events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'complete' });
  expect(via.events.filter((e) => e.type === 'terminal')).toHaveLength(1);
  expect(deltaText(via.events)).toBe(deltaText(direct.events));
  expect(deltaText(via.events).length).toBeGreaterThan(100);
  expect(report).toMatchObject({ outcome: 'complete', clientClosed: false });
  const stored = (await server.conversations.get(report.conversationId)).messages.at(-1);
  expect(stored).toMatchObject({ role: 'assistant', outcome: 'complete' });
}

/** The turn ended because the client went: aborted, the partial stored, the provider's request closed. */
async function expectClientGone(server: TestServe, via: Read) {
  const [report, simEnd] = await Promise.all([server.nextTurnEnd(), server.nextSimEnd()]);
  expect(report).toMatchObject({ outcome: 'aborted', clientClosed: true });
  expect(simEnd.reason).toBe('client-closed');
  const stored = (await server.conversations.get(report.conversationId)).messages.at(-1);
  expect(stored).toMatchObject({ role: 'assistant', outcome: 'aborted' });
  const kept = answerText(stored?.role === 'assistant' ? stored : undefined);
  // What the client saw is all in what was stored (the server may have had more in flight).
  expect(kept.startsWith(deltaText(via.events))).toBe(true);
  expect(kept.length).toBeGreaterThan(0);
  expect(via.events.some((e) => e.type === 'terminal')).toBe(false);
}

test('latency on every chunk: complete, every event delivered', async () => {
  const server = await serveWith(150, 1, { latencyMs: 3 });
  await expectComplete(server, proxy!);
});

test('a bandwidth limit: complete, every event delivered', async () => {
  const server = await serveWith(150, 0, { bytesPerSecond: 150_000 });
  await expectComplete(server, proxy!);
});

test('a pause longer than the idle timeout on the way to the client: the turn waits, and completes', async () => {
  // The idle timeout is the upstream's; a client that is slow to take the answer is backpressure.
  const server = await serveWith(150, 1, { pauseAfterBytes: 3000, pauseMs: 1500 });
  await expectComplete(server, proxy!);
});

test('a reset in the middle of the stream: the turn is aborted as client-closed, the partial stored', async () => {
  const server = await serveWith(3000, 2, { resetAfterBytes: 5000 });
  const via = await turnVia(server, proxy!.port, 'cut me off');
  expect(via.error).toMatch(/ECONNRESET|aborted|socket hang up/);
  await expectClientGone(server, via);
});

test('a client that stops reading holds the turn (not stalled), and when it goes the turn ends client-closed', async () => {
  const server = await serveWith(3000, 2, { stopReadingAfterBytes: 5000 });
  const reading = turnVia(server, proxy!.port, 'then stop reading');
  await proxy!.faulted;
  // Longer than the idle timeout with nothing read: the turn is still live, not stalled.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(server.server.liveTurns()).toBe(1);
  expect(server.reports).toHaveLength(0);
  // The client gives up.
  await proxy!.close();
  proxy = null;
  await expectClientGone(server, await reading);
});
