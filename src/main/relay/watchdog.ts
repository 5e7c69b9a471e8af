// Aborts a request whose upstream has sent nothing (not even a ping) for `idleMs`. Time spent
// waiting on our own sink or sleeping before an SDK retry is not upstream silence, so those
// pause it.
export class IdleWatchdog {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private paused = 0;
  private stopped = false;

  constructor(
    private readonly idleMs: number,
    private readonly onStall: () => void,
  ) {}

  /** The upstream showed life; start the idle period again (plus `graceMs`, e.g. a retry sleep). */
  touch(graceMs = 0): void {
    if (this.stopped || this.paused > 0) return;
    this.arm(this.idleMs + graceMs);
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
    this.clear();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.onStall();
    }, ms);
    this.timer.unref?.();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
