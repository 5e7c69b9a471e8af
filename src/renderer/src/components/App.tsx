import { lazy, Suspense, useEffect } from 'react';
import { followRoute } from '../lib/route';
import { conversationTitle } from '../store';
import { useApp, useAppStore } from '../store/react';
import { createFocusKeeper, focusComposer, openDialog } from '../lib/focus';
import { isTextField, shortcutHint, shortcutOf } from '../lib/shortcuts';
import { useNarrow } from '../lib/use-narrow';
import { runShortcut } from '../lib/shortcut-actions';
import { Composer } from './Composer';
import { DialogLoading } from './Dialog';
import { ExportMenu } from './DataTransfer';
import { ConversationUsage } from './ConversationUsage';
import { ConversationSettingsButton, PresetChooser } from './ConversationSettings';
import { Icon } from './Icon';
import { LiveAnnouncer } from './LiveAnnouncer';
import { MessageList } from './MessageList';
import { ProviderBanner } from './ProviderBanner';
import { ShortcutSheet } from './ShortcutSheet';
import { Sidebar } from './Sidebar';

// Rarely opened views load on demand (the runbook carries its whole text, Settings the forms and
// their validation); the window's first chunk holds only what every visit shows.
const SettingsPanel = lazy(() => import('./SettingsPanel').then((m) => ({ default: m.SettingsPanel })));
const RunbookPanel = lazy(() => import('./RunbookPanel').then((m) => ({ default: m.RunbookPanel })));

export function App() {
  const store = useAppStore();
  const settingsOpen = useApp((s) => s.settingsOpen);
  const runbook = useApp((s) => s.runbook);
  const theme = useApp((s) => s.theme);
  const navOpen = useApp((s) => s.navOpen);
  const collapsed = useApp((s) => s.sidebarCollapsed);
  const shortcutsOpen = useApp((s) => s.shortcutsOpen);
  const narrow = useNarrow();
  // A new chat has no stored title until its first turn is saved; show what was asked meanwhile.
  const title = useApp(conversationTitle);
  const storedId = useApp((s) => s.active?.id ?? null);

  useEffect(() => {
    void store.getState().boot();
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

  // Every shortcut is in lib/shortcuts.ts (the sheet lists the same table); what each does is in
  // lib/shortcut-actions.ts. A dialog, or an inline editor that uses Esc itself, keeps its keys.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { settingsOpen, runbook, shortcutsOpen } = store.getState();
      if (settingsOpen || runbook !== null || shortcutsOpen) return;
      const id = shortcutOf(e, isTextField(e.target));
      if (id && runShortcut(store, id)) e.preventDefault();
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
    <div className="app" data-sidebar={collapsed ? 'collapsed' : 'shown'}>
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
            aria-expanded={narrow ? navOpen : !collapsed}
            aria-controls="sidebar"
            aria-keyshortcuts={shortcutHint('toggle-sidebar').aria}
            title={`Show the sidebar (${shortcutHint('toggle-sidebar').label})`}
            onClick={() => store.getState().toggleSidebar(narrow)}
          >
            <Icon name="menu" />
          </button>
          <h1 className="conversation-heading">{title}</h1>
          {!storedId && <PresetChooser />}
          <ConversationSettingsButton />
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
      {shortcutsOpen && <ShortcutSheet />}
    </div>
  );
}
