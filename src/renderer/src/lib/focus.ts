// Where keyboard focus goes when the page moves it: the message box is home. It has focus on open,
// after sending, after Stop, after another conversation opens, after a dialog nothing else opened
// closes; Ctrl+/ (⌘/ on a Mac: lib/shortcuts.ts) brings it back from anywhere; and a control that vanishes while it
// has focus (Stop replaced by Send, Retry by the new answer) hands focus there instead of to <body>.

import { shortcutHint } from './shortcuts';

export const COMPOSER_ID = 'composer-input';

/** The shortcut as the hint shows it (lib/shortcuts.ts holds every shortcut). */
export const composerShortcutLabel = (): string => shortcutHint('focus-composer').label;

/** The shortcut as aria-keyshortcuts says it. */
export const COMPOSER_SHORTCUT_ARIA = shortcutHint('focus-composer').aria;

export function focusComposer(): boolean {
  const input = document.getElementById(COMPOSER_ID);
  input?.focus();
  return input !== null;
}

/** The open modal dialog, if any. */
export const openDialog = (): HTMLElement | null =>
  document.querySelector<HTMLElement>('[role="dialog"][aria-modal="true"]');

/**
 * Watches for the focused control leaving the page. `check()` (call it after anything that may
 * re-render, e.g. on every store change) looks a moment later, once the render is on the page:
 * when focus has fallen to <body> because the element that had it is gone (or disabled, or hidden),
 * `recover` runs.
 */
export function createFocusKeeper(recover: () => void) {
  let last: Element | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const onFocusIn = (e: FocusEvent) => {
    last = e.target instanceof Element ? e.target : null;
  };
  document.addEventListener('focusin', onFocusIn);
  const look = () => {
    timer = null;
    // Focus still on a control: nothing was lost. This runs after every store change (each frame
    // of a stream), and checkVisibility() below costs a style pass, so it runs only when focus
    // has actually fallen to <body>.
    const now = document.activeElement;
    if (now !== null && now !== document.body) return;
    const lost =
      last !== null &&
      (!last.isConnected ||
        last.matches(':disabled') ||
        ('checkVisibility' in last && !last.checkVisibility()));
    if (lost) {
      last = null;
      recover();
    }
  };
  return {
    check() {
      timer ??= setTimeout(look, 0);
    },
    dispose() {
      document.removeEventListener('focusin', onFocusIn);
      if (timer !== null) clearTimeout(timer);
    },
  };
}
