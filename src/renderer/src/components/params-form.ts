// The form of a conversation's own settings (the header's dialog, and a preset in Settings): what
// was typed is kept as text, so a refused save loses nothing; it becomes ConversationParams only
// when it passes the schema the main process checks again. Empty fields mean "Settings' default".
import { ConversationParamsSchema, type ConversationParams } from '../../../shared/protocol';
import type { FieldErrors } from '../store';
import { DECIMAL, num, WHOLE, WHOLE_NUMBER_MESSAGE } from './settings-form';

export type ParamsDraft = { system: string; temperature: string; maxTokens: string };

export const TEMPERATURE_MESSAGE = 'Enter a number from 0 to 2, e.g. 0.7.';

export const paramsDraftOf = (params: ConversationParams | undefined): ParamsDraft => ({
  system: params?.system ?? '',
  temperature: params?.temperature === undefined ? '' : String(params.temperature),
  maxTokens: params?.maxTokens === undefined ? '' : String(params.maxTokens),
});

/**
 * The params to save, or the field errors (keyed system, temperature, maxTokens). Text that is not
 * a plain number is refused as such (`abc12` is not 12), before the schema's bounds.
 */
export function paramsOfDraft(
  draft: ParamsDraft,
): { ok: true; params: ConversationParams } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const candidate: Record<string, unknown> = {};
  if (draft.system.trim() !== '') candidate['system'] = draft.system;
  if (draft.temperature.trim() !== '') {
    candidate['temperature'] = num(draft.temperature, DECIMAL);
    if (!DECIMAL.test(draft.temperature)) errors['temperature'] = TEMPERATURE_MESSAGE;
  }
  if (draft.maxTokens.trim() !== '') {
    candidate['maxTokens'] = num(draft.maxTokens, WHOLE);
    if (!WHOLE.test(draft.maxTokens)) errors['maxTokens'] = WHOLE_NUMBER_MESSAGE;
  }
  const parsed = ConversationParamsSchema.safeParse(candidate);
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, params: parsed.data };
  for (const issue of parsed.error?.issues ?? []) errors[String(issue.path[0])] ??= issue.message;
  return { ok: false, errors };
}
