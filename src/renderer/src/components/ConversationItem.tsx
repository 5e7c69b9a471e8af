import { memo, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { focusComposer } from '../lib/focus';
import type { ConversationSummary } from '../../../shared/protocol';
import { useAppStore } from '../store/react';
import { Icon } from './Icon';

// Made once: toLocale*String builds a formatter on every call (a quarter of a millisecond each,
// most of the time a 2,000-row list took to render before it was virtualized).
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const DAY = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

const when = (t: number) => {
  const d = new Date(t);
  return d.toDateString() === new Date().toDateString() ? TIME.format(d) : DAY.format(d);
};

export const ConversationItem = memo(function ConversationItem({
  summary,
  active,
  streaming = false,
}: {
  summary: ConversationSummary;
  active: boolean;
  /** An answer is streaming in this conversation (shown in words, not only as a dot). */
  streaming?: boolean;
}) {
  const store = useAppStore();
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm-delete'>('view');
  const [title, setTitle] = useState(summary.title);
  const [error, setError] = useState<string | null>(null);
  // Back from renaming or a confirm, focus returns to the button that began it.
  const renameButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const returnTo = useRef<'rename' | 'delete' | null>(null);
  useEffect(() => {
    if (mode !== 'view' || returnTo.current === null) return;
    (returnTo.current === 'rename' ? renameButton : deleteButton).current?.focus();
    returnTo.current = null;
  }, [mode]);

  const rename = async () => {
    const problem = await store.getState().renameConversation(summary.id, title);
    setError(problem);
    if (!problem) setMode('view');
  };
  const onRenameKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') void rename();
    if (e.key === 'Escape') {
      e.stopPropagation();
      setMode('view');
      setError(null);
    }
  };

  return (
    <div
      className="conversation"
      data-testid="conversation-item"
      data-id={summary.id}
      data-active={active}
      data-streaming={streaming}
    >
      {mode === 'rename' ? (
        <div className="conversation-edit">
          <input
            className="rename-input"
            data-testid="rename-input"
            aria-label="Conversation title"
            value={title}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
            onKeyDown={onRenameKey}
            aria-invalid={error !== null}
          />
          <div className="row">
            <button
              type="button"
              className="primary-button small"
              data-testid="rename-save"
              onClick={() => void rename()}
            >
              Save
            </button>
            <button type="button" className="ghost-button small" onClick={() => setMode('view')}>
              Cancel
            </button>
          </div>
          {error && <p className="field-error">{error}</p>}
        </div>
      ) : mode === 'confirm-delete' ? (
        <div className="conversation-edit" role="group" aria-label="Confirm delete">
          <p className="confirm-text">Delete “{summary.title}”?</p>
          <div className="row">
            <button
              type="button"
              className="danger-button small"
              data-testid="delete-confirm"
              autoFocus
              onClick={() => void store.getState().deleteConversation(summary.id).then(setError)}
            >
              Delete
            </button>
            <button type="button" className="ghost-button small" onClick={() => setMode('view')}>
              Cancel
            </button>
          </div>
          {error && <p className="field-error">{error}</p>}
        </div>
      ) : (
        <>
          <button
            type="button"
            className="conversation-open"
            aria-current={active ? 'page' : undefined}
            onClick={() => {
              void store.getState().openConversation(summary.id);
              store.getState().setNavOpen(false);
              focusComposer();
            }}
          >
            <span className="conversation-title">{summary.title}</span>
            {streaming ? (
              <span className="conversation-live" data-testid="conversation-live">
                <span className="live-dot" aria-hidden="true" />
                Answering…
              </span>
            ) : (
              <span className="conversation-date">{when(summary.updatedAt)}</span>
            )}
          </button>
          <div className="conversation-tools">
            <button
              type="button"
              className="icon-button"
              data-testid="pin"
              aria-pressed={summary.pinned === true}
              aria-label={`Pin “${summary.title}”`}
              title={summary.pinned ? 'Unpin' : 'Pin to the top'}
              onClick={() =>
                void store.getState().pinConversation(summary.id, !summary.pinned).then(setError)
              }
            >
              <Icon name="pin" size={14} />
            </button>
            <button
              type="button"
              className="icon-button"
              data-testid="rename"
              ref={renameButton}
              aria-label={`Rename “${summary.title}”`}
              title="Rename"
              onClick={() => {
                setTitle(summary.title);
                returnTo.current = 'rename';
                setMode('rename');
              }}
            >
              <Icon name="pencil" size={14} />
            </button>
            <button
              type="button"
              className="icon-button"
              data-testid="delete"
              ref={deleteButton}
              aria-label={`Delete “${summary.title}”`}
              title="Delete"
              onClick={() => {
                returnTo.current = 'delete';
                setMode('confirm-delete');
              }}
            >
              <Icon name="trash" size={14} />
            </button>
          </div>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </>
      )}
    </div>
  );
});
