// Min–max scaling that is finite by construction: every ranking stage scales scores of unknown range (ANN
// inner products, counts, a ranker's output) into [0, 1], and a naive (x − lo) / (hi − lo) is NaN when the
// range overflows to Infinity (hi = 1e308, lo = −1e308) or when a value is not finite.

/** `x` in [lo, hi] mapped to [0, 1] (1 when the range is empty); lo, hi and x must be finite. */
export function unitScale(x: number, lo: number, hi: number): number {
  if (!(hi > lo)) return 1;
  const range = hi - lo;
  // Halving first keeps an overflowing range finite; a finite range scales exactly as before.
  const scaled = Number.isFinite(range) ? (x - lo) / range : (x / 2 - lo / 2) / (hi / 2 - lo / 2);
  return Math.min(1, Math.max(0, scaled));
}
