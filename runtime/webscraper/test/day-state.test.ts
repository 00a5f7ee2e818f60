/**
 * What a day's checkpoint may say: it belongs to the store it was written
 * against (a checkpoint of another store is ignored, so a new or replaced
 * database is scraped in full); a day with no active track is an error,
 * never a complete day; and tracks added after the day completed are
 * scraped the same day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayServer } from '../../mcf-replay/server.js';
import { NoTracksError } from '../scraper.js';
import { MemoryStorage } from '../storage/memory.js';
import { expectedUuids, harness, startReplay, track } from './helpers.js';

let server: ReplayServer;
beforeAll(async () => {
  server = await startReplay({ corpus: { seed: 61, jobs: 200 } });
});
afterAll(async () => {
  await server?.stop();
});

describe('the day’s checkpoint', () => {
  it('of another store is ignored with a note, and the new store gets every job', async () => {
    const h = harness(server, [track('ann', 'eng', ['engineer'])]);
    expect((await h.run({ storeId: 'store-a' })).status).toBe('complete');
    expect((await h.run({ storeId: 'store-a' })).status).toBe('already-complete');

    // The database was replaced (same state folder, same day): its rows are not there.
    const fresh = new MemoryStorage([track('ann', 'eng', ['engineer'])]);
    const again = await h.run({ storeId: 'store-b', storage: fresh });
    expect(again.status).toBe('complete');
    expect(again.resumed).toBe(false);
    expect(new Set(fresh.jobs.keys())).toEqual(expectedUuids(server.corpus, ['engineer']));
    expect(h.logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: expect.stringContaining('written against another store'),
        fields: expect.objectContaining({ its_store: 'store-a', this_store: 'store-b' }),
      }),
    );
  });

  it('is never complete for a day with no active track: the run fails saying how to add one', async () => {
    const h = harness(server, [track('bob', 'off', ['engineer'], { active: false })]);
    const err = await h.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoTracksError);
    expect((err as Error).message).toMatch(/No active track .*Add a track/);
    expect(await h.state.get('checkpoints/2026-03-02/shard-0-of-1.json')).toBeUndefined();

    h.storage.source.put('track', [track('bob', 'eng', ['engineer'])]);
    const later = await h.run();
    expect(later.status).toBe('complete');
    expect(new Set(h.storage.jobs.keys())).toEqual(expectedUuids(server.corpus, ['engineer']));
  });

  it('complete, with tracks added since: runs their searches only, the same day', async () => {
    const h = harness(server, [track('cat', 'eng', ['engineer'])]);
    expect((await h.run()).status).toBe('complete');
    const listed = server.requests.filter((r) => r.route === 'jobs').length;
    h.storage.source.put('track', [track('cat', 'mgr', ['manager'])]);
    const second = await h.run();
    expect(second.status).toBe('complete');
    const searched = server.requests
      .filter((r) => r.route === 'jobs')
      .slice(listed)
      .map((r) => r.search);
    expect(new Set(searched)).toEqual(new Set(['manager']));
    expect(new Set([...h.storage.jobSearches.values()].map((r) => r.job_id))).toEqual(
      expectedUuids(server.corpus, ['engineer', 'manager']),
    );
  });
});
