// One request's lifecycle on the server: whether the client is still there, and waits that end
// the moment it goes away (so a closed connection never leaves a timer behind).
import type { ServerResponse } from 'node:http';

export class Exchange {
  closed = false;
  tokens = 0;
  bytesWritten = 0;
  private readonly wakers = new Set<() => void>();

  constructor(readonly res: ServerResponse) {
    res.once('close', () => {
      this.closed = true;
      for (const wake of this.wakers) wake();
      this.wakers.clear();
    });
  }

  /** Resolves after `ms` (never, for Infinity) or when the connection closes, whichever is first. */
  sleep(ms: number): Promise<void> {
    return this.until((wake) => {
      if (!Number.isFinite(ms)) return () => {};
      const timer = setTimeout(wake, ms);
      return () => clearTimeout(timer);
    });
  }

  /** Resolves when the socket has drained or the connection closes. */
  drain(): Promise<void> {
    return this.until((wake) => {
      this.res.once('drain', wake);
      return () => this.res.off('drain', wake);
    });
  }

  private until(arm: (wake: () => void) => () => void): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        disarm();
        this.wakers.delete(wake);
        resolve();
      };
      const disarm = arm(wake);
      this.wakers.add(wake);
    });
  }
}
