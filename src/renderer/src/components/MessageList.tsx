// The conversation on screen. It re-renders only when the list itself changes (a turn starts or
// ends, another conversation opens): stored messages are memoized by identity, and the streaming
// answer subscribes on its own.
import { useEffect, useMemo, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ChatMessage, UserMessage as UserMessageData } from '../../../shared/protocol';
import { useFollowBottom } from '../lib/follow';
import { pathOf } from '../lib/path';
import { useApp, useAppStore } from '../store/react';
import { sentAttachments } from '../store';
import { AssistantEntry } from './AssistantMessage';
import { Icon } from './Icon';
import { UserMessage } from './UserMessage';

const NONE: ChatMessage[] = [];

const userAttachmentsAt = (messages: readonly ChatMessage[] | undefined, index: number) => {
  const message = messages?.[index];
  return message?.role === 'user' ? (message.attachments ?? null) : null;
};

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
  // A search hit clicked: once its conversation is on screen, its message comes into view (the
  // messages render one article each, in order) and is marked for a moment.
  const store = useAppStore();
  const scrollTo = useApp((s) => s.scrollTo);
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
    const target = content.current?.querySelectorAll<HTMLElement>('[data-testid="message"]')[index];
    if (!target) return;
    // Not pinned to the bottom any more: growth below (highlighting, a stream) must not take it back.
    release();
    target.scrollIntoView({ block: 'center' });
    target.dataset['searchTarget'] = 'true';
    setTimeout(() => delete target.dataset['searchTarget'], 2500);
  }, [scrollTo, messages, store, content, release, view.busy]);
  const last = messages.at(-1);
  const empty = messages.length === 0 && view.liveKey === null;
  // One flat, keyed list: an answer keeps its key (its turn id) from streaming to stored, so React
  // keeps its rendered blocks when the turn ends.
  const items: ReactNode[] = messages.map((m) =>
    m.role === 'user' ? (
      <UserMessage key={m.id} message={m} editable={!view.busy} stored />
    ) : (
      <AssistantEntry key={`turn-${m.turnId}`} message={m} isLast={m === last} />
    ),
  );
  if (view.liveKey !== null) {
    if (liveUser)
      items.push(<UserMessage key={liveUser.id} message={liveUser} editable={false} stored={false} />);
    const key = view.liveTurnId ? `turn-${view.liveTurnId}` : `live-${view.liveKey}`;
    items.push(<AssistantEntry key={key} message={null} isLast />);
  }

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
        {items}
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
