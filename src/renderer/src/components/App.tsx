import { lazy, Suspense, useEffect } from 'react';
import { followRoute } from '../lib/route';
import { conversationTitle } from '../store';
import { useApp, useAppStore } from '../store/react';
import { createFocusKeeper, focusComposer, isComposerShortcut, openDialog } from '../lib/focus';
import { Composer } from './Composer';
import { ExportMenu } from './DataTransfer';
import { ConversationUsage } from './ConversationUsage';
import { Icon } from './Icon';
import { LiveAnnouncer } from './LiveAnnouncer';
import { MessageList } from './MessageList';
import { ProviderBanner } from './ProviderBanner';
import { Sidebar } from './Sidebar';

// Rarely opened views load on demand (the runbook carries its whole text, Settings the forms and
// their validation); the window's first chunk holds only what every visit shows.
const SettingsPanel = lazy(() => import('./SettingsPanel').then((m) => ({ default: m.SettingsPanel })));
const RunbookPanel = lazy(() => import('./RunbookPanel').then((m) => ({ default: m.RunbookPanel })));

/** What a lazy dialog shows for the moment its code is on its way. */
function DialogLoading() {
  return (
    <div className="dialog-loading" role="status" data-testid="dialog-loading">
      Loading…
    </div>
  );
}

export function App() {
  const store = useAppStore();
  const settingsOpen = useApp((s) => s.settingsOpen);
  const runbook = useApp((s) => s.runbook);
  const theme = useApp((s) => s.theme);
  const navOpen = useApp((s) => s.navOpen);
  // A new chat has no stored title until its first turn is saved; show what was asked meanwhile.
  const title = useApp(conversationTitle);
  const storedId = useApp((s) => s.active?.id ?? null);

  useEffect(() => {
    const { loadSettings, loadConversations, resumeTurns } = store.getState();
    void loadSettings();
    void loadConversations();
    // Turns still running in the main process (this page reloaded) stream on here.
    void resumeTurns();
    // `#/c/<id>`: a reload or a bookmark reopens that conversation.
    return followRoute(store);
  }, [store]);

  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
    try {
      localStorage.setItem('sluice:theme', theme);
    } catch {
      // storage may be unavailable (a sandboxed or private window); the choice lasts this session
    }
  }, [theme]);

  // Esc stops the streaming answer from anywhere in the window (or first closes the narrow
  // window's drawer); a dialog or an inline editor that uses Esc itself stops it from getting here.
  // Ctrl+/ (⌘/) goes to the message box from anywhere but a dialog.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { settingsOpen, runbook, navOpen, live, stop, setNavOpen } = store.getState();
      if (settingsOpen || runbook !== null) return;
      if (e.key === 'Escape') {
        if (navOpen) {
          setNavOpen(false);
          document.getElementById('nav-toggle')?.focus();
          return;
        }
        if (live && !live.stopped && !live.terminal) {
          stop();
          focusComposer();
        }
      } else if (isComposerShortcut(e)) {
        e.preventDefault();
        if (navOpen) setNavOpen(false);
        focusComposer();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  // A focused control that a render takes away (Stop when the answer ends, Retry when it starts
  // again, a deleted conversation) leaves focus in the message box, or in the open dialog.
  useEffect(() => {
    const keeper = createFocusKeeper(() => {
      const dialog = openDialog();
      if (dialog) dialog.querySelector<HTMLElement>('input, select, button, textarea, [tabindex]')?.focus();
      else focusComposer();
    });
    const unsubscribe = store.subscribe(() => keeper.check());
    return () => {
      unsubscribe();
      keeper.dispose();
    };
  }, [store]);

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#composer-input"
        onClick={(e) => {
          e.preventDefault();
          focusComposer();
        }}
      >
        Skip to message box
      </a>
      <Sidebar />
      <div
        className="nav-scrim"
        data-open={navOpen}
        onMouseDown={() => {
          store.getState().setNavOpen(false);
          document.getElementById('nav-toggle')?.focus();
        }}
      />
      <main className="main">
        <header className="main-head">
          <button
            type="button"
            className="icon-button nav-toggle"
            id="nav-toggle"
            data-testid="nav-toggle"
            aria-label="Conversations and settings"
            aria-expanded={navOpen}
            aria-controls="sidebar"
            onClick={() => store.getState().setNavOpen(!navOpen)}
          >
            <Icon name="menu" />
          </button>
          <h1 className="conversation-heading">{title}</h1>
          {storedId && <ExportMenu conversationId={storedId} />}
          <ConversationUsage />
        </header>
        <ProviderBanner />
        <MessageList />
        <Composer />
      </main>
      <LiveAnnouncer />
      <Suspense fallback={<DialogLoading />}>
        {settingsOpen && <SettingsPanel />}
        {runbook !== null && <RunbookPanel section={runbook} />}
      </Suspense>
    </div>
  );
}
