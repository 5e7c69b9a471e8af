import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { ChatClient } from '../../shared/protocol';
import { getChatClient } from './api/client';
import { App } from './components/App';
import { HighlighterContext } from './components/CodeBlock';
import { createShikiHighlighter } from './markdown/highlight';
import { createAppStore, type ThemePreference } from './store';
import { StoreProvider } from './store/react';
import './styles/base.css';
import './styles/layout.css';
import './styles/messages.css';
import './styles/markdown.css';
import './styles/controls.css';

function savedTheme(): ThemePreference {
  try {
    const t = localStorage.getItem('sluice:theme');
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

// `?demo` replays scripted turns with no main process behind the window (screenshots, a look around).
async function chooseClient(): Promise<ChatClient> {
  if (!new URLSearchParams(location.search).has('demo')) return getChatClient();
  const { createDemoClient } = await import('./api/demo');
  return createDemoClient();
}

function showFatal(root: HTMLElement, err: unknown) {
  const p = document.createElement('p');
  p.className = 'fatal';
  p.textContent = `Sluice could not start: ${err instanceof Error ? err.message : String(err)}`;
  root.replaceChildren(p);
}

const root = document.getElementById('root');
if (root) {
  chooseClient().then(
    (client) => {
      const store = createAppStore(client, { theme: savedTheme() });
      const highlighter = createShikiHighlighter();
      createRoot(root).render(
        <StrictMode>
          <StoreProvider store={store}>
            <HighlighterContext.Provider value={highlighter}>
              <App />
            </HighlighterContext.Provider>
          </StoreProvider>
        </StrictMode>,
      );
    },
    (err: unknown) => showFatal(root, err),
  );
}
