// What an answer cost, from a price table that is data (prices.json, shipped; and the person's own
// prices.json in the data directory over it), never numbers in code. Each entry carries the day it
// was checked (asOf) and where (source); a model with no entry, or usage that needs a price the
// entry leaves out, has no cost — said in words, never guessed. The file's schema is in
// price-schema.ts (zod), apart from these functions, which the window runs from its first chunk.
import SHIPPED from './prices.json' with { type: 'json' };
import type { PriceEntry } from './price-schema';
import type { ModelChoice, ProviderKind, Settings, TokenUsage } from './protocol';
import { configOf } from './choice';
import { OPENAI_PRESETS } from './providers';
import { hasUsage } from './usage';

/** The table in force, as the window gets it with the settings. */
export type PriceTableView = {
  entries: PriceEntry[];
  /** Where the person's own file is read from (null: this face has none). */
  file: string | null;
  /** Why the person's file was not used, in words; null when it was (or there is none). */
  problem: string | null;
};

export type { PriceEntry } from './price-schema';

/**
 * The shipped table, as data: checked against PriceFileSchema by tests/unit/shared/cost.test.ts,
 * not at every start (the window would need zod in its first chunk for it). The person's own file
 * is checked when it is read (main/store/prices.ts).
 */
export const SHIPPED_PRICES: PriceEntry[] = SHIPPED.models;

/** The shipped table with `own` over it: an entry for the same provider and model replaces the shipped one. */
export function mergePrices(shipped: readonly PriceEntry[], own: readonly PriceEntry[]): PriceEntry[] {
  const key = (e: PriceEntry) => `${e.provider}\u0000${e.model}`;
  const mine = new Set(own.map(key));
  return [...own, ...shipped.filter((e) => !mine.has(key(e)))];
}

const DATED = /^-\d{8}$/;
const matches = (entry: PriceEntry, model: string) =>
  entry.model === model ||
  entry.model === '*' ||
  (model.startsWith(`${entry.model}-`) && DATED.test(model.slice(entry.model.length)));

/**
 * The entry for this answer. `providers`: the names it may be listed under, most specific first
 * (an OpenAI-compatible provider's id, then its preset). An exact model beats a wildcard.
 */
export function findPrice(
  entries: readonly PriceEntry[],
  providers: readonly string[],
  model: string,
): PriceEntry | null {
  for (const provider of providers) {
    const mine = entries.filter((e) => e.provider === provider && matches(e, model));
    const found = mine.find((e) => e.model !== '*') ?? mine[0];
    if (found) return found;
  }
  return null;
}

/**
 * The names an answer's price may be listed under: the built-in provider, or for an
 * OpenAI-compatible answer the conversation's provider id and its preset when the conversation
 * talks to that model (else any preset: model ids do not collide across them).
 */
export function priceProvidersOf(
  kind: ProviderKind,
  model: string,
  choice: ModelChoice | undefined,
  settings: Pick<Settings, 'providers'> | null,
): string[] {
  if (kind !== 'openai') return [kind];
  const config =
    choice && choice.model === model && settings ? configOf(settings, choice.provider) : undefined;
  if (config) return [config.id, config.preset];
  return [...(settings?.providers.map((p) => p.id) ?? []), ...OPENAI_PRESETS];
}

export type Cost =
  /** Nothing was counted (the provider reported no usage). */
  | { kind: 'none' }
  | { kind: 'priced'; usd: number; asOf: string; source: string; simulated: boolean }
  | { kind: 'unknown'; reason: string };

const PER = 1_000_000;

/** Where the person adds a price, for the sentences. */
export const HOW_TO_ADD_PRICE =
  'Add an entry to prices.json in the data directory (README: Tokens and cost).';

/** What `usage` cost at `entry`'s prices; `label` names the model in the sentences. */
export function costOf(usage: TokenUsage, entry: PriceEntry | null, label: string): Cost {
  if (!hasUsage(usage)) return { kind: 'none' };
  if (!entry) return { kind: 'unknown', reason: `No price is known for ${label}. ${HOW_TO_ADD_PRICE}` };
  const oneHour = usage.cacheWrite1h ?? 0;
  const fiveMinutes = Math.max(0, (usage.cacheWrite ?? 0) - oneHour);
  const parts: [number, number | undefined, string][] = [
    [usage.input ?? 0, entry.input, 'input'],
    [usage.output ?? 0, entry.output, 'output'],
    [usage.cacheRead ?? 0, entry.cacheRead, 'cache-read'],
    [fiveMinutes, entry.cacheWrite, 'cache-write'],
    [oneHour, entry.cacheWrite1h, 'one-hour cache-write'],
  ];
  let usd = 0;
  for (const [tokens, rate, what] of parts) {
    if (tokens === 0) continue;
    if (rate === undefined)
      return {
        kind: 'unknown',
        reason: `The price table has no ${what} price for ${label}, and this answer used ${tokens.toLocaleString('en-US')} ${what} tokens. ${HOW_TO_ADD_PRICE}`,
      };
    usd += (tokens * rate) / PER;
  }
  return { kind: 'priced', usd, asOf: entry.asOf, source: entry.source, simulated: entry.simulated ?? false };
}

/** Costs added up: the priced ones summed, the unknown ones counted; the oldest date is the total's. */
export type CostTotal = {
  usd: number;
  asOf: string | null;
  priced: number;
  unknown: number;
  simulated: boolean;
};

export function totalCost(costs: readonly Cost[]): CostTotal {
  const total: CostTotal = { usd: 0, asOf: null, priced: 0, unknown: 0, simulated: true };
  for (const c of costs) {
    if (c.kind === 'unknown') total.unknown++;
    if (c.kind !== 'priced') continue;
    total.priced++;
    total.usd += c.usd;
    total.simulated &&= c.simulated;
    if (total.asOf === null || c.asOf < total.asOf) total.asOf = c.asOf;
  }
  if (total.priced === 0) total.simulated = false;
  return total;
}

/** "$0.0123", "$1.25", "$0.00"; under a hundredth of a cent, "< $0.0001". */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 0.0001) return '< $0.0001';
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** "$0.0123 · prices as of 2026-11-01", or for the simulated provider what it is. */
export function describeCost(cost: Extract<Cost, { kind: 'priced' }> | CostTotal): string {
  if (cost.simulated) return `${formatUsd(cost.usd)} · simulated provider, no charge`;
  return `${formatUsd(cost.usd)} · prices as of ${cost.asOf ?? 'unknown'}`;
}
