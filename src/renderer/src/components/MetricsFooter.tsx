// The measured numbers of one answer: "main" as the main process saw them (closest to the
// network) and "here" as this window saw them; the difference is the relay's own cost.
import { memo } from 'react';
import { formatMs, formatTokensPerSecond } from '../../../shared/metrics';
import type { Metrics, Outcome, StopReason } from '../../../shared/protocol';

const attr = (n: number | null) => (n === null ? undefined : String(Math.round(n)));

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
  return (
    <span className="metric" title={title}>
      <span className="metric-label">{label}</span> {formatMs(main)}
      {here !== undefined && <span className="metric-here"> (here {formatMs(here)})</span>}
    </span>
  );
}

export const MetricsFooter = memo(function MetricsFooter({
  main,
  here,
  stopReason,
  outcome,
}: {
  main: Metrics;
  here: Metrics | null;
  stopReason: StopReason | null;
  outcome: Outcome;
}) {
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
    >
      <Pair
        label="TTFT"
        main={main.ttftMs}
        here={here?.ttftMs}
        title="Time to first token: request sent → first text"
      />
      <Pair
        label="first progress"
        main={main.firstProgressMs}
        here={here?.firstProgressMs}
        title="Request sent → first thinking or text: what you saw first"
      />
      {/* Rates need two tokens or more; an answer cut short may have none to show. */}
      {main.tpotMs !== null && (
        <Pair label="TPOT" main={main.tpotMs} here={here?.tpotMs} title="Time per output token" />
      )}
      {main.tokensPerSecond !== null && (
        <span className="metric">{formatTokensPerSecond(main.tokensPerSecond)}</span>
      )}
      {main.outputTokens !== null && <span className="metric">{main.outputTokens} tokens</span>}
      <Pair label="total" main={main.totalMs} here={here?.totalMs} title="Request sent → end of the turn" />
      <span className="metric metric-tag">{stopReason ?? 'no stop reason'}</span>
      <span className="metric metric-tag" data-outcome={outcome}>
        {outcome}
      </span>
    </footer>
  );
});
