// Who may start a turn while others stream: one turn per conversation, and at most
// `maxConcurrentTurns` across all of them. A refusal names what is running and how to stop it.
import type { StartTurnRequest } from '../../shared/protocol';
import type { LiveTurnInfo } from '../relay/registry';
import { TurnRequestError } from './errors';

const named = (turn: LiveTurnInfo) => `“${turn.title ?? 'a new chat'}”`;

/** Throws a TurnRequestError (`busy`) when `request` may not start now. */
export function admitTurn(live: readonly LiveTurnInfo[], request: StartTurnRequest, max: number): void {
  const id = request.conversationId;
  const same = id === null ? undefined : live.find((t) => t.conversationId === id);
  if (same) {
    throw new TurnRequestError(
      'busy',
      `An answer is still streaming in ${named(same)}; a conversation streams one answer at a time. Wait for it to finish, or press Stop (Esc) in that conversation, then send again.`,
    );
  }
  if (live.length >= max) {
    const list = live.map(named).join(', ');
    throw new TurnRequestError(
      'busy',
      `${live.length} ${live.length === 1 ? 'answer is' : 'answers are'} already streaming (${list}), the most Settings → Concurrent answers allows (${max}). Open one of them and press Stop (Esc), wait for one to finish, or raise the limit in Settings.`,
    );
  }
}
