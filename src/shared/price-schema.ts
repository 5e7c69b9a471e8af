// The price file's schema (shared/prices.json and the person's own prices.json): zod, apart from
// cost.ts so that the window's first chunk, which prices answers, does not carry zod.
import { z } from 'zod';

/** A required field left out says so; one of the wrong kind says what it should be. */
const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `Missing: give ${what}.` : `Expected ${what}.`;
const price = z
  .number({ error: expected('dollars per million tokens, a number such as 3 or 0.25') })
  .finite()
  .min(0, 'A price cannot be negative.')
  .max(100_000);
const day = z
  .string({ error: expected('the day the price was checked, written YYYY-MM-DD') })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'asOf is a date written YYYY-MM-DD, e.g. 2026-11-01.')
  .refine((d) => !Number.isNaN(Date.parse(d)), 'asOf is not a real date.');

export const PriceEntrySchema = z
  .object({
    /** simulated, anthropic, an OpenAI preset (openai, deepseek, …) or a configured provider's id. */
    provider: z
      .string({ error: expected('a provider: simulated, anthropic, openai, … or a provider id') })
      .min(1)
      .max(40),
    /** The model id as the provider names it ("*": every model of the provider). A dated snapshot (-20251101) matches too. */
    model: z
      .string({ error: expected('the model id as the provider names it, or *') })
      .min(1)
      .max(200),
    name: z.string().max(100).optional(),
    note: z.string().max(1000).optional(),
    /** Dollars per million tokens. */
    input: price,
    output: price,
    cacheRead: price.optional(),
    /** Writing to the cache (Anthropic's five-minute cache). */
    cacheWrite: price.optional(),
    /** Writing to Anthropic's one-hour cache. */
    cacheWrite1h: price.optional(),
    /** The model's context window in tokens. */
    contextWindow: z.number().int().min(1).max(100_000_000).optional(),
    /** The simulated provider: no money changes hands. */
    simulated: z.boolean().optional(),
    asOf: day,
    source: z
      .string({ error: expected('where the price comes from (a URL)') })
      .min(1)
      .max(500),
  })
  .strict();
export type PriceEntry = z.infer<typeof PriceEntrySchema>;

export const PriceFileSchema = z
  .object({
    about: z.string().optional(),
    models: z
      .array(PriceEntrySchema, { error: expected('a list of price entries under "models"') })
      .max(2000),
  })
  .strict();
