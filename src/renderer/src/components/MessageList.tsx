// The conversation on screen. It re-renders only when the list itself changes (a turn starts or
// ends, another conversation opens): stored messages are memoized by identity, and the streaming
// answer subscribes on its own.
//
// A long conversation is virtualized (@tanstack/react-virtual): only the rows near the view are
// in the page, in normal flow between two spacers whose heights stand for the rows left out (each
// row measured once shown, estimated from its text before). Below VIRTUAL_FROM rows every row is
// rendered, as before. The live answer is the last row; its growth is measured like any other's.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ChatMessage, UserMessage as UserMessageData } from '../../../shared/protocol';
import { FlingContext, useFling } from '../lib/fling';
import { useFollowBottom } from '../lib/follow';
import { pathOf } from '../lib/path';
import { sentAttachments } from '../store';
import { useApp, useAppStore } from '../store/react';
import { AssistantEntry, textOfSteps } from './AssistantMessage';
import { Icon } from './Icon';
import { UserMessage } from './UserMessage';

const NONE: ChatMessage[] = [];

const userAttachmentsAt = (messages: readonly ChatMessage[] | undefined, index: number) => {
  const message = messages?.[index];
  return message?.role === 'user' ? (message.attachments ?? null) : null;
};

/** From this many rows on, only the rows near the view are rendered. */
export const VIRTUAL_FROM = 40;
/** Rows rendered beyond each edge of the view. */
const OVERSCAN = 3;

const estimates = new WeakMap<ChatMessage, number>();

/** A row's height before it is measured: its text's lines at the column's width, roughly. */
function estimateOf(message: ChatMessage | undefined): number {
  if (!message) return 120;
  let height = estimates.get(message);
  if (height === undefined) {
    const text = message.role === 'user' ? message.text : textOfSteps(message.steps);
    let lines = 0;
    for (const line of text.split('\n')) lines += Math.max(1, Math.ceil(line.length / 90));
    height = 48 + lines * 22 + (message.role === 'assistant' ? 40 : 0);
    estimates.set(message, height);
  }
  return height;
}

