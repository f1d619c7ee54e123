/**
 * The one seeded pseudo-random generator for everything random in the project
 * (weight init, ACT exploration, data shuffling, maze and Sudoku generation).
 * xoshiro128** on four 32-bit words, so it needs no BigInt and is identical on
 * every platform. Seeded from one number (through splitmix32) or from a key of
 * 32-bit words (`Rng.fromKey`, so e.g. every maze draws from its own stream of
 * (seed, split, index, attempt) whichever worker makes it); `deriveSeed` folds
 * such a key into one 32-bit seed. The state is four numbers: save it with
 * `state()` and continue bit-identically with `Rng.fromState()` (exact resume).
 * Imports nothing from the project (bottom layer).
 *
 * ```ts
 * const rng = new Rng(42);
 * rng.uniform();        // [0, 1), 53-bit resolution
 * rng.normal();         // standard normal (Box-Muller, no cached spare)
 * rng.int(10);          // integer in [0, 10), unbiased
 * rng.permutation(5);   // Int32Array, a shuffle of 0..4
 * const child = rng.fork(); // independent stream (e.g. one per worker)
 * Rng.fromKey([42, 1, 7]); // a stream per item, e.g. [seed, split, index]
 * ```
 * @module
 */

/** Serialisable generator state: four unsigned 32-bit words. */
export type RngState = [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a list of 32-bit words (with a salt) into one 32-bit word. */
function hashWords(words: readonly number[], salt: number): number {
  let h = fmix32(salt ^ 0x9e3779b9);
  for (const w of words) {
    h = fmix32((h ^ fmix32(w >>> 0)) + 0x6a09e667);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return fmix32(h ^ words.length);
}

/**
 * Folds integers (each taken modulo 2^32) into one well-spread 32-bit seed:
 * `new Rng(deriveSeed(seed, split, index))` is a stream per item.
 */
export function deriveSeed(...parts: number[]): number {
  return hashWords(parts, 0);
}

/** Splits a non-negative safe integer seed into its low and high 32-bit words. */
export function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`seed must be a non-negative integer, got ${seed}`);
  }
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/** Seeded xoshiro128** generator. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seeds from a number (any integer; the low 32 bits and the high bits are mixed). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`rng seed must be a finite number, got ${seed}`);
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    const next = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d));
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Seeds the four state words from a key of 32-bit integers (each hashed with its own salt). */
  static fromKey(key: readonly number[]): Rng {
    const s = [1, 2, 3, 4].map((salt) => hashWords(key, salt));
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
    return Rng.fromState(s as RngState);
  }

  /** Restores a generator saved with `state()`. */
  static fromState(state: RngState): Rng {
    if (!Array.isArray(state) || state.length !== 4 || state.some((x) => !Number.isInteger(x))) {
      throw new Error("rng state must be an array of four integers");
    }
    const r = new Rng(0);
    [r.s0, r.s1, r.s2, r.s3] = state.map((x) => x >>> 0) as RngState;
    return r;
  }

  /** The current state (a copy), JSON-serialisable. */
  state(): RngState {
    // Unsigned, so that one state has one spelling (fromState(s).state() equals s).
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Next raw unsigned 32-bit output. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal draw (Box-Muller; consumes exactly four 32-bit outputs). */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling); n in 1..2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) {
      throw new Error(`rng.int: n must be an integer in 1..2^32, got ${n}`);
    }
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /** Shuffles an array in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** An independent generator seeded from this one's next outputs. */
  fork(): Rng {
    return Rng.fromState([this.nextU32(), this.nextU32(), this.nextU32(), this.nextU32() | 1]);
  }
}
