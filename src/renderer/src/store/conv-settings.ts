// A conversation's own settings (system prompt, temperature, max tokens) and the presets a new
// chat starts from. A stored conversation's are saved at once (client.configureConversation); a
// new chat's ride on its first request, which stores them with the conversation. Presets live in
// Settings: saved whole with client.updateSettings, which validates them.
import type { ChatPreset, ConversationParams, ModelChoice } from '../../../shared/protocol';
import { addPreset, removePreset, startFrom } from '../../../shared/chat-presets';
import type { AppSlice, AppState, StoreDeps } from './types';

export type ConvSettingsSlice = {
  /** A new chat's settings until its first request stores them (null: Settings' defaults). */
  draftParams: ConversationParams | null;
  /** The preset a new chat started from, by name (shown in its header until the chat is stored). */
  draftPreset: string | null;
  /** Saves the settings of the chat on screen; resolves with an error sentence, or null when saved. */
  saveConversationParams(params: ConversationParams): Promise<string | null>;
  /** A new chat with the preset's settings and model (the preset itself is not linked: a copy). */
  startFromPreset(id: string): void;
  /** Adds a preset to Settings; resolves with an error sentence, or null when saved. */
  savePreset(preset: {
    name: string;
    params: ConversationParams;
    model?: ModelChoice;
  }): Promise<string | null>;
  deletePreset(id: string): Promise<string | null>;
};

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The settings of the chat on screen: the stored conversation's, else the new chat's draft. */
export function currentParams(s: AppState): ConversationParams {
  // The draft is dropped whenever another conversation opens, so it is this chat's until it is stored.
  return s.active ? (s.active.params ?? {}) : (s.draftParams ?? {});
}

export const createConvSettingsSlice =
  ({ client }: StoreDeps): AppSlice<ConvSettingsSlice> =>
  (set, get) => {
    const savePresets = async (presets: ChatPreset[]): Promise<string | null> => {
      try {
        set({ settings: await client.updateSettings({ presets }) });
        return null;
      } catch (err) {
        return `The presets were not saved: ${messageOf(err)}`;
      }
    };
    return {
      draftParams: null,
      draftPreset: null,

      async saveConversationParams(params) {
        const id = get().active?.id ?? get().activeId;
        if (id === null) {
          set({ draftParams: params });
          return null;
        }
        try {
          const saved = await client.configureConversation(id, params);
          set((s) => ({
            active: s.active?.id === id ? { ...s.active, params: saved } : s.active,
          }));
          return null;
        } catch (err) {
          return `Nothing was saved: ${messageOf(err)}`;
        }
      },

      startFromPreset(id) {
        const preset = get().settings?.presets.find((p) => p.id === id);
        if (!preset) return;
        get().newChat();
        const { params, model } = startFrom(preset);
        set({ draftParams: params, draftPreset: preset.name, pickedModel: model ?? null });
      },

      async savePreset(preset) {
        const current = get().settings?.presets ?? [];
        return savePresets(addPreset(current, preset));
      },

      async deletePreset(id) {
        return savePresets(removePreset(get().settings?.presets ?? [], id));
      },
    };
  };
