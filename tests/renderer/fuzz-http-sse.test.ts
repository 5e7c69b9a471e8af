// Property test (fast-check, fixed seed) for the browser twin's SSE reading (api/http.ts, with
// eventsource-parser): a turn's events framed as `sluice serve` frames them (id, event, data, and
// `: ping` comments between), cut into arbitrary byte chunks — through multi-byte characters and
// between CR and LF — reach the page exactly as sent, in order, ending with one terminal; a body
// cut before its terminal ends the turn once, locally, saying whether the answer was kept.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { createHttpClient } from '../../src/renderer/src/api/http';
import type { RelayEvent } from '../../src/shared/protocol';
import { localTerminal } from '../../src/shared/terminal';

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const params = (numRuns: number) => ({
  seed: Number(env['SLUICE_FUZZ_SEED']) || 20_261_701,
  numRuns: Number(env['SLUICE_FUZZ_RUNS']) || numRuns,
});

const T = 'turn-h';
const text = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('ü', '🧪', '日本語', '\n', '\r\n', 'data: x\n\n', ': ping', '"}'),
);
const delta = (t: string): RelayEvent => ({
  type: 'provider',
  turnId: T,
  t: 2,
  step: 0,
  event: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } },
});
const head: RelayEvent[] = [
  { type: 'turn_start', turnId: T, conversationId: 'c', t: 0, provider: 'simulated', model: 'm' },
  { type: 'status', turnId: T, t: 1, status: { phase: 'waiting', attempt: 1, ttfbMs: 1 } },
  {
    type: 'provider',
    turnId: T,
    t: 1,
    step: 0,
    event: {
      type: 'message_start',
      message: {
        id: 'msg',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 0 },
      },
    },
  },
  {
    type: 'provider',
    turnId: T,
    t: 1,
    step: 0,
    event: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  },
];
const terminal: RelayEvent = localTerminal({ turnId: T, t: 3, outcome: 'complete', error: null, totalMs: 3 });

/** The body as the server's SseSink writes it, with a `: ping` comment before the events that ask for one. */
const body = (events: readonly RelayEvent[], pings: ReadonlySet<number>): Uint8Array =>
  new TextEncoder().encode(
    events
      .map(
        (e, i) =>
          `${pings.has(i) ? ': ping\n\n' : ''}id: ${i}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`,
      )
      .join(''),
  );

/**
 * The turn's POST answers with `chunks`; a re-attach after a cut (GET …/events) finds the turn gone,
 * as `sluice serve` answers once a turn has ended or its grace has passed.
 */
function fetchAnswering(chunks: Uint8Array[]): typeof fetch {
  return (_input, init) => {
    if (init?.method !== 'POST')
      return Promise.resolve(
        new Response(
          JSON.stringify({ error: { type: 'not_found', message: 'No live turn with that id.' } }),
          {
            status: 404,
            headers: { 'content-type': 'application/json' },
          },
        ),
      );
    let next = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks[next++];
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    });
    return Promise.resolve(
      new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    );
  };
}

const cut = (bytes: Uint8Array, cuts: number[]): Uint8Array[] => {
  const at = [
    0,
    ...[...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b),
    bytes.length,
  ];
  return at.slice(1).map((end, i) => bytes.slice(at[i], end));
};

async function receive(chunks: Uint8Array[]): Promise<RelayEvent[]> {
  const seen: RelayEvent[] = [];
  const client = createHttpClient({
    baseUrl: 'http://twin.invalid',
    token: 't',
    fetch: fetchAnswering(chunks),
    idleTimeoutMs: 60_000,
  });
  await client.startTurn({ action: 'send', conversationId: null, text: 'hi' }, (e) => seen.push(e)).done;
  return seen;
}

const turnBody = fc
  .record({
    texts: fc.array(text, { maxLength: 8 }),
    pings: fc.uniqueArray(fc.nat(12), { maxLength: 4 }),
    ended: fc.boolean(),
  })
  .chain(({ texts, pings, ended }) => {
    const events = [...head, ...texts.map(delta), ...(ended ? [terminal] : [])];
    const bytes = body(events, new Set(pings));
    return fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 30 })
      .map((cuts) => ({ events, texts, ended, bytes, cuts }));
  });

test('every chunking of a turn’s event stream reaches the page as sent, with exactly one terminal', async () => {
  await fc.assert(
    fc.asyncProperty(turnBody, async ({ events, texts, ended, bytes, cuts }) => {
      const seen = await receive(cut(bytes, cuts));
      expect(seen.filter((e) => e.type === 'terminal')).toHaveLength(1);
      expect(seen.at(-1)?.type).toBe('terminal');
      if (ended) {
        expect(seen).toEqual(events);
        return;
      }
      // Cut before the terminal: everything that came is delivered, then one local terminal.
      expect(seen.slice(0, -1)).toEqual(events);
      const end = seen.at(-1);
      expect(end?.type === 'terminal' && [end.outcome, end.error?.type]).toEqual(['error', 'network']);
      const kept = texts.some((t) => t !== '');
      expect(end?.type === 'terminal' && end.error?.message.includes('kept')).toBe(kept);
    }),
    params(60),
  );
});
