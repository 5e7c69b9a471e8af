// The relay's sink for `sluice serve`: each relay event is one SSE message on the HTTP response.
// write() returns false once the response's socket is full, so a slow reader fills it, the engine
// stops pulling and TCP pushes back on the upstream. A `: ping` comment goes out whenever nothing
// else has for a ping interval, so idle-timeout proxies keep a slow-to-first-token stream open.
//
// Writes per tick: the first message of a tick goes to the socket at once (uncorked: Node's own
// res.write holds it corked until the microtask queue has drained, and the work that follows an
// event in the same tick — the next events, the end of a turn and its final save — held it back
// by tens of milliseconds). The messages that follow it in the same tick wait as one batch, written
// once on the next tick, when Node would have sent them anyway: one chunk for a burst instead of
// one per event. The terminal goes out at once with whatever waits before it.
//
// And a dense stream's socket writes are WRITE_SPACING_MS apart at least. Once DENSE_RUN events in a
// row have come less than DENSE_GAP_MS apart (thousands of deltas a second), a message that comes
// sooner than the spacing after the last write waits for it, in one batch with the ones after it:
// about 150 chunks a second at 2,000 deltas/s where there were 770, and the reader pays its
// per-chunk cost (a browser's task, promise and decode for each) that often, not once per upstream
// packet. A stream with gaps (a model at 200 tokens a second, the real API's bursts with pauses
// between) is written as it comes, never held.
//
// Joined deltas: in a batch, consecutive deltas of one block (text, thinking or tool input; same
// step and index) go out as one SSE message carrying their text joined, with the last part's id
// (a re-attach resumes after all of them) and the first part's receive time. The reader parses one
// message, not a dozen. A joined message holds more text per byte, so a reader that does not read
// would let the provider run further ahead through the kernel's socket buffers: deltas join only
// while the reader has acknowledged (POST /api/turns/:id/ack, which the page sends as it reads) an
// event at most JOIN_AHEAD_EVENTS back. A reader that never acknowledges (curl, the CLI, any other
// client) gets one message per event, and one that stops reading (a stuck tab) soon does again.
import type { ServerResponse } from 'node:http';
import { seqOfEventId } from '../../shared/event-id';
import type { RelayEvent } from '../../shared/protocol';
import {
  continuesRun,
  joined,
  mergeableKind,
  partOf,
  type DeltaKind,
  type ProviderRelayEvent,
} from '../relay/coalesce';
import type { Subscriber } from '../relay/replay';
import { BASE_HEADERS } from './http';

export const SSE_HEADERS: Record<string, string> = {
  ...BASE_HEADERS,
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
};

/** The least time between two writes to the socket in a dense stream; events that come sooner wait. */
export const WRITE_SPACING_MS = 8;
/** Events closer together than this count toward a dense run. */
export const DENSE_GAP_MS = 2;
/** How many close events in a row make a stream dense. */
const DENSE_RUN = 8;

export type SsePacing = { writeSpacingMs: number; denseGapMs: number };
const PACING: SsePacing = { writeSpacingMs: WRITE_SPACING_MS, denseGapMs: DENSE_GAP_MS };
/** A batch this long goes at once, spacing or not: what waits in user space stays small. */
const MAX_BATCH_CHARS = 64 * 1024;
/** Deltas join only while the reader has acknowledged an event at most this many events back. */
export const JOIN_AHEAD_EVENTS = 4096;

/** The open message at the end of a batch: a delta, and the ones of its block that joined it. */
type Run = {
  first: ProviderRelayEvent;
  kind: DeltaKind;
  /** The first part's message, as written when nothing joins it. */
  frame: string;
  parts: string[];
  chars: number;
  /** The last part's id. */
  id: string;
};

/** One SSE message. */
const frameOf = (id: string, type: string, data: string) => `id: ${id}\nevent: ${type}\ndata: ${data}\n\n`;

