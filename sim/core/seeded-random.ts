// A small, fast, seedable PRNG (mulberry32) so a run is reproducible from --seed: the same seed
// gives the same events and values. Each publisher gets its own stream derived from
// (seed, publisher index), so adding publishers does not change the values of the others.

export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Derived stream for one publisher (and one purpose: `salt` separates events from values). */
  static forPublisher(seed: number, index: number, salt: number): SeededRandom {
    // splitmix-style mixing so neighbouring indices give unrelated streams
    let h = (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
    return new SeededRandom(h ^ (h >>> 16));
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Exponential with the given rate (per unit); for Poisson arrivals. Never 0 or infinite. */
  exponential(rate: number): number {
    const u = 1 - this.next(); // (0, 1]
    return -Math.log(u) / rate;
  }
}
