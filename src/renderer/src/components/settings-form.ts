// The settings form keeps what the person typed (numbers as text) so that a refused save loses
// nothing; it becomes a Settings candidate only when saved.
import type { NginxProfile, ProviderConfig, SettingsView, SimScenario } from '../../../shared/protocol';
import { PRESETS, type OpenAIPreset } from '../../../shared/providers';
import { providerIdFor } from '../lib/models';

/**
 * An OpenAI-compatible provider as typed. Its id is fixed once saved; until then it follows the
 * name. `key` only tells rows apart on screen (it never changes, and is not saved).
 */
export type ProviderDraft = ProviderConfig & { key: string };

let rows = 0;
const rowKey = () => `row-${++rows}`;

export type SettingsDraft = {
  /** simulated, anthropic, or an OpenAI-compatible provider's id. */
  provider: string;
  providers: ProviderDraft[];
  model: string;
  maxTokens: string;
  thinkingEnabled: boolean;
  budgetTokens: string;
  idleTimeoutSeconds: string;
  maxConcurrentTurns: string;
  resumeGraceSeconds: string;
  mcpToolTimeoutSeconds: string;
  scenario: SimScenario;
  ttftMs: string;
  tpotMs: string;
  viaNginx: NginxProfile | null;
  systemPrompt: string;
};

export function draftOf(s: SettingsView): SettingsDraft {
  return {
    provider: s.provider,
    providers: s.providers.map((p) => ({ ...p, key: rowKey() })),
    model: s.model,
    maxTokens: String(s.maxTokens),
    thinkingEnabled: s.thinking.enabled,
    budgetTokens: String(s.thinking.budgetTokens),
    idleTimeoutSeconds: String(s.idleTimeoutMs / 1000),
    maxConcurrentTurns: String(s.maxConcurrentTurns),
    resumeGraceSeconds: String(s.resumeGraceMs / 1000),
    mcpToolTimeoutSeconds: String(s.mcpToolTimeoutMs / 1000),
    scenario: s.sim.scenario,
    ttftMs: String(s.sim.ttftMs),
    tpotMs: String(s.sim.tpotMs),
    viaNginx: s.viaNginx,
    systemPrompt: s.systemPrompt,
  };
}

/** Digits only (spaces around are fine): no sign, no exponent, no digits picked out of other text. */
export const WHOLE = /^\s*\d+\s*$/;
/** Seconds may have a decimal part: the schema keeps milliseconds. */
export const DECIMAL = /^\s*\d+(?:\.\d+)?\s*$/;

/**
 * Text that is not a plain number is NaN, never the digits picked out of it (`abc12` is not 12,
 * `1e3` is not 1000), so the schema refuses it; empty text is NaN too, not 0.
 */
export const num = (text: string, shape = WHOLE) => (shape.test(text) ? Number(text) : Number.NaN);

/** The numeric fields of the form: their draft key, the unit shown beside them, and what they take. */
export const NUMBER_FIELDS = [
  { path: 'maxTokens', key: 'maxTokens', unit: 'tokens', shape: WHOLE },
  { path: 'thinking.budgetTokens', key: 'budgetTokens', unit: 'tokens', shape: WHOLE },
  { path: 'idleTimeoutMs', key: 'idleTimeoutSeconds', unit: 's', shape: DECIMAL },
  { path: 'maxConcurrentTurns', key: 'maxConcurrentTurns', unit: 'answers', shape: WHOLE },
  { path: 'resumeGraceMs', key: 'resumeGraceSeconds', unit: 's', shape: DECIMAL },
  { path: 'mcpToolTimeoutMs', key: 'mcpToolTimeoutSeconds', unit: 's', shape: DECIMAL },
  { path: 'sim.ttftMs', key: 'ttftMs', unit: 'ms', shape: WHOLE },
  { path: 'sim.tpotMs', key: 'tpotMs', unit: 'ms', shape: WHOLE },
] as const satisfies readonly { path: string; key: keyof SettingsDraft; unit: string; shape: RegExp }[];

export const WHOLE_NUMBER_MESSAGE = 'Enter a whole number, e.g. 4096.';
export const SECONDS_MESSAGE = 'Enter a number of seconds, e.g. 30 or 2.5.';

/**
 * The numeric fields whose text is there but not a plain number, with the sentence each shows.
 * (An empty field is left to the schema's own message.) Such a form is never saved: `num` makes
 * the value NaN, which the schema refuses.
 */
export function numberErrors(draft: SettingsDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of NUMBER_FIELDS) {
    const text = draft[field.key];
    if (text.trim() !== '' && !field.shape.test(text))
      errors[field.path] = field.shape === DECIMAL ? SECONDS_MESSAGE : WHOLE_NUMBER_MESSAGE;
  }
  return errors;
}

