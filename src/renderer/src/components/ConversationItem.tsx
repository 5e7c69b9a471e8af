import { memo, useState, type KeyboardEvent } from 'react';
import type { ConversationSummary } from '../../../shared/protocol';
import { useAppStore } from '../store/react';
import { Icon } from './Icon';

const when = (t: number) => {
  const d = new Date(t);
  const today = new Date();
  return d.toDateString() === today.toDateString()
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
};

export const ConversationItem = memo(function ConversationItem({
  summary,
  active,
}: {
  summary: ConversationSummary;
  active: boolean;
}) {
  const store = useAppStore();
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm-delete'>('view');
  const [title, setTitle] = useState(summary.title);
  const [error, setError] = useState<string | null>(null);

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
    <li className="conversation" data-testid="conversation-item" data-id={summary.id} data-active={active}>
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
            onClick={() => void store.getState().openConversation(summary.id)}
          >
            <span className="conversation-title">{summary.title}</span>
            <span className="conversation-date">{when(summary.updatedAt)}</span>
          </button>
          <div className="conversation-tools">
            <button
              type="button"
              className="icon-button"
              data-testid="rename"
              aria-label={`Rename “${summary.title}”`}
              title="Rename"
              onClick={() => {
                setTitle(summary.title);
                setMode('rename');
              }}
            >
              <Icon name="pencil" size={14} />
            </button>
            <button
              type="button"
              className="icon-button"
              data-testid="delete"
              aria-label={`Delete “${summary.title}”`}
              title="Delete"
              onClick={() => setMode('confirm-delete')}
            >
              <Icon name="trash" size={14} />
            </button>
          </div>
        </>
      )}
    </li>
  );
});
