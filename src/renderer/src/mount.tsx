// React and the app, rendered into the page once start.ts has the store's first requests out (and
// the list, or waited long enough for it).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { HighlighterContext } from './components/CodeBlock';
import { loadMarkdown } from './components/LazyMarkdown';
import { createShikiHighlighter } from './markdown/highlight';
import type { AppStore } from './store';
import { StoreProvider } from './store/react';

export function mount(root: HTMLElement, store: AppStore): void {
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
  // The markdown renderer is its own chunk; fetched once the window is idle, so the first answer
  // shown rarely waits for it (the first one shown before then asks for it itself).
  const prefetch = () => void loadMarkdown().catch(() => {});
  if (typeof requestIdleCallback === 'function') requestIdleCallback(prefetch, { timeout: 2000 });
  else setTimeout(prefetch, 500);
}
