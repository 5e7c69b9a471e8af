// Property tests (fast-check, fixed seed) for the whole decode path of both wires, in process: the
// bytes of a response body, cut into arbitrary chunks (down to single bytes, through multi-byte
// characters), go through the real fetch wrapper, the real SDK's SSE decoder, the adapter and the
// engine. Seeds: the recorded Anthropic streams, the OpenAI-format fixtures, and generated
// streams — legal and broken. Properties: every chunking of the same bytes gives the same turn;
// the engine never throws and ends with exactly one terminal, last; what arrived before a
// protocol violation is kept and nothing after it; each tool input is parsed at most once.
import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { accumulate, createMessage, textOf } from '../../src/shared/accumulate';
import type { AccMessage, StreamEvent } from '../../src/shared/protocol';
import { ProviderClient } from '../../src/main/providers/anthropic';
import type { Provider } from '../../src/main/providers/types';
import { ThinkTagScanner } from '../../src/main/providers/openai-chunks';
import { FUZZ_TIMEOUT_MS, anyEvents, cutsFor, fuzzParams, legalEvents, streamPlan } from '../support/fuzz';
import { OPENAI_FIXTURES, countingIds, openaiFixtureBytes, openaiProvider } from '../support/openai';
import { CollectingSink, runTurnAgainst } from '../support/relay';
import {
  RECORDED_FIXTURES,
  encodeSseEvents,
  fixtureBytes,
  splitAt,
  toCr,
  toCrlf,
  utf8,
} from '../support/sse';
import type { UnknownEvent } from '../support/stream-events';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A fetch that answers every request with these chunks of a 200 event stream, one per read. */
function answering(chunks: readonly Uint8Array[]): typeof fetch {
  return () => {
    let next = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const chunk = chunks[next++];
          if (chunk) controller.enqueue(chunk);
          else controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    return Promise.resolve(
      new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    );
  };
}

type Relayed = {
  outcome: string;
  errorType: string | null;
  message: AccMessage | undefined;
  sinkTypes: string[];
  parses: number;
};

const anthropic = (): Provider =>
  new ProviderClient({ kind: 'simulated', label: 'Fuzz', apiKey: 'k', baseURL: 'http://fuzz.invalid' });
const openai = (): Provider => openaiProvider('http://fuzz.invalid/v1', {}, { newToolId: countingIds() });

async function relay(provider: Provider, chunks: readonly Uint8Array[]): Promise<Relayed> {
  vi.stubGlobal('fetch', answering(chunks));
  const sink = new CollectingSink();
  const { result } = await runTurnAgainst('http://fuzz.invalid', {
    provider,
    sink,
    maxToolRounds: 1,
    autoRetry: false,
  });
  return {
    outcome: result.outcome,
    errorType: result.error?.type ?? null,
    message: result.message.steps[0]?.message,
    sinkTypes: sink.events.map((e) => e.type),
    parses: result.toolInputParses,
  };
}

/** The body cut at `cuts` must relay exactly as the body in one piece. */
async function sameForChunking(
  provider: () => Provider,
  bytes: Uint8Array,
  cuts: number[],
): Promise<Relayed> {
  const whole = await relay(provider(), [bytes]);
  const cut = await relay(provider(), splitAt(bytes, cuts));
  expect(cut).toEqual(whole);
  // Exactly one terminal, and it is the last event the sink saw.
  expect(whole.sinkTypes.filter((t) => t === 'terminal')).toHaveLength(1);
  expect(whole.sinkTypes.at(-1)).toBe('terminal');
  return whole;
}

/** An event's `type`, for junk too (null, numbers, objects without one). */
const typeOf = (e: unknown): string | null =>
  typeof e === 'object' && e !== null && 'type' in e && typeof e.type === 'string' ? e.type : null;

const bytesWithCuts = (bytes: Uint8Array) => cutsFor(bytes.byteLength).map((cuts) => [bytes, cuts] as const);