export function MessageList() {
  const view = useApp(
    useShallow((s) => {
      const live = s.live && s.live.conversationId === s.activeId ? s.live : null;
      return {
        // The versions on screen (lib/path.ts); the live turn shows what it answers.
        messages: live ? live.base : s.active ? pathOf(s.active) : NONE,
        liveKey: live?.key ?? null,
        liveTurnId: live?.turnId ?? null,
        liveUserText: live?.userText ?? null,
        // A send shows what it carries; an edit keeps the attachments of the message it replaces.
        liveAttachments: live
          ? (sentAttachments(live.request).attachments ??
            (live.request.action === 'edit' ? userAttachmentsAt(s.active?.messages, live.base.length) : null))
          : null,
        busy: s.live !== null,
        loading: s.activeId !== null && s.active === null && live === null,
        loadError: s.loadError,
      };
    }),
  );
  // Pinned to the bottom while content grows until the reader scrolls up (lib/follow); a new turn
  // or another conversation pins it again.
  const follow = useApp((s) => `${s.activeId}:${s.turnsStarted}`);
  const { scroller, content, following, newBelow, jump, release } = useFollowBottom<
    HTMLDivElement,
    HTMLDivElement
  >({
    reset: follow,
    streaming: view.busy,
  });
  const liveUser = useMemo<UserMessageData | null>(
    () =>
      view.liveUserText === null
        ? null
        : {
            id: `live-user-${view.liveKey}`,
            role: 'user',
            text: view.liveUserText,
            createdAt: 0,
            ...(view.liveAttachments ? { attachments: view.liveAttachments } : {}),
          },
    [view.liveKey, view.liveUserText, view.liveAttachments],
  );
  const { messages } = view;
  const fling = useFling(scroller);
  // A search hit clicked: once its conversation is on screen, its row is brought into view (it may
  // not be rendered yet: the virtualizer scrolls to its place first) and marked for a moment.
  const store = useAppStore();
  const scrollTo = useApp((s) => s.scrollTo);
  const [target, setTarget] = useState<number | null>(null);
  const last = messages.at(-1);
  const empty = messages.length === 0 && view.liveKey === null;
  // One flat, keyed list: an answer keeps its key (its turn id) from streaming to stored, so React
  // keeps its rendered blocks when the turn ends.
  const rows: { key: string; message: ChatMessage | null; node: ReactNode }[] = messages.map((m) =>
    m.role === 'user'
      ? {
          key: m.id,
          message: m,
          node: <UserMessage message={m} editable={!view.busy} stored />,
        }
      : {
          key: `turn-${m.turnId}`,
          message: m,
          node: <AssistantEntry message={m} isLast={m === last} />,
        },
  );
  if (view.liveKey !== null) {
    if (liveUser)
      rows.push({
        key: liveUser.id,
        message: liveUser,
        node: <UserMessage message={liveUser} editable={false} stored={false} />,
      });
    const key = view.liveTurnId ? `turn-${view.liveTurnId}` : `live-${view.liveKey}`;
    rows.push({ key, message: null, node: <AssistantEntry message={null} isLast /> });
  }

  // Where the rows begin inside the scroller (below a notice, the column's padding).
  const rowsBox = useRef<HTMLDivElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  useLayoutEffect(() => {
    const el = rowsBox.current;
    const outer = scroller.current;
    if (el && outer)
      setScrollMargin(el.getBoundingClientRect().top - outer.getBoundingClientRect().top + outer.scrollTop);
  }, [view.loadError, view.loading, empty, scroller]);
  const count = rows.length;
  const virtual = count >= VIRTUAL_FROM;
  // The compiler skips this component (the virtualizer's functions are not memoizable); it
  // renders only when the list changes, as before.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer<HTMLDivElement, HTMLDivElement>({
    count,
    enabled: virtual,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => estimateOf(rows[i]?.message ?? undefined),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: OVERSCAN,
    scrollMargin,
    // Before the scroller is measured: a window's height, opened at the bottom (the follow pin
    // scrolls there next), so the first paint already holds the last rows.
    initialRect: { width: 780, height: typeof window === 'undefined' ? 900 : window.innerHeight },
    initialOffset: () => scroller.current?.scrollTop ?? Number.MAX_SAFE_INTEGER,
  });
  const shown: { key: string | number | bigint; index: number }[] = virtual
    ? virtualizer.getVirtualItems()
    : rows.map((r, index) => ({ key: r.key, index }));
  const items = virtual ? virtualizer.getVirtualItems() : [];
  const before = items[0] ? items[0].start - scrollMargin : 0;
  const after = items.length > 0 ? virtualizer.getTotalSize() - ((items.at(-1)?.end ?? 0) - scrollMargin) : 0;

  useEffect(() => {
    if (!scrollTo) return;
    const index = messages.findIndex((m) => m.id === scrollTo);
    if (index < 0) {
      // A hit in a version not on screen: that version comes on screen, then this runs again.
      const state = store.getState();
      if (!view.busy && state.active?.messages.some((m) => m.id === scrollTo))
        void state.selectVersion(scrollTo);
      return;
    }
    store.getState().setScrollTo(null);
    // Not pinned to the bottom any more: growth below (highlighting, a stream) must not take it back.
    release();
    if (virtual) virtualizer.scrollToIndex(index, { align: 'center' });
    setTarget(index);
  }, [scrollTo, messages, store, release, virtualizer, virtual, view.busy]);
  // Once the hit's row is rendered: centred exactly (its neighbours now measured) and marked.
  const targetShown = target !== null && shown.some((v) => v.index === target);
  useEffect(() => {
    if (target === null || !targetShown) return;
    const el = content.current?.querySelector<HTMLElement>(
      `[data-index="${target}"] [data-testid="message"]`,
    );
    setTarget(null);
    if (!el) return;
    el.scrollIntoView({ block: 'center' });
    el.dataset['searchTarget'] = 'true';
    setTimeout(() => delete el.dataset['searchTarget'], 2500);
  }, [target, targetShown, content]);

  return (
    <div className="message-scroller" ref={scroller} data-testid="message-list">
      <div className="message-column" ref={content}>
        {view.loadError && (
          <p className="notice notice-error" role="alert">
            {view.loadError}
          </p>
        )}
        {view.loading && <p className="muted center">Loading conversation…</p>}
        {empty && !view.loading && !view.loadError && (
          <div className="empty-state">
            <h2>What shall we stream?</h2>
            <p>
              Tokens appear as the model writes them. Stop really stops it, tool arguments are shown raw until
              they are complete, and every answer carries its measured numbers.
            </p>
          </div>
        )}
        <FlingContext.Provider value={fling}>
          <div ref={rowsBox} className="message-rows" style={{ paddingTop: before, paddingBottom: after }}>
            {shown.map((v) => (
              <div
                key={String(v.key)}
                className="message-row"
                data-index={v.index}
                ref={virtual ? virtualizer.measureElement : undefined}
              >
                {rows[v.index]?.node}
              </div>
            ))}
          </div>
        </FlingContext.Provider>
      </div>
      {!following && newBelow && (
        <div className="jump-dock">
          <button type="button" className="jump-to-latest" data-testid="jump-to-latest" onClick={jump}>
            <Icon name="arrowDown" size={14} />
            <span>Jump to latest</span>
          </button>
        </div>
      )}
    </div>
  );
}
