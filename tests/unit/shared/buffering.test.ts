// detectBuffering: a proxy releasing the whole stream in one late lump is caught; a slow start or
// a reasoning model thinking out loud is not.
import { expect, test } from 'vitest';
import { detectBuffering, isContentEvent } from '../../../src/shared/metrics';
import type { RelayEvent, StreamEvent } from '../../../src/shared/protocol';
import { textDelta, thinkingDelta } from '../../support/stream-events';

/** `count` arrival times from `first`, `gap` ms apart. */
const evenly = (count: number, first: number, gap: number): number[] =>
  Array.from({ length: count }, (_, i) => first + i * gap);

test('a buffered stream: every content event in one burst at the very end is flagged', () => {
  const verdict = detectBuffering(evenly(120, 9_950, 0.1), 0, 10_000);
  expect(verdict.buffered).toBe(true);
  expect(verdict.reason).toMatch(/buffering/);
  expect(verdict.reason).toContain('120 content events');
});

test('a reasoning model (0.4 s TTFT, thinking deltas over 10 s, then text) is not flagged', () => {
  const thinking = evenly(200, 400, 50); // 400 ms … 10.35 s
  const text = evenly(100, 10_400, 0.2); // the answer then streams fast
  const verdict = detectBuffering([...thinking, ...text], 0, 10_500);
  expect(verdict.buffered).toBe(false);
  expect(verdict.reason).toContain('4% into');
});

test('the same reasoning turn would be flagged if thinking were not content: thinking must count', () => {
  // Only the text arrivals: the first one is at 99% of the turn and they come in a burst.
  expect(detectBuffering(evenly(100, 10_400, 0.2), 0, 10_500).buffered).toBe(true);
  const events: StreamEvent[] = [thinkingDelta(0, 'hmm'), textDelta(1, 'hi')];
  expect(events.map(isContentEvent)).toEqual([true, true]);
});

test('a slow but honest start followed by normal streaming is not flagged', () => {
  // 2 s before the first token, then 200 events 25 ms apart.
  expect(detectBuffering(evenly(200, 2_000, 25), 0, 7_100).buffered).toBe(false);
});

test("a long silent wait followed by live streaming at the model's pace is not flagged", () => {
  // 20 s of silence (no thinking shown), then 100 tokens 30 ms apart: late, but not one lump.
  const verdict = detectBuffering(evenly(100, 20_000, 30), 0, 23_000);
  expect(verdict.buffered).toBe(false);
  expect(verdict.reason).toMatch(/slow start/);
});

test('fewer than 20 content events are never flagged, even in a late burst; 20 are', () => {
  const few = detectBuffering(evenly(19, 9_990, 0.1), 0, 10_000);
  expect(few).toEqual({ buffered: false, reason: expect.stringContaining('Only 19') });
  expect(detectBuffering(evenly(20, 9_990, 0.1), 0, 10_000).buffered).toBe(true);
});

test('the 80% boundary: a first arrival at 80% of the turn is not late, just after it is', () => {
  expect(detectBuffering(evenly(30, 8_000, 1), 0, 10_000).buffered).toBe(false);
  expect(detectBuffering(evenly(30, 8_001, 1), 0, 10_000).buffered).toBe(true);
});

test('arrivals out of order and a zero-length turn are handled', () => {
  const shuffled = evenly(40, 9_900, 1).reverse();
  expect(detectBuffering(shuffled, 0, 10_000).buffered).toBe(true);
  expect(detectBuffering(evenly(40, 5, 0), 5, 5)).toEqual({ buffered: false, reason: expect.any(String) });
});

test('arrival times gathered with isContentEvent from relay events (empty deltas left out) feed the verdict', () => {
  const events: RelayEvent[] = Array.from({ length: 30 }, (_, i) => ({
    type: 'provider',
    turnId: 'T',
    t: 4_000 + i * 0.05,
    step: 0,
    event: i % 10 === 0 ? thinkingDelta(0, '') : textDelta(0, 'x'),
  }));
  const arrivals = events.flatMap((e) => (e.type === 'provider' && isContentEvent(e.event) ? [e.t] : []));
  expect(arrivals).toHaveLength(27);
  expect(detectBuffering(arrivals, 0, 4_010).buffered).toBe(true);
});
