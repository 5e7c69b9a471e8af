// The page's HTTP client against a real `sluice serve`, with its stream cut mid-answer: it
// re-attaches with Last-Event-ID (EventSource-style) and what it hands the page is what an
// uninterrupted run of the same prompt hands it — no gap, no duplicate (a block's neighbouring
// deltas compared folded: the server joins them for a reader that acknowledges). And a page that reloaded
// attaches to a turn it never saw start.
import { expect, test } from 'vitest';
import { createHttpClient } from '../../src/renderer/src/api/http';
import type { RelayEvent, StreamEvent } from '../../src/shared/protocol';
import { stepsText, turnText } from '../support/relay-events';
import { servePerTest, type TestServe } from '../support/serve';

const serve = servePerTest();
const PROMPT = 'Explain how a river delta forms.';

/** A body that passes chunks through until `limit` bytes have passed, then fails as a dropped connection does. */
function cutAfter(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let passed = 0;
  return new ReadableStream({
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) return controller.close();
      if (passed > limit) {
        await reader.cancel(); // the socket closes: the server sees the page go
        return controller.error(new TypeError('network connection lost'));
      }
      passed += value.length;
      controller.enqueue(value);
    },
  });
}

const providerEvents = (events: RelayEvent[]): StreamEvent[] =>
  events.flatMap((e) => (e.type === 'provider' ? [e.event] : []));

/** The text a delta carries, and what it belongs to (its block and kind); null for any other event. */
function deltaPart(e: StreamEvent): { of: string; text: string } | null {
  if (e.type !== 'content_block_delta') return null;
  const d = e.delta as { type: string; text?: string; thinking?: string; partial_json?: string };
  const text = d.text ?? d.thinking ?? d.partial_json;
  return text === undefined ? null : { of: `${e.index}:${d.type}`, text };
}

/**
 * The provider events with each run of neighbouring deltas of one block folded into one: the
 * server may send such a run as one message to a reader that acknowledges what it read
 * (server/sse.ts), so two runs of one prompt are the same stream folded, not event for event.
 */
function folded(events: StreamEvent[]): unknown[] {
  const out: unknown[] = [];
  let run: { of: string; text: string } | null = null;
  for (const e of events) {
    const part = deltaPart(e);
    if (part && run?.of === part.of) {
      run.text += part.text;
      continue;
    }
    run = part ? { ...part } : null;
    out.push(run ?? e);
  }
  return out;
}

const textOf = turnText;

async function storedText(s: TestServe, conversationId: string) {
  const last = (await s.conversations.get(conversationId)).messages.at(-1);
  if (last?.role !== 'assistant') throw new Error('no stored answer');
  return {
    outcome: last.outcome,
    text: stepsText(last.steps),
  };
}

test('a stream cut twice mid-answer is re-attached each time; the page gets an uninterrupted run: the same events in order, none missing or twice', async () => {
  const s = await serve({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 2 } } });
  const plain = createHttpClient({ baseUrl: s.server.origin, token: s.server.token });
  const whole: RelayEvent[] = [];
  expect(
    (await plain.startTurn({ action: 'send', conversationId: null, text: PROMPT }, (e) => whole.push(e)).done)
      .outcome,
  ).toBe('complete');

  const streams: { method: string; url: string; lastEventId: string | null }[] = [];
  const cutting: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (!response.headers.get('content-type')?.startsWith('text/event-stream') || !response.body)
      return response;
    const sent = new Headers(init?.headers);
    streams.push({
      method: init?.method ?? 'GET',
      url: String(input),
      lastEventId: sent.get('last-event-id'),
    });
    if (streams.length > 2) return response;
    return new Response(cutAfter(response.body, 4000 * streams.length), {
      status: response.status,
      headers: response.headers,
    });
  };
  const client = createHttpClient({ baseUrl: s.server.origin, token: s.server.token, fetch: cutting });
  const got: RelayEvent[] = [];
  const terminal = await client.startTurn({ action: 'send', conversationId: null, text: PROMPT }, (e) =>
    got.push(e),
  ).done;

  expect(terminal.outcome).toBe('complete');
  expect(streams.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
  expect(streams[1]?.url).toMatch(/\/api\/turns\/[^/]+\/events$/);
  expect(streams[1]?.lastEventId).toMatch(/^[0-9a-f]{8}\.\d+$/);
  expect(Number(streams[2]?.lastEventId?.split('.')[1])).toBeGreaterThan(
    Number(streams[1]?.lastEventId?.split('.')[1]),
  );
  expect(got.some((e) => e.type === 'snapshot')).toBe(false);
  // What the uninterrupted run delivered, in order, nothing missing or twice (a block's
  // neighbouring deltas folded, as either run may have had them joined), and the same text as stored.
  expect(folded(providerEvents(got))).toEqual(folded(providerEvents(whole)));
  const others = (events: RelayEvent[]) => events.flatMap((e) => (e.type === 'provider' ? [] : [e.type]));
  expect(others(got)).toEqual(others(whole));
  const start = got[0];
  if (start?.type !== 'turn_start') throw new Error('no turn_start');
  const stored = await storedText(s, start.conversationId);
  expect(stored).toEqual({ outcome: 'complete', text: textOf(whole) });
  expect(textOf(got)).toBe(stored.text);
});

test('a reloaded page lists the running turns and attaches to one it never saw start; it ends with the stored text', async () => {
  const s = await serve({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 4 } } });
  const first = createHttpClient({ baseUrl: s.server.origin, token: s.server.token });
  const started = first.startTurn({ action: 'send', conversationId: null, text: PROMPT }, () => {});
  const turnId = await started.turnId;

  const reloaded = createHttpClient({ baseUrl: s.server.origin, token: s.server.token });
  const running = (await reloaded.listLiveTurns?.()) ?? [];
  expect(running.map((t) => t.turnId)).toEqual([turnId]);
  const got: RelayEvent[] = [];
  const handle = reloaded.attachTurn?.(turnId, (e) => got.push(e));
  const terminal = await handle?.done;
  await started.done;
  expect(terminal?.outcome).toBe('complete');
  const conversationId = running[0]?.conversationId ?? '';
  expect(textOf(got)).toBe((await storedText(s, conversationId)).text);
  expect((await reloaded.listLiveTurns?.()) ?? []).toEqual([]);
});
