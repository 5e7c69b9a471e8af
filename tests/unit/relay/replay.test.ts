// A live turn's feed and its replay buffer: ids in order, the byte bound held under a firehose with
// nobody attached, a re-attach that replays exactly what was missed, and the snapshot path when the
// id is too old for the buffer or not one this turn sent.
import { expect, test } from 'vitest';
import { eventIdOf } from '../../../src/shared/event-id';
import { parseEventId, ReplayBuffer, TurnFeed, type Subscriber } from '../../../src/main/relay/replay';
import { applyRelayEvent, createTurn } from '../../../src/shared/turn';
import type { RelayEvent } from '../../../src/shared/protocol';
import { createPrng } from '../../support/sse';
import { terminalEvent } from '../../support/relay-events';

const TURN = 'abcdef12-3456-4789-8abc-def012345678';

class Recorder implements Subscriber {
  readonly got: { event: RelayEvent; id: string | undefined }[] = [];
  accept = true;
  write(event: RelayEvent, id?: string): boolean {
    this.got.push({ event, id });
    return this.accept;
  }
  drain(): Promise<void> {
    return new Promise(() => {}); // never drains by itself
  }
}

function* turnEvents(deltas: number, rand: () => number = () => 0.5): Generator<RelayEvent> {
  yield {
    type: 'turn_start',
    turnId: TURN,
    conversationId: 'c1',
    t: 0,
    provider: 'simulated',
    model: 'sim-text',
  };
  yield {
    type: 'provider',
    turnId: TURN,
    t: 1,
    step: 0,
    event: {
      type: 'message_start',
      message: {
        id: 'm',
        role: 'assistant',
        model: 'sim-text',
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    },
  };
  yield {
    type: 'provider',
    turnId: TURN,
    t: 2,
    step: 0,
    event: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  };
  for (let i = 0; i < deltas; i++) {
    const text = `w${i}${'·'.repeat(Math.floor(rand() * 40))} `;
    yield {
      type: 'provider',
      turnId: TURN,
      t: 3 + i,
      step: 0,
      event: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
    };
  }
}

const textOf = (events: readonly RelayEvent[]) => {
  let turn = createTurn({ startedAt: 0 });
  for (const e of events) turn = applyRelayEvent(turn, e, e.t);
  const block = turn.steps[0]?.message.blocks[0];
  return block?.type === 'text' ? block.text : '';
};

test('under a firehose with nobody attached the buffer never holds more than its bound, and drops the oldest', () => {
  const limit = 64 * 1024;
  const feed = new TurnFeed(TURN, limit, null);
  const all: RelayEvent[] = [];
  let maxSeen = 0;
  for (const event of turnEvents(50_000, createPrng(7))) {
    expect(feed.write(event)).toBe(true); // detached: never pushes back
    all.push(event);
    maxSeen = Math.max(maxSeen, feed.stats.bufferedBytes);
  }
  expect(maxSeen).toBeLessThanOrEqual(limit);
  expect(feed.stats.peakBytes).toBeLessThanOrEqual(limit);
  expect(feed.stats.peakBytes).toBeGreaterThan(limit - 200);
  expect(feed.stats.dropped).toBeGreaterThan(40_000);

  // Re-attached from the very start: too old for the buffer, so a snapshot comes first, then live.
  const page = new Recorder();
  expect(feed.attach(page, 1)).toEqual({ replayed: 0, snapshot: true });
  const first = page.got[0];
  expect(first?.event.type).toBe('snapshot');
  expect(first?.id).toBe(eventIdOf(TURN, all.length));
  for (const event of turnEvents(3)) feed.write({ ...event, t: 99_999 });
  const onPage = page.got.map((g) => g.event);
  // The page's turn, from the snapshot and the live events, is the whole turn's text.
  const live = onPage.slice(1).filter((e) => e.type === 'provider' && e.event.type === 'content_block_delta');
  expect(textOf(onPage)).toBe(textOf([...all, ...live]));
});

test('a re-attach with a recent id gets exactly the events after it, same ids, then live', () => {
  const feed = new TurnFeed(TURN, 1 << 20, null);
  const first = new Recorder();
  feed.attach(first, 0);
  const events = [...turnEvents(20)];
  events.slice(0, 12).forEach((e) => feed.write(e));
  expect(first.got.map((g) => g.id)).toEqual(events.slice(0, 12).map((_, i) => eventIdOf(TURN, i + 1)));
  feed.detach(first);
  events.slice(12).forEach((e) => feed.write(e)); // while nobody is attached

  const again = new Recorder();
  expect(feed.attach(again, 9)).toEqual({ replayed: events.length - 9, snapshot: false });
  feed.write(terminalEvent({ turnId: TURN }));
  expect(again.got.map((g) => g.id)).toEqual(
    Array.from({ length: events.length + 1 - 9 }, (_, i) => eventIdOf(TURN, 10 + i)),
  );
  // What the first page had up to 9 and the second from 10 on is the turn, no gap, no duplicate.
  const joined = [...first.got.slice(0, 9), ...again.got].map((g) => g.event);
  expect(joined).toEqual([...events, terminalEvent({ turnId: TURN })]);
  expect(first.got).toHaveLength(12); // the detached page got nothing more
});

test('an id this turn never sent gets the snapshot path; a snapshot of an ended turn is followed by its terminal', () => {
  const feed = new TurnFeed(TURN, 1 << 20, null);
  const events = [...turnEvents(5)];
  events.forEach((e) => feed.write(e));
  const page = new Recorder();
  expect(feed.attach(page, 500).snapshot).toBe(true);
  expect(page.got.map((g) => g.event.type)).toEqual(['snapshot']);
  feed.write(terminalEvent({ turnId: TURN }));

  const late = new Recorder();
  expect(feed.attach(late, 1_000).snapshot).toBe(true);
  expect(late.got.map((g) => g.event.type)).toEqual(['snapshot', 'terminal']);
  expect(textOf(late.got.map((g) => g.event))).toBe(textOf(events));
});

test('a newer subscriber supersedes the attached one; detach of a stale one changes nothing', () => {
  const feed = new TurnFeed(TURN, 1 << 20, null);
  let superseded = 0;
  const old = Object.assign(new Recorder(), { superseded: () => void superseded++ });
  feed.attach(old, 0);
  const now = new Recorder();
  feed.attach(now, 0);
  expect(superseded).toBe(1);
  expect(feed.detach(old)).toBe(false);
  expect(feed.attached).toBe(now);
});

test('while attached the subscriber pushes back; detaching releases a waiting engine', async () => {
  const page = new Recorder();
  const feed = new TurnFeed(TURN, 1 << 20, page);
  page.accept = false;
  const [start] = turnEvents(0);
  expect(feed.write(start as RelayEvent)).toBe(false);
  let drained = false;
  const wait = feed.drain().then(() => (drained = true));
  await Promise.resolve();
  expect(drained).toBe(false);
  feed.detach(page);
  await wait;
  expect(drained).toBe(true);
  expect(feed.write(start as RelayEvent)).toBe(true);
});

test('Last-Event-ID: its own ids and bare numbers are this turn; another prefix is another turn', () => {
  expect(parseEventId(TURN, undefined)).toEqual({ kind: 'none' });
  expect(parseEventId(TURN, ' ')).toEqual({ kind: 'none' });
  expect(parseEventId(TURN, '41')).toEqual({ kind: 'this', seq: 41 });
  expect(parseEventId(TURN, 'abcdef12.41')).toEqual({ kind: 'this', seq: 41 });
  expect(parseEventId(TURN, '0badcafe.41')).toEqual({ kind: 'other', prefix: '0badcafe' });
  expect(parseEventId(TURN, 'forty-one')).toBeNull();
  expect(parseEventId(TURN, '4.1.2')).toBeNull();
});

test('the buffer alone: an event bigger than the bound is not kept, and the rest still are in order', () => {
  const buffer = new ReplayBuffer(100);
  const ev = terminalEvent();
  buffer.push({ seq: 1, event: ev, data: 'a', bytes: 60 });
  buffer.push({ seq: 2, event: ev, data: 'b', bytes: 30 });
  expect(buffer.after(0).map((e) => e.seq)).toEqual([1, 2]);
  expect(buffer.push({ seq: 3, event: ev, data: 'c', bytes: 50 }).map((e) => e.seq)).toEqual([1]);
  expect(buffer.push({ seq: 4, event: ev, data: 'd', bytes: 500 }).map((e) => e.seq)).toEqual([2, 3, 4]);
  expect(buffer.bytes).toBe(0);
  expect(buffer.peakBytes).toBeLessThanOrEqual(100);
  expect(buffer.firstSeq(5)).toBe(5);
});
