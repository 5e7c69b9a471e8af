// The sidebar's conversations: grouped (lib/groups.ts: Pinned, Today, … Older), each group's name a
// heading in its first row, and virtualized as MessageList is (@tanstack/react-virtual): from
// VIRTUAL_FROM rows on, only the rows near the view are in the page, in normal flow between two
// spacers, each measured once shown. It stays one list to a screen reader: every row says its place
// in the whole (aria-setsize, aria-posinset), and the list says its length (data-count).
//
// Rows are keyed by conversation, so one being renamed or confirmed keeps its state, and the row
// holding focus is always rendered however far the list scrolls. Arrow keys, Home and End move
// between rows (scrolling the one reached into view first); the active conversation is scrolled
// into view when it opens (from a search hit, a shortcut).
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import {
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type RefObject,
} from 'react';
import type { ConversationSummary } from '../../../shared/protocol';
import { groupConversations, type GroupName } from '../lib/groups';
import { ConversationItem } from './ConversationItem';

/** From this many conversations on, only the rows near the view are rendered. */
export const VIRTUAL_FROM = 60;
/** Rows rendered beyond each edge of the view. */
const OVERSCAN = 6;
/**
 * A row's height before it is measured (layout.css: two lines and their padding; a heading above),
 * as Chromium lays it out (56.6 px, a heading 27.2 px more): close estimates keep the first screen's
 * range when the rows are measured, so that measuring re-renders only the spacers.
 */
const ROW_PX = 57;
const HEADING_PX = 27;
const GROUP_GAP_PX = 10;

type Row = { summary: ConversationSummary; heading: GroupName | null };

const MOVES: Record<string, (at: number, count: number) => number> = {
  ArrowDown: (at, count) => Math.min(at + 1, count - 1),
  ArrowUp: (at) => Math.max(at - 1, 0),
  Home: () => 0,
  End: (_, count) => count - 1,
};

const indexOf = (el: EventTarget | null): number | null => {
  const row = el instanceof Element ? el.closest<HTMLElement>('[data-index]') : null;
  return row ? Number(row.dataset['index']) : null;
};

