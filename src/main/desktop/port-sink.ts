// A RelaySink over one turn's MessagePort. Events go out in numbered batches; the page acknowledges
// them, and at most `window` batches may be unacknowledged. Nothing waits on a timer: the first
// write of a tick opens a batch that is posted at the end of that tick (a microtask), so events
// written together travel together and a lone event leaves at once. When the window is full,
// write() returns false and the next events are held as one batch until an ack opens the window —
// the engine stops pulling upstream meanwhile, so TCP pushes back on the provider. If the port
// closes, writes are dropped (the sink reports itself drained) and onDisconnect fires once.
import { DEFAULT_ACK_WINDOW, type BatchMessage } from '../../shared/port-protocol';
import type { RelayEvent, TerminalEvent } from '../../shared/protocol';
import type { Subscriber } from '../relay/replay';

/** The main process's end of a turn's port (a MessagePortMain, or a Node MessagePort in tests). */
export interface BatchPort {
  postMessage(message: BatchMessage): void;
  close(): void;
}

export type PortSinkOptions = {
  /** Unacknowledged batches allowed in flight. */
  window?: number;
  /** The port closed before the page had the terminal event: the page is gone mid-turn. */
  onDisconnect?: () => void;
};

export type PortSinkStats = { batches: number; events: number; acked: number; peakUnacked: number };

export class PortSink implements Subscriber {
  private readonly window: number;
  private posted = 0;
  private acked = 0;
  private open: RelayEvent[] | null = null;
  private held: RelayEvent[] = [];
  private waiters: (() => void)[] = [];
  private closed = false;
  private finishing = false;
  /** Sequence number of the batch that carried the terminal event (0: not sent yet). */
  private terminalSeq = 0;
  private eventsPosted = 0;
  private peakUnacked = 0;

  constructor(
    private readonly port: BatchPort,
    private readonly options: PortSinkOptions = {},
  ) {
    this.window = Math.max(1, options.window ?? DEFAULT_ACK_WINDOW);
  }

  get stats(): PortSinkStats {
    return {
      batches: this.posted,
      events: this.eventsPosted,
      acked: this.acked,
      peakUnacked: this.peakUnacked,
    };
  }

  private get windowFull(): boolean {
    return this.posted - this.acked >= this.window;
  }

  /** How the turn ended, once its terminal went out on this port. */
  terminalOutcome: TerminalEvent['outcome'] | null = null;

  write(event: RelayEvent): boolean {
    if (this.closed) return true;
    if (event.type === 'terminal') this.terminalOutcome = event.outcome;
    if (this.windowFull || this.held.length > 0) {
      this.held.push(event);
      return false;
    }
    if (!this.open) {
      this.open = [];
      // A promise microtask, not queueMicrotask or a timer: fake timers cannot hold it back.
      void Promise.resolve().then(() => this.postOpen());
    }
    this.open.push(event);
    return true;
  }

  drain(): Promise<void> {
    if (this.closed || (!this.windowFull && this.held.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The page acknowledged every batch up to `seq`. Out-of-range acks are ignored. */
  ack(seq: number): void {
    if (this.closed || !Number.isSafeInteger(seq) || seq <= this.acked || seq > this.posted) return;
    this.acked = seq;
    if (this.held.length > 0 && !this.windowFull) {
      const held = this.held;
      this.held = [];
      this.post(held);
    }
    if (!this.windowFull) this.release();
    this.closeIfSettled();
  }

  /** The turn has ended: close the port once the page has acknowledged everything. */
  finish(): void {
    this.finishing = true;
    this.closeIfSettled();
  }

  /** A newer port took the turn over: this one is let go (its page is gone). */
  superseded(): void {
    this.disconnected();
  }

  /** The port closed, or the page is known to be gone (then our end is closed too). */
  disconnected(): void {
    if (this.closed) return;
    this.closed = true;
    this.open = null;
    this.held = [];
    this.release();
    this.closePort();
    // A page that has the terminal may close its end before the turn's final save is done.
    const pageHasTerminal = this.terminalSeq > 0 && this.acked >= this.terminalSeq;
    if (!this.finishing && !pageHasTerminal) this.options.onDisconnect?.();
  }

  private postOpen(): void {
    const events = this.open;
    this.open = null;
    if (events && !this.closed) this.post(events);
    this.closeIfSettled();
  }

  private post(events: RelayEvent[]): void {
    this.posted += 1;
    this.eventsPosted += events.length;
    if (events.some((e) => e.type === 'terminal')) this.terminalSeq = this.posted;
    this.peakUnacked = Math.max(this.peakUnacked, this.posted - this.acked);
    try {
      this.port.postMessage({ type: 'batch', seq: this.posted, events });
    } catch {
      this.disconnected();
    }
  }

  private closeIfSettled(): void {
    if (!this.finishing || this.closed || this.open || this.held.length > 0 || this.acked < this.posted)
      return;
    this.closed = true;
    this.release();
    this.closePort();
  }

  private closePort(): void {
    try {
      this.port.close();
    } catch {
      // Already gone with its page.
    }
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
