import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayServer } from '../../mcf-replay/server.js';
import { projectSchema } from '../../schema/schema.js';
import { validateItem } from '../../schema/validate.js';
import { MemoryBlobStore } from '../state/blob-store.js';
import { DAY2, detailFetches, expectedUuids, harness, startReplay, track } from './helpers.js';

let server: ReplayServer;
afterEach(async () => {
  await server?.stop();
});

describe('scrape: paging and rows', () => {
  it('pages every search newest first with limit 100, stores each job once and tags it for the user', async () => {
    server = await startReplay();
    const h = harness(server, [
      track('me', 'eng', ['engineer', 'manager']),
      track('me', 'sen', ['senior']),
    ]);
    const summary = await h.run();
    expect(summary.status).toBe('complete');
    const expected = expectedUuids(server.corpus, ['engineer', 'manager', 'senior']);
    expect(new Set(h.storage.jobs.keys())).toEqual(expected);
    expect(summary.counters.new).toBe(expected.size);
    expect(summary.counters.stored).toBe(expected.size);

    const listings = server.requests.filter((r) => r.route === 'jobs');
    for (const r of listings) {
      expect(r.path).toContain('limit=100');
      expect(r.path).toContain('sortBy=new_posting_date');
    }
    // Each search read page by page until a short page.
    const engineer = listings.filter((r) => r.search === 'engineer').map((r) => r.page);
    const total = server.corpus.query({ search: 'engineer' }).total;
    expect(engineer).toEqual(Array.from({ length: Math.floor(total / 100) + 1 }, (_, i) => i));
    // One detail request per job, although searches overlap.
    expect([...detailFetches(server).values()].every((n) => n === 1)).toBe(true);

    const schema = projectSchema();
    for (const row of h.storage.jobSearches.values()) {
      expect(validateItem(schema, schema.tables.job_search!, row, 'full').problems).toEqual([]);
      expect(row.job_s_id).toBe(`me:${row.job_id}`);
      expect(row.first_seen).toBe('2026-03-02 09:00');
      expect(row.last_seen).toBe('2026-03-02 09:00');
      expect(['me:eng', 'me:sen']).toContain(row.track_id);
    }
    expect(h.storage.jobSearches.size).toBe(expected.size);
  });

  it('tags the same job for every user whose track finds it, and lists a shared search once', async () => {
    server = await startReplay();
    const h = harness(server, [track('ann', 'a', ['analyst']), track('bob', 'b', ['Analyst'])]);
    await h.run();
    const expected = expectedUuids(server.corpus, ['analyst']);
    expect(h.storage.jobSearches.size).toBe(expected.size * 2);
    for (const id of expected) {
      expect(h.storage.jobSearches.get(`ann:${id}`)?.track_id).toBe('ann:a');
      expect(h.storage.jobSearches.get(`bob:${id}`)?.track_id).toBe('bob:b');
    }
    const pages = server.requests.filter((r) => r.route === 'jobs').length;
    expect(pages).toBe(Math.floor(expected.size / 100) + 1);
  });

  it('passes track filters to MCF and refuses nothing locally; a 400 fails only that search', async () => {
    server = await startReplay();
    const h = harness(server, [
      track('me', 'it', ['engineer'], {
        categories: ['Information Technology'],
        employment_types: ['Permanent'],
        min_salary: 5000,
      }),
      track('me', 'bad', ['manager'], { categories: ['No Such Category'] }),
    ]);
    const summary = await h.run();
    const it = server.corpus.query({
      search: 'engineer',
      categories: ['Information Technology'],
      employmentTypes: ['Permanent'],
      salary: 5000,
    });
    expect(h.storage.jobs.size).toBe(it.total);
    expect(server.requests.find((r) => r.search === 'engineer')?.path).toContain(
      'categories=Information+Technology',
    );
    expect(summary.searches.failed).toEqual([
      { term: 'manager', error: expect.stringContaining('400') },
    ]);
    expect(summary.status).toBe('complete');
  });

  it('holds listing back while many jobs wait for details, and still stores every one', async () => {
    server = await startReplay({ corpus: { seed: 11, jobs: 500 } });
    const h = harness(server, [track('me', 'all', ['pte'])]);
    let most = 0;
    const timer = setInterval(() => {
      most = Math.max(most, server.counts.jobs * 100 - server.counts.detail);
    }, 1);
    const summary = await h.run({ maxQueued: 20, writeBatch: 7 });
    clearInterval(timer);
    expect(summary.status).toBe('complete');
    expect(h.storage.jobs.size).toBe(500);
    // With 20 queued at most, listing is never more than a page (plus the queue) ahead of the details.
    expect(most).toBeLessThanOrEqual(100 + 20 + 4);
  });

  it('reads the POST /v2/search listing as well', async () => {
    server = await startReplay();
    const h = harness(server, [track('me', 'eng', ['engineer'])]);
    await h.run({ listing: 'search' });
    expect(server.counts.search).toBeGreaterThan(0);
    expect(server.counts.jobs).toBe(0);
    expect(new Set(h.storage.jobs.keys())).toEqual(expectedUuids(server.corpus, ['engineer']));
    // Search items carry no description: the details do.
    expect([...h.storage.jobs.values()].every((j) => (j.description ?? '').length > 0)).toBe(true);
  });

  it('stops at max_pages and stores descriptions only when allowed', async () => {
    server = await startReplay({ corpus: { seed: 11, jobs: 600 } });
    const h = harness(server, [track('me', 'all', ['a'], { max_pages: 2 })]);
    const summary = await h.run({ descriptions: 'none' });
    expect(server.counts.jobs).toBe(2);
    expect(h.storage.jobs.size).toBe(200);
    expect([...h.storage.jobs.values()].some((j) => j.description !== undefined)).toBe(false);
    expect(summary.counters.pages).toBe(2);
  });
});

