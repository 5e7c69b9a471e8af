// Writes a scenario's steps as SSE: waits between them, stops the moment the client goes away,
// waits for 'drain' when the socket is full (a slow reader pauses the provider), and yields to the
// event loop during bursts so a TPOT-0 firehose never starves other connections.
//
// The waits keep the answer's own clock, as a model's generation does (see `pace`): an event is
// due a delay after the previous one was due, not a delay after it went out late, so streams
// started apart stay apart instead of falling into step whenever the event loop they share with
// the relay (in tests and the bench) is busy. A full socket restarts the clock: a slow reader
// pauses the provider.
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Exchange } from './exchange';
import { frame, PING } from './sse';
import type { SimEndReason, SimWrite, SseEvent, Step } from './types';

/** Events with no delay between them go out together, up to this many bytes per write… */
const BATCH_BYTES = 16 * 1024;
/** …and this many events before other connections get a turn. */
const BURST = 256;

/**
 * When the next event goes out: `delayMs` after the previous one was `due`, the little lateness of
 * a busy event loop made up by waiting less. Late by more than half the delay (the process was
 * stalled), the ticks missed are skipped, not paid in a burst — events stay at least half a delay
 * apart — and the clock keeps its phase, so streams that were apart stay apart after the stall.
 */
export function pace(due: number, now: number, delayMs: number): { due: number; waitMs: number } {
  let next = due + delayMs;
  const late = now - next;
  if (late > delayMs / 2) next += Math.ceil((late - delayMs / 2) / delayMs) * delayMs;
  return { due: next, waitMs: Math.max(0, next - now) };
}

export type StreamOptions = {
  requestId: string;
  /** Emit pings after this much silence (x-sluice-sim-ping-ms), or never. */
  pingMs: number | null;
  onWrite: ((write: SimWrite) => void) | undefined;
  /** The wire's heartbeat: the Messages API's ping event, or an SSE comment. */
  ping?: SseEvent;
};

export async function writeStream(
  steps: Iterable<Step>,
  ex: Exchange,
  opts: StreamOptions,
): Promise<SimEndReason> {
  const { res } = ex;
  let eventIndex = 0;
  let lastWrite = performance.now();
  let batch = '';
  let batched: [SseEvent, number][] = [];
  let batchBytes = 0;

  const queue = (event: SseEvent): void => {
    const text = frame(event);
    const size = Buffer.byteLength(text);
    batch += text;
    batched.push([event, size]);
    batchBytes += size;
  };

  const account = (event: SseEvent, bytes: number): void => {
    ex.bytesWritten += bytes;
    if (event.countsAsToken) ex.tokens += 1;
    // A token a dialect holds back, or a delay with nothing to send: nothing was written.
    if (bytes === 0) return;
    opts.onWrite?.({
      requestId: opts.requestId,
      eventIndex: eventIndex++,
      eventType: event.type,
      bytes,
      t: lastWrite,
    });
  };

  /** Hands the batch to the socket; only then do its events count as written. */
  const flush = (): boolean => {
    if (batched.length === 0) return true;
    const ok = res.write(batch);
    lastWrite = performance.now();
    for (const [event, size] of batched) account(event, size);
    batch = '';
    batched = [];
    batchBytes = 0;
    return ok;
  };

  /** Resolves true when the socket was full and the provider had to wait for the reader. */
  const flushAndDrain = async (): Promise<boolean> => {
    if (flush()) return false;
    await ex.drain();
    return true;
  };

  /** Silence for `ms` (Infinity: until the client leaves), broken by pings if the request asked for them. */
  const silence = async (ms: number): Promise<void> => {
    const until = performance.now() + ms;
    const { pingMs } = opts;
    if (pingMs === null) return ex.sleep(ms);
    for (let now = performance.now(); now < until && !ex.closed; now = performance.now()) {
      const due = lastWrite + pingMs;
      if (now < due) await ex.sleep(Math.min(until, due) - now);
      else {
        queue(opts.ping ?? PING);
        flush();
      }
    }
  };

  let fault = false;
  let burst = 0;
  /** When the next event is due on the answer's clock. */
  let due = performance.now();
  for (const step of steps) {
    if (ex.closed) return 'client-closed';
    if (step.kind === 'stall' || step.delayMs > 0) {
      if (await flushAndDrain()) due = performance.now();
      let wait = Infinity;
      if (step.kind !== 'stall') ({ due, waitMs: wait } = pace(due, performance.now(), step.delayMs));
      // The client may leave during any await: `ex.closed` is set by the socket's 'close' (TS#9998).
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
      if (!ex.closed && wait > 0) await silence(wait);
      if (step.kind === 'stall') return 'client-closed';
      if (wait > 0) burst = 0;
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
      if (ex.closed) return 'client-closed';
    }
    if (step.kind === 'drop') {
      await flushAndDrain();
      const whole = Buffer.from(frame(step.event));
      const half = whole.subarray(0, whole.length >> 1);
      // Destroying at once would discard the half event still queued in the socket.
      const flushed = new Promise<void>((resolve) => res.write(half, () => resolve()));
      lastWrite = performance.now();
      account({ ...step.event, countsAsToken: false }, half.length);
      await Promise.race([flushed, ex.sleep(Infinity)]);
      res.socket?.destroy();
      return 'fault';
    }
    if (step.event.type === 'error') fault = true;
    queue(step.event);
    if (batchBytes >= BATCH_BYTES || ++burst >= BURST) {
      await flushAndDrain();
      if (burst >= BURST) {
        burst = 0;
        await nextTurn();
      }
    }
  }
  await flushAndDrain();
  if (ex.closed) return 'client-closed';
  res.end();
  return fault ? 'fault' : 'complete';
}
