// The relay's own events as a page receives them: a builder for the terminal event, for tests that
// play one end of a transport by hand, and `deltaText` to read the answer back out of a stream.
import type { AssistantStep, RelayEvent, TerminalEvent } from '../../src/shared/protocol';
import { applyRelayEvent, createTurn } from '../../src/shared/turn';

/** A turn `turn-1` that completed at end_turn with no error; `over` changes any field. */
export const terminalEvent = (over: Partial<TerminalEvent> = {}): TerminalEvent => ({
  type: 'terminal',
  turnId: 'turn-1',
  t: 9,
  outcome: 'complete',
  stopReason: 'end_turn',
  error: null,
  metrics: {
    ttfbMs: 1,
    firstProgressMs: 2,
    ttftMs: 2,
    tpotMs: 1,
    totalMs: 9,
    outputTokens: 3,
    tokensPerSecond: 300,
  },
  toolInputParses: 0,
  ...over,
});

/** Concatenated text deltas of a list of relay events. */
export const deltaText = (events: RelayEvent[]): string =>
  events
    .map((e) =>
      e.type === 'provider' && e.event.type === 'content_block_delta' && e.event.delta.type === 'text_delta'
        ? e.event.delta.text
        : '',
    )
    .join('');

/** The text blocks of an answer's steps, joined (a stored message, or a turn the reducer built). */
export const stepsText = (steps: readonly AssistantStep[]): string =>
  steps
    .flatMap((st) => st.message.blocks)
    .map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');

/** The answer text a page builds from these events with the shared turn reducer (snapshots too). */
export function turnText(events: readonly RelayEvent[]): string {
  let turn = createTurn({ startedAt: 0 });
  for (const e of events) turn = applyRelayEvent(turn, e, e.t);
  return stepsText(turn.steps);
}