export function ConversationList({
  conversations,
  now,
  activeId,
  streaming,
  scroller,
}: {
  conversations: readonly ConversationSummary[];
  now: number;
  activeId: string | null;
  streaming: readonly string[];
  /** The element that scrolls the list (the sidebar's nav). */
  scroller: RefObject<HTMLElement | null>;
}) {
  const rows = useMemo<Row[]>(
    () =>
      groupConversations(conversations, now).flatMap((g) =>
        g.items.map((summary, k) => ({ summary, heading: k === 0 ? g.name : null })),
      ),
    [conversations, now],
  );
  const count = rows.length;
  const virtual = count >= VIRTUAL_FROM;

  // Where the rows begin inside the scroller (below an error or notice, the nav's padding).
  const list = useRef<HTMLUListElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  const empty = count === 0;
  useLayoutEffect(() => {
    const el = list.current;
    const outer = scroller.current;
    if (el && outer)
      setScrollMargin(el.getBoundingClientRect().top - outer.getBoundingClientRect().top + outer.scrollTop);
  }, [scroller, empty]);

  const estimateSize = (i: number) =>
    ROW_PX + (rows[i]?.heading ? HEADING_PX + (i > 0 ? GROUP_GAP_PX : 0) : 0);
  // The conversation whose row holds focus: rendered wherever the view is.
  const focused = useRef<string | null>(null);
  // The compiler skips this component (the virtualizer's functions are not memoizable).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer<HTMLElement, HTMLLIElement>({
    count,
    enabled: virtual,
    getScrollElement: () => scroller.current,
    estimateSize,
    // A hidden sidebar (the closed drawer, collapsed) lays nothing out: a row measured there keeps
    // its estimate instead of 0, or the whole list would seem to fit in the view.
    measureElement: (el, entry, instance) => {
      const height = entry?.borderBoxSize[0]?.blockSize ?? el.offsetHeight;
      return height > 0 ? height : estimateSize(instance.indexFromElement(el));
    },
    getItemKey: (i) => rows[i]?.summary.id ?? i,
    overscan: OVERSCAN,
    scrollMargin,
    rangeExtractor: (range: Range) => {
      const shown = defaultRangeExtractor(range);
      const keep = focused.current === null ? -1 : rows.findIndex((r) => r.summary.id === focused.current);
      return keep < 0 || shown.includes(keep) ? shown : [...shown, keep].sort((a, b) => a - b);
    },
    initialRect: { width: 280, height: typeof window === 'undefined' ? 900 : window.innerHeight },
  });
  const items = virtual ? virtualizer.getVirtualItems() : [];
  const shown: { key: string | number | bigint; index: number }[] = virtual
    ? items
    : rows.map((r, index) => ({ key: r.summary.id, index }));
  // The spacers, and a gap above a row kept (focused) away from the view.
  const before = items[0] ? items[0].start - scrollMargin : 0;
  const gapAbove = (k: number) => {
    const here = items[k];
    const prev = items[k - 1];
    return here && prev && here.start > prev.end ? here.start - prev.end : 0;
  };
  const after = items.length > 0 ? virtualizer.getTotalSize() - ((items.at(-1)?.end ?? 0) - scrollMargin) : 0;

  // A key moved focus to a row that may not be rendered yet: scrolled to, then focused.
  const [focusTo, setFocusTo] = useState<number | null>(null);
  const focusShown = focusTo !== null && shown.some((v) => v.index === focusTo);
  useEffect(() => {
    if (focusTo === null || !focusShown) return;
    setFocusTo(null);
    const button = list.current?.querySelector<HTMLElement>(`[data-index="${focusTo}"] .conversation-open`);
    button?.focus();
    button?.scrollIntoView({ block: 'nearest' });
  }, [focusTo, focusShown]);
  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const move = MOVES[e.key];
    const at = indexOf(e.target);
    // Only from a row's buttons: the rename field keeps its keys.
    if (
      !move ||
      at === null ||
      !(e.target instanceof HTMLButtonElement) ||
      e.altKey ||
      e.ctrlKey ||
      e.metaKey
    )
      return;
    e.preventDefault();
    const next = move(at, count);
    if (virtual) virtualizer.scrollToIndex(next, { align: 'auto' });
    setFocusTo(next);
  };

  // The active conversation opened from elsewhere (a search hit, a shortcut): its row comes into view.
  const activeIndex = activeId === null ? -1 : rows.findIndex((r) => r.summary.id === activeId);
  const activeListed = activeIndex >= 0;
  useEffect(() => {
    if (!activeListed) return;
    if (virtual) virtualizer.scrollToIndex(activeIndex, { align: 'auto' });
    else list.current?.querySelector(`[data-index="${activeIndex}"]`)?.scrollIntoView({ block: 'nearest' });
    // Only when another conversation opens (or its row first arrives), not each time the list reorders.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [activeId, activeListed]);

  return (
    <ul
      ref={list}
      className="conversation-list"
      data-testid="conversation-list"
      data-count={count}
      data-virtual={virtual}
      style={{ paddingTop: before, paddingBottom: after }}
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        const at = indexOf(e.target);
        focused.current = at === null ? null : (rows[at]?.summary.id ?? null);
      }}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget)) focused.current = null;
      }}
    >
      {shown.map((v, k) => {
        const row = rows[v.index];
        const gap = virtual ? gapAbove(k) : 0;
        if (!row) return null;
        const { summary, heading } = row;
        return (
          <li
            key={String(v.key)}
            className="conversation-row"
            data-index={v.index}
            data-heading={heading !== null}
            aria-setsize={count}
            aria-posinset={v.index + 1}
            style={gap ? { marginTop: gap } : undefined}
            ref={virtual ? virtualizer.measureElement : undefined}
          >
            {heading && (
              <h2 className="conversation-group-name" data-testid="conversation-group" data-group={heading}>
                {heading}
              </h2>
            )}
            <ConversationItem
              summary={summary}
              active={summary.id === activeId}
              streaming={streaming.includes(summary.id)}
            />
          </li>
        );
      })}
    </ul>
  );
}
