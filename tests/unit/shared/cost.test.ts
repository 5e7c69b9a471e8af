// Token accounting against recorded usage events, and the price table: cache pricing, a model with
// no price, a price the table leaves out, sums over a tool loop and a Continue, and the date.
import { expect, test } from 'vitest';
import {
  costOf,
  describeCost,
  findPrice,
  mergePrices,
  priceProvidersOf,
  SHIPPED_PRICES,
  totalCost,
  type Cost,
  type PriceEntry,
} from '../../../src/shared/cost';
import { mergeContinuation } from '../../../src/shared/continue';
import { PriceFileSchema } from '../../../src/shared/price-schema';
import SHIPPED from '../../../src/shared/prices.json';
import type { AssistantMessage, AssistantStep, TokenUsage, Usage } from '../../../src/shared/protocol';
import {
  EMPTY_USAGE,
  tokenUsageOf,
  usageOfConversation,
  usageOfMessage,
  usageOfSteps,
} from '../../../src/shared/usage';
import { usageOf } from '../../../src/main/providers/openai-chunks';
import { readFileSync } from 'node:fs';
import { fixtureEvents } from '../../support/sse';
import { reduceFinal } from '../../support/stream-events';

const entry = (over: Partial<PriceEntry> = {}): PriceEntry => ({
  provider: 'anthropic',
  model: 'claude-test-1',
  input: 5,
  output: 25,
  cacheRead: 0.5,
  cacheWrite: 6.25,
  cacheWrite1h: 10,
  contextWindow: 200_000,
  asOf: '2026-11-01',
  source: 'https://example.test/pricing',
  ...over,
});

const usage = (over: Partial<TokenUsage>): TokenUsage => ({ ...EMPTY_USAGE, ...over });

const stepWith = (u: Usage): AssistantStep => ({
  message: { ...reduceFinal(fixtureEvents('basic_response.sse')), usage: u },
  toolResults: [],
});

const answer = (steps: AssistantStep[], over: Partial<AssistantMessage> = {}): AssistantMessage => ({
  id: 'a1',
  role: 'assistant',
  turnId: 't1',
  createdAt: 1,
  steps,
  outcome: 'complete',
  stopReason: 'end_turn',
  error: null,
  metrics: null,
  provider: 'anthropic',
  model: 'claude-test-1',
  ...over,
});

test('recorded Anthropic usage: input and output from message_start and message_delta, thinking tokens, cache fields at 0', () => {
  const refusal = tokenUsageOf(reduceFinal(fixtureEvents('stream-a-toolrefusal.sse')).usage);
  // message_start said 612 input; the final message_delta's cumulative usage says 28 and 106.
  expect(refusal).toEqual({
    input: 28,
    output: 106,
    cacheRead: 0,
    cacheWrite: 0,
    cacheWrite1h: 0,
    reasoning: 67,
    context: 28 + 106,
  });
  // A stream whose message_delta carries only output_tokens keeps message_start's input.
  const basic = tokenUsageOf(reduceFinal(fixtureEvents('tool_use_response.sse')).usage);
  expect(basic).toMatchObject({ input: 377, output: 65, cacheRead: 0, cacheWrite: 0, reasoning: null });
});

test('an OpenAI usage chunk: input is the uncached part, cached tokens are cache reads, reasoning kept', () => {
  const wire = usageOf({
    prompt_tokens: 100,
    completion_tokens: 40,
    prompt_tokens_details: { cached_tokens: 64 },
    completion_tokens_details: { reasoning_tokens: 12 },
  });
  expect(tokenUsageOf(wire!)).toEqual({
    input: 36,
    output: 40,
    cacheRead: 64,
    cacheWrite: null,
    cacheWrite1h: null,
    reasoning: 12,
    context: 140,
  });
});

test('cache pricing: reads, five-minute and one-hour writes each at their own price', () => {
  const u = usage({ input: 1000, output: 500, cacheRead: 2000, cacheWrite: 3000, cacheWrite1h: 1000 });
  const cost = costOf(u, entry(), 'claude-test-1');
  expect(cost.kind).toBe('priced');
  // 1000×5 + 500×25 + 2000×0.5 + 2000×6.25 + 1000×10, per million.
  expect(cost.kind === 'priced' && cost.usd).toBeCloseTo(0.041, 10);
  expect(cost).toMatchObject({
    asOf: '2026-11-01',
    source: 'https://example.test/pricing',
    simulated: false,
  });
});

