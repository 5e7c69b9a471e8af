import { useEffect } from 'react';
import { useApp, useAppStore } from '../store/react';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { ProviderBanner } from './ProviderBanner';
import { RunbookPanel } from './RunbookPanel';
import { SettingsPanel } from './SettingsPanel';
import { Sidebar } from './Sidebar';

export function App() {
  const store = useAppStore();
  const settingsOpen = useApp((s) => s.settingsOpen);
  const runbook = useApp((s) => s.runbook);
  const theme = useApp((s) => s.theme);
  // A new chat has no stored title until its first turn is saved; show what was asked meanwhile.
  const title = useApp(
    (s) => s.active?.title ?? s.live?.userText?.split('\n')[0]?.slice(0, 80) ?? 'New chat',
  );

  useEffect(() => {
    const { loadSettings, loadConversations } = store.getState();
    void loadSettings();
    void loadConversations();
  }, [store]);

  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
    try {
      localStorage.setItem('sluice:theme', theme);
    } catch {
      // storage may be unavailable (a sandboxed or private window); the choice lasts this session
    }
  }, [theme]);

  // Esc stops the streaming answer from anywhere in the window; a dialog or an inline editor
  // that uses Esc itself stops it from getting here.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { settingsOpen, runbook, stop } = store.getState();
      if (e.key === 'Escape' && !settingsOpen && runbook === null) stop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  return (
    <div className="app">
      <Sidebar />
      <main className="main">
        <header className="main-head">
          <h1 className="conversation-heading">{title}</h1>
        </header>
        <ProviderBanner />
        <MessageList />
        <Composer />
      </main>
      {settingsOpen && <SettingsPanel />}
      {runbook !== null && <RunbookPanel section={runbook} />}
    </div>
  );
}
