// Property tests (fast-check, fixed seed) for the turn reducer, shared/turn.ts, over any sequence
// of relay events — a tool loop as the engine sends it, the same with events dropped, repeated,
// swapped or junk inserted (steps out of order, retries for steps that never ran, terminals
// twice): it never throws, ends with exactly the first terminal's outcome and changes nothing
// after it, keeps every step's text whole and in order, and parses each tool input at most once.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { accumulate, createMessage, textOf, toolUses } from '../../src/shared/accumulate';
import type { AccMessage, Outcome, RelayEvent, StreamEvent } from '../../src/shared/protocol';
import {
  applyRelayEvent,
  createTurn,
  hasContent,
  terminalOf,
  toolInputParses,
  type TurnState,
} from '../../src/shared/turn';
import {
  anyEvents,
  applyEdits,
  editsOf,
  fuzzParams,
  junkEvent,
  legalEvents,
  streamPlan,
} from '../support/fuzz';
import { terminalEvent } from '../support/relay-events';
import { messageStart, messageStop, textDelta, textStart } from '../support/stream-events';

const T = 'turn-f';
const START: RelayEvent = {
  type: 'turn_start',
  turnId: T,
  conversationId: 'c',
  t: 0,
  provider: 'simulated',
  model: 'm',
};
const provider = (step: number, event: unknown): RelayEvent => ({
  type: 'provider',
  turnId: T,
  t: 1,
  step,
  event: event as StreamEvent,
});
const outcome = fc.constantFrom<Outcome>('complete', 'aborted', 'error', 'stalled');
const terminal = outcome.map((o) =>
  terminalEvent({
    turnId: T,
    outcome: o,
    error: o === 'error' ? { type: 'protocol', message: 'x', retryable: false } : null,
  }),
);
const status = fc.oneof(
  fc.record({ phase: fc.constant('connecting' as const), attempt: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ phase: fc.constant('waiting' as const), attempt: fc.constant(1), ttfbMs: fc.nat(50) }),
  fc.record({
    phase: fc.constant('retrying' as const),
    attempt: fc.constant(1),
    delayMs: fc.nat(1000),
    reason: fc.constant('overloaded' as const),
  }),
  fc.record({
    phase: fc.constant('running_tools' as const),
    toolUseIds: fc.array(fc.constant('toolu_0'), { maxLength: 2 }),
  }),
  fc.record({
    phase: fc.constant('turn_retry' as const),
    attempt: fc.constant(2),
    reason: fc.constant('network' as const),
    step: fc.nat(3),
  }),
  fc.record({ phase: fc.constant('notice' as const), message: fc.string({ maxLength: 5 }) }),
);
const toolResult = (step: number): RelayEvent => ({
  type: 'tool_result',
  turnId: T,
  t: 1,
  step,
  result: { toolUseId: `toolu_${step}`, name: 'calculator', content: '4', isError: false },
});
const junkRelay: fc.Arbitrary<RelayEvent> = fc.oneof(
  status.map((s): RelayEvent => ({ type: 'status', turnId: T, t: 1, status: s })),
  fc.nat(4).map(toolResult),
  fc.tuple(fc.nat(4), junkEvent).map(([step, event]) => provider(step, event)),
  terminal,
  fc.constant(START),
);

/** A tool loop as the engine sends it: turn_start, each step's events, its tools, the terminal. */
const legalTurn: fc.Arbitrary<RelayEvent[]> = fc
  .tuple(fc.array(fc.oneof(streamPlan.map(legalEvents), anyEvents), { minLength: 1, maxLength: 3 }), terminal)
  .map(([steps, end]) => {
    const out: RelayEvent[] = [START];
    steps.forEach((events, step) => {
      for (const event of events) out.push(provider(step, event));
      if (step < steps.length - 1) {
        out.push({
          type: 'status',
          turnId: T,
          t: 1,
          status: { phase: 'running_tools', toolUseIds: ['toolu_0'] },
        });
        out.push(toolResult(step));
      }
    });
    out.push(end);
    return out;
  });

const anyTurn: fc.Arbitrary<RelayEvent[]> = fc.oneof(
  legalTurn,
  fc.tuple(legalTurn, editsOf(junkRelay, 6)).map(([events, edits]) => applyEdits(events, edits)),
  fc.array(junkRelay, { maxLength: 15 }),
);

const run = (events: readonly RelayEvent[]): { turn: TurnState; states: TurnState[] } => {
  let turn = createTurn({ startedAt: 0, arrivals: true });
  const states = [turn];
  for (const event of events) {
    turn = applyRelayEvent(turn, event, 1);
    states.push(turn);
  }
  return { turn, states };
};

/** Each step's message, reduced on its own from that step's provider events up to the first terminal. */
function stepMessages(events: readonly RelayEvent[]): Map<number, AccMessage> {
  const out = new Map<number, AccMessage>();
  for (const e of events) {
    if (e.type === 'terminal') break;
    if (e.type === 'provider') out.set(e.step, accumulate(out.get(e.step) ?? createMessage(), e.event));
  }
  return out;
}

