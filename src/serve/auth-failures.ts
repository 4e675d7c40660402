// Failed authentications per client address in fixed windows, with a bounded table: once an address has
// failed `max` times in its window, every request of it that needs a key is refused until the window ends,
// before its key is looked at (so a blocked client learns nothing, not even that a guess was right).
export interface AuthFailureLimits {
  max: number;
  windowMs: number;
  maxAddresses: number;
}

interface Window {
  failures: number;
  endsAt: number;
}

export class AuthFailures {
  /** Insertion order = window start order, so the first entry is the oldest. */
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limits: AuthFailureLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try again, or 0 when it may try now. */
  retryAfterSeconds(address: string): number {
    const w = this.current(address);
    if (!w || w.failures < this.limits.max) return 0;
    return Math.max(1, Math.ceil((w.endsAt - this.now()) / 1000));
  }

  recordFailure(address: string): void {
    const w = this.current(address);
    if (w) {
      w.failures++;
      return;
    }
    if (this.windows.size >= this.limits.maxAddresses) this.forgetOldest();
    this.windows.set(address, { failures: 1, endsAt: this.now() + this.limits.windowMs });
  }

  get size(): number {
    return this.windows.size;
  }

  private current(address: string): Window | undefined {
    const w = this.windows.get(address);
    if (w && w.endsAt <= this.now()) {
      this.windows.delete(address);
      return undefined;
    }
    return w;
  }

  private forgetOldest(): void {
    const oldest = this.windows.keys().next();
    if (!oldest.done) this.windows.delete(oldest.value);
  }
}
