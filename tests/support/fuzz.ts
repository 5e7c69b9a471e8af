// Property-test support (fast-check): one fixed seed and a modest number of runs, so `npm test`
// replays the same cases every time and stays fast; `SLUICE_FUZZ_RUNS=5000` (and a
// `SLUICE_FUZZ_SEED`) explore further. Arbitraries for the Anthropic wire — legal streams, and
// the same streams broken (events dropped, repeated, swapped, junk inserted) — and for byte
// chunkings of a body.
import fc from 'fast-check';
import type { StreamEvent } from '../../src/shared/protocol';
import {
  blockStop,
  messageDelta,
  messageStart,
  messageStop,
  ping,
  textDelta,
  thinkingDelta,
  jsonDelta,
  signatureDelta,
  blockStart,
  errorEvent,
  type UnknownEvent,
} from './stream-events';

const envInt = (name: string): number | undefined => {
  const raw = process.env[name];
  const n = raw === undefined ? NaN : Number.parseInt(raw, 10);
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

/** A test's time limit: vitest's default, unless SLUICE_FUZZ_RUNS asks for a long search. */
export const FUZZ_TIMEOUT_MS = envInt('SLUICE_FUZZ_RUNS') ? 3_600_000 : 30_000;

/** fast-check parameters: a fixed seed, `numRuns` unless SLUICE_FUZZ_RUNS says more. */
export function fuzzParams<T>(numRuns: number): fc.Parameters<T> {
  return { seed: envInt('SLUICE_FUZZ_SEED') ?? 20_261_701, numRuns: envInt('SLUICE_FUZZ_RUNS') ?? numRuns };
}

// ───────────────────────────── text ─────────────────────────────

/** Short pieces of text with the characters that break decoders: multi-byte, tags, newlines, SSE syntax. */
export const piece = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 6 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'ü',
      '日本',
      '🧪',
      '\n',
      '\r\n',
      '\n\n',
      'data: x',
      '<',
      '<think>',
      '</think>',
      '<thi',
      'nk>',
      '</',
      ' ',
      '"',
      '\\',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
);

export const pieces = fc.array(piece, { maxLength: 6 });

// ───────────────────────────── the Anthropic wire ─────────────────────────────

/** A JSON text cut into fragments (sometimes not an object, sometimes not JSON at all). */
const toolFragments = fc
  .oneof(
    {
      weight: 3,
      arbitrary: fc
        .dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }))
        .map((v) => JSON.stringify(v)),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  )
  .chain((json) =>
    fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, json.length - 1) }), { maxLength: 4 })
      .map((cuts) => {
        const at = [0, ...cuts.filter((c) => c < json.length).sort((a, b) => a - b), json.length];
        return at.slice(1).map((end, i) => json.slice(at[i], end));
      }),
  );

export type BlockPlan =
  | { kind: 'text'; parts: string[] }
  | { kind: 'thinking'; parts: string[]; signature: string }
  | { kind: 'tool_use' | 'server_tool_use'; name: string; fragments: string[] }
  | { kind: 'redacted_thinking' };

const blockPlan: fc.Arbitrary<BlockPlan> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('text' as const), parts: pieces }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('thinking' as const),
      parts: pieces,
      signature: fc.string({ maxLength: 5 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('tool_use' as const, 'server_tool_use' as const),
      name: fc.constantFrom('calculator', 'current_time', 'web_search'),
      fragments: toolFragments,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'redacted_thinking' as const }) },
);

export type StreamPlan = { blocks: BlockPlan[]; stopReason: string; pings: number[] };

export const streamPlan: fc.Arbitrary<StreamPlan> = fc.record({
  blocks: fc.array(blockPlan, { maxLength: 4 }),
  stopReason: fc.constantFrom('end_turn', 'tool_use', 'max_tokens', 'stop_sequence', 'refusal'),
  pings: fc.array(fc.nat({ max: 30 }), { maxLength: 3 }),
});

function blockEvents(index: number, plan: BlockPlan): StreamEvent[] {
  switch (plan.kind) {
    case 'text':
      return [blockStart(index, { type: 'text', text: '' }), ...plan.parts.map((p) => textDelta(index, p))];
    case 'thinking':
      return [
        blockStart(index, { type: 'thinking', thinking: '', signature: '' }),
        ...plan.parts.map((p) => thinkingDelta(index, p)),
        signatureDelta(index, plan.signature),
      ];
    case 'tool_use':
    case 'server_tool_use':
      return [
        blockStart(index, { type: plan.kind, id: `toolu_${index}`, name: plan.name, input: {} }),
        ...plan.fragments.map((f) => jsonDelta(index, f)),
      ];
    case 'redacted_thinking':
      return [blockStart(index, { type: 'redacted_thinking', data: 'opaque' })];
  }
}

