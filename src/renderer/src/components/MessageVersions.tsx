// What a stored message offers about its place in the tree (shared/versions.ts): `‹ 2 / 3 ›` to
// move between its versions, and Delete, which removes it with its branch below it after a
// confirmation. Both wait while an answer streams in this conversation (it is being stored at its
// point) and say why.
import { useState, type KeyboardEvent } from 'react';
import { branchSizeIn, versionsIn } from '../lib/path';
import { useApp, useAppStore } from '../store/react';
import { Dialog } from './Dialog';
import { Icon } from './Icon';

const WAIT = 'Wait for the answer to finish (or stop it) first.';

/**
 * The version shown next is another message (another article): focus moves to its switcher, on
 * the button in the same direction, or the other one when that end is reached.
 */
function focusSwitcherOf(messageId: string, back: boolean, frames = 5): void {
  requestAnimationFrame(() => {
    const group = document.querySelector(`[data-testid="versions"][data-message="${CSS.escape(messageId)}"]`);
    if (!group) {
      if (frames > 0) focusSwitcherOf(messageId, back, frames - 1);
      return;
    }
    const buttons = [...group.querySelectorAll<HTMLButtonElement>('button')];
    const wanted = back ? buttons[0] : buttons.at(-1);
    (wanted && !wanted.disabled ? wanted : buttons.find((b) => !b.disabled))?.focus();
  });
}

/** `‹ 2 / 3 ›`; nothing when the message has one version. Arrow keys move too. */
export function VersionSwitcher({ messageId }: { messageId: string }) {
  const store = useAppStore();
  // A string, so the selector's value compares equal until the versions themselves change.
  const key = useApp((s) => {
    const v = versionsIn(s.active, messageId);
    return v && v.count > 1 ? v.ids.join(' ') : null;
  });
  const busy = useApp((s) => s.live !== null);
  const [problem, setProblem] = useState<string | null>(null);
  if (key === null) return null;
  const ids = key.split(' ');
  const index = ids.indexOf(messageId);
  const go = (to: number) => {
    const id = ids[to];
    if (busy || id === undefined || to === index) return;
    void store
      .getState()
      .selectVersion(id)
      .then((p) => setProblem(p));
    focusSwitcherOf(id, to < index);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'ArrowLeft') go(index - 1);
    else if (e.key === 'ArrowRight') go(index + 1);
    else return;
    e.preventDefault();
  };
  const step = (by: -1 | 1) => {
    const label = by < 0 ? 'Previous version' : 'Next version';
    return (
      <button
        type="button"
        className="icon-button version-button"
        aria-label={label}
        data-testid={by < 0 ? 'version-prev' : 'version-next'}
        title={busy ? WAIT : label}
        disabled={busy || ids[index + by] === undefined}
        onClick={() => go(index + by)}
      >
        <Icon name={by < 0 ? 'chevronLeft' : 'chevron'} size={14} />
      </button>
    );
  };
  return (
    <div
      className="versions"
      role="group"
      aria-label={`Version ${index + 1} of ${ids.length}`}
      data-testid="versions"
      data-message={messageId}
      onKeyDown={onKeyDown}
    >
      {step(-1)}
      <span className="versions-count" data-testid="version-count" aria-hidden="true">
        {index + 1} / {ids.length}
      </span>
      {step(1)}
      {problem && (
        <span className="versions-problem" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}

/** Delete, with a dialog that says how much goes (the message and everything after it, here). */
export function DeleteMessageButton({ messageId }: { messageId: string }) {
  const store = useAppStore();
  const busy = useApp((s) => s.live !== null);
  const size = useApp((s) => branchSizeIn(s.active, messageId));
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const close = () => {
    setOpen(false);
    setProblem(null);
  };
  const confirm = async () => {
    const p = await store.getState().deleteMessage(messageId);
    if (p) setProblem(p);
    else setOpen(false);
  };
  const below = size - 1;
  return (
    <>
      <button
        type="button"
        className="ghost-button small"
        data-testid="delete-message"
        disabled={busy}
        title={busy ? WAIT : 'Delete this message and what follows it'}
        onClick={() => setOpen(true)}
      >
        <Icon name="trash" size={14} />
        <span>Delete</span>
      </button>
      {open && (
        <Dialog
          title="Delete this message?"
          testId="delete-message-dialog"
          className="confirm-dialog"
          onClose={close}
          initialFocus="[data-testid='delete-message-cancel']"
        >
          <div className="panel-body">
            <p>
              {below > 0
                ? `This message and the ${below} message${below === 1 ? '' : 's'} after it (in every version below it) will be deleted.`
                : 'This message will be deleted.'}{' '}
              Other versions at this point stay. This cannot be undone.
            </p>
            {problem && (
              <p className="notice notice-error" role="alert">
                {problem}
              </p>
            )}
          </div>
          <div className="panel-foot">
            <button
              type="button"
              className="ghost-button"
              data-testid="delete-message-cancel"
              onClick={close}
            >
              Cancel
            </button>
            <button
              type="button"
              className="danger-button"
              data-testid="delete-message-confirm"
              onClick={() => void confirm()}
            >
              Delete
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
