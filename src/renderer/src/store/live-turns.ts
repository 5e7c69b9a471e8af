// The window's live turns, several at once (one per conversation at most), keyed by the local
// serial each got when it started. Each has its own queue of events and goes through the one
// reducer (applyBatch → shared/turn); these helpers only pick among them.
import { applyBatch, type LiveTurn, type TimedEvent } from './live-turn';

export type LiveTurns = Readonly<Record<number, LiveTurn>>;

/** The turn of the conversation on screen (a new chat's turn before turn_start named its conversation). */
export function liveTurnOf(turns: LiveTurns, activeId: string | null): LiveTurn | null {
  let found: LiveTurn | null = null;
  for (const turn of Object.values(turns)) {
    if (turn.conversationId === activeId && (!found || turn.key > found.key)) found = turn;
  }
  return found;
}

/** A turn is running until it has its terminal or was stopped here. */
export const isRunning = (turn: LiveTurn): boolean => !turn.terminal && !turn.stopped;

/** The conversations with a running turn, for the sidebar's live indicator. */
export function runningConversations(turns: LiveTurns): string[] {
  const ids: string[] = [];
  for (const turn of Object.values(turns))
    if (turn.conversationId && isRunning(turn)) ids.push(turn.conversationId);
  return ids.sort();
}

export function withoutTurn(turns: LiveTurns, key: number): Record<number, LiveTurn> {
  const rest: Record<number, LiveTurn> = { ...turns };
  delete rest[key];
  return rest;
}

/**
 * Applies each turn's queued batch (one frame's worth) to that turn. `started`: the keys of turns
 * that learned their conversation id in this frame (a new chat's turn_start).
 */
export function applyQueues(
  turns: LiveTurns,
  batches: readonly (readonly [number, readonly TimedEvent[]])[],
): { turns: Record<number, LiveTurn>; changed: number; started: number[] } {
  const next: Record<number, LiveTurn> = { ...turns };
  let changed = 0;
  const started: number[] = [];
  for (const [key, batch] of batches) {
    const live = next[key];
    if (!live || live.stopped || batch.length === 0) continue;
    const applied = applyBatch(live, batch);
    if (applied === live) continue;
    changed += 1;
    if (live.conversationId === null && applied.conversationId !== null) started.push(key);
    next[key] = applied;
  }
  return { turns: next, changed, started };
}
