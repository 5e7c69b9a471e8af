// The measured numbers of one answer: as the main process saw them (closest to the network) and,
// while this window has them, as the window saw them; the difference is the relay's own cost.
// In plain words, each with a tooltip that defines the measure. The window's numbers are stored
// with the answer (recordWindowMetrics), so a reopened conversation shows them too; an answer
// stored before they were kept shows the main process numbers alone. The second line is the
// answer's tokens and cost (UsageLine).
import { memo } from 'react';
import type { Cost } from '../../../shared/cost';
import { formatMs, formatTokensPerSecond } from '../../../shared/metrics';
import type { Metrics, Outcome, StopReason, TokenUsage } from '../../../shared/protocol';
import { hasUsage } from '../../../shared/usage';
import { UsageLine } from './UsageLine';

const attr = (n: number | null) => (n === null ? undefined : String(Math.round(n)));

/** Why the model stopped, as a person would say it; an unknown reason shows as sent. */
export const STOP_REASON_WORDS: Record<string, string> = {
  end_turn: 'finished',
  stop_sequence: 'finished at a stop sequence',
  max_tokens: 'hit the token limit',
  tool_use: 'stopped for a tool',
  pause_turn: 'paused',
  refusal: 'refused',
  model_context_window_exceeded: 'ran out of context window',
};

const OUTCOME_WORDS: Record<Outcome, string> = {
  complete: 'complete',
  aborted: 'stopped',
  error: 'failed',
  stalled: 'stalled',
};

export const METRIC_TITLES = {
  ttft: 'Time to first token (TTFT): from sending the request to the first text of the answer.',
  firstProgress:
    'Time to first progress: from sending the request to the first thinking or text, the first sign the model is working.',
  tpot: 'Time per output token (TPOT): the average time between output tokens once the answer is streaming.',
  total: 'Total time: from sending the request to the end of the turn.',
  here: 'In the window: the same measure as this window saw it; the difference is the time the relay adds.',
} as const;

function Pair({
  label,
  main,
  here,
  title,
}: {
  label: string;
  main: number | null;
  here: number | null | undefined;
  title: string;
}) {
  // No window number (a reopened conversation, or none measured): no empty "in the window" part.
  const showHere = here !== undefined && here !== null && Number.isFinite(here);
  return (
    <span className="metric" title={showHere ? `${title} ${METRIC_TITLES.here}` : title}>
      <span className="metric-label">{label}</span> {formatMs(main)}
      {showHere && <span className="metric-here"> (in the window {formatMs(here)})</span>}
    </span>
  );
}

export const MetricsFooter = memo(function MetricsFooter({
  main,
  here,
  stopReason,
  outcome,
  usage,
  cost,
}: {
  main: Metrics;
  here: Metrics | null;
  stopReason: StopReason | null;
  outcome: Outcome;
  usage?: TokenUsage;
  cost?: Cost;
}) {
  const counted = usage !== undefined && cost !== undefined && hasUsage(usage);
  return (
    <footer
      className="metrics"
      data-testid="metrics-footer"
      data-ttft-ms={attr(main.ttftMs)}
      data-first-progress-ms={attr(main.firstProgressMs)}
      data-total-ms={attr(main.totalMs)}
      data-tpot-ms={attr(main.tpotMs)}
      data-output-tokens={main.outputTokens ?? undefined}
      data-here-ttft-ms={here ? attr(here.ttftMs) : undefined}
      data-here-total-ms={here ? attr(here.totalMs) : undefined}
      data-stop-reason={stopReason ?? undefined}
    >
      <div className="metrics-row">
        <Pair label="first token" main={main.ttftMs} here={here?.ttftMs} title={METRIC_TITLES.ttft} />
        <Pair
          label="first sign of life"
          main={main.firstProgressMs}
          here={here?.firstProgressMs}
          title={METRIC_TITLES.firstProgress}
        />
        {/* Rates need two tokens or more; an answer cut short may have none to show. */}
        {main.tpotMs !== null && (
          <Pair label="per token" main={main.tpotMs} here={here?.tpotMs} title={METRIC_TITLES.tpot} />
        )}
        {main.tokensPerSecond !== null && (
          <span className="metric" title="Output tokens per second while the answer streamed.">
            {formatTokensPerSecond(main.tokensPerSecond)}
          </span>
        )}
        {!counted && main.outputTokens !== null && (
          <span className="metric" title="Output tokens the provider counted for this answer.">
            {main.outputTokens} tokens
          </span>
        )}
        <Pair label="total" main={main.totalMs} here={here?.totalMs} title={METRIC_TITLES.total} />
        {stopReason !== null && (
          <span
            className="metric metric-tag"
            data-testid="stop-reason"
            title={`Why the model stopped (the provider's stop reason: ${stopReason}).`}
          >
            {STOP_REASON_WORDS[stopReason] ?? stopReason}
          </span>
        )}
        <span className="metric metric-tag" data-outcome={outcome} title="How the turn ended.">
          {OUTCOME_WORDS[outcome]}
        </span>
      </div>
      {counted && <UsageLine usage={usage} cost={cost} />}
    </footer>
  );
});