export type SseStats = {
  /** Bytes handed to res.write (events and pings). */
  bytesWritten: number;
  /** The most the response ever held unsent in user space (res.writableLength), in bytes. */
  peakBufferedBytes: number;
  events: number;
  pings: number;
  /** Deltas sent inside another delta's message (joined), not as messages of their own. */
  joined: number;
};

export class SseSink implements Subscriber {
  private nextId = 1;
  private lastWriteAt = 0;
  private pingTimer: ReturnType<typeof setTimeout> | null = null;
  private ended = false;
  /** Messages written since the last socket write, joined; sent on the next tick or at the spacing. */
  private batch = '';
  /** The batch's last message while deltas may still join it. */
  private run: Run | null = null;
  /** The newest event the reader has acknowledged; null until it does. */
  private ackedSeq: number | null = null;
  private flushQueued = false;
  private spacingTimer: ReturnType<typeof setTimeout> | null = null;
  private lastSocketWriteAt = Number.NEGATIVE_INFINITY;
  private lastMessageAt = Number.NEGATIVE_INFINITY;
  /** Messages in a row, up to this one, that came less than denseGapMs after the one before. */
  private denseRun = 0;
  terminalWritten = false;
  readonly stats: SseStats = {
    bytesWritten: 0,
    peakBufferedBytes: 0,
    events: 0,
    pings: 0,
    joined: 0,
  };

  constructor(
    private readonly res: ServerResponse,
    private readonly pingIntervalMs: number,
    private readonly pacing: SsePacing = PACING,
  ) {}

  private get closed(): boolean {
    return this.ended || this.res.destroyed || this.res.writableEnded;
  }

  /** Sends the headers at once: the client learns the stream is open before the first event. */
  open(): void {
    if (this.res.headersSent || this.closed) return;
    this.res.writeHead(200, SSE_HEADERS);
    this.res.flushHeaders();
    this.res.socket?.setNoDelay(true);
    this.lastWriteAt = performance.now();
    this.schedulePing(this.pingIntervalMs);
  }

  /** `id` and `data`: the turn feed's event id and JSON (relay/replay.ts); else numbered here. */
  write(event: RelayEvent, id?: string, data?: string): boolean {
    // A closed sink accepts and drops: the turn goes on (detached) or is ending on its own.
    if (this.closed) return true;
    this.open();
    if (event.type === 'terminal') this.terminalWritten = true;
    this.stats.events += 1;
    const eventId = id ?? String(this.nextId++);
    const frame = frameOf(eventId, event.type, data ?? JSON.stringify(event));
    const kind = mergeableKind(event);
    const join =
      kind &&
      event.type === 'provider' &&
      this.ackedSeq !== null &&
      seqOfEventId(eventId) - this.ackedSeq <= JOIN_AHEAD_EVENTS
        ? { event, kind, id: eventId }
        : null;
    const ok = this.send(frame, join);
    if (event.type !== 'terminal') return ok;
    // Nothing follows the terminal: what waits goes now, not after the turn's final save.
    return this.flush();
  }

  /** The reader has every event up to `seq`: deltas after it may join (see JOIN_AHEAD_EVENTS). */
  acknowledged(seq: number): void {
    this.ackedSeq = Math.max(this.ackedSeq ?? 0, seq);
  }

  /** A newer connection re-attached to the turn: this one ends here. */
  superseded(): void {
    this.end();
  }

