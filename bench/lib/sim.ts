// One simulated provider for a whole benchmark, in this process, so its write times share our
// clock. Per request it keeps totals always, and every write only while `keepWrites` is on: a
// 50 MB firehose must not fill the heap the backpressure benchmark is measuring.
import {
  SIM_HEADERS,
  startSimulatedProvider,
  type SimLogEntry,
  type SimulatedProvider,
  type SimWrite,
} from '../../src/main/providers/simulated';

export type RequestTotals = { bytes: number; deltas: number; firstDeltaAt: number; lastWriteAt: number };

export type BenchSim = {
  url: string;
  provider: SimulatedProvider;
  /** Record each write (for per-event latency) or only the totals. */
  keepWrites: boolean;
  writes(requestId: string): SimWrite[];
  /**
   * The answer-text deltas a request wrote, in order, on either wire: `content_block_delta` on the
   * Messages API (sim-text, which every benchmark uses, has no other deltas), `text_delta` chunks
   * (`delta.content`) on Chat Completions, not its role, finish or usage chunks.
   */
  deltaWrites(requestId: string): SimWrite[];
  totals(requestId: string): RequestTotals | undefined;
  /** Totals of the request writing right now (the latest one to write). */
  latest(): RequestTotals | undefined;
  /** performance.now() when the request's log entry was written (it ended). */
  endedAt(requestId: string): number | undefined;
  /** The next request to end (each entry handed out once, in end order). */
  nextEnd(): Promise<SimLogEntry>;
  /** The next request to end within `ms`, or null (and then nothing is taken). */
  nextEndWithin(ms: number): Promise<SimLogEntry | null>;
  /** Forgets every ended request not yet handed out: the next benchmark starts clean. */
  drain(): void;
  /** Drops what was recorded for a request. */
  forget(requestId: string): void;
  close(): Promise<void>;
};

/** An answer-text delta on either wire (see BenchSim.deltaWrites). */
const isTextDelta = (w: SimWrite): boolean =>
  w.eventType === 'content_block_delta' || w.eventType === 'text_delta';

export async function startBenchSim(): Promise<BenchSim> {
  const writes = new Map<string, SimWrite[]>();
  const totals = new Map<string, RequestTotals>();
  const ended = new Map<string, number>();
  let latest: RequestTotals | undefined;
  const endedQueue: SimLogEntry[] = [];
  const waiters: ((e: SimLogEntry) => void)[] = [];
  const bench: BenchSim = {
    url: '',
    provider: undefined as unknown as SimulatedProvider,
    keepWrites: true,
    writes: (id) => writes.get(id) ?? [],
    deltaWrites: (id) => (writes.get(id) ?? []).filter(isTextDelta),
    totals: (id) => totals.get(id),
    latest: () => latest,
    endedAt: (id) => ended.get(id),
    nextEnd: () =>
      new Promise((resolve) => {
        const entry = endedQueue.shift();
        if (entry) resolve(entry);
        else waiters.push(resolve);
      }),
    nextEndWithin: (ms) =>
      new Promise((resolve) => {
        const entry = endedQueue.shift();
        if (entry) return resolve(entry);
        const waiter = (e: SimLogEntry) => {
          clearTimeout(timer);
          resolve(e);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          resolve(null);
        }, ms);
        waiters.push(waiter);
      }),
    drain() {
      for (const entry of endedQueue.splice(0)) bench.forget(entry.requestId);
    },
    forget(id) {
      writes.delete(id);
      totals.delete(id);
      ended.delete(id);
    },
    close: () => bench.provider.close(),
  };
  const provider = await startSimulatedProvider({
    log: (entry) => {
      ended.set(entry.requestId, performance.now());
      const waiter = waiters.shift();
      if (waiter) waiter(entry);
      else endedQueue.push(entry);
    },
    onWrite: (w) => {
      let t = totals.get(w.requestId);
      if (!t) {
        t = { bytes: 0, deltas: 0, firstDeltaAt: Number.NaN, lastWriteAt: w.t };
        totals.set(w.requestId, t);
      }
      latest = t;
      t.bytes += w.bytes;
      t.lastWriteAt = w.t;
      if (isTextDelta(w)) {
        if (t.deltas === 0) t.firstDeltaAt = w.t;
        t.deltas += 1;
      }
      if (bench.keepWrites) {
        let list = writes.get(w.requestId);
        if (!list) writes.set(w.requestId, (list = []));
        list.push(w);
      }
    },
  });
  bench.provider = provider;
  bench.url = provider.url;
  return bench;
}

/** The simulated provider's per-request knobs as headers. */
export function simHeaders(o: { ttftMs: number; tpotMs: number; tokens?: number }): Record<string, string> {
  return {
    [SIM_HEADERS.ttftMs]: String(o.ttftMs),
    [SIM_HEADERS.tpotMs]: String(o.tpotMs),
    ...(o.tokens === undefined ? {} : { [SIM_HEADERS.tokens]: String(o.tokens) }),
  };
}
