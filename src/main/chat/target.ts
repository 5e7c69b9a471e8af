// Which provider a turn talks to, with which model and key: the simulated provider (embedded,
// started on first use, on loopback), the Anthropic API, or an OpenAI-compatible server from
// settings. The key stays in the main process.
import {
  SIM_SCENARIOS,
  type ModelChoice,
  type ProviderConfig,
  type ProviderKind,
  type Settings,
  type SimScenario,
} from '../../shared/protocol';
import { configOf, defaultChoice } from '../../shared/choice';
import { isBuiltinProvider, PRESETS } from '../../shared/providers';

export { configOf, defaultChoice };
import { ProviderClient } from '../providers/anthropic';
import { OpenAIProvider } from '../providers/openai';
import { startSimulatedProvider, type SimulatedProvider } from '../providers/simulated';
import type { Provider, ProviderTarget } from '../providers/types';

export type KeyInfo = { key: string; source: 'env' | 'stored' | 'session' };

/** Whose key: the Anthropic one, or an OpenAI-compatible provider's (by its id), and the variable it may come from. */
export type KeySlot = { id: string; env: string | null };

export const ANTHROPIC_KEY: KeySlot = { id: 'anthropic', env: 'ANTHROPIC_API_KEY' };
export const keySlotOf = (config: Pick<ProviderConfig, 'id' | 'preset'>): KeySlot => ({
  id: config.id,
  env: PRESETS[config.preset].keyEnv,
});

/** Where API keys live. Only the main process holds one. */
export interface KeySource {
  get(slot?: KeySlot): KeyInfo | null;
}

/** Where the desktop app keeps API keys: settable, and able to say how they are stored. */
export interface KeyStore extends KeySource {
  set(key: string | null, slot?: KeySlot): Promise<void>;
  /** A sentence the Settings screen should show (e.g. "kept for this session only"), or null. */
  note(): string | null;
}

const fromEnv = (env: NodeJS.ProcessEnv, slot: KeySlot): KeyInfo | null => {
  const key = slot.env ? env[slot.env] : undefined;
  return key ? { key, source: 'env' } : null;
};

export const envKeySource = (env: NodeJS.ProcessEnv = process.env): KeySource => ({
  get: (slot = ANTHROPIC_KEY) => fromEnv(env, slot),
});
export { fromEnv as envKey };

export const DEFAULT_BASE_URL = 'https://api.anthropic.com';

export type ResolvedTarget = { target: ProviderTarget; kind: ProviderKind; model: string };

export class NoKeyError extends Error {
  readonly type = 'auth';
  constructor(message?: string) {
    super(
      message ??
        'No API key is set. Add one in Settings (or set ANTHROPIC_API_KEY), or switch the provider to Simulated.',
    );
  }
}

/** Starts the embedded simulated provider once, on first use. */
export class EmbeddedSimulator {
  private started: Promise<SimulatedProvider> | null = null;

  constructor(private readonly options: Parameters<typeof startSimulatedProvider>[0] = {}) {}

  url(): Promise<string> {
    const started = (this.started ??= startSimulatedProvider(this.options));
    return started.then((s) => s.url);
  }

  /** The server once started (its request log), else null. */
  served(): Promise<SimulatedProvider | null> {
    return this.started ?? Promise.resolve(null);
  }

  async close(): Promise<void> {
    const started = this.started;
    this.started = null;
    if (started) await (await started).close();
  }
}

/** A choice the settings can serve, or why not (a provider since removed, a scenario that is not one). */
export function checkChoice(settings: Settings, choice: ModelChoice): string | null {
  if (choice.provider === 'simulated') {
    return (SIM_SCENARIOS as readonly string[]).includes(choice.model)
      ? null
      : `The simulated provider has no model "${choice.model}"; its models are ${SIM_SCENARIOS.join(', ')}.`;
  }
  if (isBuiltinProvider(choice.provider) || configOf(settings, choice.provider)) return null;
  return `No provider "${choice.provider}" is configured (it may have been removed in Settings).`;
}