  drain(): Promise<void> {
    return new Promise((resolve) => {
      // Resolved at once while the socket takes more: a batch waiting for its tick is bounded by
      // what the engine may hold (its pending bound), and the write after it sees a full socket.
      if (this.closed || !this.res.writableNeedDrain) return resolve();
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** Ends the response after the terminal event (or drops it if the client already left). */
  end(): void {
    this.stopPings();
    if (this.closed) return;
    this.flush();
    this.ended = true;
    this.res.end();
  }

  /**
   * Sends a message now, unless a dense stream wrote the socket less than a spacing ago: then
   * batched. `join`: the message is a delta that may join the batch's last message.
   */
  private send(
    frame: string,
    join: { event: ProviderRelayEvent; kind: DeltaKind; id: string } | null = null,
  ): boolean {
    const now = performance.now();
    this.lastWriteAt = now;
    this.denseRun = now - this.lastMessageAt < this.pacing.denseGapMs ? this.denseRun + 1 : 0;
    this.lastMessageAt = now;
    if (this.flushQueued) {
      this.append(frame, join);
      if (this.batch.length + (this.run?.chars ?? 0) >= MAX_BATCH_CHARS) return this.flush();
      return !this.res.writableNeedDrain;
    }
    this.flushQueued = true;
    const wait = this.lastSocketWriteAt + this.pacing.writeSpacingMs - now;
    if (this.denseRun >= DENSE_RUN && wait > 0) {
      this.append(frame, join);
      this.spacingTimer = setTimeout(() => this.flush(), wait);
      return !this.res.writableNeedDrain;
    }
    process.nextTick(() => this.flush());
    return this.writeNow(frame);
  }

  /** Adds a message to the batch: into its last message when it continues that one's block. */
  private append(
    frame: string,
    join: { event: ProviderRelayEvent; kind: DeltaKind; id: string } | null,
  ): void {
    const run = this.run;
    if (join && run && continuesRun(run.first, run.kind, join.event, join.kind)) {
      const part = partOf(join.event, join.kind);
      run.parts.push(part);
      run.chars += part.length;
      run.id = join.id;
      return;
    }
    this.closeRun();
    if (!join) {
      this.batch += frame;
      return;
    }
    const part = partOf(join.event, join.kind);
    this.run = { first: join.event, kind: join.kind, frame, parts: [part], chars: frame.length, id: join.id };
  }

  /** Puts the open message into the batch: as it came, or with the parts that joined it. */
  private closeRun(): void {
    const run = this.run;
    if (!run) return;
    this.run = null;
    if (run.parts.length === 1) {
      this.batch += run.frame;
      return;
    }
    this.stats.joined += run.parts.length - 1;
    const event = joined(run.first, run.kind, run.parts.join(''));
    this.batch += frameOf(run.id, event.type, JSON.stringify(event));
  }

  /** Writes the batch (if any) now; returns whether the socket takes more. */
  private flush(): boolean {
    this.flushQueued = false;
    if (this.spacingTimer) clearTimeout(this.spacingTimer);
    this.spacingTimer = null;
    this.closeRun();
    const text = this.batch;
    this.batch = '';
    if (text === '' || this.closed) return !this.res.writableNeedDrain;
    return this.writeNow(text);
  }

  /** One res.write, handed to the socket before this returns (not at Node's next-tick uncork). */
  private writeNow(text: string): boolean {
    this.lastSocketWriteAt = performance.now();
    this.stats.bytesWritten += Buffer.byteLength(text);
    const socket = this.res.socket;
    const corked = socket?.writableCorked ?? 0;
    const ok = this.res.write(text);
    // res.write corked the socket until the next tick; undo only that cork, never another's.
    if (socket && socket.writableCorked > corked) socket.uncork();
    this.stats.peakBufferedBytes = Math.max(this.stats.peakBufferedBytes, this.res.writableLength);
    return ok;
  }

  private schedulePing(delayMs: number): void {
    this.pingTimer = setTimeout(() => this.ping(), delayMs);
    this.pingTimer.unref();
  }

  private ping(): void {
    this.pingTimer = null;
    if (this.closed) return;
    const quietFor = performance.now() - this.lastWriteAt;
    if (quietFor < this.pingIntervalMs) return this.schedulePing(this.pingIntervalMs - quietFor);
    // A reader that is behind is not idle: the bytes it has yet to read keep the connection alive.
    if (!this.res.writableNeedDrain) {
      this.stats.pings += 1;
      this.send(': ping\n\n');
    }
    this.schedulePing(this.pingIntervalMs);
  }

  private stopPings(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = null;
  }
}
