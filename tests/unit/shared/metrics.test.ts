// The numbers of DESIGN.md "What the numbers mean", from known marks and from a synthetic turn.
import { expect, test } from 'vitest';
import {
  computeMetrics,
  createMarks,
  formatMs,
  formatTokensPerSecond,
  isContentEvent,
  observeRelayEvent,
  type TimingMarks,
} from '../../../src/shared/metrics';
import type { RelayEvent, StreamEvent } from '../../../src/shared/protocol';
import {
  jsonDelta,
  messageDelta,
  messageStart,
  messageStop,
  ping,
  signatureDelta,
  textDelta,
  textStart,
  thinkingDelta,
  thinkingStart,
  toolStart,
  blockStop,
} from '../../support/stream-events';

const marks = (over: Partial<TimingMarks>): TimingMarks => ({ ...createMarks(1000), ...over });

test('computeMetrics from known marks: every number relative to the request, TPOT over output tokens − 1', () => {
  expect(
    computeMetrics(
      marks({
        headersAt: 1200,
        firstProgressAt: 1400,
        firstTextAt: 2400,
        firstTokenAt: 1400,
        lastTokenAt: 3400,
        endedAt: 3500,
        outputTokens: 101,
      }),
    ),
  ).toEqual({
    ttfbMs: 200,
    firstProgressMs: 400,
    ttftMs: 1400,
    tpotMs: 20,
    totalMs: 2500,
    outputTokens: 101,
    tokensPerSecond: 50.5,
  });
});

test('computeMetrics with one output token has no TPOT and no rate', () => {
  const m = computeMetrics(marks({ firstTokenAt: 1300, lastTokenAt: 1300, endedAt: 1400, outputTokens: 1 }));
  expect([m.tpotMs, m.tokensPerSecond, m.outputTokens, m.totalMs]).toEqual([null, null, 1, 400]);
});

test('computeMetrics without usage, or with all tokens at one instant, has no TPOT and no rate', () => {
  const noUsage = computeMetrics(marks({ firstTokenAt: 1300, lastTokenAt: 1900, endedAt: 2000 }));
  expect([noUsage.tpotMs, noUsage.tokensPerSecond, noUsage.outputTokens]).toEqual([null, null, null]);
  const burst = computeMetrics(
    marks({ firstTokenAt: 1900, lastTokenAt: 1900, endedAt: 2000, outputTokens: 50 }),
  );
  expect([burst.tpotMs, burst.tokensPerSecond]).toEqual([null, null]);
});

test('computeMetrics on a turn with nothing observed but the start: nulls and zero total', () => {
  expect(computeMetrics(createMarks(5000))).toEqual({
    ttfbMs: null,
    firstProgressMs: null,
    ttftMs: null,
    tpotMs: null,
    totalMs: 0,
    outputTokens: null,
    tokensPerSecond: null,
  });
});

test('computeMetrics before the end is observed: total runs to the latest mark', () => {
  expect(computeMetrics(marks({ headersAt: 1100, firstTokenAt: 1200, lastTokenAt: 1750 })).totalMs).toBe(750);
});

const at = (t: number, event: StreamEvent, step = 0): RelayEvent => ({
  type: 'provider',
  turnId: 'T',
  t,
  step,
  event,
});
const status = (t: number, s: Extract<RelayEvent, { type: 'status' }>['status']): RelayEvent => ({
  type: 'status',
  turnId: 'T',
  t,
  status: s,
});
const terminal = (t: number): RelayEvent => ({
  type: 'terminal',
  turnId: 'T',
  t,
  outcome: 'complete',
  stopReason: 'end_turn',
  error: null,
  metrics: computeMetrics(createMarks(0)),
  toolInputParses: 1,
});

// A two-step tool loop with thinking: step 0 thinks, calls a tool; step 1 answers in text.
const TURN: RelayEvent[] = [
  { type: 'turn_start', turnId: 'T', conversationId: 'C', t: 1000, provider: 'simulated', model: 'sim-tool' },
  status(1001, { phase: 'connecting', attempt: 1 }),
  status(1150, { phase: 'waiting', attempt: 1, ttfbMs: 149 }),
  at(1160, messageStart()),
  at(1170, thinkingStart(0)),
  at(1180, ping()),
  at(1190, thinkingDelta(0, '')),
  at(1400, thinkingDelta(0, 'Hmm')),
  at(1500, thinkingDelta(0, ' yes')),
  at(1510, signatureDelta(0, 'sig')),
  at(1520, blockStop(0)),
  at(1530, toolStart(1)),
  at(1540, jsonDelta(1, '')),
  at(1600, jsonDelta(1, '{"expression":"1+1"}')),
  at(1610, blockStop(1)),
  at(1620, messageDelta('tool_use', { output_tokens: 12 })),
  at(1621, messageDelta('tool_use', { output_tokens: 30 })),
  at(1630, messageStop()),
  status(1640, { phase: 'running_tools', toolUseIds: ['toolu_1'] }),
  {
    type: 'tool_result',
    turnId: 'T',
    t: 1650,
    step: 0,
    result: { toolUseId: 'toolu_1', name: 'calculator', content: '2', isError: false },
  },
  status(1660, { phase: 'connecting', attempt: 1 }),
  status(1800, { phase: 'waiting', attempt: 1, ttfbMs: 140 }),
  at(1810, messageStart(), 1),
  at(1820, textStart(0), 1),
  at(2000, textDelta(0, 'The answer'), 1),
  at(2600, textDelta(0, ' is 2.'), 1),
  at(2610, blockStop(0), 1),
  at(2620, messageDelta('end_turn', { output_tokens: 5 }), 1),
  at(2630, messageDelta('end_turn', { output_tokens: 21 }), 1),
  at(2640, messageStop(), 1),
  terminal(2700),
];

