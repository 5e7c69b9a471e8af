// The relay engine against a raw loopback upstream: the real SDK, real sockets, exact bytes.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import type { RelaySink } from '../../src/main/relay/delivery';
import type { RelayEvent } from '../../src/shared/protocol';
import { startRawUpstream, type RawReply, type RawUpstream } from '../support/raw-upstream';
import { CollectingSink, runTurnAgainst, turnText } from '../support/relay';
import { encodeSseEvent, encodeSseEvents, fixtureText } from '../support/sse';
import {
  blockStop as blockStopEvent,
  messageDelta,
  messageStart,
  messageStop,
  ping,
  textDelta,
  textStart as textBlockStart,
  toolStream,
} from '../support/stream-events';

let upstream: RawUpstream | null = null;
afterEach(async () => {
  await upstream?.close();
  upstream = null;
});

async function serve(reply: RawReply | ((n: number) => RawReply)) {
  upstream = await startRawUpstream((n) => (typeof reply === 'function' ? reply(n) : reply));
  return upstream;
}

const start = encodeSseEvent(messageStart());
const textStart = encodeSseEvent(textBlockStart(0));
const text = (t: string) => encodeSseEvent(textDelta(0, t));
const blockStop = encodeSseEvent(blockStopEvent(0));
const stopWith = (reason: string, extra: object = {}) =>
  encodeSseEvents([messageDelta(reason, { output_tokens: 3 }, extra), messageStop()]);

