// The settings form keeps what the person typed (numbers as text) so that a refused save loses
// nothing; it becomes a Settings candidate only when saved.
import type { NginxProfile, SettingsView, SimScenario } from '../../../shared/protocol';

export type SettingsDraft = {
  /** simulated, anthropic, or an OpenAI-compatible provider's id. */
  provider: string;
  model: string;
  maxTokens: string;
  thinkingEnabled: boolean;
  budgetTokens: string;
  idleTimeoutSeconds: string;
  scenario: SimScenario;
  ttftMs: string;
  tpotMs: string;
  viaNginx: NginxProfile | null;
};

export function draftOf(s: SettingsView): SettingsDraft {
  return {
    provider: s.provider,
    model: s.model,
    maxTokens: String(s.maxTokens),
    thinkingEnabled: s.thinking.enabled,
    budgetTokens: String(s.thinking.budgetTokens),
    idleTimeoutSeconds: String(s.idleTimeoutMs / 1000),
    scenario: s.sim.scenario,
    ttftMs: String(s.sim.ttftMs),
    tpotMs: String(s.sim.tpotMs),
    viaNginx: s.viaNginx,
  };
}

/** Empty text is NaN, not 0, so that the schema reports it instead of saving a zero. */
const num = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/** The whole settings object to validate and send; fields the form does not show keep their value. */
export function candidateOf(draft: SettingsDraft, current: SettingsView): unknown {
  const idle = num(draft.idleTimeoutSeconds);
  return {
    provider: draft.provider,
    providers: current.providers,
    model: draft.model,
    maxTokens: num(draft.maxTokens),
    thinking: { enabled: draft.thinkingEnabled, budgetTokens: num(draft.budgetTokens) },
    idleTimeoutMs: Number.isNaN(idle) ? idle : Math.round(idle * 1000),
    pingIntervalMs: current.pingIntervalMs,
    sim: { scenario: draft.scenario, ttftMs: num(draft.ttftMs), tpotMs: num(draft.tpotMs) },
    viaNginx: draft.viaNginx,
  };
}

export const KEY_SOURCE_LABEL = {
  env: 'from environment',
  stored: 'stored',
  session: 'for this session',
} as const;
