/**
 * Counts failed authentications per client address and per key id in fixed one-minute windows.
 * An attempt is reserved before any bcrypt work and counts against the limit while it runs, so a
 * parallel burst of junk tokens cannot become a bcrypt storm either (DESIGN §5).
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { count: number; start: number }>();
  private readonly running = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reserves an attempt for `key`: 0 when it may go ahead (then call `end` when it is decided), or
   * the milliseconds to wait: until the window passes when its failures reach the limit, one second
   * when only the attempts still running do.
   */
  begin(key: string): number {
    const failures = this.failuresNow(key);
    if (failures.count >= this.limit) return this.windowMs - (this.now() - failures.start);
    const running = this.running.get(key) ?? 0;
    if (failures.count + running >= this.limit) return 1000;
    this.running.set(key, running + 1);
    return 0;
  }

  end(key: string, failed: boolean): void {
    const running = (this.running.get(key) ?? 1) - 1;
    if (running > 0) this.running.set(key, running);
    else this.running.delete(key);
    if (failed) this.recordFailure(key);
  }

  private failuresNow(key: string): { count: number; start: number } {
    const w = this.windows.get(key);
    if (w && this.now() - w.start < this.windowMs) return w;
    if (w) this.windows.delete(key);
    return { count: 0, start: this.now() };
  }

  private recordFailure(key: string): void {
    const t = this.now();
    const w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) this.windows.set(key, { count: 1, start: t });
    else w.count++;
    if (this.windows.size > 100_000) this.sweep(t);
  }

  private sweep(t: number): void {
    for (const [key, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(key);
  }
}
