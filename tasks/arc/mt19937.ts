/**
 * NumPy's legacy random stream (`np.random.seed` / `RandomState`): the
 * MT19937 generator with `init_genrand` seeding, and the exact integer
 * algorithms of `randint`, `shuffle` and `permutation` (masked rejection
 * sampling on 32-bit draws). The reference ARC builder draws every random
 * choice from this stream, so reproducing it lets our builder produce the
 * reference's bytes when it sees the task files in the same order.
 * @module
 */

const N = 624;
const M = 397;

/** MT19937 with NumPy's legacy sampling routines. */
export class NumpyLegacyRandom {
  #mt = new Uint32Array(N);
  #pos = N;

  /** Same state as `np.random.seed(seed)` for an integer seed in 0..2**32-1. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`seed must be an integer in 0..4294967295, got ${seed}`);
    }
    const mt = this.#mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i, modulo 2**32, without losing bits to float precision.
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  #twist(): void {
    const mt = this.#mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
      let v = mt[(i + M) % N] ^ (y >>> 1);
      if (y & 1) v ^= 0x9908b0df;
      mt[i] = v >>> 0;
    }
    this.#pos = 0;
  }

  /** The next raw 32-bit output (`genrand_int32`). */
  nextUint32(): number {
    if (this.#pos >= N) this.#twist();
    let y = this.#mt[this.#pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform integer in 0..max inclusive, as NumPy's `random_interval` (max < 2**32). */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0; while (v > max);
    return v;
  }

  /** `np.random.randint(low, high)` (high exclusive): no draw at all when high - low == 1. */
  randint(low: number, high: number): number {
    if (!(high > low)) throw new Error(`randint: high (${high}) must exceed low (${low})`);
    return low + this.interval(high - low - 1);
  }

  /** `np.random.shuffle(list)`: Fisher-Yates from the end, in place. */
  shuffle<T>(items: T[] | Uint8Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
  }
}
