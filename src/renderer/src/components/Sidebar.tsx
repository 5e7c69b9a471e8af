import { MessageHits } from './MessageHits';
import { useEffect, useMemo, useRef } from 'react';
import { flushSync } from 'react-dom';
import { focusComposer } from '../lib/focus';
import { useShallow } from 'zustand/react/shallow';
import type { SettingsView } from '../../../shared/protocol';
import { PRESETS } from '../../../shared/providers';
import { configModel, configOf } from '../lib/models';
import type { ThemePreference } from '../store';
import { useApp, useAppStore } from '../store/react';
import { ConversationList } from './ConversationList';
import { runningConversations } from '../store/live-turns';
import { Icon, type IconName } from './Icon';
import { shortcutHint } from '../lib/shortcuts';
import { SEARCH_INPUT_ID } from '../lib/shortcut-actions';
import { useNarrow } from '../lib/use-narrow';
import { useNow } from '../lib/use-now';

/** "Simulated", "Anthropic · model" (or "· no key"), or a configured provider: "Ollama (llama3.2)". */
export function providerLabel(settings: SettingsView | null): { label: string; simulated: boolean } | null {
  if (!settings) return null;
  if (settings.provider === 'simulated') return { label: 'Simulated', simulated: true };
  if (settings.provider !== 'anthropic') {
    const config = configOf(settings, settings.provider);
    if (!config) return { label: settings.provider, simulated: false };
    const keyMissing = PRESETS[config.preset].needsKey && !settings.providerKeys[config.id]?.set;
    return keyMissing
      ? { label: `${config.name} · no key`, simulated: false }
      : { label: `${config.name} (${configModel(config) || 'no model'})`, simulated: false };
  }
  return settings.keySet
    ? { label: `Anthropic · ${settings.model}`, simulated: false }
    : { label: 'Anthropic · no key', simulated: true };
}

const NEXT_THEME: Record<ThemePreference, ThemePreference> = {
  system: 'light',
  light: 'dark',
  dark: 'system',
};
const THEME_ICON: Record<ThemePreference, IconName> = { system: 'monitor', light: 'sun', dark: 'moon' };

export function Sidebar() {
  const store = useAppStore();
  const { conversations, activeId, search, listError, theme, navOpen } = useApp(
    useShallow((s) => ({
      conversations: s.conversations,
      activeId: s.activeId,
      search: s.search,
      listError: s.listError,
      theme: s.theme,
      navOpen: s.navOpen,
    })),
  );
  const streaming = useApp(useShallow((s) => runningConversations(s.turns)));
  const newChatButton = useRef<HTMLButtonElement>(null);
  const nav = useRef<HTMLElement>(null);
  // Opened as a drawer (narrow windows): focus moves into it.
  useEffect(() => {
    if (navOpen) newChatButton.current?.focus();
  }, [navOpen]);
  const provider = useApp(useShallow((s) => providerLabel(s.settings)));
  const now = useNow();
  const narrow = useNarrow();
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return q ? conversations.filter((c) => c.title.toLowerCase().includes(q)) : conversations;
  }, [conversations, search]);
  const toggle = shortcutHint('toggle-sidebar');

  return (
    <aside className="sidebar" id="sidebar" aria-label="Conversations" data-open={navOpen}>
      <div className="sidebar-head">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Sluice
        </div>
        <button
          type="button"
          className="primary-button"
          data-testid="new-chat"
          ref={newChatButton}
          onClick={() => {
            store.getState().newChat();
            store.getState().setNavOpen(false);
            focusComposer();
          }}
        >
          <Icon name="plus" size={16} />
          <span>New chat</span>
        </button>
        <button
          type="button"
          className="icon-button sidebar-collapse"
          data-testid="sidebar-collapse"
          aria-label={narrow ? 'Close the sidebar' : 'Hide the sidebar'}
          aria-keyshortcuts={toggle.aria}
          title={`${narrow ? 'Close' : 'Hide'} the sidebar (${toggle.label})`}
          onClick={() => {
            // Rendered at once, so the menu button that brings the sidebar back is there to take focus.
            flushSync(() => store.getState().toggleSidebar(narrow));
            document.getElementById('nav-toggle')?.focus();
          }}
        >
          <Icon name="sidebar" />
        </button>
      </div>
      <label className="search">
        <Icon name="search" size={14} />
        <input
          type="search"
          data-testid="conversation-search"
          id={SEARCH_INPUT_ID}
          aria-keyshortcuts={shortcutHint('search').aria}
          placeholder="Search"
          aria-label="Search conversations and messages"
          value={search}
          onChange={(e) => store.getState().setSearch(e.target.value)}
        />
      </label>
      <nav className="conversation-nav" ref={nav}>
        {listError && <p className="field-error">{listError}</p>}
        {shown.length === 0 && !listError && (
          <p className="muted small-text">
            {search.trim() ? 'No conversation title matches.' : 'No conversations yet.'}
          </p>
        )}
        <ConversationList
          conversations={shown}
          now={now}
          activeId={activeId}
          streaming={streaming}
          scroller={nav}
        />
        <MessageHits query={search} />
      </nav>
      <div className="sidebar-foot">
        {provider && (
          <span className="provider-badge" data-testid="provider-badge" data-simulated={provider.simulated}>
            {provider.label}
          </span>
        )}
        <span className="spacer" />
        <button
          type="button"
          className="icon-button"
          data-testid="runbook-button"
          aria-label="Streaming runbook"
          title="Streaming runbook"
          onClick={() => store.getState().openRunbook()}
        >
          <Icon name="book" />
        </button>
        <button
          type="button"
          className="icon-button"
          data-testid="theme-toggle"
          aria-label={`Theme: ${theme}. Switch to ${NEXT_THEME[theme]}.`}
          title={`Theme: ${theme}`}
          onClick={() => store.getState().setTheme(NEXT_THEME[theme])}
        >
          <Icon name={THEME_ICON[theme]} />
        </button>
        <button
          type="button"
          className="icon-button"
          data-testid="settings-button"
          aria-label="Settings"
          title="Settings"
          onClick={() => store.getState().openSettings()}
        >
          <Icon name="gear" />
        </button>
      </div>
    </aside>
  );
}
