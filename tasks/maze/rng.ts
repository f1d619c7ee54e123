/**
 * A small seeded PRNG for maze generation: xoshiro128** (Blackman & Vigna)
 * seeded through a murmur3-style mix of a key of 32-bit words, so that every
 * maze draws from its own stream derived from (master seed, split, index,
 * attempt) and never depends on which worker produced it.
 * @module
 */

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

/** Splits a non-negative safe integer seed into its low and high 32-bit words. */
export function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`seed must be a non-negative integer, got ${seed}`);
  }
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/** xoshiro128**: 128-bit state, 32-bit outputs, period 2^128 - 1. */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /** Seeds the four state words from a key of 32-bit integers. */
  constructor(key: readonly number[]) {
    this.#s0 = hashWords(key, 1);
    this.#s1 = hashWords(key, 2);
    this.#s2 = hashWords(key, 3);
    this.#s3 = hashWords(key, 4);
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** Next 32-bit unsigned output. */
  nextU32(): number {
    const s1 = this.#s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return r;
  }

  /** Uniform integer in [0, n) without modulo bias (rejection sampling), 1 <= n <= 2^32. */
  below(n: number): number {
    if (!(n >= 1 && n <= 2 ** 32) || !Number.isInteger(n)) {
      throw new Error(`Rng.below: bound must be an integer in 1..2^32, got ${n}`);
    }
    // Largest multiple of n that fits in 2^32; outputs at or above it are redrawn.
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  between(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
