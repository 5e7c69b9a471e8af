// Live turns keyed by id, each with its one abort. The chat service owns the registry, and every
// face (desktop port, HTTP, CLI) stops a turn through the service, which stops it here: there is no
// other controller for a turn anywhere.
import type { AbortReason } from '../../shared/protocol';

export type { AbortReason };

/** What a live turn is for: the conversation it answers (null until a new one is made) and its title. */
export type LiveTurnInfo = { turnId: string; conversationId: string | null; title: string | null };

export class TurnRegistry {
  private readonly live = new Map<string, AbortController>();
  private readonly info = new Map<string, LiveTurnInfo>();

  /** The turn's signal: the engine passes it down to the provider request and the tools. */
  register(
    turnId: string,
    about: Omit<LiveTurnInfo, 'turnId'> = { conversationId: null, title: null },
  ): AbortSignal {
    const controller = new AbortController();
    this.live.set(turnId, controller);
    this.info.set(turnId, { turnId, ...about });
    return controller.signal;
  }

  /** Names the conversation a live turn answers, once it is known. */
  describe(turnId: string, about: Omit<LiveTurnInfo, 'turnId'>): void {
    if (this.live.has(turnId)) this.info.set(turnId, { turnId, ...about });
  }

  /** The live turns, oldest first. */
  list(): LiveTurnInfo[] {
    return [...this.info.values()];
  }

  release(turnId: string): void {
    this.live.delete(turnId);
    this.info.delete(turnId);
  }

  /** Returns false when no such turn is live (already ended, or never existed). */
  abort(turnId: string, reason: AbortReason = 'user'): boolean {
    const controller = this.live.get(turnId);
    if (!controller) return false;
    controller.abort(reason);
    return true;
  }

  abortAll(reason: AbortReason = 'shutdown'): number {
    const count = this.live.size;
    for (const controller of this.live.values()) controller.abort(reason);
    return count;
  }

  get size(): number {
    return this.live.size;
  }
}
