// Settings as the UI may know them (no key, only whether one is set). A save is validated here
// first, for messages per field, and then sent whole: the main process validates again and
// either saves everything or nothing. The schema (zod, with the whole protocol) is fetched with
// the first save, not carried in the window's first chunk.
import type { z } from 'zod';
import { ApiFailure } from '../../../shared/errors';
import type { Settings, SettingsView } from '../../../shared/protocol';
import { PRESETS } from '../../../shared/providers';
import type { AppSlice, StoreDeps } from './types';

/** Field errors keyed by the setting's path, e.g. `thinking.budgetTokens`. */
export type FieldErrors = Record<string, string>;

export type SaveResult = { ok: true } | { ok: false; fieldErrors: FieldErrors; message: string };

export type SettingsSlice = {
  settings: SettingsView | null;
  settingsError: string | null;
  /** False where the key can only come from the environment (the browser twin). */
  canSetApiKey: boolean;
  loadSettings(): Promise<void>;
  saveSettings(candidate: unknown): Promise<SaveResult>;
  /**
   * Resolves with an error sentence, or null when done. `provider`: a saved OpenAI-compatible
   * provider's id; absent, the Anthropic key.
   */
  setApiKey(key: string | null, provider?: string): Promise<string | null>;
};

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

function issueMessage(issue: z.core.$ZodIssue): string {
  // zod's own wording ("Invalid input: expected number, received NaN") is for programmers.
  if (issue.code === 'invalid_type') {
    if (issue.expected === 'int') return 'Enter a whole number.';
    return issue.expected === 'number' ? 'Enter a number.' : 'This value is missing.';
  }
  if (issue.code === 'too_small' && issue.message.startsWith('Too small'))
    return `Must be at least ${String(issue.minimum)}.`;
  // The form shows the idle timeout in seconds.
  if (issue.code === 'too_big' && issue.path.at(-1) === 'idleTimeoutMs')
    return `Must be at most ${Number(issue.maximum) / 1000} s.`;
  if (issue.code === 'too_big' && issue.message.startsWith('Too big'))
    return `Must be at most ${String(issue.maximum)}.`;
  return issue.message;
}

export async function validateSettings(
  candidate: unknown,
): Promise<{ ok: true; value: Settings } | { ok: false; fieldErrors: FieldErrors }> {
  const { SettingsSchema } = await import('../../../shared/protocol');
  const parsed = SettingsSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, value: parsed.data };
  const fieldErrors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.join('.') || '(settings)';
    fieldErrors[path] ??= issueMessage(issue);
  }
  return { ok: false, fieldErrors };
}

/** The main process's per-field issues, which the IPC and HTTP clients' ApiFailure carries. */
function fieldErrorsOf(err: unknown): FieldErrors {
  const fieldErrors: FieldErrors = {};
  if (err instanceof ApiFailure) for (const issue of err.issues) fieldErrors[issue.path] ??= issue.message;
  return fieldErrors;
}

export const createSettingsSlice =
  ({ client }: StoreDeps): AppSlice<SettingsSlice> =>
  (set, get) => ({
    settings: null,
    settingsError: null,
    canSetApiKey: typeof client.setApiKey === 'function',

    async loadSettings() {
      try {
        set({ settings: await client.getSettings(), settingsError: null });
      } catch (err) {
        set({ settingsError: `Could not load settings: ${messageOf(err)}` });
      }
    },

    async saveSettings(candidate) {
      const checked = await validateSettings(candidate);
      if (!checked.ok) {
        return {
          ok: false,
          fieldErrors: checked.fieldErrors,
          message: 'Some settings need fixing; nothing was saved.',
        };
      }
      try {
        // A provider's address or model may have changed: its model list is fetched again.
        set({ settings: await client.updateSettings(checked.value), modelLists: {} });
        return { ok: true };
      } catch (err) {
        return {
          ok: false,
          fieldErrors: fieldErrorsOf(err),
          message: `Nothing was saved: ${messageOf(err)}`,
        };
      }
    },

    async setApiKey(key, provider) {
      if (!client.setApiKey) {
        const config = provider ? get().settings?.providers.find((p) => p.id === provider) : undefined;
        const env = config ? PRESETS[config.preset].keyEnv : 'ANTHROPIC_API_KEY';
        return env
          ? `Here the key comes from ${env} in the environment of \`sluice serve\`.`
          : 'Here a key cannot be set.';
      }
      try {
        const view = provider ? await client.setApiKey(key, provider) : await client.setApiKey(key);
        set((s) => {
          const { [provider ?? 'anthropic']: _dropped, ...modelLists } = s.modelLists;
          return { settings: view, modelLists };
        });
        return null;
      } catch (err) {
        return `The key was not changed: ${messageOf(err)}`;
      }
    },
  });
