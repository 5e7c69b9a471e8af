import { memo, useState, type KeyboardEvent } from 'react';
import type { UserMessage as UserMessageData } from '../../../shared/protocol';
import { useAppStore } from '../store/react';
import { MessageAttachments } from './Attachments';
import { CopyButton } from './CopyButton';
import { Icon } from './Icon';
import { DeleteMessageButton, VersionSwitcher } from './MessageVersions';

/**
 * `editable`: a stored message with nothing streaming: an edit is sent as a new version of it
 * (`stored`: it has versions and can be deleted; the live turn's copy has neither).
 */
export const UserMessage = memo(function UserMessage({
  message,
  editable,
  stored,
}: {
  message: UserMessageData;
  editable: boolean;
  stored: boolean;
}) {
  const store = useAppStore();
  const [draft, setDraft] = useState<string | null>(null);
  const editing = draft !== null && editable;

  const submit = () => {
    if (draft === null || !draft.trim()) return;
    store.getState().editAndResend(draft, message.id);
    setDraft(null);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') {
      e.stopPropagation();
      setDraft(null);
    }
  };

  return (
    <article className="message user" data-testid="message" data-role="user" aria-label="Your message">
      {editing ? (
        <div className="edit-box">
          <textarea
            className="edit-input"
            data-testid="edit-input"
            aria-label="Edit your message"
            value={draft}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <div className="edit-actions">
            <button type="button" className="ghost-button small" onClick={() => setDraft(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="primary-button small"
              data-testid="edit-submit"
              disabled={!draft.trim()}
              onClick={submit}
            >
              Send again
            </button>
          </div>
        </div>
      ) : (
        <>
          {message.attachments && message.attachments.length > 0 && (
            <MessageAttachments attachments={message.attachments} />
          )}
          {message.text && <div className="user-bubble">{message.text}</div>}
        </>
      )}
      {!editing && (
        <div className="message-actions">
          {stored && <VersionSwitcher messageId={message.id} />}
          <CopyButton text={() => message.text} label="Copy" testId="copy-message" />
          {editable && (
            <button
              type="button"
              className="ghost-button small"
              data-testid="edit-message"
              onClick={() => setDraft(message.text)}
            >
              <Icon name="pencil" size={14} />
              <span>Edit</span>
            </button>
          )}
          {stored && <DeleteMessageButton messageId={message.id} />}
        </div>
      )}
    </article>
  );
});
