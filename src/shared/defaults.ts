// The values of the protocol that hold no schema: the default settings, the simulated scenarios,
// the nginx profiles, the image types a tool result may show. protocol.ts re-exports them; the
// window imports them from here, so its first chunk carries no zod (bench: bundle).
import type { Settings } from './protocol';

/** Image types a tool result may show, as data: URLs. */
export const SAFE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

export const SIM_SCENARIOS = [
  'sim-text',
  'sim-tool',
  'sim-reasoning',
  'sim-overloaded',
  'sim-overloaded-midstream',
  'sim-rate-limited',
  'sim-drop',
  'sim-stall',
  'sim-max-tokens',
  'sim-refusal',
  'sim-echo',
] as const;
export type SimScenario = (typeof SIM_SCENARIOS)[number];

export const NGINX_PROFILES = ['buffered', 'buffered-gzip', 'streaming', 'header-cure'] as const;
export type NginxProfile = (typeof NGINX_PROFILES)[number];

export const DEFAULT_SETTINGS: Settings = {
  provider: 'simulated',
  providers: [],
  // A current model of the installed SDK's `Model` list, not in its DEPRECATED_MODELS (the SDK warns
  // on every request for those): claude-sonnet-4-5 reached its end of life on 2026-11-30.
  model: 'claude-sonnet-5-5',
  maxTokens: 4096,
  thinking: { enabled: false, budgetTokens: 2048 },
  idleTimeoutMs: 30_000,
  pingIntervalMs: 15_000,
  maxConcurrentTurns: 4,
  resumeGraceMs: 30_000,
  replayBufferBytes: 1_048_576,
  sim: { scenario: 'sim-text', ttftMs: 400, tpotMs: 25 },
  viaNginx: null,
  mcpServers: {},
  mcpToolTimeoutMs: 60_000,
  mcpAlwaysAllow: {},
  systemPrompt: '',
  presets: [],
};
