// Work that may wait, off the scroll path: syntax highlighting, a row's markdown after a fast
// scroll. Jobs run one at a time in the page's idle time and none while anything scrolls (the
// listener captures every scroll event of the page) or for SETTLE_MS after, newest first: what was
// asked for last is what is in view. A job whose signal aborts before its turn never runs.

/** No scroll for this long: the reader has stopped. */
export const SETTLE_MS = 150;
/** Idle time a job needs before it is started (a highlighted block or a row takes a few ms). */
const IDLE_SLICE_MS = 6;

type Job = { run: () => void; signal: AbortSignal | undefined };

export type IdleQueue = {
  /** Resolves with `work()` once its turn comes, or with null if `signal` aborts first. */
  add<T>(work: () => T, signal?: AbortSignal): Promise<T | null>;
  readonly size: number;
};

export function createIdleQueue(settleMs = SETTLE_MS): IdleQueue {
  const jobs: Job[] = [];
  let lastScroll = -Infinity;
  let waiting = false;
  if (typeof window !== 'undefined')
    window.addEventListener('scroll', () => (lastScroll = performance.now()), {
      capture: true,
      passive: true,
    });
  const idle = (cb: (deadline: { timeRemaining(): number }) => void) =>
    typeof requestIdleCallback === 'function'
      ? requestIdleCallback(cb, { timeout: 1000 })
      : setTimeout(() => cb({ timeRemaining: () => IDLE_SLICE_MS * 2 }), 0);
  const pump = () => {
    if (waiting || jobs.length === 0) return;
    waiting = true;
    const quiet = performance.now() - lastScroll;
    if (quiet < settleMs) {
      setTimeout(() => {
        waiting = false;
        pump();
      }, settleMs - quiet);
      return;
    }
    idle((deadline) => {
      waiting = false;
      let ran = false;
      // At least one job per callback: one that timed out has no time left, but must progress.
      while (jobs.length > 0 && (!ran || deadline.timeRemaining() > IDLE_SLICE_MS)) {
        if (performance.now() - lastScroll < settleMs) break;
        (jobs.pop() as Job).run();
        ran = true;
      }
      pump();
    });
  };
  return {
    add<T>(work: () => T, signal?: AbortSignal): Promise<T | null> {
      return new Promise<T | null>((resolve, reject) => {
        if (signal?.aborted) return resolve(null);
        const job: Job = {
          signal,
          run: () => {
            try {
              resolve(work());
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          },
        };
        signal?.addEventListener(
          'abort',
          () => {
            const at = jobs.indexOf(job);
            if (at >= 0) jobs.splice(at, 1);
            resolve(null);
          },
          { once: true },
        );
        jobs.push(job);
        pump();
      });
    },
    get size() {
      return jobs.length;
    },
  };
}

let shared: IdleQueue | null = null;

/** The page's one queue: highlighting and rows take turns, so only one job runs at a time. */
export const sharedIdleQueue = (): IdleQueue => (shared ??= createIdleQueue());
