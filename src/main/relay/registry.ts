// Live turns keyed by id, each with its one abort. The chat service owns the registry, and every
// face (desktop port, HTTP, CLI) stops a turn through the service, which stops it here: there is no
// other controller for a turn anywhere.
export type AbortReason = 'user' | 'client-closed' | 'shutdown';

export class TurnRegistry {
  private readonly live = new Map<string, AbortController>();

  /** The turn's signal: the engine passes it down to the provider request and the tools. */
  register(turnId: string): AbortSignal {
    const controller = new AbortController();
    this.live.set(turnId, controller);
    return controller.signal;
  }

  release(turnId: string): void {
    this.live.delete(turnId);
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
