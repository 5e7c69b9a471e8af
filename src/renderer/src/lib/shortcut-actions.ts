// What each shortcut of lib/shortcuts.ts does to the window. TypeScript holds every id to an action.
import type { AppStore } from '../store';
import { focusComposer } from './focus';
import { isNarrow } from './prefs';
import type { ShortcutId } from './shortcuts';

export const SEARCH_INPUT_ID = 'conversation-search';

/** After the render that shows the sidebar: focus its search box. */
function focusSearch(): void {
  const focus = () => document.getElementById(SEARCH_INPUT_ID)?.focus();
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(focus);
  else setTimeout(focus, 0);
}

/** Shows the sidebar wherever it is hidden: the drawer when narrow, the column when collapsed. */
function showSidebar(store: AppStore): void {
  const s = store.getState();
  if (isNarrow()) {
    if (!s.navOpen) s.setNavOpen(true);
  } else if (s.sidebarCollapsed) s.toggleSidebar(false);
}

/** Runs the shortcut; false when it did nothing here (the key then does what it would have). */
export function runShortcut(store: AppStore, id: ShortcutId): boolean {
  const s = store.getState();
  const actions: Record<ShortcutId, () => boolean> = {
    'new-chat': () => {
      s.newChat();
      s.setNavOpen(false);
      focusComposer();
      return true;
    },
    search: () => {
      showSidebar(store);
      focusSearch();
      return true;
    },
    'focus-composer': () => {
      if (s.navOpen) s.setNavOpen(false);
      focusComposer();
      return true;
    },
    'toggle-sidebar': () => {
      s.toggleSidebar();
      return true;
    },
    shortcuts: () => {
      s.setShortcutsOpen(true);
      return true;
    },
    // Esc closes the narrow window's drawer first, else stops the answer streaming on screen.
    stop: () => {
      if (s.navOpen) {
        s.setNavOpen(false);
        document.getElementById('nav-toggle')?.focus();
        return true;
      }
      if (s.live && !s.live.stopped && !s.live.terminal) {
        s.stop();
        focusComposer();
        return true;
      }
      return false;
    },
  };
  return actions[id]();
}
