// The tokens of one answer and what they cost, in words, each with a tooltip that defines it: the
// second line of the metrics footer. A cost is shown with its table's date; an answer whose model
// has no known price says so and where to add one, never a made-up number.
import { describeCost, type Cost } from '../../../shared/cost';
import type { TokenUsage } from '../../../shared/protocol';
import { formatTokens } from '../../../shared/usage';

export const USAGE_TITLES = {
  input:
    'Input tokens: what was sent to the model and not read from its cache — the conversation so far, the question, the tools. A tool loop adds up its requests.',
  output: 'Output tokens: what the model wrote, its thinking included.',
  reasoning:
    'Reasoning tokens: the part of the output the model spent thinking, where the provider counts it.',
  cacheRead:
    "Cache-read tokens: input the provider read back from its prompt cache, at the cache's lower price.",
  cacheWrite:
    'Cache-write tokens: input the provider wrote to its prompt cache for the next turns, at a higher price than plain input.',
  cost: 'What this answer cost at the price table\u2019s prices (dollars per million tokens of each kind), with the day the table was checked.',
} as const;

const attr = (n: number | null) => (n === null ? undefined : String(n));

/** A count the provider reported; one it did not is left out (not shown as 0 or a dash). */
function Count({ label, n, title }: { label: string; n: number | null; title: string }) {
  if (n === null) return null;
  return (
    <span className="metric" title={title}>
      <span className="metric-label">{label}</span> {formatTokens(n)}
    </span>
  );
}

export function UsageLine({ usage, cost }: { usage: TokenUsage; cost: Cost }) {
  const shown = (n: number | null) => n !== null && n > 0;
  return (
    <div
      className="metrics-row usage-line"
      data-testid="usage-line"
      data-input={attr(usage.input)}
      data-output={attr(usage.output)}
      data-cache-read={attr(usage.cacheRead)}
      data-cache-write={attr(usage.cacheWrite)}
      data-reasoning={attr(usage.reasoning)}
      data-cost-usd={cost.kind === 'priced' ? String(cost.usd) : undefined}
      data-cost={cost.kind}
    >
      <Count label="input" n={usage.input} title={USAGE_TITLES.input} />
      <Count label="output" n={usage.output} title={USAGE_TITLES.output} />
      {shown(usage.reasoning) && (
        <Count label="reasoning" n={usage.reasoning} title={USAGE_TITLES.reasoning} />
      )}
      {shown(usage.cacheRead) && (
        <Count label="cache read" n={usage.cacheRead} title={USAGE_TITLES.cacheRead} />
      )}
      {shown(usage.cacheWrite) && (
        <Count label="cache write" n={usage.cacheWrite} title={USAGE_TITLES.cacheWrite} />
      )}
      <CostPart cost={cost} />
    </div>
  );
}

/** The cost, or why there is none. Shared by the answer's line and the conversation's totals. */
export function CostPart({ cost }: { cost: Cost }) {
  if (cost.kind === 'none') return null;
  if (cost.kind === 'unknown')
    return (
      <span className="metric cost-unknown" data-testid="cost" title={cost.reason}>
        {cost.reason}
      </span>
    );
  return (
    <span className="metric" data-testid="cost" title={`${USAGE_TITLES.cost} Source: ${cost.source}`}>
      {describeCost(cost)}
    </span>
  );
}