describe('outcomes', () => {
  test('a recorded stream relays every event in order and completes', async () => {
    const up = await serve({ chunks: [fixtureText('basic_response.sse')] });
    const { result, sink } = await runTurnAgainst(up.url);
    expect(result.outcome).toBe('complete');
    expect(result.stopReason).toBe('end_turn');
    expect(turnText(result)).toBe('Hello there!');
    expect(sink.events.map((e) => e.type)).toEqual([
      'turn_start',
      'status',
      'status',
      ...Array(8).fill('provider'),
      'terminal',
    ]);
    expect(sink.of('status').map((s) => s.status.phase)).toEqual(['connecting', 'waiting']);
    expect(sink.of('terminal')).toHaveLength(1);
  });

  test('an error event as the last bytes, with no blank line after it, ends in error and keeps the text', async () => {
    const up = await serve({
      chunks: [
        start,
        textStart,
        text('partial '),
        text('answer'),
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      ],
    });
    const { result, sink } = await runTurnAgainst(up.url, { autoRetry: false });
    expect(result.outcome).toBe('error');
    expect(result.error?.type).toBe('overloaded');
    expect(turnText(result)).toBe('partial answer');
    expect(result.message.steps[0]?.message.providerError?.type).toBe('overloaded_error');
    expect(sink.providerEvents().at(-1)).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
  });

  test('EOF without message_stop is an error, not a completion, and keeps the text', async () => {
    const up = await serve({ chunks: [start, textStart, text('cut '), text('here')] });
    const { result } = await runTurnAgainst(up.url, { autoRetry: false });
    expect(result.outcome).toBe('error');
    expect(result.error?.type).toBe('network');
    expect(turnText(result)).toBe('cut here');
  });

  test('EOF before message_start is a protocol error', async () => {
    const up = await serve({ chunks: [': just a comment\n\n'] });
    const { result } = await runTurnAgainst(up.url, { autoRetry: false });
    expect(result.outcome).toBe('error');
    expect(result.error?.type).toBe('protocol');
  });

  test('HTTP 200 with an HTML body from a proxy is a protocol error naming the content type', async () => {
    const up = await serve({
      headers: { 'content-type': 'text/html' },
      chunks: ['<html><body><h1>502 Bad Gateway</h1></body></html>'],
    });
    const { result } = await runTurnAgainst(up.url, { autoRetry: false });
    expect(result.outcome).toBe('error');
    expect(result.error?.type).toBe('protocol');
    expect(result.error?.message).toContain('text/html');
  });

  test('a connection destroyed mid-event is a network error keeping the text, retried once as a whole turn', async () => {
    const up = await serve((n) =>
      n === 1
        ? {
            chunks: [start, textStart, text('first '), 'event: content_block_delta\ndata: {"type":"content_'],
            end: 'destroy',
          }
        : { chunks: [start, textStart, text('second try'), blockStop, stopWith('end_turn')] },
    );
    const { result, sink, log } = await runTurnAgainst(up.url);
    expect(up.requests).toBe(2);
    expect(log.filter((l) => l.kind === 'turn_retry')).toHaveLength(1);
    expect(sink.of('status').map((s) => s.status.phase)).toContain('turn_retry');
    expect(result.outcome).toBe('complete');
    expect(turnText(result)).toBe('second try');
  });

  test('when the whole-turn retry also fails, the longer partial is kept', async () => {
    const up = await serve((n) =>
      n === 1
        ? { chunks: [start, textStart, text('the longer first partial')], end: 'destroy' }
        : { chunks: [start, textStart, text('short')], end: 'destroy' },
    );
    const { result } = await runTurnAgainst(up.url);
    expect(up.requests).toBe(2);
    expect(result.outcome).toBe('error');
    expect(turnText(result)).toBe('the longer first partial');
  });

  test('429 with retry-after is retried by the SDK and each attempt reaches the sink', async () => {
    const up = await serve((n) =>
      n === 1
        ? {
            status: 429,
            headers: { 'content-type': 'application/json', 'retry-after-ms': '20' },
            chunks: ['{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}'],
          }
        : { chunks: [start, textStart, text('ok'), blockStop, stopWith('end_turn')] },
    );
    const { result, sink } = await runTurnAgainst(up.url, { maxRetries: 2 });
    expect(result.outcome).toBe('complete');
    const statuses = sink.of('status').map((s) => s.status);
    expect(statuses).toEqual([
      { phase: 'connecting', attempt: 1 },
      { phase: 'retrying', attempt: 1, delayMs: 20, reason: 'rate_limited', status: 429 },
      { phase: 'connecting', attempt: 2 },
      expect.objectContaining({ phase: 'waiting', attempt: 2 }),
    ]);
  });

  test('529 on every attempt ends in error overloaded after the SDK retries and one whole-turn retry', async () => {
    const up = await serve({
      status: 529,
      headers: { 'content-type': 'application/json', 'retry-after-ms': '1' },
      chunks: ['{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'],
    });
    const { result } = await runTurnAgainst(up.url, { maxRetries: 1 });
    expect(result.outcome).toBe('error');
    expect(result.error).toMatchObject({ type: 'overloaded', status: 529, retryable: true });
    expect(up.requests).toBe(4);
  });

  test('401 is an auth error that says to check the key, and is not retried', async () => {
    const up = await serve({
      status: 401,
      headers: { 'content-type': 'application/json' },
      chunks: ['{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}'],
    });
    const { result } = await runTurnAgainst(up.url, { maxRetries: 2 });
    expect(result.outcome).toBe('error');
    expect(result.error?.type).toBe('auth');
    expect(result.error?.message).toMatch(/key/i);
    expect(up.requests).toBe(1);
  });

  test.each([
    'end_turn',
    'max_tokens',
    'stop_sequence',
    'pause_turn',
    'model_context_window_exceeded',
    'a_future_reason',
  ])('stop_reason %s reaches the sink and the result', async (reason) => {
    const up = await serve({ chunks: [start, textStart, text('x'), blockStop, stopWith(reason)] });
    const { result, sink } = await runTurnAgainst(up.url);
    expect(result.outcome).toBe('complete');
    expect(result.stopReason).toBe(reason);
    expect(sink.of('terminal')[0]?.stopReason).toBe(reason);
  });

  test('a refusal carries its stop_details', async () => {
    const up = await serve({ chunks: [fixtureText('stream-a-refusal.sse')] });
    const { result } = await runTurnAgainst(up.url);
    expect(result.stopReason).toBe('refusal');
    expect(result.message.steps[0]?.message.stopDetails).toMatchObject({ type: 'refusal' });
  });
});

