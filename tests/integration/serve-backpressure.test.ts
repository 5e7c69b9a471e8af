// A browser that reads slowly must slow the model down, not fill the relay's memory: the SSE sink
// reports a full socket, the engine stops pulling, TCP pushes back on the simulated provider.
// A raw client reads nothing, then a trickle, while the provider is asked for ~480 MB.
import { expect, test } from 'vitest';
import { openTurn, servePerTest } from '../support/serve';

const serve = servePerTest();

const TOKENS = 4_000_000;
/** The engine's default bound on what it holds for a full sink (characters). */
const PENDING_LIMIT = 256 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the provider has written nothing new for a while (or has run away past `ceiling`). */
async function plateau(bytes: () => number, ceiling: number): Promise<number> {
  let last = -1;
  for (let still = 0; still < 6 && last < ceiling;) {
    await sleep(100);
    const now = bytes();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

test('a slow reader pauses the provider; the relay holds a bounded amount', async () => {
  const s = await serve({
    simTokens: TOKENS,
    // No reconnect grace: the dropped reader ends the turn at once (the grace has its own tests).
    settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 }, resumeGraceMs: 0 },
  });
  const simBytes = () => s.simWrites.reduce((n, w) => n + w.bytes, 0);
  const simTokens = () => s.simWrites.filter((w) => w.eventType === 'content_block_delta').length;
  const { req, res } = await openTurn(s, {
    action: 'send',
    conversationId: null,
    text: 'a firehose, please',
  });
  res.pause();
  // A 'readable' listener keeps the response in paused mode: it is read only by read(n) below.
  res.on('readable', () => {});
  let clientBytes = 0;

  // The first tokens tell how big one is upstream, hence how big the whole answer would be.
  while (simTokens() === 0) await sleep(20);
  const requested = TOKENS * (simBytes() / simTokens());
  // Far more than every buffer on the way can hold: the relay→client socket (~4 MB on Linux
  // loopback), the engine's backlog, and the upstream side (two sockets here, via the test proxy).
  const ceiling = requested / 8;

  // 1. Nobody reads: the provider stops once the buffers on the way are full.
  const idleStop = await plateau(simBytes, ceiling);
  // 2. A trickle: 4 KB every 100 ms.
  for (let i = 0; i < 15; i++) {
    const chunk = (res.read(4096) as Buffer | null) ?? (res.read() as Buffer | null);
    clientBytes += chunk?.length ?? 0;
    await sleep(100);
  }
  const trickleStop = await plateau(simBytes, ceiling);
  // Paused, not finished: the turn is live and the provider has not ended the request.
  expect(s.server.liveTurns()).toBe(1);
  expect(s.simLog).toHaveLength(0);

  req.destroy();
  const [end, report] = await Promise.all([s.nextSimEnd(), s.nextTurnEnd()]);
  // The measurements, shown with any assertion below that fails.
  const seen = JSON.stringify({
    requestedUpstreamBytes: Math.round(requested),
    upstreamBytes: { idleStop, trickleStop, atEnd: end.bytesWritten, tokensAtEnd: end.tokensGenerated },
    clientBytesRead: clientBytes,
    relay: {
      bytesWritten: report.sse.bytesWritten,
      peakBufferedBytes: report.sse.peakBufferedBytes,
      peakPendingChars: report.peakPending,
      mergedEvents: report.mergedEvents,
    },
  });

  // The provider paused far short of the answer.
  expect(clientBytes, seen).toBeGreaterThan(0);
  expect(idleStop, seen).toBeLessThan(ceiling);
  expect(trickleStop, seen).toBeLessThan(ceiling);
  expect(end.reason, seen).toBe('client-closed');
  expect(end.tokensGenerated, seen).toBeLessThan(TOKENS / 8);
  // The relay's own memory stayed bounded: the engine's backlog and the response's unsent bytes.
  expect(report.peakPending, seen).toBeGreaterThan(0);
  expect(report.peakPending, seen).toBeLessThanOrEqual(PENDING_LIMIT + 1024);
  expect(report.sse.peakBufferedBytes, seen).toBeLessThanOrEqual(2 * PENDING_LIMIT);
  // Everything cleaned up, and the partial answer stored.
  expect(report.outcome).toBe('aborted');
  expect(report.clientClosed).toBe(true);
  expect(s.service.liveTurns).toBe(0);
  expect(s.server.liveTurns()).toBe(0);
  const stored = (await s.conversations.get(report.conversationId)).messages.at(-1);
  expect(stored).toMatchObject({ role: 'assistant', outcome: 'aborted' });
});
