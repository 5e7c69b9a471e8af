// Which provider and model a conversation talks to when it has not chosen: the one rule the main
// process (chat/target.ts) and the window (the model picker) both follow.
import type { ModelChoice, ProviderConfig, ProviderKind, Settings } from './protocol';
import { PRESETS } from './providers';
import type { AttachmentSupport } from './attachments';

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

/** What the provider of `choice` is called and whether it takes images and PDFs (shared/attachments.ts). */
export function attachmentSupportOf(
  settings: Pick<Settings, 'providers'>,
  choice: ModelChoice,
): { name: string; support: AttachmentSupport } {
  if (choice.provider === 'simulated')
    return { name: 'The simulated provider', support: { images: true, pdfs: true } };
  if (choice.provider === 'anthropic') return { name: 'Anthropic', support: { images: true, pdfs: true } };
  const config = configOf(settings, choice.provider);
  if (!config) return { name: choice.provider, support: { images: true, pdfs: true } };
  return { name: config.name, support: PRESETS[config.preset].attachments };
}
/** The wire family a choice talks over (the simulated provider speaks the Messages API). */
export const kindOf = (choice: Pick<ModelChoice, 'provider'>): ProviderKind =>
  choice.provider === 'simulated' || choice.provider === 'anthropic' ? choice.provider : 'openai';