describe('a stream that breaks the protocol', () => {
  test('a second content_block_start for a started index: the text before it is kept, the turn is a protocol error, the upstream is closed', async () => {
    const up = await serve({
      chunks: [
        start,
        textStart,
        text('before the violation'),
        textStart, // block 0 again
        text(' glued on'),
        blockStop,
        stopWith('end_turn'),
      ],
      end: 'hang',
    });
    const { result, sink } = await runTurnAgainst(up.url);
    expect(result.outcome).toBe('error');
    expect(result.error).toMatchObject({ type: 'protocol', retryable: false });
    expect(result.error?.message).toMatch(/Block 0 started twice/);
    expect(turnText(result)).toBe('before the violation');
    expect(sink.of('terminal')).toEqual([expect.objectContaining({ outcome: 'error' })]);
    expect(result.message.steps[0]?.message.protocolErrors.map((e) => e.type)).toEqual([
      'duplicate_block_start',
    ]);
    await expect.poll(() => up.clientCloses).toBe(1);
  });

  test('a delta and a stop for an index that never started: a protocol error, the earlier text kept', async () => {
    const up = await serve({
      chunks: [
        start,
        textStart,
        text('kept'),
        blockStop,
        encodeSseEvent(textDelta(3, 'nowhere')),
        encodeSseEvent(blockStopEvent(3)),
        stopWith('end_turn'),
      ],
    });
    const { result } = await runTurnAgainst(up.url);
    expect(result.outcome).toBe('error');
    expect(result.error?.type).toBe('protocol');
    expect(result.error?.message).toMatch(/block 3, which never started/);
    expect(turnText(result)).toBe('kept');
  });
});

