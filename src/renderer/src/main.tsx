import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getChatClient } from './api/client';
import { App } from './components/App';
import { HighlighterContext } from './components/CodeBlock';
import { loadMarkdown } from './components/LazyMarkdown';
import { createShikiHighlighter } from './markdown/highlight';
import { createAppStore, type ThemePreference } from './store';
import { StoreProvider } from './store/react';
import { readPrefs } from './lib/prefs';
import './styles/base.css';
import './styles/layout.css';
import './styles/messages.css';
import './styles/markdown.css';
import './styles/controls.css';
import './styles/attachments.css';
import './styles/versions.css';
import './styles/workspace.css';
import './styles/conv-settings.css';

function savedTheme(): ThemePreference {
  try {
    const t = localStorage.getItem('sluice:theme');
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

function showFatal(root: HTMLElement, err: unknown) {
  const p = document.createElement('p');
  p.className = 'fatal';
  p.textContent = `Sluice could not start: ${err instanceof Error ? err.message : String(err)}`;
  root.replaceChildren(p);
}

const root = document.getElementById('root');
if (root) {
  try {
    const store = createAppStore(getChatClient(), { theme: savedTheme(), prefs: readPrefs() });
    // The first requests go out now, not after React's first render and effects.
    store.getState().boot();
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
  } catch (err) {
    showFatal(root, err);
  }
  // The markdown renderer is its own chunk; fetched once the window is idle, so the first answer
  // shown rarely waits for it (the first one shown before then asks for it itself).
  const prefetch = () => void loadMarkdown().catch(() => {});
  if (typeof requestIdleCallback === 'function') requestIdleCallback(prefetch, { timeout: 2000 });
  else setTimeout(prefetch, 500);
}
