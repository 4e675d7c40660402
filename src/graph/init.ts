// Seeded initialisers. Embeddings and linears default to N(0, 0.02): PyTorch's N(0, 1) learns several times
// slower on the recommendation benchmarks.

/** SplitMix32-style generator: small, fast and reproducible across platforms. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  }
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export function normal(size: number, std: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal() * std;
  return out;
}

export const zeros = (size: number) => new Float32Array(size);
export const ones = (size: number) => new Float32Array(size).fill(1);

/** A seeded uniform [0, 1) source as a plain function (for code that only needs `() => number`). */
export function uniformSource(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}
