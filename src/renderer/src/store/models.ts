// The model picker's side of the store: each provider's model list, fetched once per session (on
// the picker's first open) and kept; the model picked for the chat on screen, which the next
// request carries (the main process keeps it on the conversation); and Settings' "Test
// connection", which lists a draft provider's models without saving it.
import type { ModelChoice, ModelInfo, ProviderConfig } from '../../../shared/protocol';
import { SIM_SCENARIOS } from '../../../shared/defaults';
import { defaultChoiceOf } from '../lib/models';
import type { AppSlice, AppState, StoreDeps } from './types';

export type ModelsEntry =
  { status: 'loading' } | { status: 'ok'; models: ModelInfo[] } | { status: 'error'; message: string };

export type TestResult = { ok: true; models: ModelInfo[] } | { ok: false; message: string };

export type ModelsSlice = {
  /** By provider id; absent until first asked for. */
  modelLists: Record<string, ModelsEntry>;
  /** The model picked for the chat on screen; null: the conversation's own choice, else the default. */
  pickedModel: ModelChoice | null;
  /** Fetches a provider's models unless they are cached (or being fetched); `force` fetches again. */
  loadModels(provider: string, force?: boolean): Promise<void>;
  pickModel(choice: ModelChoice): void;
  /** Lists the models of a provider as typed in Settings (saved or not). */
  testProvider(config: ProviderConfig): Promise<TestResult>;
};

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The provider and model the chat on screen talks to (null until settings are loaded). */
export function currentChoice(s: AppState): ModelChoice | null {
  return s.pickedModel ?? s.active?.model ?? (s.settings ? defaultChoiceOf(s.settings) : null);
}

export const createModelsSlice =
  ({ client }: StoreDeps): AppSlice<ModelsSlice> =>
  (set, get) => ({
    modelLists: {},
    pickedModel: null,

    async loadModels(provider, force = false) {
      const cached = get().modelLists[provider];
      if (cached && (cached.status === 'loading' || !force)) return;
      const put = (entry: ModelsEntry) =>
        set((s) => ({ modelLists: { ...s.modelLists, [provider]: entry } }));
      put({ status: 'loading' });
      try {
        const list = await client.listModels({ provider });
        put({ status: 'ok', models: list.models });
      } catch (err) {
        // The simulated provider's models are its scenarios, known here even when it cannot list them.
        if (provider === 'simulated') put({ status: 'ok', models: SIM_SCENARIOS.map((id) => ({ id })) });
        else put({ status: 'error', message: messageOf(err) });
      }
    },

    pickModel(choice) {
      set({ pickedModel: choice });
    },

    async testProvider(config) {
      try {
        const list = await client.listModels({ provider: config.id, config });
        return { ok: true, models: list.models };
      } catch (err) {
        return { ok: false, message: messageOf(err) };
      }
    },
  });
