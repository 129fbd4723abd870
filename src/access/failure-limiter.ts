/**
 * Counts failed authentications per client address and per key id in fixed one-minute windows.
 * Checked before any bcrypt work, so junk tokens cannot become a bcrypt storm (DESIGN §5).
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { count: number; start: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it is not blocked. */
  blockedFor(key: string): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    const elapsed = this.now() - w.start;
    if (elapsed >= this.windowMs) {
      this.windows.delete(key);
      return 0;
    }
    return w.count >= this.limit ? this.windowMs - elapsed : 0;
  }

  recordFailure(key: string): void {
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
