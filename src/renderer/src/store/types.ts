import type { StateCreator } from 'zustand';
import type { ChatClient } from '../../../shared/protocol';
import type { ConversationsSlice } from './conversations';
import type { ConvSettingsSlice } from './conv-settings';
import type { McpSlice } from './mcp';
import type { ModelsSlice } from './models';
import type { SettingsSlice } from './settings';
import type { TurnSlice } from './turn';
import type { UiSlice } from './ui';

export type AppState = ConversationsSlice &
  TurnSlice &
  SettingsSlice &
  UiSlice &
  ModelsSlice &
  McpSlice &
  ConvSettingsSlice;

export type AppSlice<T> = StateCreator<AppState, [], [], T>;

export type StoreDeps = {
  client: ChatClient;
  /** Runs `callback` before a paint (in a browser: an animation frame, paced by store/frames.ts). */
  requestFrame: (callback: () => void) => void;
  /** The renderer's monotonic clock. */
  now: () => number;
};