test('an unknown model has no cost: the sentence names it and how to add a price, with no number', () => {
  const cost = costOf(usage({ input: 10, output: 20 }), null, 'gpt-imaginary');
  expect(cost.kind).toBe('unknown');
  const reason = cost.kind === 'unknown' ? cost.reason : '';
  expect(reason).toContain('No price is known for gpt-imaginary');
  expect(reason).toContain('prices.json in the data directory');
  expect(reason).not.toMatch(/\$\d/);
});

test('a price the table leaves out is needed only when the answer used that kind of token', () => {
  const noCacheRead = entry({ cacheRead: undefined });
  expect(costOf(usage({ input: 10, output: 5, cacheRead: 0 }), noCacheRead, 'm').kind).toBe('priced');
  const cost = costOf(usage({ input: 10, output: 5, cacheRead: 1200 }), noCacheRead, 'claude-test-1');
  expect(cost).toEqual({
    kind: 'unknown',
    reason: expect.stringContaining('no cache-read price for claude-test-1, and this answer used 1,200'),
  });
  expect(costOf(EMPTY_USAGE, entry(), 'm')).toEqual({ kind: 'none' });
});

test('a model is found by its id, a dated snapshot of it, or the provider wildcard; exact beats wildcard', () => {
  const table = [entry(), entry({ model: '*', input: 0, output: 0, asOf: '2026-01-01' })];
  expect(findPrice(table, ['anthropic'], 'claude-test-1')?.model).toBe('claude-test-1');
  expect(findPrice(table, ['anthropic'], 'claude-test-1-20251101')?.model).toBe('claude-test-1');
  expect(findPrice(table, ['anthropic'], 'claude-test-1-preview')?.model).toBe('*');
  expect(findPrice([entry()], ['anthropic'], 'claude-test-1-preview')).toBeNull();
  expect(findPrice([entry()], ['openai'], 'claude-test-1')).toBeNull();
});

test('an OpenAI-compatible answer is priced under its provider id first, then its preset', () => {
  const settings = {
    providers: [
      {
        id: 'work',
        preset: 'openai' as const,
        name: 'Work',
        baseURL: 'https://api.openai.com/v1',
        model: 'gpt-x',
      },
    ],
  };
  expect(priceProvidersOf('openai', 'gpt-x', { provider: 'work', model: 'gpt-x' }, settings)).toEqual([
    'work',
    'openai',
  ]);
  expect(priceProvidersOf('anthropic', 'claude-test-1', undefined, settings)).toEqual(['anthropic']);
  const table = [
    entry({ provider: 'openai', model: 'gpt-x', input: 1 }),
    entry({ provider: 'work', model: 'gpt-x', input: 0.5 }),
  ];
  expect(findPrice(table, ['work', 'openai'], 'gpt-x')?.input).toBe(0.5);
});

test('a tool loop sums its requests; the context is the last request’s', () => {
  const steps = [
    stepWith({ input_tokens: 100, output_tokens: 40, cache_read_input_tokens: 10 }),
    stepWith({ input_tokens: 160, output_tokens: 25, cache_read_input_tokens: 0 }),
  ];
  expect(usageOfSteps(steps)).toEqual({
    input: 260,
    output: 65,
    cacheRead: 10,
    cacheWrite: null,
    cacheWrite1h: null,
    reasoning: null,
    context: 160 + 25,
  });
  // A file written before usage was kept: the same sums, read off its steps.
  expect(usageOfMessage(answer(steps))).toEqual(usageOfSteps(steps));
});

test('a Continue keeps the usage of both parts, though the joined step holds only the continuation’s', () => {
  const text = (t: string, u: Usage): AssistantStep => {
    const step = stepWith(u);
    return { ...step, message: { ...step.message, blocks: [{ type: 'text', text: t, citations: [] }] } };
  };
  const prior = answer([text('Once upon', { input_tokens: 10, output_tokens: 4 })], {
    usage: usageOfSteps([text('', { input_tokens: 10, output_tokens: 4 })]),
  });
  const next = answer([text(' a time', { input_tokens: 14, output_tokens: 3 })], { turnId: 't2' });
  next.usage = usageOfSteps(next.steps);
  const merged = mergeContinuation(prior, next, 'prefill');
  expect(merged.steps).toHaveLength(1);
  expect(merged.usage).toMatchObject({ input: 24, output: 7, context: 17 });
  expect(usageOfConversation([merged, { ...merged, id: 'a2' }])).toMatchObject({ input: 48, output: 14 });
});