describe('error sentences: what happened, where, and "kept" only when something was', () => {
  const FROM_ENV = { source: { label: 'from ANTHROPIC_BASE_URL', variable: 'ANTHROPIC_BASE_URL' } };

  /** A loopback port that was bound and closed again: nothing listens there. */
  async function closedPort(): Promise<number> {
    const server = createNetServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  test('connection refused names the address and its variable, keeps nothing, and is not retried as a turn', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { result, log } = await runTurnAgainst(url, { target: FROM_ENV });
    expect(result.outcome).toBe('error');
    expect(result.error).toMatchObject({ type: 'network', cause: 'refused', retryable: true });
    expect(result.error?.message).toMatch(
      new RegExp(
        `^Nothing is listening at ${url} \\(from ANTHROPIC_BASE_URL\\): the connection was refused\\.`,
      ),
    );
    expect(result.error?.message).toContain('Check the address in ANTHROPIC_BASE_URL');
    expect(result.error?.message).toContain('ECONNREFUSED');
    expect(result.error?.message).not.toMatch(/kept|Retry|dropped/);
    // The SDK retries a failed connection itself; the whole turn starts over only for a drop mid-stream.
    expect(log.filter((l) => l.kind === 'turn_retry')).toHaveLength(0);
  });

  test('a host name that does not resolve is "not found", not a drop', async () => {
    const { result } = await runTurnAgainst('http://sluice-test.invalid:8080', { target: FROM_ENV });
    expect(result.error).toMatchObject({ type: 'network', cause: 'host_not_found' });
    expect(result.error?.message).toMatch(
      /^Could not reach http:\/\/sluice-test\.invalid:8080 \(from ANTHROPIC_BASE_URL\): the host name sluice-test\.invalid (was not found|could not be looked up)/,
    );
    expect(result.error?.message).toContain('Check the host name in ANTHROPIC_BASE_URL');
    expect(result.error?.message).not.toMatch(/kept|Retry/);
  });

  test('a port fetch refuses to use (the blocked-ports list) says so', async () => {
    const { result } = await runTurnAgainst('http://127.0.0.1:9', { target: FROM_ENV });
    expect(result.error).toMatchObject({ type: 'network', cause: 'blocked_port', retryable: false });
    expect(result.error?.message).toContain("port 9 is on fetch's list of blocked ports");
    expect(result.error?.message).toContain('Use another port in ANTHROPIC_BASE_URL');
  });

  test('https:// to a server that speaks plain HTTP is a TLS failure that suggests http://', async () => {
    const up = await serve({ chunks: [start] });
    const url = up.url.replace('http://', 'https://');
    const { result } = await runTurnAgainst(url, { target: FROM_ENV });
    expect(result.error).toMatchObject({ type: 'network', cause: 'tls', retryable: false });
    expect(result.error?.message).toMatch(new RegExp(`^Could not make a secure connection to ${url} `));
    expect(result.error?.message).toContain('use http:// in ANTHROPIC_BASE_URL');
    expect(result.error?.message).not.toMatch(/kept|Retry/);
    expect(up.requests).toBe(0);
  });

  test('a server that accepts and never answers: stalled before headers, naming the address, nothing kept', async () => {
    const server = createHttpServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { result } = await runTurnAgainst(url, { target: FROM_ENV, idleTimeoutMs: 1000 });
      expect(result.outcome).toBe('stalled');
      expect(result.error?.message).toMatch(
        new RegExp(`^${url} \\(from ANTHROPIC_BASE_URL\\) accepted the connection but sent no response`),
      );
      expect(result.error?.message).toContain('(no data for 1 s)');
      expect(result.error?.message).not.toMatch(/kept|stream stalled/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a drop after the headers but before any text says nothing arrived, and nothing is kept', async () => {
    const up = await serve({ chunks: [start], end: 'destroy' });
    const { result } = await runTurnAgainst(up.url, { autoRetry: false });
    expect(result.error).toMatchObject({ type: 'network', cause: 'dropped', retryable: true });
    expect(result.error?.message).toMatch(
      new RegExp(`^The connection to ${up.url} dropped before any of the answer arrived\\.`),
    );
    expect(result.error?.message).not.toMatch(/kept|Retry/);
  });

  test('a drop mid-stream after some text says the text is kept', async () => {
    const up = await serve({ chunks: [start, textStart, text('some text')], end: 'destroy' });
    const { result } = await runTurnAgainst(up.url, { autoRetry: false, target: FROM_ENV });
    expect(turnText(result)).toBe('some text');
    expect(result.error).toMatchObject({ type: 'network', cause: 'dropped' });
    expect(result.error?.message).toMatch(
      new RegExp(
        `^The connection to ${up.url} \\(from ANTHROPIC_BASE_URL\\) dropped in the middle of the answer\\. What arrived so far is kept\\.`,
      ),
    );
    expect(result.error?.message).not.toMatch(/Retry/);
  });

  test('EOF without message_stop: "kept" with text, not without', async () => {
    const withText = await serve({ chunks: [start, textStart, text('cut')] });
    const kept = (await runTurnAgainst(withText.url, { autoRetry: false })).result.error;
    await withText.close();
    expect(kept?.message).toMatch(/ended before the answer was complete\. What arrived so far is kept\./);
    const bare = await serve({ chunks: [start, textStart] });
    const none = (await runTurnAgainst(bare.url, { autoRetry: false })).result.error;
    expect(none).toMatchObject({ type: 'network', cause: 'dropped' });
    expect(none?.message).toMatch(/ended before any of the answer arrived\./);
    expect(none?.message).not.toMatch(/kept/);
  });

  test('an overload mid-stream says "kept" only when text arrived', async () => {
    const overload =
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    const withText = await serve({ chunks: [start, textStart, text('half'), overload] });
    const kept = (await runTurnAgainst(withText.url, { autoRetry: false })).result.error;
    await withText.close();
    expect(kept?.message).toBe(
      'The provider is overloaded right now. What arrived so far is kept. This usually passes within a minute. (overloaded_error: Overloaded)',
    );
    const bare = await serve({ chunks: [start, overload] });
    const none = (await runTurnAgainst(bare.url, { autoRetry: false })).result.error;
    expect(none?.type).toBe('overloaded');
    expect(none?.message).not.toMatch(/kept|Retry/);
  });

  test('a failure in a later step of the tool loop keeps the earlier steps, and says so', async () => {
    const up = await serve((n) =>
      n === 1
        ? { chunks: [encodeSseEvents(toolStream(['{"expression":"2+2"}']))] }
        : { chunks: [], end: 'destroy' },
    );
    const { result } = await runTurnAgainst(up.url);
    expect(result.message.steps[0]?.toolResults).toHaveLength(1);
    expect(result.error).toMatchObject({ type: 'network', cause: 'dropped' });
    expect(result.error?.message).toContain('What arrived so far is kept.');
  });

  test('401 names the address and where the key came from', async () => {
    const up = await serve({
      status: 401,
      headers: { 'content-type': 'application/json' },
      chunks: ['{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}'],
    });
    const { result } = await runTurnAgainst(up.url, {
      target: { ...FROM_ENV, keySource: { label: 'from ANTHROPIC_API_KEY', variable: 'ANTHROPIC_API_KEY' } },
    });
    expect(result.error?.message).toBe(
      `${up.url} (from ANTHROPIC_BASE_URL) rejected the API key (from ANTHROPIC_API_KEY). Check ANTHROPIC_API_KEY, and that ANTHROPIC_BASE_URL points to the server that key belongs to. (HTTP 401, authentication_error: invalid x-api-key)`,
    );
  });
});

describe('cancellation and stalls', () => {
  test('abort mid-stream: outcome aborted, partial kept, upstream connection closed', async () => {
    const up = await serve({ chunks: [start, textStart, text('before '), text('abort')], end: 'hang' });
    const controller = new AbortController();
    const sink = new (class extends CollectingSink {
      override write(event: RelayEvent): boolean {
        if (event.type === 'provider' && event.event.type === 'content_block_delta') {
          const d = event.event.delta;
          if (d.type === 'text_delta' && d.text === 'abort') controller.abort('user');
        }
        return super.write(event);
      }
    })();
    const { result } = await runTurnAgainst(up.url, { sink, signal: controller.signal });
    expect(result.outcome).toBe('aborted');
    expect(result.error).toBeNull();
    expect(turnText(result)).toBe('before abort');
    await expect.poll(() => up.clientCloses).toBe(1);
  });

  test('silence after headers trips the idle watchdog: outcome stalled, partial kept, upstream closed', async () => {
    const up = await serve({ chunks: [start, textStart, text('then nothing')], end: 'hang' });
    const { result } = await runTurnAgainst(up.url, { idleTimeoutMs: 150 });
    expect(result.outcome).toBe('stalled');
    expect(result.error?.type).toBe('stalled');
    expect(turnText(result)).toBe('then nothing');
    await expect.poll(() => up.clientCloses).toBe(1);
  });

  test('comments and pings keep the watchdog quiet', async () => {
    const chunks = [start, textStart, text('a')];
    for (let i = 0; i < 6; i++) chunks.push(': keep-alive\n\n', encodeSseEvent(ping()));
    chunks.push(text('b'), blockStop, stopWith('end_turn'));
    const up = await serve({ chunks });
    const { result } = await runTurnAgainst(up.url, { idleTimeoutMs: 2_000 });
    expect(result.outcome).toBe('complete');
    expect(turnText(result)).toBe('ab');
  });
});

describe('backpressure', () => {
  /** A sink that takes `capacity` events, then refuses until the test opens it. */
  class GatedSink extends CollectingSink implements RelaySink {
    private open: (() => void) | null = null;
    private gate = new Promise<void>((resolve) => (this.open = resolve));
    constructor(private capacity: number) {
      super();
    }
    override write(event: RelayEvent): boolean {
      super.write(event);
      return this.events.length < this.capacity;
    }
    override drain(): Promise<void> {
      return this.gate;
    }
    release(): void {
      this.capacity = Number.POSITIVE_INFINITY;
      this.open?.();
    }
  }

  test('a full sink stops the engine pulling upstream; on drain everything arrives, merged losslessly', async () => {
    const words = Array.from({ length: 100_000 }, (_, i) => `w${i} `);
    const up = await serve({
      chunks: [start, textStart, ...words.map(text), blockStop, stopWith('end_turn')],
    });
    const sink = new GatedSink(10);
    const run = runTurnAgainst(up.url, { sink, pendingLimit: 4096, idleTimeoutMs: 60_000 });
    // Let the upstream write as much as TCP lets it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const written = up.bytesWritten;
    const total = words.reduce((n, w) => n + Buffer.byteLength(text(w)), 0);
    expect(written).toBeLessThan(total / 2);
    sink.release();
    const { result } = await run;
    expect(result.outcome).toBe('complete');
    expect(turnText(result)).toBe(words.join(''));
    expect(result.mergedEvents).toBeGreaterThan(0);
    const relayed = sink
      .providerEvents()
      .map((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? e.delta.text : ''))
      .join('');
    expect(relayed).toBe(words.join(''));
  });
});
