import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayServer } from '../../mcf-replay/server.js';
import { memoryLogger } from '../log.js';
import { jobShard, planSearches, searchShard } from '../plan.js';
import { scrape } from '../scraper.js';
import { MemoryBlobStore } from '../state/blob-store.js';
import { MemoryStorage } from '../storage/memory.js';
import { DAY1, expectedUuids, FAST, startReplay, track } from './helpers.js';

let server: ReplayServer;
afterEach(async () => {
  await server?.stop();
});

const TERMS_A = ['engineer', 'senior', 'data'];
const TERMS_B = ['manager', 'analyst', 'lead', 'Senior'];
const TRACKS = [track('ann', 'a', TERMS_A), track('bob', 'b', TERMS_B)];

describe('sharding', () => {
  it('splits searches between shards, and N shards never fetch the same job twice', async () => {
    server = await startReplay({ corpus: { seed: 21, jobs: 700 }, latencyMs: 1 });
    const storage = new MemoryStorage(TRACKS);
    const state = new MemoryBlobStore();
    const count = 3;
    const fetched: string[][] = [[], [], []];
    const listed: string[][] = [[], [], []];
    const summaries = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        scrape({
          storage,
          state,
          apiUrl: server.url,
          webUrl: server.url,
          shard: { index, count },
          browser: 'off',
          now: () => DAY1,
          progressIntervalMs: 0,
          handoffPollMs: 5,
          logger: memoryLogger(),
          politeness: FAST,
          fetch: (input, init) => {
            const url = new URL(String(input));
            const detail = /^\/v2\/jobs\/([0-9a-f]{32})$/.exec(url.pathname);
            if (detail) fetched[index]!.push(detail[1]!);
            else listed[index]!.push(url.searchParams.get('search')!);
            return fetch(input, init);
          },
        }),
      ),
    );
    for (const s of summaries) expect(s.status).toBe('complete');

    // Disjoint: every job fetched by exactly one shard, once, the one its uuid assigns it to.
    const all = fetched.flat();
    expect(new Set(all).size).toBe(all.length);
    fetched.forEach((uuids, index) => {
      for (const u of uuids) expect(jobShard(u, count)).toBe(index);
    });
    const expected = expectedUuids(server.corpus, [...TERMS_A, ...TERMS_B]);
    expect(new Set(all)).toEqual(expected);
    expect(new Set(storage.jobs.keys())).toEqual(expected);

    // Searches split: each distinct search listed by the one shard its key assigns it to.
    const plan = planSearches(TRACKS, 10);
    expect(plan).toHaveLength(6); // "senior" and "Senior" are one search
    for (const s of plan) {
      const owner = searchShard(s.key, count);
      listed.forEach((terms, index) => {
        expect(terms.some((t) => t.toLowerCase() === s.spec.term.toLowerCase())).toBe(
          index === owner,
        );
      });
    }
    // Jobs found by one shard for another were handed over.
    const handedOff = summaries.reduce((n, s) => n + s.counters.handed_off, 0);
    const received = summaries.reduce((n, s) => n + s.counters.received, 0);
    expect(handedOff).toBeGreaterThan(0);
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThanOrEqual(handedOff);

    // Both users' rows, once each.
    for (const id of expectedUuids(server.corpus, TERMS_A))
      expect(storage.jobSearches.has(`ann:${id}`)).toBe(true);
    for (const id of expectedUuids(server.corpus, TERMS_B))
      expect(storage.jobSearches.has(`bob:${id}`)).toBe(true);
  });

  it('stops waiting for a shard that never lists, and says so', async () => {
    server = await startReplay({ corpus: { seed: 21, jobs: 300 } });
    const logger = memoryLogger();
    const summary = await scrape({
      storage: new MemoryStorage(TRACKS),
      state: new MemoryBlobStore(),
      apiUrl: server.url,
      shard: { index: 0, count: 2 },
      browser: 'off',
      now: () => DAY1,
      progressIntervalMs: 0,
      handoffWaitMs: 30,
      handoffPollMs: 5,
      logger,
      politeness: FAST,
    });
    expect(summary.status).toBe('complete');
    expect(logger.lines.some((l) => l.msg.startsWith('stopped waiting for other shards'))).toBe(
      true,
    );
  });

  it('refuses a shard that does not exist', async () => {
    await expect(
      scrape({
        storage: new MemoryStorage(),
        state: new MemoryBlobStore(),
        shard: { index: 2, count: 2 },
      }),
    ).rejects.toThrow(/Shard 2 of 2 does not exist/);
  });
});
