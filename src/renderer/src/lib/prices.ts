// The price of an answer on screen: the table in force (the settings carry it: shipped prices with
// the person's file over them; the shipped ones alone until settings load) and the entry for an
// answer's provider and model.
import {
  costOf,
  findPrice,
  priceProvidersOf,
  SHIPPED_PRICES,
  type Cost,
  type PriceEntry,
} from '../../../shared/cost';
import type { Conversation, ProviderKind, SettingsView, TokenUsage } from '../../../shared/protocol';

/** What a price depends on besides the answer: the settings (the table in force) and the conversation. */
export type PriceContext = { settings: SettingsView | null; active: Pick<Conversation, 'model'> | null };

/** The price entry for an answer from `provider`'s `model` in the conversation on screen. */
export function priceFor(
  s: PriceContext,
  provider: ProviderKind | null,
  model: string | null,
): PriceEntry | null {
  if (!provider || !model) return null;
  const entries = s.settings?.prices?.entries ?? SHIPPED_PRICES;
  return findPrice(entries, priceProvidersOf(provider, model, s.active?.model, s.settings), model);
}

export { kindOf } from '../../../shared/choice';

export const costWith = (usage: TokenUsage, entry: PriceEntry | null, model: string | null): Cost =>
  costOf(usage, entry, model ?? 'this model');
