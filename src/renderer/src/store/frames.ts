// When the store applies a turn's queued events: before a paint, and while a stream runs at most
// once per PAINT_INTERVAL_MS. Each apply costs the page a render, a layout and a paint however few
// tokens it adds; per frame that was 15% of the main thread for a blank page appending to one
// paragraph at 100 tokens/s on a 2-core machine. Twenty applies a second still read as a stream,
// and the first event after a quiet spell (the first token, a tool's result) paints in the next frame.

/** The least time between two applies of streamed events. */
export const PAINT_INTERVAL_MS = 50;

/** Before the next paint; a hidden window gets no animation frames, and its queue must still drain. */
export const beforePaint = (callback: () => void): void => {
  if (typeof document !== 'undefined' && document.hidden) setTimeout(callback, 50);
  else requestAnimationFrame(() => callback());
};

/** `frame`, but never sooner than `intervalMs` after the last callback it ran. */
export function pacedFrames(
  frame: (callback: () => void) => void,
  intervalMs: number,
  now: () => number = () => performance.now(),
): (callback: () => void) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (callback) => {
    const run = () => {
      last = now();
      callback();
    };
    const wait = last + intervalMs - now();
    if (wait > 0) setTimeout(() => frame(run), wait);
    else frame(run);
  };
}
