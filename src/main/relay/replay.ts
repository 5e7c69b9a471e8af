// A live turn's feed: every event the engine writes gets the turn's next event id, goes into a
// replay buffer bounded by bytes, and on to the subscriber attached now (a page's SSE response, a
// window's port, a terminal) — if one is. The subscriber is the engine's sink while attached, so
// its backpressure reaches the provider; while none is attached the feed takes everything at once
// (the engine never waits on a page that is gone) and the buffer keeps the newest events, dropping
// the oldest. A subscriber that re-attaches names the last event it has: it gets what it missed
// with the same ids and then the live stream, or — when that is older than the buffer, or not an
// event of this turn — a snapshot of the turn so far first (shared/turn's reducer, folded from the
// events the buffer dropped).
import type { RelayEvent } from '../../shared/protocol';
import { applyRelayEvent, createTurn, snapshotOf, type TurnState } from '../../shared/turn';
import type { RelaySink } from './delivery';
import { eventIdOf } from '../../shared/event-id';

/** A sink that is told each event's id (and its JSON, made once for the buffer's count). */
export interface Subscriber extends RelaySink {
  write(event: RelayEvent, id?: string, data?: string): boolean;
  /** Another subscriber took the turn over (a second tab, a newer connection): let go. */
  superseded?(): void;
  /** The reader says it has every event up to `seq` (POST /api/turns/:id/ack). */
  acknowledged?(seq: number): void;
}

type Entry = { seq: number; event: RelayEvent; data: string; bytes: number };

/** The newest events of a turn, at most `limitBytes` of their JSON. Oldest out first. */
export class ReplayBuffer {
  private entries: Entry[] = [];
  private head = 0;
  bytes = 0;
  peakBytes = 0;
  /** How many events were dropped to keep the bound. */
  dropped = 0;

  constructor(readonly limitBytes: number) {}

  get length(): number {
    return this.entries.length - this.head;
  }

  /** The sequence number of the oldest event held (the next one to be written when empty). */
  firstSeq(next: number): number {
    return this.entries[this.head]?.seq ?? next;
  }

  /** Adds an entry; returns the entries dropped to make room, oldest first. */
  push(entry: Entry): Entry[] {
    const out: Entry[] = [];
    this.entries.push(entry);
    this.bytes += entry.bytes;
    while (this.bytes > this.limitBytes && this.length > 0) {
      const old = this.entries[this.head++] as Entry;
      this.bytes -= old.bytes;
      this.dropped += 1;
      out.push(old);
    }
    // Compact now and then, so the array does not keep what was dropped.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    return out;
  }

  /** The entries after `seq`, oldest first. */
  after(seq: number): Entry[] {
    const first = this.entries[this.head]?.seq;
    if (first === undefined) return [];
    return this.entries.slice(this.head + Math.max(0, seq + 1 - first));
  }
}

export type ParsedEventId =
  { kind: 'none' } | { kind: 'this'; seq: number } | { kind: 'other'; prefix: string };

/**
 * A Last-Event-ID as this turn reads it: absent or empty (none), one of its own ids or a bare
 * number (a sequence number of this turn), or another turn's id.
 */
export function parseEventId(turnId: string, value: string | undefined): ParsedEventId | null {
  const text = value?.trim() ?? '';
  if (text === '') return { kind: 'none' };
  const m = /^(?:([0-9A-Za-z-]{1,36})\.)?(\d{1,15})$/.exec(text);
  if (!m) return null;
  const prefix = m[1];
  if (prefix !== undefined && prefix !== turnId.slice(0, 8)) return { kind: 'other', prefix };
  return { kind: 'this', seq: Number(m[2]) };
}

export type AttachResult = { replayed: number; snapshot: boolean };

export class TurnFeed implements RelaySink {
  private readonly buffer: ReplayBuffer;
  private seq = 0;
  private subscriber: Subscriber | null;
  /** The turn folded from every event the buffer has dropped (what a snapshot starts from). */
  private base: TurnState;
  private waiters: (() => void)[] = [];
  terminalWritten = false;

  constructor(
    readonly turnId: string,
    limitBytes: number,
    subscriber: Subscriber | null,
  ) {
    this.buffer = new ReplayBuffer(limitBytes);
    this.subscriber = subscriber;
    this.base = createTurn({ startedAt: 0 });
  }

  get attached(): Subscriber | null {
    return this.subscriber;
  }

  get stats() {
    return {
      events: this.seq,
      bufferedBytes: this.buffer.bytes,
      peakBytes: this.buffer.peakBytes,
      dropped: this.buffer.dropped,
      limitBytes: this.buffer.limitBytes,
    };
  }

  /** The id of the last event written (what a snapshot now covers). */
  get lastId(): string {
    return eventIdOf(this.turnId, this.seq);
  }

  write(event: RelayEvent): boolean {
    const seq = ++this.seq;
    const data = JSON.stringify(event);
    if (event.type === 'terminal') this.terminalWritten = true;
    for (const old of this.buffer.push({ seq, event, data, bytes: Buffer.byteLength(data) }))
      this.base = applyRelayEvent(this.base, old.event, old.event.t);
    return this.subscriber ? this.subscriber.write(event, eventIdOf(this.turnId, seq), data) : true;
  }

  drain(): Promise<void> {
    const subscriber = this.subscriber;
    if (!subscriber) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      void subscriber.drain().then(resolve);
    });
  }

  /** The reader has every event up to `seq`: the attached subscriber is told (an id this turn never sent is not). */
  acknowledge(seq: number): void {
    if (seq <= this.seq) this.subscriber?.acknowledged?.(seq);
  }

  /** The subscriber let go (its connection closed); the turn goes on, buffered. */
  detach(subscriber: Subscriber): boolean {
    if (this.subscriber !== subscriber) return false;
    this.subscriber = null;
    this.release();
    return true;
  }

  /**
   * Attaches `subscriber` after the event it last had (`afterSeq`; null: it has nothing, or named
   * an event this turn never sent): the missed events with their ids, or a snapshot, then live.
   */
  attach(subscriber: Subscriber, afterSeq: number | null): AttachResult {
    const previous = this.subscriber;
    this.subscriber = null;
    this.release();
    if (previous && previous !== subscriber) previous.superseded?.();
    let result: AttachResult;
    const known = afterSeq !== null && afterSeq <= this.seq;
    if (known && afterSeq + 1 >= this.buffer.firstSeq(this.seq + 1)) {
      const missed = this.buffer.after(afterSeq);
      for (const e of missed) subscriber.write(e.event, eventIdOf(this.turnId, e.seq), e.data);
      result = { replayed: missed.length, snapshot: false };
    } else {
      subscriber.write(this.snapshot(), this.lastId);
      result = { replayed: 0, snapshot: true };
      // A snapshot cannot carry the terminal's outcome and numbers: the terminal follows it.
      const last = this.buffer.after(this.seq - 1)[0];
      if (this.terminalWritten && last?.event.type === 'terminal')
        subscriber.write(last.event, eventIdOf(this.turnId, last.seq), last.data);
    }
    this.subscriber = subscriber;
    return result;
  }

  /** The turn so far: what the buffer dropped, folded, and then what it holds. */
  snapshot(): Extract<RelayEvent, { type: 'snapshot' }> {
    let turn = this.base;
    for (const e of this.buffer.after(0))
      if (e.event.type !== 'terminal') turn = applyRelayEvent(turn, e.event, e.event.t);
    const t = performance.now();
    return { type: 'snapshot', turnId: this.turnId, t, turn: snapshotOf(turn) };
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
