// A scroll faster than anyone reads (a fling, the scrollbar dragged, a key held down): a row that
// comes into view then shows its text plain, without parsing its markdown, and takes its full
// form once the scroll settles (components/LazyMarkdown.tsx, through lib/idle-queue.ts). At
// reading speed every row renders in full as it comes into view.
import { createContext, useEffect, useState, type RefObject } from 'react';

export type Fling = {
  /** Whether the list is being scrolled faster than FAST_VIEWS_PER_SECOND right now. */
  fast(now?: number): boolean;
};

/** Views (the scroller's height) per second from which a scroll is a fling. */
export const FAST_VIEWS_PER_SECOND = 10;
/** A speed older than this is not the current one. */
const RECENT_MS = 100;

export const FlingContext = createContext<Fling | null>(null);

/** The scroll speed of `scroller`, read on each of its scroll events before anyone else's. */
export function createFling(): Fling & { onScroll(top: number, height: number, now: number): void } {
  let last: { top: number; at: number } | null = null;
  let speed = 0; // views per second
  let at = -Infinity;
  return {
    onScroll(top, height, now) {
      if (last && now > last.at && height > 0)
        speed = Math.abs(top - last.top) / height / ((now - last.at) / 1000);
      last = { top, at: now };
      at = now;
    },
    fast: (now = performance.now()) => now - at < RECENT_MS && speed >= FAST_VIEWS_PER_SECOND,
  };
}

export function useFling(scroller: RefObject<HTMLElement | null>): Fling {
  const [fling] = useState(createFling);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => fling.onScroll(el.scrollTop, el.clientHeight, performance.now());
    // Capture at the target runs before the virtualizer's own listener, which renders new rows.
    el.addEventListener('scroll', onScroll, { capture: true, passive: true });
    return () => el.removeEventListener('scroll', onScroll, { capture: true });
  }, [scroller, fling]);
  return fling;
}
