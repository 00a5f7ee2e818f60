/**
 * From the users' tracks to the searches a run makes, and which shard makes
 * each. Identical searches (same term and filters) of different tracks or
 * users are made once; the results go to every track that asked.
 */
import type { SearchSpec } from './mcf/client.js';
import type { Track } from './storage/types.js';

export interface Subscriber {
  userId: string;
  trackId: string;
  term: string;
}

export interface PlannedSearch {
  /** Stable identity of the search (term and filters), used in checkpoints and for sharding. */
  key: string;
  spec: SearchSpec;
  /** Most listing pages to read (the largest max_pages of the tracks that share the search). */
  maxPages: number;
  subscribers: Subscriber[];
}

function sorted(list: string[] | undefined): string[] | undefined {
  const out = [...new Set((list ?? []).map((s) => s.trim()).filter(Boolean))].sort();
  return out.length ? out : undefined;
}

export function planSearches(tracks: Track[], defaultMaxPages: number): PlannedSearch[] {
  const byKey = new Map<string, PlannedSearch>();
  for (const t of tracks) {
    for (const rawTerm of t.search_terms) {
      const term = rawTerm.replace(/\s+/g, ' ').trim();
      if (!term) continue;
      const spec: SearchSpec = { term };
      const et = sorted(t.employment_types);
      const pl = sorted(t.position_levels);
      const cat = sorted(t.categories);
      if (et) spec.employmentTypes = et;
      if (pl) spec.positionLevels = pl;
      if (cat) spec.categories = cat;
      if (t.min_salary !== undefined) spec.minSalary = t.min_salary;
      const key = JSON.stringify([
        term.toLowerCase(),
        et ?? [],
        pl ?? [],
        cat ?? [],
        t.min_salary ?? null,
      ]);
      const maxPages = t.max_pages ?? defaultMaxPages;
      const planned = byKey.get(key);
      const sub = { userId: t.user_id, trackId: t.track_id, term };
      if (planned) {
        planned.maxPages = Math.max(planned.maxPages, maxPages);
        planned.subscribers.push(sub);
      } else {
        byKey.set(key, { key, spec, maxPages, subscribers: [sub] });
      }
    }
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** FNV-1a, 32 bits: a stable string hash (the same on every machine and run). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The shard that lists a search. */
export function searchShard(key: string, count: number): number {
  return fnv1a(key) % count;
}

/** The shard that fetches and stores a job (uuids are md5 hex: their first 32 bits are uniform). */
export function jobShard(uuid: string, count: number): number {
  return Number.parseInt(uuid.slice(0, 8), 16) % count;
}