/** The legal stream a plan stands for: message_start, each block started, streamed and stopped, the stop. */
export function legalEvents(plan: StreamPlan): StreamEvent[] {
  const events: StreamEvent[] = [messageStart()];
  plan.blocks.forEach((block, index) => events.push(...blockEvents(index, block), blockStop(index)));
  events.push(messageDelta(plan.stopReason, { output_tokens: 7 }), messageStop());
  for (const at of plan.pings) events.splice(1 + (at % events.length), 0, ping());
  return events;
}

/** The text a plan's blocks carry, in order. */
export const planText = (plan: StreamPlan): string =>
  plan.blocks.map((b) => (b.kind === 'text' ? b.parts.join('') : '')).join('');

/** Events nobody sent on purpose: unknown types, junk indices, wrong deltas, non-objects. */
export const junkEvent: fc.Arbitrary<StreamEvent | UnknownEvent> = fc.oneof(
  fc.constant(null as unknown as UnknownEvent),
  fc.constant(42 as unknown as UnknownEvent),
  fc.constant({ type: 'weird_event' }),
  fc.constant({} as UnknownEvent),
  fc.constant(ping()),
  fc.constant(errorEvent()),
  fc.constant(messageStart()),
  fc.constant(messageStop()),
  fc.constant(messageDelta(null, { output_tokens: 3 })),
  fc.constant({ type: 'message_delta', delta: null, usage: 'x' }),
  fc.record({
    type: fc.constant('content_block_start'),
    index: fc.constantFrom(0, 1, 2, -1, 1.5, 1e9, Number.NaN),
    content_block: fc.constantFrom(
      { type: 'text', text: 'S' },
      { type: 'tool_use', id: 'toolu_j', name: 'calculator', input: { a: 1 } },
      { type: 'thinking' },
      { type: 'image_block' },
      null,
    ),
  }),
  fc.record({
    type: fc.constant('content_block_delta'),
    index: fc.constantFrom(0, 1, 2, 5, -1),
    delta: fc.oneof(
      piece.map((text) => ({ type: 'text_delta', text })),
      piece.map((thinking) => ({ type: 'thinking_delta', thinking })),
      piece.map((partial_json) => ({ type: 'input_json_delta', partial_json })),
      fc.constant({ type: 'citations_delta', citation: { url: 'u' } }),
      fc.constant({ type: 'text_delta', text: 7 }),
      fc.constant({ type: 'mystery_delta' }),
      fc.constant(null),
    ),
  }),
  fc.record({ type: fc.constant('content_block_stop'), index: fc.constantFrom(0, 1, 2, 7, 'x') }),
);

/** One change to a sequence: drop, repeat or swap an item, or insert one from elsewhere. */
export type Edit<T> = { op: 'drop' | 'repeat' | 'swap'; at: number } | { op: 'insert'; at: number; item: T };

/** Up to `maxLength` edits, inserting items drawn from `insert`. */
export const editsOf = <T>(insert: fc.Arbitrary<T>, maxLength = 5): fc.Arbitrary<Edit<T>[]> =>
  fc.array(
    fc.oneof(
      fc.record({ op: fc.constantFrom('drop' as const, 'repeat' as const, 'swap' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), item: insert }),
    ),
    { minLength: 1, maxLength },
  );

/** `items` with the edits applied in order (positions wrap around the current length). */
export function applyEdits<T>(items: readonly T[], edits: readonly Edit<T>[]): T[] {
  const out = items.slice();
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % out.length;
    if (e.op === 'insert') out.splice(at, 0, e.item);
    else if (out.length === 0) continue;
    else if (e.op === 'drop') out.splice(at, 1);
    else if (e.op === 'repeat') out.splice(at, 0, out[at] as T);
    else if (at + 1 < out.length) [out[at], out[at + 1]] = [out[at + 1] as T, out[at] as T];
  }
  return out;
}

/** Any stream: a legal one, or a legal one broken by a few edits, or junk. */
export const anyEvents: fc.Arbitrary<(StreamEvent | UnknownEvent)[]> = fc.oneof(
  { weight: 2, arbitrary: streamPlan.map(legalEvents) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(streamPlan, editsOf(junkEvent))
      .map(([plan, edits]) => applyEdits<StreamEvent | UnknownEvent>(legalEvents(plan), edits)),
  },
  { weight: 1, arbitrary: fc.array(junkEvent, { maxLength: 12 }) },
);

// ───────────────────────────── chunkings ─────────────────────────────

/** Cut points for a body of `length` units (bytes or characters), any number, down to every unit. */
export const cutsFor = (length: number): fc.Arbitrary<number[]> =>
  length < 2
    ? fc.constant([])
    : fc.oneof(
        { weight: 4, arbitrary: fc.uniqueArray(fc.integer({ min: 1, max: length - 1 }), { maxLength: 40 }) },
        { weight: 1, arbitrary: fc.constant(Array.from({ length: length - 1 }, (_, i) => i + 1)) },
      );
