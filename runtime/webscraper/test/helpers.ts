/** Shared set-up of the webscraper tests: a replay server, tracks, fast politeness settings. */
import type { Corpus } from '../../mcf-replay/corpus.js';
import {
  type ReplayServer,
  type ReplayServerOptions,
  startReplayServer,
} from '../../mcf-replay/server.js';
import type { PolitenessOptions } from '../http/polite.js';
import { memoryLogger } from '../log.js';
import { type ScrapeOptions, type ScrapeSummary, scrape } from '../scraper.js';
import { MemoryBlobStore } from '../state/blob-store.js';
import { MemoryStorage } from '../storage/memory.js';
import type { Track } from '../storage/types.js';

/** Politeness for tests: no rate limit, millisecond backoffs and pauses. */
export const FAST: PolitenessOptions = {
  ratePerSec: 0,
  concurrency: 4,
  attempts: 4,
  timeoutMs: 2000,
  backoffBaseMs: 2,
  backoffMaxMs: 20,
  maxRetryAfterMs: 30,
  blockPauseMs: 30,
};

export const DAY1 = new Date('2026-03-02T01:00:00Z');
export const DAY2 = new Date('2026-03-03T01:00:00Z');

export function track(
  userId: string,
  slug: string,
  terms: string[],
  extra: Partial<Track> = {},
): Track {
  return {
    track_id: `${userId}:${slug}`,
    user_id: userId,
    name: slug,
    search_terms: terms,
    active: true,
    ...extra,
  };
}

export async function startReplay(opts: ReplayServerOptions = {}): Promise<ReplayServer> {
  return startReplayServer({ corpus: { seed: 11, jobs: 400 }, renderDelayMs: 0, ...opts });
}

export interface Harness {
  storage: MemoryStorage;
  state: MemoryBlobStore;
  run(overrides?: Partial<ScrapeOptions>): Promise<ScrapeSummary>;
  logger: ReturnType<typeof memoryLogger>;
}

export function harness(
  server: ReplayServer,
  tracks: Track[],
  base: Partial<ScrapeOptions> = {},
): Harness {
  const storage = new MemoryStorage(tracks);
  const state = new MemoryBlobStore();
  const logger = memoryLogger();
  return {
    storage,
    state,
    logger,
    run: (overrides = {}) =>
      scrape({
        storage,
        state,
        apiUrl: server.url,
        webUrl: server.url,
        progressIntervalMs: 0,
        browser: 'off',
        now: () => DAY1,
        logger,
        ...base,
        ...overrides,
        politeness: { ...FAST, ...base.politeness, ...overrides.politeness },
      }),
  };
}

/** The uuids a search would find on MCF, newest first, within `maxPages` of 100. */
export function expectedUuids(corpus: Corpus, terms: string[], maxPages = 10): Set<string> {
  const out = new Set<string>();
  for (const search of terms) {
    const { entries } = corpus.query({ search, sortBy: 'new_posting_date' });
    for (const e of entries.slice(0, maxPages * 100)) out.add(e.facets.uuid);
  }
  return out;
}

/** Detail requests per uuid seen by the server. */
export function detailFetches(server: ReplayServer): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of server.requests)
    if (r.route === 'detail' && r.uuid) out.set(r.uuid, (out.get(r.uuid) ?? 0) + 1);
  return out;
}
