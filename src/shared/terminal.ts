// A terminal event made without the relay's own numbers: a turn refused before it began, or cut
// off from the relay (a dropped connection, a closed port). Every face that must end a turn
// itself ends it with one of these, so the UI always gets exactly one terminal.
import type { Metrics, Outcome, RelayError, TerminalEvent } from './protocol';

/** Metrics when nothing was measured; `totalMs` is what the maker of the terminal saw, if anything. */
export function noMetrics(totalMs = 0): Metrics {
  return {
    ttfbMs: null,
    firstProgressMs: null,
    ttftMs: null,
    tpotMs: null,
    totalMs,
    outputTokens: null,
    tokensPerSecond: null,
  };
}

export function localTerminal(p: {
  turnId: string;
  t: number;
  outcome: Outcome;
  error: RelayError | null;
  totalMs?: number;
}): TerminalEvent {
  const { totalMs, ...rest } = p;
  return { type: 'terminal', ...rest, stopReason: null, metrics: noMetrics(totalMs), toolInputParses: 0 };
}
