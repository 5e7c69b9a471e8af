// Aborts a request whose upstream has sent nothing (not even a ping) for `idleMs`. Time spent
// waiting on our own sink or sleeping before an SDK retry is not upstream silence, so those
// pause it.
//
// touch() runs for every event and every body chunk, so it only records the time; the single
// timer checks on expiry whether there was activity since and, if so, sleeps for the rest.
export class IdleWatchdog {
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the current idle period started to count (activity, or the end of a grace period). */
  private quietSince = 0;
  private paused = 0;
  private stopped = false;

  constructor(
    private readonly idleMs: number,
    private readonly onStall: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The upstream showed life; start the idle period again (after `graceMs`, e.g. a retry sleep). */
  touch(graceMs = 0): void {
    if (this.stopped || this.paused > 0) return;
    this.quietSince = Math.max(this.quietSince, this.now() + graceMs);
    if (!this.timer) this.arm(this.quietSince + this.idleMs - this.now());
  }

  pause(): void {
    this.paused += 1;
    this.clear();
  }

  resume(): void {
    this.paused = Math.max(0, this.paused - 1);
    if (this.paused === 0) this.touch();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private arm(ms: number): void {
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.stopped || this.paused > 0) return;
        const left = this.quietSince + this.idleMs - this.now();
        if (left > 0) this.arm(left);
        else this.onStall();
      },
      Math.max(0, ms),
    );
    this.timer.unref();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
