// Follow-the-bottom for a box whose content grows (the message list, the thinking panel). The
// decision is a small state machine (createFollower) so it can be tested without layout; the hook
// wires it to the element's scroll and wheel events and to a ResizeObserver on the content.
//
// Rules: any move up by the reader (wheel, keys, scrollbar drag: the position goes up without the
// content having shrunk) stops following at once; reaching the bottom again resumes it; content
// growing while not following marks "new below".
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

/** How close to the bottom counts as "at the bottom", in px (sub-pixel rounding, zoom). */
export const AT_BOTTOM_PX = 4;

export type Metrics = { top: number; height: number; client: number };

export type Follower = {
  readonly following: boolean;
  /** Content grew below while not following. */
  readonly newBelow: boolean;
  /** A scroll event, the reader's or ours. */
  scrolled(m: Metrics): void;
  /** A wheel turn: upward stops following before the scroll event arrives. */
  wheeled(deltaY: number): void;
  /**
   * The content grew or shrank; returns whether to scroll to the bottom now. `news`: growth now is
   * new text (a streaming answer), not a panel opened by the reader.
   */
  resized(m: Metrics, news?: boolean): boolean;
  /** Following again (Jump to latest, a new turn). */
  follow(): void;
  /** Not following: the view is taken elsewhere (a search hit) until the reader is back at the bottom. */
  release(): void;
  /** Our own programmatic scroll landed here. */
  set(m: Metrics): void;
};

const atBottom = (m: Metrics) => m.height - m.top - m.client <= AT_BOTTOM_PX;

export function createFollower(onChange?: () => void): Follower {
  let following = true;
  let newBelow = false;
  let last: Metrics | null = null;
  const update = (f: boolean, n: boolean) => {
    if (f === following && n === newBelow) return;
    following = f;
    newBelow = n;
    onChange?.();
  };
  return {
    get following() {
      return following;
    },
    get newBelow() {
      return newBelow;
    },
    scrolled(m) {
      const prev = last;
      last = m;
      if (atBottom(m)) return update(true, false);
      // Up without the content shrinking (which clamps the position) is the reader's doing.
      if (prev && m.top < prev.top - 0.5 && m.height >= prev.height) update(false, newBelow);
    },
    wheeled(deltaY) {
      if (deltaY < 0) update(false, newBelow);
    },
    resized(m, news = true) {
      const grew = last !== null && m.height > last.height;
      last = { ...m, top: last?.top ?? m.top };
      if (following) return true;
      if (news && grew && !atBottom(m)) update(false, true);
      return false;
    },
    follow() {
      update(true, false);
    },
    release() {
      update(false, newBelow);
    },
    set(m) {
      last = m;
    },
  };
}

/** Whether a box between `target` and `outer` takes a wheel turn up itself (the thinking panel in the list). */
function scrollsInside(target: EventTarget | null, outer: HTMLElement, deltaY: number): boolean {
  if (deltaY >= 0) return false;
  for (let n = target instanceof Element ? target : null; n && n !== outer; n = n.parentElement) {
    if (
      n.scrollTop > 0 &&
      n.scrollHeight > n.clientHeight &&
      /auto|scroll/.test(getComputedStyle(n).overflowY)
    )
      return true;
  }
  return false;
}

const reducedMotion = () =>
  typeof window !== 'undefined' &&
  typeof window.matchMedia === 'function' &&
  window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * Keeps `scroller` at the bottom while `content` grows, by the rules above. `reset` changing
 * follows again and jumps to the bottom; `active` false detaches everything (a collapsed panel);
 * `streaming` false: growth is not news below (the reader opened something).
 */
export function useFollowBottom<S extends HTMLElement, C extends HTMLElement>(
  options: { reset?: unknown; active?: boolean; streaming?: boolean } = {},
): {
  scroller: RefObject<S | null>;
  content: RefObject<C | null>;
  following: boolean;
  newBelow: boolean;
  jump: () => void;
  /** Stops following now, before the caller scrolls elsewhere (a search hit). */
  release: () => void;
} {
  const { reset, active = true, streaming = true } = options;
  const streamingRef = useRef(streaming);
  useEffect(() => {
    streamingRef.current = streaming;
  }, [streaming]);
  const scroller = useRef<S | null>(null);
  const content = useRef<C | null>(null);
  const [view, setView] = useState({ following: true, newBelow: false });
  const [follower] = useState(() =>
    createFollower(() => setView({ following: follower.following, newBelow: follower.newBelow })),
  );
  useEffect(() => {
    const el = scroller.current;
    const inner = content.current;
    if (!active || !el || !inner) return;
    const metrics = (): Metrics => ({ top: el.scrollTop, height: el.scrollHeight, client: el.clientHeight });
    const toBottom = () => {
      el.scrollTop = el.scrollHeight;
      follower.set(metrics());
    };
    const onScroll = () => follower.scrolled(metrics());
    const onWheel = (e: WheelEvent) => {
      if (!scrollsInside(e.target, el, e.deltaY)) follower.wheeled(e.deltaY);
    };
    const observer =
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver(() => {
            if (follower.resized(metrics(), streamingRef.current)) toBottom();
          });
    el.addEventListener('scroll', onScroll, { passive: true });
    el.addEventListener('wheel', onWheel, { passive: true });
    observer?.observe(inner);
    if (follower.following) toBottom();
    else follower.set(metrics());
    return () => {
      el.removeEventListener('scroll', onScroll);
      el.removeEventListener('wheel', onWheel);
      observer?.disconnect();
    };
  }, [active, follower]);
  useEffect(() => {
    follower.follow();
    const el = scroller.current;
    if (el) {
      el.scrollTop = el.scrollHeight;
      follower.set({ top: el.scrollTop, height: el.scrollHeight, client: el.clientHeight });
    }
  }, [reset, follower]);
  const jump = useCallback(() => {
    follower.follow();
    const el = scroller.current;
    if (!el) return;
    if (reducedMotion() || typeof el.scrollTo !== 'function') el.scrollTop = el.scrollHeight;
    else el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
  }, [follower]);
  const release = useCallback(() => follower.release(), [follower]);
  return { scroller, content, ...view, jump, release };
}
