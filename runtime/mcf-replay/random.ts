/**
 * Seeded pseudo-random numbers: the replay's data and its random faults are
 * the same for the same seed on every machine and Node version (no
 * Math.random, no platform-dependent hashing).
 */

/** A 32-bit hash of integers (splitmix32 steps), to derive independent streams. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export interface Random {
  /** A float in [0, 1). */
  (): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
  /** `count` distinct items of `list` (fewer when the list is shorter). */
  sample<T>(list: readonly T[], count: number): T[];
  chance(p: number): boolean;
}

/** mulberry32: small, fast, good enough for test data. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (() => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Random;
  next.int = (min, max) => min + Math.floor(next() * (max - min + 1));
  next.pick = (list) => list[Math.floor(next() * list.length)]!;
  next.sample = (list, count) => {
    const pool = [...list];
    const out = [];
    while (out.length < count && pool.length > 0) {
      out.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!);
    }
    return out;
  };
  next.chance = (p) => next() < p;
  return next;
}