test('the date is shown with the cost; totals take the oldest date and count what has no price', () => {
  const a = costOf(usage({ input: 1_000_000 }), entry(), 'm');
  const b = costOf(usage({ output: 1_000_000 }), entry({ asOf: '2026-10-15' }), 'm');
  const none = costOf(usage({ input: 5 }), null, 'other');
  expect(a.kind === 'priced' && describeCost(a)).toBe('$5.00 · prices as of 2026-11-01');
  const total = totalCost([a, b, none, { kind: 'none' }]);
  expect(total).toEqual({ usd: 30, asOf: '2026-10-15', priced: 2, unknown: 1, simulated: false });
  expect(describeCost(total)).toBe('$30.00 · prices as of 2026-10-15');
  const small: Cost = costOf(usage({ input: 2460, output: 0 }), entry(), 'm');
  expect(small.kind === 'priced' && describeCost(small)).toBe('$0.0123 · prices as of 2026-11-01');
});

test('the simulated provider costs nothing and says so', () => {
  const sim = findPrice(SHIPPED_PRICES, ['simulated'], 'sim-text');
  const cost = costOf(usage({ input: 30, output: 300 }), sim, 'sim-text');
  expect(cost.kind === 'priced' && describeCost(cost)).toBe('$0.00 · simulated provider, no charge');
});

test('the person’s entries replace the shipped ones for the same model and add the others', () => {
  const shipped = [entry(), entry({ model: 'claude-test-2' })];
  const own = [entry({ input: 1, asOf: '2026-12-01' }), entry({ provider: 'work', model: 'gpt-x' })];
  const merged = mergePrices(shipped, own);
  expect(merged).toHaveLength(3);
  expect(findPrice(merged, ['anthropic'], 'claude-test-1')?.input).toBe(1);
  expect(findPrice(merged, ['anthropic'], 'claude-test-2')?.input).toBe(5);
  expect(findPrice(merged, ['work'], 'gpt-x')).not.toBeNull();
});

test('the shipped table is valid, dated, and every real price names the page it came from', () => {
  // Not parsed at start (cost.ts): this is where the shipped file is held to the schema.
  expect(PriceFileSchema.parse(SHIPPED).models).toEqual(SHIPPED_PRICES);
  expect(SHIPPED_PRICES.length).toBeGreaterThan(5);
  for (const e of SHIPPED_PRICES) {
    expect(e.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    if (!e.simulated) expect(e.source).toMatch(/^https:\/\/platform\.claude\.com\/docs\//);
  }
  // The default model has a price (and a window for the gauge).
  const sonnet = findPrice(SHIPPED_PRICES, ['anthropic'], 'claude-sonnet-5-5');
  expect(sonnet).toMatchObject({ input: 2, output: 10, contextWindow: 1_000_000 });
});

test('a bad price file is refused with the field named', () => {
  const bad = PriceFileSchema.safeParse({ models: [{ ...entry(), input: -1, asOf: '1 Nov 2026' }] });
  expect(bad.success).toBe(false);
  const messages = bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  expect(messages).toContain('models.0.input: A price cannot be negative.');
  expect(messages).toContain('models.0.asOf: asOf is a date written YYYY-MM-DD, e.g. 2026-11-01.');
});

test('the README’s example price file is a valid one', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Tokens and cost'));
  const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  expect(json).toBeDefined();
  const parsed = PriceFileSchema.safeParse(JSON.parse(json!));
  expect(parsed.error?.issues ?? []).toEqual([]);
  // Its local-model wildcard prices an Ollama answer whose conversation is elsewhere.
  const entries = parsed.data!.models;
  expect(
    findPrice(entries, priceProvidersOf('openai', 'llama3.2', undefined, null), 'llama3.2'),
  ).toMatchObject({ provider: 'ollama', input: 0 });
});
