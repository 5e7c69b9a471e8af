// Live turns keyed by id, each with its abort. Every face (IPC, HTTP, CLI) stops a turn through here.
export type AbortReason = 'user' | 'client-closed' | 'shutdown';

export class TurnRegistry {
  private readonly live = new Map<string, AbortController>();

  register(turnId: string): AbortController {
    const controller = new AbortController();
    this.live.set(turnId, controller);
    return controller;
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

  has(turnId: string): boolean {
    return this.live.has(turnId);
  }
}