describe('Anthropic wire: bytes → SDK → engine', () => {
  const recorded = RECORDED_FIXTURES.flatMap((name) => {
    const text = new TextDecoder().decode(fixtureBytes(name));
    return [fixtureBytes(name), utf8(toCrlf(text)), utf8(toCr(text))];
  });

  test(
    'every chunking of a recorded stream (LF, CRLF, CR) relays the same turn',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...recorded).chain(bytesWithCuts), async ([bytes, cuts]) => {
          await sameForChunking(anthropic, bytes, cuts);
        }),
        fuzzParams(40),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  test(
    'a generated legal stream, cut anywhere, completes with all its text and each tool parsed once',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          streamPlan.chain((plan) => {
            const events = legalEvents(plan);
            return bytesWithCuts(utf8(encodeSseEvents(events))).map(([bytes, cuts]) => ({
              events,
              bytes,
              cuts,
            }));
          }),
          async ({ events, bytes, cuts }) => {
            const relayed = await sameForChunking(anthropic, bytes, cuts);
            expect(relayed.outcome).toBe('complete');
            const expected = events.filter((e) => e.type !== 'ping').reduce(accumulate, createMessage());
            expect(relayed.message && textOf(relayed.message)).toBe(textOf(expected));
            const tools = expected.blocks.filter(
              (b) => b?.type === 'tool_use' || b?.type === 'server_tool_use',
            );
            expect(relayed.parses).toBeLessThanOrEqual(tools.length);
          },
        ),
        fuzzParams(40),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  /** As the SDK frames it: an `event:` name (a missing one makes the SDK skip the event), the data. */
  const frame = (e: StreamEvent | UnknownEvent): string => {
    const name = typeOf(e) ?? 'message_start';
    return `event: ${name}\ndata: ${JSON.stringify(e)}\n\n`;
  };

  test(
    'any event sequence: never throws, one terminal, and a violation ends the turn keeping only what came before',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          anyEvents.chain((events) =>
            bytesWithCuts(utf8(events.map(frame).join(''))).map(([bytes, cuts]) => ({ events, bytes, cuts })),
          ),
          async ({ events, bytes, cuts }) => {
            const relayed = await sameForChunking(anthropic, bytes, cuts);
            // What the SDK hands over: pings skipped, an `error` event thrown; the step stops at the first violation.
            let expected = createMessage();
            let stoppedBy: 'violation' | 'error' | null = null;
            for (const e of events) {
              const type = typeOf(e);
              if (type === 'ping') continue;
              if (type === 'error') {
                stoppedBy = 'error';
                break;
              }
              const before = expected.protocolErrors.length;
              expected = accumulate(expected, e as StreamEvent);
              if (expected.protocolErrors.length > before) {
                stoppedBy = 'violation';
                break;
              }
            }
            if (stoppedBy === 'violation')
              expect([relayed.outcome, relayed.errorType]).toEqual(['error', 'protocol']);
            if (relayed.outcome === 'complete') {
              expect(stoppedBy).toBeNull();
              expect(expected.finished).toBe(true);
            }
            expect(relayed.message ? textOf(relayed.message) : '').toBe(textOf(expected));
          },
        ),
        fuzzParams(100),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('OpenAI wire: bytes → SDK → translator → engine', () => {
  const fixtures = OPENAI_FIXTURES.map(openaiFixtureBytes);

  test(
    'every chunking of a fixture relays the same turn',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fixtures).chain(bytesWithCuts), async ([bytes, cuts]) => {
          await sameForChunking(openai, bytes, cuts);
        }),
        fuzzParams(40),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  const content = fc.array(
    fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('<think>', '</think>\n', 'ü', '🧪', '日本', '\n\ndata: [DONE]\n\n', '\r'),
    ),
    { maxLength: 8 },
  );

  test(
    'generated content with <think> tags, cut at any byte, relays the same answer and reasoning',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          content.chain((parts) => {
            const chunk = (delta: object, finish: string | null = null) =>
              `data: ${JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
            const body = [
              ...parts.map((p) => chunk({ content: p })),
              chunk({}, 'stop'),
              'data: [DONE]\n\n',
            ].join('');
            return bytesWithCuts(utf8(body)).map(([bytes, cuts]) => ({ parts, bytes, cuts }));
          }),
          async ({ parts, bytes, cuts }) => {
            const relayed = await sameForChunking(openai, bytes, cuts);
            expect(relayed.outcome).toBe('complete');
            const scanner = new ThinkTagScanner();
            const pieces = [...parts.flatMap((p) => scanner.feed(p)), ...scanner.flush()];
            const of = (mode: string) => pieces.flatMap(([m, t]) => (m === mode ? [t] : [])).join('');
            const blocks = relayed.message?.blocks ?? [];
            expect(relayed.message && textOf(relayed.message)).toBe(of('text'));
            expect(blocks.map((b) => (b?.type === 'thinking' ? b.thinking : '')).join('')).toBe(
              of('thinking'),
            );
          },
        ),
        fuzzParams(40),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

// The shrunk counterexample the property above found, kept as a named case.
describe('found by fuzzing', () => {
  test('a named event whose data is `null` is ignored, and the answer after it arrives whole', async () => {
    // Was: the SDK yields null, the turn reducer's metrics read null.type and threw, and the turn
    // ended as an error with none of the text that followed.
    const body = `event: message_start\ndata: null\n\n${encodeSseEvents(legalEvents({ blocks: [{ kind: 'text', parts: ['ü', 'ber'] }], stopReason: 'end_turn', pings: [] }))}`;
    const relayed = await relay(anthropic(), [utf8(body)]);
    expect(relayed.outcome).toBe('complete');
    expect(relayed.message && textOf(relayed.message)).toBe('über');
    expect(relayed.message?.ignoredEvents).toBe(1);
  });
});
