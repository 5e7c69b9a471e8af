// One store built from slices; `createAppStore` is apart from the hook so each test builds a fresh one.
import { createStore } from 'zustand/vanilla';
import type { ChatClient } from '../../../shared/protocol';
import { createConversationsSlice } from './conversations';
import { createConvSettingsSlice } from './conv-settings';
import { createMcpSlice } from './mcp';
import { createModelsSlice } from './models';
import { createSettingsSlice } from './settings';
import { beforePaint, pacedFrames, PAINT_INTERVAL_MS } from './frames';
import { createTurnSlice } from './turn';
import { liveTurnOf } from './live-turns';
import type { AppState, StoreDeps } from './types';
import { createUiSlice, type ThemePreference } from './ui';
import type { LayoutPrefs } from '../lib/prefs';

export type { AppState, StoreDeps } from './types';
export type { LiveTurn, Phase } from './live-turn';
export type { TurnExtras } from './turn';
export type { ThemePreference } from './ui';
export type { FieldErrors, SaveResult } from './settings';
export type { ModelsEntry, TestResult } from './models';
export { currentChoice } from './models';
export { currentMcpOff } from './mcp';
export { sentAttachments } from './turn';
export { currentParams } from './conv-settings';

/** The conversation's title as the heading shows it: a new chat has none until its first turn is saved. */
export const conversationTitle = (s: AppState): string =>
  s.active?.title ?? s.live?.userText?.split('\n')[0]?.slice(0, 80) ?? 'New chat';

export type AppStoreOptions = Partial<Omit<StoreDeps, 'client'>> & {
  theme?: ThemePreference;
  prefs?: LayoutPrefs;
};

export function createAppStore(client: ChatClient, options: AppStoreOptions = {}) {
  const deps: StoreDeps = {
    client,
    requestFrame: options.requestFrame ?? pacedFrames(beforePaint, PAINT_INTERVAL_MS),
    now: options.now ?? (() => performance.now()),
  };
  return createStore<AppState>()((set, get, api) => {
    // `live` is always the turn of the conversation on screen: every change (a turn's frame, a
    // conversation opened) is made through this set, which derives it in the same update.
    const derived = ((partial: Partial<AppState> | ((s: AppState) => Partial<AppState>)) =>
      set((s) => {
        const patch = typeof partial === 'function' ? partial(s) : partial;
        const next = { ...s, ...patch };
        const live = liveTurnOf(next.turns, next.activeId);
        return live === next.live ? patch : { ...patch, live };
      })) as typeof set;
    api.setState = derived;
    const a = [derived, get, api] as const;
    return {
      ...createConversationsSlice(deps)(...a),
      ...createTurnSlice(deps)(...a),
      ...createSettingsSlice(deps)(...a),
      ...createUiSlice(options.theme, options.prefs)(...a),
      ...createModelsSlice(deps)(...a),
      ...createMcpSlice(deps)(...a),
      ...createConvSettingsSlice(deps)(...a),
    };
  });
}

export type AppStore = ReturnType<typeof createAppStore>;
