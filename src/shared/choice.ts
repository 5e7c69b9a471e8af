// Which provider and model a conversation talks to when it has not chosen: the one rule the main
// process (chat/target.ts) and the window (the model picker) both follow.
import type { ModelChoice, ProviderConfig, ProviderKind, Settings } from './protocol';
import { PRESETS } from './providers';

/** The configured OpenAI-compatible provider with this id, if any. */
export const configOf = (settings: Pick<Settings, 'providers'>, id: string): ProviderConfig | undefined =>
  settings.providers.find((p) => p.id === id);

/** A configured provider's model, else its preset's example ('' for a custom one). */
export const configModel = (config: ProviderConfig): string =>
  config.model || PRESETS[config.preset].exampleModel;

/** What a new conversation talks to: the settings' provider and that provider's model. */
export function defaultChoice(settings: Settings): ModelChoice {
  const { provider } = settings;
  if (provider === 'simulated') return { provider, model: settings.sim.scenario };
  if (provider === 'anthropic') return { provider, model: settings.model };
  const config = configOf(settings, provider);
  return { provider, model: config ? configModel(config) : '' };
}

/** The wire family a choice talks over (the simulated provider speaks the Messages API). */
export const kindOf = (choice: Pick<ModelChoice, 'provider'>): ProviderKind =>
  choice.provider === 'simulated' || choice.provider === 'anthropic' ? choice.provider : 'openai';
