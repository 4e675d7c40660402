// Forward exponential decay: an event at time t adds 2^((t − origin) / halfLife) instead of decaying every
// stored count as time passes, so an update is O(1) and counts stay comparable among themselves. When the
// weights grow large, the owner rescales its counts by `rebase()` and the origin moves forward.
//
// No single event may move this clock: an event's time counts as at most the clock's own time (an event dated
// in the future weighs as one happening now), so the origin only ever moves with the clock. Then an event's
// weight is at most 2^MAX_EXPONENT, a count is at most (events × 2^MAX_EXPONENT), a rebase multiplies by at
// least 2^−(MAX_EXPONENT + 1) (old counts may underflow to 0, which is their decayed value), and a read is
// ≤ the stored count: every value is finite whatever timestamps arrive.
const MAX_EXPONENT = 64;

/** Unix seconds now; injected by tests that replay a fixed time. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now() / 1000;

export class DecayClock {
  constructor(
    readonly halfLifeSeconds: number,
    private origin: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The clock's time (unix seconds), never before the origin. */
  now(): number {
    return Math.max(this.clock(), this.origin);
  }

  /** The time an event at `ts` counts at: never after the clock (a non-finite ts counts as now). */
  private effective(ts: number): number {
    const now = this.now();
    return Number.isFinite(ts) ? Math.min(ts, now) : now;
  }

  /** Weight of an event at `ts` (unix seconds). */
  weight(ts: number): number {
    return 2 ** ((this.effective(ts) - this.origin) / this.halfLifeSeconds);
  }

  /** True when events at `ts` would need a rebase before being added. */
  needsRebase(ts: number): boolean {
    return (this.effective(ts) - this.origin) / this.halfLifeSeconds > MAX_EXPONENT;
  }

  /** Moves the origin to `ts` (as the clock allows); returns the factor every stored count must be multiplied by. */
  rebase(ts: number): number {
    const to = this.effective(ts);
    const factor = 2 ** ((this.origin - to) / this.halfLifeSeconds);
    this.origin = to;
    return factor;
  }

  /** A stored count expressed as the decayed count at `now` (a `now` before the origin reads as the origin). */
  valueAt(stored: number, now: number): number {
    const at = Number.isFinite(now) ? Math.max(now, this.origin) : this.origin;
    return stored * 2 ** ((this.origin - at) / this.halfLifeSeconds);
  }
}