test('observeRelayEvent over a tool-loop turn: first headers, first progress, first text, tokens summed per step', () => {
  const observed = TURN.reduce((m, e) => observeRelayEvent(m, e, e.t), createMarks(1000));
  expect(observed).toMatchObject({
    startedAt: 1000,
    headersAt: 1150,
    firstProgressAt: 1400,
    firstTextAt: 2000,
    firstTokenAt: 1400,
    lastTokenAt: 2600,
    endedAt: 2700,
    outputTokens: 30 + 21,
  });
  expect(computeMetrics(observed)).toEqual({
    ttfbMs: 150,
    firstProgressMs: 400,
    ttftMs: 1000,
    tpotMs: 1200 / 50,
    totalMs: 1700,
    outputTokens: 51,
    tokensPerSecond: 51 / 1.2,
  });
});

test('observeRelayEvent uses the observer clock it is given, not event.t', () => {
  const observed = TURN.reduce((m, e) => observeRelayEvent(m, e, e.t + 7), createMarks(1007));
  const m = computeMetrics(observed);
  expect([m.ttfbMs, m.firstProgressMs, m.ttftMs, m.totalMs]).toEqual([150, 400, 1000, 1700]);
});

test('a retried step (same step number) replaces that step’s output tokens instead of adding them', () => {
  const events: RelayEvent[] = [
    at(10, messageDelta(null, { output_tokens: 40 }), 0),
    status(20, { phase: 'turn_retry', attempt: 2, reason: 'overloaded', step: 0 }),
    at(30, messageDelta('end_turn', { output_tokens: 15 }), 0),
  ];
  expect(events.reduce((m, e) => observeRelayEvent(m, e, e.t), createMarks(0)).outputTokens).toBe(15);
});

test('events that move no mark return the same marks object', () => {
  const m = observeRelayEvent(createMarks(0), status(5, { phase: 'waiting', attempt: 1, ttfbMs: 5 }), 5);
  for (const e of [
    ping(),
    signatureDelta(0, 's'),
    textDelta(0, ''),
    messageStart(),
    messageDelta('end_turn'),
  ]) {
    expect(observeRelayEvent(m, at(9, e), 9)).toBe(m);
  }
  expect(observeRelayEvent(m, status(9, { phase: 'waiting', attempt: 2, ttfbMs: 9 }), 9)).toBe(m);
});

test('content events are thinking, text and tool-input deltas with something in them', () => {
  const cases: [StreamEvent, boolean][] = [
    [thinkingDelta(0, 'x'), true],
    [textDelta(0, 'x'), true],
    [jsonDelta(0, '{'), true],
    [thinkingDelta(0, ''), false],
    [jsonDelta(0, ''), false],
    [signatureDelta(0, 's'), false],
    [ping(), false],
    [messageDelta('end_turn'), false],
    [
      { type: 'content_block_delta', index: 0, delta: { type: 'future_delta' } } as unknown as StreamEvent,
      false,
    ],
  ];
  expect(cases.map(([e]) => isContentEvent(e))).toEqual(cases.map(([, expected]) => expected));
});

test.each([
  [null, '—'],
  [Number.NaN, '—'],
  [0, '0 ms'],
  [412.4, '412 ms'],
  [999.4, '999 ms'],
  [999.6, '1.00 s'],
  [1234, '1.23 s'],
  [12_345, '12.3 s'],
  [125_400, '125 s'],
])('formatMs(%s) is %s', (ms, text) => {
  expect(formatMs(ms)).toBe(text);
});

test('formatTokensPerSecond gives one decimal below 100 and "—" for no rate', () => {
  expect([formatTokensPerSecond(42.46), formatTokensPerSecond(250.4), formatTokensPerSecond(null)]).toEqual([
    '42.5 tok/s',
    '250 tok/s',
    '—',
  ]);
});
