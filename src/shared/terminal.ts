// A terminal event made without the relay's own numbers: a turn refused before it began, or cut
// off from the relay (a dropped connection, a closed port). Every face that must end a turn
// itself ends it with one of these, so the UI always gets exactly one terminal.
import { isContentEvent } from './metrics';
import type { Metrics, Outcome, RelayError, RelayEvent, TerminalEvent } from './protocol';

/**
 * The clause an error sentence adds when the turn keeps something of the answer beside the error
 * (and only then: see `hasContent` in turn.ts, and `keepsContent` below).
 */
export const KEPT = 'What arrived so far is kept.';

/**
 * Whether one relay event brings content the turn keeps: the rule of `hasContent` (turn.ts), event
 * by event, for a face that ends a turn itself without the reducer (the page's clients).
 */
export function keepsContent(event: RelayEvent): boolean {
  if (event.type === 'tool_result') return true;
  if (event.type !== 'provider') return false;
  const e = event.event;
  if (e.type === 'content_block_start') {
    const type = (e.content_block as { type?: unknown } | undefined)?.type;
    return type !== 'text' && type !== 'thinking';
  }
  return isContentEvent(e);
}

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