describe('scrape: incremental days', () => {
  async function dayOne() {
    server = await startReplay({ corpus: { seed: 11, jobs: 1200 } });
    const h = harness(server, [track('me', 'eng', ['engineer', 'manager'])]);
    await h.run();
    server.requests.length = 0;
    return h;
  }

  it('on the next day fetches details only for new and edited jobs and stops paging early', async () => {
    const h = await dayOne();
    const before = new Map([...h.storage.jobSearches].map(([k, v]) => [k, { ...v }]));
    const added = server.corpus
      .addJobs(30)
      .filter((u) => expectedUuids(server.corpus, ['engineer', 'manager']).has(u));
    const known = [...h.storage.jobs.keys()];
    const edited = known.slice(0, 3);
    for (const u of edited) server.corpus.edit(u, { title: `Edited ${u.slice(0, 6)}` });

    const summary = await h.run({ now: () => DAY2 });
    expect(summary.status).toBe('complete');
    expect(new Set(detailFetches(server).keys())).toEqual(
      new Set(
        [...added, ...edited].filter((u) =>
          expectedUuids(server.corpus, ['engineer', 'manager']).has(u),
        ),
      ),
    );
    expect(summary.counters.new).toBe(added.length);
    expect(summary.counters.updated).toBe(edited.length);
    for (const u of edited) expect(h.storage.jobs.get(u)?.title).toBe(`Edited ${u.slice(0, 6)}`);

    // Early stop: a search ends at the first full page of seen, unchanged jobs, before the corpus ends.
    const pagesPerSearch = (term: string) =>
      server.requests.filter((r) => r.route === 'jobs' && r.search === term).length;
    const engineerPages = Math.floor(server.corpus.query({ search: 'engineer' }).total / 100) + 1;
    expect(pagesPerSearch('engineer')).toBeLessThan(engineerPages);
    expect(
      h.logger.lines.some((l) => l.msg === 'search done' && l.fields.outcome === 'early-stop'),
    ).toBe(true);

    // Re-seen rows keep first_seen and get the new last_seen; new rows start today.
    for (const [id, row] of h.storage.jobSearches) {
      const old = before.get(id);
      if (old) expect(row.first_seen).toBe(old.first_seen);
      else expect(row.first_seen).toBe('2026-03-03 09:00');
    }
    expect(
      [...h.storage.jobSearches.values()].some(
        (r) => r.last_seen === '2026-03-03 09:00' && r.first_seen === '2026-03-02 09:00',
      ),
    ).toBe(true);
  });

  it('reads every page when early stop is off', async () => {
    const h = await dayOne();
    await h.run({ now: () => DAY2, earlyStop: false });
    const engineerPages = Math.floor(server.corpus.query({ search: 'engineer' }).total / 100) + 1;
    expect(
      server.requests.filter((r) => r.route === 'jobs' && r.search === 'engineer'),
    ).toHaveLength(engineerPages);
    expect(detailFetches(server).size).toBe(0);
  });

  it('does nothing when the day is complete, and writes nothing new when forced to run it again', async () => {
    const h = await dayOne();
    const writes = { ...h.storage.writes };
    const again = await h.run();
    expect(again.status).toBe('already-complete');
    expect(server.requests).toHaveLength(0);

    const forced = await h.run({ force: true });
    expect(forced.status).toBe('complete');
    expect(server.requests.filter((r) => r.route === 'detail')).toHaveLength(0);
    expect(h.storage.writes).toEqual(writes);
    expect(forced.counters.unchanged).toBeGreaterThan(0);
  });
});