/** The whole settings object to validate and send; fields the form does not show keep their value. */
export function candidateOf(draft: SettingsDraft, current: SettingsView): unknown {
  const idle = num(draft.idleTimeoutSeconds, DECIMAL);
  const grace = num(draft.resumeGraceSeconds, DECIMAL);
  const toolTimeout = num(draft.mcpToolTimeoutSeconds, DECIMAL);
  return {
    provider: draft.provider,
    providers: draft.providers.map(configOfDraft),
    model: draft.model,
    maxTokens: num(draft.maxTokens),
    thinking: { enabled: draft.thinkingEnabled, budgetTokens: num(draft.budgetTokens) },
    idleTimeoutMs: Number.isNaN(idle) ? idle : Math.round(idle * 1000),
    pingIntervalMs: current.pingIntervalMs,
    maxConcurrentTurns: num(draft.maxConcurrentTurns),
    resumeGraceMs: Number.isNaN(grace) ? grace : Math.round(grace * 1000),
    replayBufferBytes: current.replayBufferBytes,
    sim: { scenario: draft.scenario, ttftMs: num(draft.ttftMs), tpotMs: num(draft.tpotMs) },
    viaNginx: draft.viaNginx,
    // The servers and the "Always allow" lists are saved by the MCP section itself (McpSettings.tsx).
    mcpServers: current.mcpServers,
    mcpToolTimeoutMs: Number.isNaN(toolTimeout) ? toolTimeout : Math.round(toolTimeout * 1000),
    mcpAlwaysAllow: current.mcpAlwaysAllow,
    systemPrompt: draft.systemPrompt,
    // Presets are saved by their own section (PresetsSection.tsx).
    presets: current.presets,
  };
}

export const KEY_SOURCE_LABEL = {
  env: 'from environment',
  stored: 'stored',
  session: 'for this session',
} as const;

/** Whether a provider of the form is saved (a key can be set only for a saved one: it is kept by id). */
export const isSaved = (p: ProviderDraft, current: SettingsView) =>
  current.providers.some((c) => c.id === p.id);

/** Appends a provider of `preset`, its name and address from the preset. */
export function addProvider(
  draft: SettingsDraft,
  current: SettingsView,
  preset: OpenAIPreset,
): SettingsDraft {
  const info = PRESETS[preset];
  const id = providerIdFor(
    info.name,
    [...draft.providers, ...current.providers].map((p) => p.id),
  );
  const added: ProviderDraft = {
    key: rowKey(),
    id,
    preset,
    name: info.name,
    baseURL: info.baseURL,
    model: '',
  };
  return { ...draft, providers: [...draft.providers, added] };
}

/** The config as saved (and as "Test connection" sends it). */
export function configOfDraft(p: ProviderDraft): ProviderConfig {
  return { id: p.id, preset: p.preset, name: p.name, baseURL: p.baseURL, model: p.model };
}

/**
 * Changes provider `index`. An unsaved provider's id follows its name (and the default provider
 * follows the id); a saved one keeps its id, under which its key is stored.
 */
export function updateProvider(
  draft: SettingsDraft,
  current: SettingsView,
  index: number,
  patch: Partial<Omit<ProviderDraft, 'id' | 'preset'>>,
): SettingsDraft {
  const old = draft.providers[index];
  if (!old) return draft;
  const next: ProviderDraft = { ...old, ...patch };
  if (patch.name !== undefined && !isSaved(old, current)) {
    const others = draft.providers.filter((_, i) => i !== index).map((p) => p.id);
    // Ids of saved providers are taken too, even if removed in this form: a key may be kept under one.
    next.id = providerIdFor(patch.name, [...others, ...current.providers.map((p) => p.id)]);
  }
  const providers = draft.providers.map((p, i) => (i === index ? next : p));
  return { ...draft, providers, provider: draft.provider === old.id ? next.id : draft.provider };
}

/** Drops provider `index`; when it was the default, Simulated becomes the default. */
export function removeProvider(draft: SettingsDraft, index: number): SettingsDraft {
  const gone = draft.providers[index];
  if (!gone) return draft;
  return {
    ...draft,
    providers: draft.providers.filter((_, i) => i !== index),
    provider: draft.provider === gone.id ? 'simulated' : draft.provider,
  };
}

/** Field errors of a provider, keyed like the form's (`providers.<index>.<field>`); an id problem shows by the name. */
export function providerErrorPath(path: string): string {
  return path.replace(/^(providers\.\d+)\.id$/, '$1.name');
}
