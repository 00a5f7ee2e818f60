/**
 * The user's corpus statistics BM25 needs: how many jobs, their average
 * field lengths, and in how many jobs each keyword occurs. Integers summed
 * in a fixed order: the same corpus gives the same numbers on any machine.
 */
import { createHash } from 'node:crypto';
import { HIT_STRIDE, type JobFeatures } from './features.js';
import type { CorpusStats } from './model.js';
import type { ScoringProfile } from './profile.js';

export function corpusStats(features: Iterable<JobFeatures>, keywords: number): CorpusStats {
  let n = 0;
  const total = [0, 0, 0];
  const df = new Array<number>(keywords).fill(0);
  for (const f of features) {
    n++;
    for (let i = 0; i < 3; i++) total[i]! += f.lengths[i]!;
    for (let i = 0; i < f.hits.length; i += HIT_STRIDE) df[f.hits[i]!]!++;
  }
  const avg = (i: number) => (n ? total[i]! / n : 0);
  return { n, avgLength: [avg(0), avg(1), avg(2)], df };
}

/** The statistics as stored: document frequencies by keyword id (indices are the profile's). */
export interface StoredStats {
  n: number;
  avgLength: [number, number, number];
  df: Record<string, number>;
}

export function storeStats(stats: CorpusStats, profile: ScoringProfile): StoredStats {
  return {
    n: stats.n,
    avgLength: stats.avgLength,
    df: Object.fromEntries(profile.keywords.map((k, i) => [k.id, stats.df[i] ?? 0])),
  };
}

export function loadStats(stored: StoredStats, profile: ScoringProfile): CorpusStats {
  return {
    n: stored.n,
    avgLength: stored.avgLength,
    df: profile.keywords.map((k) => stored.df[k.id] ?? 0),
  };
}

export function statsHash(stored: StoredStats): string {
  return createHash('sha256').update(JSON.stringify(stored)).digest('hex');
}