describe('scrape: bad records and archives', () => {
  it('quarantines malformed records with uuid and reason, stores the rest, and archives raw payloads', async () => {
    server = await startReplay();
    const ids = [...expectedUuids(server.corpus, ['engineer'])];
    const bad = {
      [ids[0]!]: 'missing-title',
      [ids[1]!]: 'wrong-type',
      [ids[2]!]: 'not-an-object',
      [ids[3]!]: 'bad-date',
    } as const;
    for (const [u, how] of Object.entries(bad)) server.corpus.corrupt(u, how);
    const archive = new MemoryBlobStore();
    const h = harness(server, [track('me', 'eng', ['engineer'])]);
    const summary = await h.run({ archive, browser: 'off' });
    expect(summary.status).toBe('complete');
    expect(summary.counters.quarantined).toBe(4);
    for (const u of Object.keys(bad)) expect(h.storage.jobs.has(u)).toBe(false);
    expect(h.storage.jobs.size).toBe(ids.length - 4);

    const lines = summary.quarantineParts.flatMap((k) =>
      h.state.objects
        .get(k)!
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    const byUuid = Object.fromEntries(lines.map((l) => [l.uuid, l.reason]));
    expect(byUuid[ids[0]!]).toMatch(/missing title/);
    expect(byUuid[ids[1]!]).toMatch(/numberOfVacancies: expected a number|categories/);
    expect(byUuid[ids[3]!]).toMatch(/posted_date.*ISO_DATE/);
    // The item that is not an object has no uuid to give: the listing's line says what it was.
    expect(lines.filter((l) => l.uuid === null)).toEqual([
      expect.objectContaining({
        source: 'listing',
        reason: 'listing item is not an object',
        record: ['not', 'a', 'job'],
      }),
    ]);
    expect(lines).toHaveLength(4);

    const records = summary.archiveParts.flatMap((k) =>
      gunzipSync(archive.objects.get(k)!)
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect(records.filter((r) => r.kind === 'listing').length).toBe(summary.counters.pages);
    // The job whose record is not an object is quarantined from its listing item: no detail request.
    expect(records.filter((r) => r.kind === 'detail').length).toBe(ids.length - 1);
    const detail = records.find((r) => r.kind === 'detail' && r.uuid === ids[5]);
    expect(detail.body.uuid).toBe(ids[5]);
  });
});
