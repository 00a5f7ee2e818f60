/**
 * The two real storages end to end: through the DB API's HTTP routes (the
 * local server on dynalite) and straight into DynamoDB (the same dynalite),
 * against the replay server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbApiClient } from '../../db-api/client.js';
import { type LocalDbApi, startLocalDbApi } from '../../db-api/local/server.js';
import type { ReplayServer } from '../../mcf-replay/server.js';
import { memoryLogger } from '../log.js';
import { scrape } from '../scraper.js';
import { MemoryBlobStore } from '../state/blob-store.js';
import { DbApiStorage } from '../storage/db-api.js';
import { DynamoStorage } from '../storage/dynamodb.js';
import type { ScrapeStorage } from '../storage/types.js';
import { DAY1, DAY2, expectedUuids, FAST, startReplay } from './helpers.js';

let api: LocalDbApi;
let server: ReplayServer;
let client: DbApiClient;

beforeAll(async () => {
  api = await startLocalDbApi();
  client = new DbApiClient({ url: api.url });
  server = await startReplay({ corpus: { seed: 31, jobs: 250 } });
});
afterAll(async () => {
  await server?.stop();
  await api?.stop();
});

async function searchRows(userId: string) {
  const rows = [];
  for await (const r of client.listAll('job_search', { where: { user_id: userId } })) rows.push(r);
  return rows;
}

function run(storage: ScrapeStorage, state: MemoryBlobStore, now: Date) {
  return scrape({
    storage,
    state,
    apiUrl: server.url,
    browser: 'off',
    now: () => now,
    progressIntervalMs: 0,
    logger: memoryLogger(),
    politeness: FAST,
  });
}

describe.each([
  ['db-api', 'api-user', () => new DbApiStorage({ url: api.url })],
  [
    'dynamodb',
    'ddb-user',
    () => new DynamoStorage({ tablePrefix: api.tablePrefix, localEndpoint: api.dynamoEndpoint }),
  ],
] as const)('storage %s', (_, user, make) => {
  it('reads the user’s tracks, writes valid rows, keeps first_seen, and writes nothing on a rerun', async () => {
    await client.put('track', `${user}:eng`, {
      track_id: `${user}:eng`,
      user_id: user,
      name: 'Engineering',
      search_terms: ['engineer'],
    });
    await client.put('track', `${user}:off`, {
      track_id: `${user}:off`,
      user_id: user,
      name: 'Off',
      search_terms: ['nurse'],
      active: false,
    });
    const storage = make();
    expect((await storage.listTracks({ userId: user })).map((t) => t.track_id)).toEqual([
      `${user}:eng`,
    ]);

    const state = new MemoryBlobStore();
    const day1 = await run(storage, state, DAY1);
    expect(day1.status).toBe('complete');
    const expected = expectedUuids(server.corpus, ['engineer']);
    const searches = await searchRows(user);
    expect(new Set(searches.map((r) => r.job_id))).toEqual(expected);
    for (const r of searches)
      expect(r).toMatchObject({
        first_seen: '2026-03-02 09:00',
        last_seen: '2026-03-02 09:00',
        track_id: `${user}:eng`,
      });
    for (const id of expected) {
      const job = await client.get('job', id);
      expect(job.version).toBeGreaterThanOrEqual(1);
      expect(job.title.length).toBeGreaterThan(0);
    }
    const states = await storage.jobStates([...expected].slice(0, 5));
    expect(states.size).toBe(5);
    for (const v of states.values()) expect(v).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);

    // The same day again, forced: nothing new is written (versions stay).
    const versions = new Map((await searchRows(user)).map((r) => [r.job_s_id, r.version]));
    const again = await scrape({
      storage,
      state,
      apiUrl: server.url,
      browser: 'off',
      now: () => DAY1,
      progressIntervalMs: 0,
      logger: memoryLogger(),
      politeness: FAST,
      force: true,
    });
    expect(again.counters.job_search_written).toBe(0);
    expect(again.counters.stored).toBe(0);
    for (const r of await searchRows(user)) expect(r.version).toBe(versions.get(r.job_s_id));

    // The next day: rows on the first page get the new last_seen and keep first_seen and track.
    const day2 = await run(storage, state, DAY2);
    expect(day2.status).toBe('complete');
    const after = await searchRows(user);
    const moved = after.filter((r) => r.last_seen === '2026-03-03 09:00');
    expect(moved.length).toBeGreaterThan(0);
    for (const r of moved)
      expect(r).toMatchObject({ first_seen: '2026-03-02 09:00', track_id: `${user}:eng` });
  });
});
