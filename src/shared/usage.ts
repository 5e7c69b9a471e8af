// Token accounting: the provider's usage (the shared wire's Anthropic shape, which the OpenAI
// adapter follows) read into a TokenUsage, summed over the requests of a tool loop and the parts a
// Continue joined, and over a conversation. A field the provider never reported stays null, not 0.
import type { AssistantMessage, AssistantStep, ChatMessage, TokenUsage, Usage } from './protocol';

export const EMPTY_USAGE: TokenUsage = {
  input: null,
  output: null,
  cacheRead: null,
  cacheWrite: null,
  cacheWrite1h: null,
  reasoning: null,
  context: null,
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const count = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;

/** One request's usage, as the reducer kept it (cumulative: its last value). */
export function tokenUsageOf(usage: Usage): TokenUsage {
  const input = count(usage.input_tokens);
  const output = count(usage.output_tokens);
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const creation = isRecord(usage.cache_creation) ? usage.cache_creation : {};
  const details = isRecord(usage.output_tokens_details) ? usage.output_tokens_details : {};
  const reported = [input, output, cacheRead, cacheWrite].some((n) => n !== null);
  return {
    input,
    output,
    cacheRead,
    cacheWrite,
    cacheWrite1h: count(creation.ephemeral_1h_input_tokens),
    // OpenAI's reasoning_tokens (mapped by the adapter); Anthropic's output_tokens_details.thinking_tokens.
    reasoning: count(usage.reasoning_tokens) ?? count(details.thinking_tokens),
    context: reported ? (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0) + (output ?? 0) : null,
  };
}

const add = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : a + b);

/** Two usages summed; the context is the later one's (it is what the next request starts from). */
export function sumUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input: add(a.input, b.input),
    output: add(a.output, b.output),
    cacheRead: add(a.cacheRead, b.cacheRead),
    cacheWrite: add(a.cacheWrite, b.cacheWrite),
    cacheWrite1h: add(a.cacheWrite1h, b.cacheWrite1h),
    reasoning: add(a.reasoning, b.reasoning),
    context: b.context ?? a.context,
  };
}

/** A turn's usage: the sum over the requests its tool loop made (a live turn's steps may have holes). */
export const usageOfSteps = (steps: readonly (AssistantStep | undefined)[]): TokenUsage =>
  steps.reduce<TokenUsage>((sum, s) => (s ? sumUsage(sum, tokenUsageOf(s.message.usage)) : sum), EMPTY_USAGE);

/** A stored answer's usage: kept with it, or (a file written before it was kept) read off its steps. */
export const usageOfMessage = (message: AssistantMessage): TokenUsage =>
  message.usage ?? usageOfSteps(message.steps);

/** Whether the provider reported any tokens at all. */
export const hasUsage = (u: TokenUsage): boolean =>
  u.input !== null || u.output !== null || u.cacheRead !== null || u.cacheWrite !== null;

/** Every answer of a conversation summed; `context` is the last answer's. */
export const usageOfConversation = (messages: readonly ChatMessage[]): TokenUsage =>
  messages.reduce<TokenUsage>(
    (sum, m) => (m.role === 'assistant' ? sumUsage(sum, usageOfMessage(m)) : sum),
    EMPTY_USAGE,
  );

/** All input tokens, cached or not. */
export const totalInput = (u: TokenUsage): number | null =>
  hasUsage(u) ? (u.input ?? 0) + (u.cacheRead ?? 0) + (u.cacheWrite ?? 0) : null;

/** "1,234" */
export const formatTokens = (n: number): string => Math.round(n).toLocaleString('en-US');

/** "input 1,234 · output 56 · reasoning 12 · cache read 800": the counts reported, for a terminal. */
export function describeUsage(u: TokenUsage): string {
  const parts: [string, number | null, boolean][] = [
    ['input', u.input, true],
    ['output', u.output, true],
    ['reasoning', u.reasoning, false],
    ['cache read', u.cacheRead, false],
    ['cache write', u.cacheWrite, false],
  ];
  return parts
    .filter(([, n, always]) => n !== null && (always || n > 0))
    .map(([label, n]) => `${label} ${formatTokens(n ?? 0)}`)
    .join(' · ');
}
