import { createRng } from '../../src/main/providers/simulated/rng';
// Small numeric helpers. Percentiles use the nearest-rank method: with a few hundred samples the
// p99 is an observed value, never an interpolation between two.
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? Number.NaN : sum(values) / values.length;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Rounds for a table: 3 significant digits under 100, whole numbers above. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(digits));
}

/** `order` rotated by `round`, so no consumer always runs first (a warm cache, a quiet moment). */
export const rotate = <T>(order: readonly T[], by: number): T[] => {
  const k = ((by % order.length) + order.length) % order.length;
  return [...order.slice(k), ...order.slice(0, k)];
};

/** A seeded PRNG (the simulated provider's mulberry32) so a run's abort delays are the same every time. */
export function seeded(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}