export async function resolveTarget(
  settings: Settings,
  keys: KeySource,
  simulator: EmbeddedSimulator,
  env: NodeJS.ProcessEnv = process.env,
  choice: ModelChoice = defaultChoice(settings),
  origin: ConfigOrigin = 'settings',
): Promise<ResolvedTarget> {
  if (choice.provider === 'anthropic') {
    const key = keys.get(ANTHROPIC_KEY);
    if (!key) throw new NoKeyError();
    const base = env['ANTHROPIC_BASE_URL'];
    return {
      kind: 'anthropic',
      model: choice.model,
      target: {
        kind: 'anthropic',
        wire: 'anthropic',
        label: 'Anthropic',
        apiKey: key.key,
        baseURL: base || DEFAULT_BASE_URL,
        source: base
          ? { label: 'from ANTHROPIC_BASE_URL', variable: 'ANTHROPIC_BASE_URL' }
          : { label: "the Anthropic provider's default address" },
        keySource:
          key.source === 'env'
            ? { label: 'from ANTHROPIC_API_KEY', variable: 'ANTHROPIC_API_KEY' }
            : { label: 'saved in Settings' },
      },
    };
  }
  const config = configOf(settings, choice.provider);
  if (config) return { kind: 'openai', model: choice.model, target: openAITarget(config, keys, origin) };
  const scenario = SIM_SCENARIOS.find((s) => s === choice.model) ?? settings.sim.scenario;
  return {
    kind: 'simulated',
    model: scenario satisfies SimScenario,
    target: {
      kind: 'simulated',
      wire: 'anthropic',
      label: 'Simulated',
      apiKey: 'simulated',
      baseURL: await simulator.url(),
      source: { label: 'the embedded simulated provider', embedded: true },
      headers: {
        'x-sluice-sim-ttft-ms': String(settings.sim.ttftMs),
        'x-sluice-sim-tpot-ms': String(settings.sim.tpotMs),
      },
    },
  };
}

/** An OpenAI-compatible provider's target. A server that needs a key and has none is refused here. */
/** Where an OpenAI-compatible provider's config came from, so a sentence names what to correct. */
export type ConfigOrigin = 'settings' | 'command-line';

export function openAITarget(
  config: ProviderConfig,
  keys: KeySource,
  origin: ConfigOrigin = 'settings',
): ProviderTarget {
  const preset = PRESETS[config.preset];
  const slot = keySlotOf(config);
  const key = keys.get(slot);
  // A preset's own service needs a key; the same wire at another address (a local vLLM, a proxy) may not.
  if (!key && preset.needsKey && config.baseURL.replace(/\/+$/, '') === preset.baseURL) {
    throw new NoKeyError(
      `No API key is set for ${config.name}. Add one in Settings${slot.env ? ` (or set ${slot.env})` : ''}, or pick another model in the composer.`,
    );
  }
  return {
    kind: 'openai',
    wire: 'openai',
    dialect: preset.dialect,
    label: config.name,
    // No key: the adapter sends no Authorization header (a local server takes none).
    apiKey: key?.key ?? '',
    baseURL: config.baseURL,
    source: {
      label:
        origin === 'settings'
          ? `the base URL of ${config.name} in Settings`
          : config.baseURL === preset.baseURL
            ? `the ${config.name} preset's address`
            : 'from --base-url',
      setting:
        origin === 'settings' ? 'correct the base URL in Settings' : 'give its address with --base-url',
      ...(preset.startHint ? { startHint: preset.startHint } : {}),
    },
    ...(key
      ? {
          keySource:
            key.source === 'env' && slot.env
              ? { label: `from ${slot.env}`, variable: slot.env }
              : { label: `saved in Settings for ${config.name}` },
        }
      : {}),
  };
}

/** The adapter for a target's wire. */
export const providerFor = (target: ProviderTarget): Provider =>
  target.wire === 'openai' ? new OpenAIProvider(target) : new ProviderClient(target);
