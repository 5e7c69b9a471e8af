// A conversation's own settings and the presets a new chat starts from: what a turn sends (the
// conversation's value, else Settings'), the temperature each wire takes, and the preset list's
// changes. Pure: the main process (chat/service.ts) and the window (the header and Settings) both
// follow these rules.
import type { ChatPreset, ConversationParams, ModelChoice, ProviderKind, Settings } from './protocol';

/**
 * The highest temperature each wire takes: Chat Completions 0–2; the Messages API none at all —
 * API version 2026-10-21, which the installed Anthropic SDK sends, refuses `temperature` (and
 * `top_p`, `top_k`) on every model, even at 1, and the SDK's request type has no such field.
 */
export const TEMPERATURE_MAX: Record<ProviderKind, number | null> = {
  anthropic: null,
  simulated: null,
  openai: 2,
};

/** A sentence when `temperature` cannot be sent as it is on `kind`'s wire, saying what is sent instead. */
export function temperatureProblem(kind: ProviderKind, temperature: number | undefined): string | null {
  if (temperature === undefined) return null;
  const max = TEMPERATURE_MAX[kind];
  if (max === null)
    return `The Anthropic Messages API (version 2026-10-21) takes no temperature, so the conversation's ${temperature} is not sent; it applies with an OpenAI-compatible provider (0 to 2).`;
  return temperature > max
    ? `An OpenAI-compatible provider takes a temperature from 0 to ${max}: ${temperature} is sent as ${max}.`
    : null;
}

/** What one turn sends: the system prompt, max tokens, the temperature and thinking, with why any was changed. */
export type TurnParams = {
  system: string;
  maxTokens: number;
  temperature: number | undefined;
  thinking: boolean;
  notices: string[];
};

export function turnParamsOf(
  settings: Pick<Settings, 'systemPrompt' | 'maxTokens' | 'thinking'>,
  params: ConversationParams | undefined,
  kind: ProviderKind,
): TurnParams {
  const notices: string[] = [];
  const maxTokens = params?.maxTokens ?? settings.maxTokens;
  let temperature = params?.temperature;
  const problem = temperatureProblem(kind, temperature);
  if (problem && temperature !== undefined) {
    notices.push(problem);
    const max = TEMPERATURE_MAX[kind];
    temperature = max === null ? undefined : Math.min(temperature, max);
  }
  // Thinking is a Messages API request field; Chat Completions requests never carry it.
  let thinking = settings.thinking.enabled && kind !== 'openai';
  if (thinking && settings.thinking.budgetTokens >= maxTokens) {
    notices.push(
      `Max tokens (${maxTokens}) is not above the thinking budget (${settings.thinking.budgetTokens}): this turn runs without extended thinking.`,
    );
    thinking = false;
  }
  const own = params?.system;
  return {
    system: own !== undefined && own.trim() !== '' ? own : settings.systemPrompt,
    maxTokens,
    temperature,
    thinking,
    notices,
  };
}

/** The params with their empty fields dropped (an empty system prompt means Settings' one). */
export function cleanParams(params: ConversationParams): ConversationParams {
  const out: ConversationParams = {};
  if (params.system !== undefined && params.system.trim() !== '') out.system = params.system;
  if (params.temperature !== undefined) out.temperature = params.temperature;
  if (params.maxTokens !== undefined) out.maxTokens = params.maxTokens;
  return out;
}

/** An id for a preset named `name`, not among `taken`. */
export function presetIdFor(name: string, taken: readonly string[]): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'preset';
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}-${n}`;
  return id;
}

/** The list with a new preset at its end (its id made from its name). */
export function addPreset(
  presets: readonly ChatPreset[],
  preset: { name: string; params: ConversationParams; model?: ModelChoice | undefined },
): ChatPreset[] {
  const id = presetIdFor(
    preset.name,
    presets.map((p) => p.id),
  );
  return [
    ...presets,
    {
      id,
      name: preset.name.trim(),
      params: cleanParams(preset.params),
      ...(preset.model ? { model: preset.model } : {}),
    },
  ];
}

/** The list without preset `id` (conversations started from it keep their own copy). */
export const removePreset = (presets: readonly ChatPreset[], id: string): ChatPreset[] =>
  presets.filter((p) => p.id !== id);

/** What a new chat takes from a preset: a copy, so a later change to either leaves the other. */
export const startFrom = (preset: ChatPreset): { params: ConversationParams; model?: ModelChoice } => ({
  params: structuredClone(preset.params),
  ...(preset.model ? { model: { ...preset.model } } : {}),
});
