// Which provider and model a chat talks to, as the window names them. The main process decides
// (chat/target.ts) with the same default (shared/providers.ts), which the window shows before a turn.
import { configModel, configOf, defaultChoice } from '../../../shared/choice';
import { isBuiltinProvider } from '../../../shared/providers';

export { configModel, configOf, defaultChoice as defaultChoiceOf };
import type { ModelChoice, ProviderKind, Settings } from '../../../shared/protocol';

export const BUILTIN_NAMES = { simulated: 'Simulated', anthropic: 'Anthropic' } as const;

/** "Simulated", "Anthropic", or the configured provider's name (its id once it was removed). */
export function providerNameOf(settings: Pick<Settings, 'providers'> | null, id: string): string {
  if (isBuiltinProvider(id)) return BUILTIN_NAMES[id];
  return (settings && configOf(settings, id)?.name) ?? id;
}

/** The providers a chat can talk to, in the order Settings lists them. */
export function providerIdsOf(settings: Pick<Settings, 'providers'>): string[] {
  return ['simulated', 'anthropic', ...settings.providers.map((p) => p.id)];
}

/**
 * Who answered, for a message's header. A stored answer keeps only its wire family and model; an
 * OpenAI-compatible one is named after the configured provider the conversation talks to when that
 * provider serves the same model, else after the only configured provider, else generically.
 */
export function answererName(
  kind: ProviderKind | null,
  model: string | null,
  settings: Pick<Settings, 'providers'> | null,
  choice: ModelChoice | null,
): string {
  if (kind === 'simulated') return 'Simulated';
  if (kind !== 'openai') return 'Claude';
  const chosen =
    choice && !isBuiltinProvider(choice.provider)
      ? configOf(settings ?? { providers: [] }, choice.provider)
      : undefined;
  if (chosen && (model === null || choice?.model === model)) return chosen.name;
  const only = settings?.providers.length === 1 ? settings.providers[0] : undefined;
  return only?.name ?? 'OpenAI-compatible';
}

/** Lowercase, dashes, unique, never a built-in id: the id a new provider named `name` gets. */
export function providerIdFor(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const slug =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'provider';
  const base = /^[a-z0-9]/.test(slug) ? slug : `p-${slug}`;
  let id = base;
  for (let n = 2; isBuiltinProvider(id) || used.has(id); n++) id = `${base}-${n}`;
  return id;
}
