// A modal side panel: overlay, title bar with a close button, Esc to close, focus kept inside
// while open and given back to whatever opened it — or to the message box when nothing did (or
// the opener is gone).
import { useLayoutEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { focusComposer } from '../lib/focus';
import { Icon } from './Icon';

const FOCUSABLE = 'input, select, button, a[href], textarea, [tabindex]:not([tabindex="-1"])';

export function Dialog({
  title,
  testId,
  className = '',
  onClose,
  initialFocus = 'input, select, button',
  children,
}: {
  title: string;
  testId: string;
  className?: string;
  onClose: () => void;
  /** Selector of the element to focus first. */
  initialFocus?: string;
  children: ReactNode;
}) {
  const panel = useRef<HTMLDivElement>(null);
  const titleId = `${testId}-title`;

  // Before the first paint: a panel on screen already holds the focus, so an Esc or a Tab pressed
  // the moment it shows reaches it (after the paint, the key went to the opener).
  useLayoutEffect(() => {
    const opener = document.activeElement;
    panel.current?.querySelector<HTMLElement>(initialFocus)?.focus();
    return () => {
      if (opener instanceof HTMLElement && opener !== document.body && opener.isConnected) opener.focus();
      else focusComposer();
    };
  }, [initialFocus]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    } else if (e.key === 'Tab' && panel.current) {
      const items = [...panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
        (el) => !el.matches(':disabled'),
      );
      const first = items[0];
      const last = items.at(-1);
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last?.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first?.focus();
      }
    }
  };

  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className={`settings-panel ${className}`.trim()}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        ref={panel}
        onKeyDown={onKeyDown}
      >
        <header className="panel-head">
          <h2 id={titleId}>{title}</h2>
          <button
            type="button"
            className="icon-button"
            aria-label={`Close ${title.toLowerCase()}`}
            onClick={onClose}
          >
            <Icon name="close" />
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

/** A dialog's form: checked by the code, not the browser; its error, then Cancel and Save at its foot. */
export function PanelForm({
  onSubmit,
  onCancel,
  error,
  errorTestId,
  saveTestId,
  saving = false,
  children,
}: {
  onSubmit: () => void;
  onCancel: () => void;
  error: string | null;
  errorTestId: string;
  saveTestId: string;
  saving?: boolean;
  children: ReactNode;
}) {
  return (
    <form
      className="panel-body"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
      {error && (
        <p className="notice notice-error" role="alert" data-testid={errorTestId}>
          {error}
        </p>
      )}
      <div className="panel-foot">
        <button type="button" className="ghost-button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary-button" data-testid={saveTestId} disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

/** What a lazy dialog shows for the moment its code is on its way. */
export function DialogLoading() {
  return (
    <div className="dialog-loading" role="status" data-testid="dialog-loading">
      Loading…
    </div>
  );
}