describe('the turn reducer over any relay event sequence', () => {
  test('never throws; the first terminal is the one outcome, and nothing changes after it', () => {
    fc.assert(
      fc.property(anyTurn, (events) => {
        const { turn, states } = run(events);
        const first = events.findIndex((e) => e.type === 'terminal');
        if (first < 0) {
          expect(turn.terminal).toBeNull();
          expect(turn.phase.kind).not.toBe('done');
        } else {
          expect(turn.terminal).toBe(events[first]);
          expect(turn.phase.kind).toBe('done');
          // Every state after the first terminal is the very same object.
          for (const later of states.slice(first + 2)) expect(later).toBe(states[first + 1]);
        }
        // The steps are a dense array of real steps (no holes, whatever order steps arrived in).
        for (let i = 0; i < turn.steps.length; i++) expect(turn.steps[i], `step ${i}`).toBeDefined();
        const blocks = turn.steps.flatMap((s) => toolUses(s.message));
        expect(toolInputParses(turn.steps)).toBeLessThanOrEqual(blocks.length);
        for (const b of blocks) expect(b.parseAttempts).toBeLessThanOrEqual(1);
        // The terminal a face makes from any state names exactly the outcome it was given.
        const made = terminalOf(turn, { turnId: T, t: 2, outcome: 'error', error: null });
        expect(made.outcome).toBe('error');
        expect(typeof hasContent(turn)).toBe('boolean');
      }),
      fuzzParams(300),
    );
  });

  test('without a whole-turn retry, every step keeps exactly the text its events carried', () => {
    fc.assert(
      fc.property(anyTurn, (events) => {
        fc.pre(!events.some((e) => e.type === 'status' && e.status.phase === 'turn_retry'));
        const { turn } = run(events);
        const expected = stepMessages(events);
        turn.steps.forEach((step, index) => {
          const mine = expected.get(index);
          expect(textOf(step.message), `step ${index}`).toBe(mine ? textOf(mine) : '');
        });
        // A step that received text is never dropped.
        for (const [index, message] of expected)
          if (textOf(message) !== '') expect(turn.steps[index], `step ${index}`).toBeDefined();
      }),
      fuzzParams(300),
    );
  });

  test('a state with fields of its own (as the live turn carries) is reduced to the same turn, and keeps them', () => {
    // The reducer builds a bare TurnState field by field on every delta, and spreads a bigger one.
    type Carried = TurnState & { own: { label: string } };
    fc.assert(
      fc.property(anyTurn, (events) => {
        const own = { label: 'the page’s own' };
        let carried: Carried = { ...createTurn({ startedAt: 0, arrivals: true }), own };
        let bare = createTurn({ startedAt: 0, arrivals: true });
        for (const event of events) {
          carried = applyRelayEvent(carried, event, 1);
          bare = applyRelayEvent(bare, event, 1);
          const { own: kept, ...turn } = carried;
          expect(kept).toBe(own);
          expect(turn).toEqual(bare);
          expect(Object.keys(bare).sort()).toEqual(Object.keys(createTurn({ startedAt: 0 })).sort());
        }
      }),
      fuzzParams(200),
    );
  });
});

// The shrunk counterexamples the properties above found, kept as named cases.
describe('found by fuzzing', () => {
  const start = START;

  test('a provider event for a step ahead of the next leaves no hole, and the terminal does not throw', () => {
    // Was: TypeError in settleSteps (steps[0] a hole) when the terminal arrived.
    const { turn } = run([
      provider(2, { type: 'weird_event' }),
      start,
      provider(0, messageStart()),
      provider(0, messageStop()),
      terminalEvent({ turnId: T }),
    ]);
    expect(turn.terminal?.outcome).toBe('complete');
    expect(turn.steps).toHaveLength(3);
    expect(Object.keys(turn.steps)).toEqual(['0', '1', '2']);
    expect(turn.steps[0]?.message.finished).toBe(true);
    expect(turn.steps[1]?.message.started).toBe(false);
  });

  test('a step ahead keeps its text; a step number no engine sends is ignored', () => {
    const { turn } = run([
      start,
      provider(1, messageStart()),
      provider(1, textStart(0)),
      provider(1, textDelta(0, 'kept')),
    ]);
    expect(turn.steps.map((s) => textOf(s.message))).toEqual(['', 'kept']);
    const junk = run([
      start,
      provider(-1, messageStart()),
      provider(1.5, messageStart()),
      provider(1e9, messageStart()),
    ]);
    expect(junk.turn.steps).toEqual([]);
  });

  test('a provider event that is not an object (the SDK yields `data: null` as null) is counted, not thrown on', () => {
    // Was: TypeError in observeProviderEvent (metrics.ts) reading null.type.
    const { turn } = run([
      start,
      provider(0, null),
      provider(0, messageStart()),
      provider(0, 7),
      terminalEvent({ turnId: T }),
    ]);
    expect(turn.terminal?.outcome).toBe('complete');
    expect(turn.steps[0]?.message.started).toBe(true);
    expect(turn.steps[0]?.message.ignoredEvents).toBe(2);
  });
});
