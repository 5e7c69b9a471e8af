// PendingEvents, the relay's queue while a sink is full: consecutive deltas of one block merge into
// one event, and the reducer builds the same message from what leaves the queue as from what went in.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PendingEvents } from '../../../src/main/relay/coalesce';
import type { RelayEvent, StreamEvent } from '../../../src/shared/protocol';
import { fuzzParams, legalEvents, streamPlan } from '../../support/fuzz';
import { jsonDelta, reduce, textDelta, thinkingDelta } from '../../support/stream-events';

const relayed = (event: StreamEvent, step = 0, t = 1): RelayEvent => ({
  type: 'provider',
  turnId: 'turn-c',
  t,
  step,
  event,
});

const drain = (queue: PendingEvents): RelayEvent[] => {
  const out: RelayEvent[] = [];
  for (let e = queue.shift(); e; e = queue.shift()) out.push(e);
  return out;
};

const providerEvents = (events: RelayEvent[]): StreamEvent[] =>
  events.flatMap((e) => (e.type === 'provider' ? [e.event] : []));

describe('PendingEvents', () => {
  test('junk from the wire (a null event, a delta without its delta, a text that is no string) waits in order', () => {
    const junk = [null, { type: 'content_block_delta', index: 0 }, textDelta(0, 7 as unknown as string)];
    const events = [
      relayed(textDelta(0, 'a')),
      ...junk.map((e) => relayed(e as unknown as StreamEvent)),
      relayed(textDelta(0, 'b')),
      relayed(textDelta(0, 'c')),
    ];
    const queue = new PendingEvents();
    for (const e of events) queue.push(e);
    const out = drain(queue);
    // A number is no text: the reducer adds nothing for it, and its run carries only the text after it.
    expect(providerEvents(out)).toEqual([textDelta(0, 'a'), null, junk[1], textDelta(0, 'bc')]);
    expect(queue.mergedCount).toBe(2);
    expect(queue.size).toBe(0);
  });

  test('any legal stream comes out merged, and reduces to the same message', () => {
    fc.assert(
      fc.property(streamPlan, (plan) => {
        const events = legalEvents(plan);
        const queue = new PendingEvents();
        for (const e of events) queue.push(relayed(e));
        const out = drain(queue);
        expect(reduce(providerEvents(out))).toEqual(reduce(events));
        expect(out.length + queue.mergedCount).toBe(events.length);
        expect(queue.size).toBe(0);
      }),
      fuzzParams(300),
    );
  });

  test('text, thinking and tool-input deltas merge per block and kind; the first part’s time is kept', () => {
    const queue = new PendingEvents();
    const parts = [
      relayed(textDelta(0, 'Hel'), 0, 1),
      relayed(textDelta(0, 'lo'), 0, 2),
      relayed(thinkingDelta(1, 'hm'), 0, 3),
      relayed(thinkingDelta(1, 'm'), 0, 4),
      relayed(jsonDelta(2, '{"a"'), 0, 5),
      relayed(jsonDelta(2, ':1}'), 0, 6),
      relayed(textDelta(0, ' again'), 1, 7),
    ];
    for (const e of parts) queue.push(e);
    expect(drain(queue)).toEqual([
      relayed(textDelta(0, 'Hello'), 0, 1),
      relayed(thinkingDelta(1, 'hmm'), 0, 3),
      relayed(jsonDelta(2, '{"a":1}'), 0, 5),
      relayed(textDelta(0, ' again'), 1, 7),
    ]);
    expect(queue.mergedCount).toBe(3);
  });
});
