// Hands relay events to a sink, honouring backpressure. While the sink keeps up every event goes
// out at once (no timer, no batching). When it refuses, events wait in a bounded PendingEvents
// (deltas merged); past the bound `deliver` does not return until the sink drains, so the engine
// stops pulling from the provider's iterator and TCP pushes back on the upstream.
import type { RelayEvent } from '../../shared/protocol';
import { PendingEvents } from './coalesce';

export interface RelaySink {
  /** Takes one event. Returns false when the sink cannot take more for now. */
  write(event: RelayEvent): boolean;
  /** Resolves when the sink can take more, or is closed (a closed sink accepts and drops). */
  drain(): Promise<void>;
}

export class Delivery {
  private readonly pending = new PendingEvents();
  private full = false;
  private draining: Promise<void> | null = null;
  /** Largest amount held while the sink was full (approximate characters). */
  peakPending = 0;

  /** Called around waits on the sink, so the idle watchdog does not count them as upstream silence. */
  onWait: (waiting: boolean) => void = () => {};

  constructor(
    private readonly sink: RelaySink,
    private readonly limit: number,
  ) {}

  get mergedEvents(): number {
    return this.pending.mergedCount;
  }

  /**
   * Returns a promise only when the caller must wait (more than the bound is held): the engine
   * delivers every delta, and an await per event costs more than the rest of the relay's work.
   */
  deliver(event: RelayEvent): Promise<void> | undefined {
    if (!this.full && this.pending.length === 0) {
      this.full = !this.sink.write(event);
      // Not awaited: the events that follow wait in `pending` (bounded) until the sink drains.
      if (this.full) void this.awaitDrain();
      return undefined;
    }
    this.pending.push(event);
    this.peakPending = Math.max(this.peakPending, this.pending.size);
    return this.pending.size > this.limit ? this.settle(this.limit) : undefined;
  }

  /** Waits until at most `bound` is held (0: everything delivered). */
  async settle(bound = 0): Promise<void> {
    if (this.pending.size <= bound && (bound > 0 || this.pending.length === 0)) return;
    this.onWait(true);
    try {
      while (this.pending.length > 0 && (bound === 0 || this.pending.size > bound)) {
        await (this.draining ?? this.awaitDrain());
      }
    } finally {
      this.onWait(false);
    }
  }

  private awaitDrain(): Promise<void> {
    this.draining ??= this.sink.drain().then(() => {
      this.draining = null;
      this.full = false;
      this.flush();
    });
    return this.draining;
  }

  private flush(): void {
    while (!this.full && this.pending.length > 0) {
      const next = this.pending.shift();
      if (next) this.full = !this.sink.write(next);
    }
    if (this.full) void this.awaitDrain();
  }
}
