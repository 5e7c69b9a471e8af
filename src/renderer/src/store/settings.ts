// Settings as the UI may know them (no key, only whether one is set). A save is validated here
// first, for messages per field, and then sent whole: the main process validates again and
// either saves everything or nothing.
import type { z } from 'zod';
import { SettingsSchema, type Settings, type SettingsView } from '../../../shared/protocol';
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
  /** Resolves with an error sentence, or null when done. */
  setApiKey(key: string | null): Promise<string | null>;
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

export function validateSettings(
  candidate: unknown,
): { ok: true; value: Settings } | { ok: false; fieldErrors: FieldErrors } {
  const parsed = SettingsSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, value: parsed.data };
  const fieldErrors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.join('.') || '(settings)';
    fieldErrors[path] ??= issueMessage(issue);
  }
  return { ok: false, fieldErrors };
}

/** The IPC and HTTP clients' errors may carry the main process's per-field issues. */
function issuesOf(err: unknown): FieldErrors {
  const issues = (err as { issues?: unknown } | null)?.issues;
  const fieldErrors: FieldErrors = {};
  if (!Array.isArray(issues)) return fieldErrors;
  for (const issue of issues as ({ path?: unknown; message?: unknown } | null)[]) {
    if (typeof issue?.path === 'string' && typeof issue.message === 'string')
      fieldErrors[issue.path] ??= issue.message;
  }
  return fieldErrors;
}

export const createSettingsSlice =
  ({ client }: StoreDeps): AppSlice<SettingsSlice> =>
  (set) => ({
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
      const checked = validateSettings(candidate);
      if (!checked.ok) {
        return {
          ok: false,
          fieldErrors: checked.fieldErrors,
          message: 'Some settings need fixing; nothing was saved.',
        };
      }
      try {
        set({ settings: await client.updateSettings(checked.value) });
        return { ok: true };
      } catch (err) {
        return { ok: false, fieldErrors: issuesOf(err), message: `Nothing was saved: ${messageOf(err)}` };
      }
    },

    async setApiKey(key) {
      if (!client.setApiKey) {
        return 'Here the key comes from ANTHROPIC_API_KEY in the environment of `sluice serve`.';
      }
      try {
        set({ settings: await client.setApiKey(key) });
        return null;
      } catch (err) {
        return `The key was not changed: ${messageOf(err)}`;
      }
    },
  });
