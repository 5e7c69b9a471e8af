// Which provider a turn talks to: the real API when a key is set and chosen, else the embedded
// simulated provider (started on first use, on loopback).
import type { ProviderKind, Settings } from '../../shared/protocol';
import type { ProviderTarget } from '../providers/types';
import { startSimulatedProvider, type SimulatedProvider } from '../providers/simulated';

export type KeyInfo = { key: string; source: 'env' | 'stored' | 'session' };

/** Where the API key lives. Only the main process holds one. */
export interface KeySource {
  get(): KeyInfo | null;
}

/** Where the desktop app keeps the API key: settable, and able to say how it is stored. */
export interface KeyStore extends KeySource {
  set(key: string | null): Promise<void>;
  /** A sentence the Settings screen should show (e.g. "kept for this session only"), or null. */
  note(): string | null;
}

export const envKeySource = (env: NodeJS.ProcessEnv = process.env): KeySource => ({
  get: () => (env['ANTHROPIC_API_KEY'] ? { key: env['ANTHROPIC_API_KEY'], source: 'env' } : null),
});

export const DEFAULT_BASE_URL = 'https://api.anthropic.com';

export type ResolvedTarget = { target: ProviderTarget; kind: ProviderKind; model: string };

export class NoKeyError extends Error {
  readonly type = 'auth';
  constructor() {
    super(
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

  async close(): Promise<void> {
    const started = this.started;
    this.started = null;
    if (started) await (await started).close();
  }
}

export async function resolveTarget(
  settings: Settings,
  keys: KeySource,
  simulator: EmbeddedSimulator,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedTarget> {
  if (settings.provider === 'anthropic') {
    const key = keys.get();
    if (!key) throw new NoKeyError();
    const fromEnv = env['ANTHROPIC_BASE_URL'];
    return {
      kind: 'anthropic',
      model: settings.model,
      target: {
        kind: 'anthropic',
        label: 'Anthropic',
        apiKey: key.key,
        baseURL: fromEnv || DEFAULT_BASE_URL,
        source: fromEnv
          ? { label: 'from ANTHROPIC_BASE_URL', variable: 'ANTHROPIC_BASE_URL' }
          : { label: "the Anthropic provider's default address" },
        keySource:
          key.source === 'env'
            ? { label: 'from ANTHROPIC_API_KEY', variable: 'ANTHROPIC_API_KEY' }
            : { label: 'saved in Settings' },
      },
    };
  }
  return {
    kind: 'simulated',
    model: settings.sim.scenario,
    target: {
      kind: 'simulated',
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
