// How full the context window is for the next turn: the last answer's whole context (all its
// input and its output — what the next request starts from) against the window of the model the
// next turn uses, from the price table. A window the table does not know is said, not guessed.
import type { PriceEntry } from '../../../shared/cost';
import { formatTokens } from '../../../shared/usage';

export const GAUGE_TITLE =
  "Context window for the next turn: about how many tokens the next request starts from (the last answer's input, cached or not, and its output), against the most the model can take.";

export function ContextGauge({
  tokens,
  entry,
  model,
}: {
  tokens: number;
  entry: PriceEntry | null;
  model: string | null;
}) {
  const window = entry?.contextWindow ?? null;
  if (window === null)
    return (
      <span className="context-gauge" data-testid="context-gauge" data-known="false" title={GAUGE_TITLE}>
        context {formatTokens(tokens)} tokens · window size not known for {model ?? 'this model'}
      </span>
    );
  const share = Math.min(1, tokens / window);
  const percent = share * 100;
  const level = share >= 0.9 ? 'full' : share >= 0.7 ? 'high' : 'ok';
  const words = `${formatTokens(tokens)} of ${formatTokens(window)} tokens`;
  return (
    <span
      className="context-gauge"
      data-testid="context-gauge"
      data-known="true"
      data-level={level}
      title={GAUGE_TITLE}
    >
      <span
        className="gauge-bar"
        role="meter"
        aria-label="Context window used by the next turn"
        aria-valuemin={0}
        aria-valuemax={window}
        aria-valuenow={Math.min(tokens, window)}
        aria-valuetext={words}
      >
        <span className="gauge-fill" style={{ width: `${Math.max(percent, 1)}%` }} />
      </span>
      context {words} ({percent < 1 ? '< 1' : Math.round(percent)}%)
    </span>
  );
}
