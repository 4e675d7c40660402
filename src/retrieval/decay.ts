// Forward exponential decay: an event at time t adds 2^((t − origin) / halfLife) instead of decaying every
// stored count as time passes, so an update is O(1) and counts stay comparable among themselves. When the
// weights grow large, the owner rescales its counts by `rebase()` and the origin moves forward.
const MAX_EXPONENT = 64;

export class DecayClock {
  constructor(
    readonly halfLifeSeconds: number,
    private origin: number,
  ) {}

  /** Weight of an event at `ts` (unix seconds). */
  weight(ts: number): number {
    return 2 ** ((ts - this.origin) / this.halfLifeSeconds);
  }

  /** True when events at `ts` would need a rebase before being added. */
  needsRebase(ts: number): boolean {
    return (ts - this.origin) / this.halfLifeSeconds > MAX_EXPONENT;
  }

  /** Moves the origin to `ts`; returns the factor every stored count must be multiplied by. */
  rebase(ts: number): number {
    const factor = 2 ** ((this.origin - ts) / this.halfLifeSeconds);
    this.origin = ts;
    return factor;
  }

  /** A stored count expressed as the decayed count at `now`. */
  valueAt(stored: number, now: number): number {
    return stored * 2 ** ((this.origin - now) / this.halfLifeSeconds);
  }
}
