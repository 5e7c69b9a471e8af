// The window's entry: the client, the store and the first requests (start.ts), without React.
import { getChatClient } from './api/client';
import { showFatal, startWindow } from './start';
import { createAppStore, type ThemePreference } from './store';
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

const root = document.getElementById('root');
if (root) {
  try {
    const store = createAppStore(getChatClient(), { theme: savedTheme(), prefs: readPrefs() });
    void startWindow(root, store, () => import('./mount'));
  } catch (err) {
    showFatal(root, err);
  }
}
