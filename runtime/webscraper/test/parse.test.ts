/**
 * `mcfpipe parse` on the replay's records and pages in every form a user has
 * them: API records as JSON Lines and as a JSON list, the scraper's gzip
 * archive parts (listing, detail and page records), and pages saved from
 * the browser, with and without JSON-LD. Fidelity: every field a record or
 * page holds must come out right (measured against fidelity.ts's oracles).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli.js';
import { Corpus } from '../../mcf-replay/corpus.js';
import { renderJobPageStatic } from '../../mcf-replay/page.js';
import type { McfJob } from '../mcf/types.js';
import { run } from '../parse/cli.js';
import { compare, fromApiRecord, fromJobPage, PAGE_ESSENTIALS } from './fidelity.js';

const dir = mkdtempSync(join(tmpdir(), 'mcfpipe-parse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, body: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
};

const urls = {
  api: 'https://api.mycareersfuture.gov.sg',
  web: 'https://www.mycareersfuture.gov.sg',
};
const corpus = new Corpus({ seed: 31, jobs: 160, oddRate: 0.12 });
const jobs = corpus.uuids().map((u) => corpus.job(u, urls) as McfJob);
const byUuid = new Map(jobs.map((j) => [j.uuid, j]));

async function parse(args: string[]) {
  const rows: Array<Record<string, unknown>> = [];
  const quarantined: Array<Record<string, unknown>> = [];
  const code = await run(args, {
    row: (line) => rows.push(JSON.parse(line)),
    quarantine: (line) => quarantined.push(JSON.parse(line)),
  });
  return { code, rows, quarantined };
}

/** A search item: what POST /v2/search returns, without the description. */
const searchItem = (j: McfJob) => {
  const { description: _, ...item } = j;
  return item;
};

describe('mcfpipe parse', () => {
  it('parses API records, archives and saved pages with every field present right (100%)', async () => {
    const records = file(
      'records.jsonl',
      `${jobs
        .slice(0, 60)
        .map((j) => JSON.stringify(j))
        .join('\n')}\n`,
    );
    const list = file('list.json', JSON.stringify(jobs.slice(60, 70), null, 2));
    const archived = (kind: string, extra: Record<string, unknown>) =>
      JSON.stringify({ kind, fetched_at: '2026-03-02T01:00:00.000Z', ...extra });
    // Listing of jobs 70-109; details for 70-89, pages for 90-99; 100-109 only in the listing.
    const archive = file(
      'part-run1-00001.jsonl.gz',
      gzipSync(
        [
          archived('listing', {
            url: `${urls.api}/v2/search?limit=100&page=0`,
            page: 0,
            body: { results: jobs.slice(70, 110).map(searchItem), total: 40 },
          }),
          ...jobs
            .slice(70, 90)
            .map((j) =>
              archived('detail', { url: `${urls.api}/v2/jobs/${j.uuid}`, uuid: j.uuid, body: j }),
            ),
          ...jobs.slice(90, 100).map((j) =>
            archived('page', {
              url: j.metadata.jobDetailsUrl,
              uuid: j.uuid,
              body: renderJobPageStatic(j, { suggested: corpus.suggestions(j.uuid, urls) }),
            }),
          ),
        ].join('\n'),
      ),
    );
    const pages = jobs.slice(100, 140).map((j, i) =>
      file(
        `page-${i}.html`,
        renderJobPageStatic(j, {
          suggested: corpus.suggestions(j.uuid, urls),
          jsonLd: i % 2 === 0,
        }),
      ),
    );

    const { code, rows, quarantined } = await parse([records, list, archive, ...pages]);

    // The expected source of each row, in output order.
    const expected: Array<{ job: McfJob; from: 'api' | 'listing' | 'page'; jsonLd: boolean }> = [
      ...jobs.slice(0, 90).map((job) => ({ job, from: 'api' as const, jsonLd: false })),
      ...jobs.slice(90, 100).map((job) => ({ job, from: 'page' as const, jsonLd: true })),
      ...jobs
        .slice(100, 140)
        .map((job, i) => ({ job, from: 'page' as const, jsonLd: i % 2 === 0 })),
      // Listing-only jobs come last, once no richer record gave them.
      ...jobs.slice(100, 110).map((job) => ({ job, from: 'listing' as const, jsonLd: false })),
    ];
    const refusedPages = expected.filter(
      (e) =>
        e.from === 'page' &&
        !e.jsonLd &&
        PAGE_ESSENTIALS.some((f) => fromJobPage(e.job, false)[f] === undefined),
    );
    const wanted = expected.filter((e) => !refusedPages.includes(e));
    // Jobs 100-109 have pages too: a page replaces their listing item.
    const listingReplaced = wanted.filter(
      (e) =>
        e.from === 'listing' && wanted.some((p) => p.from === 'page' && p.job.uuid === e.job.uuid),
    );
    const out = wanted.filter((e) => !listingReplaced.includes(e));
    expect(rows.map((r) => r.job_id)).toEqual(out.map((e) => e.job.uuid));

    let present = 0;
    const wrong: unknown[] = [];
    rows.forEach((row, i) => {
      const e = out[i]!;
      const oracle =
        e.from === 'page'
          ? fromJobPage(e.job, e.jsonLd)
          : fromApiRecord((e.from === 'listing' ? searchItem(e.job) : e.job) as McfJob);
      const c = compare(oracle, row);
      present += c.present;
      if (c.wrong.length) wrong.push({ uuid: e.job.uuid, from: e.from, wrong: c.wrong });
    });
    expect(wrong).toEqual([]);
    expect(present).toBeGreaterThan(3000);

    // Pages without JSON-LD that lack one of title, company, salary, location, skills are quarantined.
    expect(quarantined.map((q) => q.uuid)).toEqual(refusedPages.map((e) => e.job.uuid));
    for (const q of quarantined) expect(q.reason).toMatch(/^the page has no JSON-LD and lacks /);
    expect(code).toBe(refusedPages.length ? 1 : 0);
  });

  it('covers the real shapes in what it checked (districts only, overseas, hidden salary, schemes)', () => {
    const some = (test: (j: McfJob) => boolean) => jobs.slice(0, 140).some(test);
    expect(some((j) => j.address?.street === null && !j.address.isOverseas)).toBe(true);
    expect(some((j) => j.address?.isOverseas === true)).toBe(true);
    expect(some((j) => j.isHideSalary === true)).toBe(true);
    expect(some((j) => (j.schemes ?? []).length > 0)).toBe(true);
    expect(some((j) => typeof j.otherRequirements === 'string')).toBe(true);
  });

  it('quarantines what cannot give a row, with where and why, and exits 1', async () => {
    const bad = structuredClone(jobs[0]!) as unknown as Record<string, unknown>;
    bad.title = null;
    const wrongType = { ...structuredClone(jobs[1]!), numberOfVacancies: 'two' };
    const input = file(
      'mixed.jsonl',
      [
        JSON.stringify(jobs[2]),
        JSON.stringify(bad),
        'not json',
        JSON.stringify(wrongType),
        '',
      ].join('\n'),
    );
    const { code, rows, quarantined } = await parse([input, join(dir, 'missing.json')]);
    expect(code).toBe(1);
    expect(rows.map((r) => r.job_id)).toEqual([jobs[2]!.uuid]);
    expect(quarantined).toEqual([
      expect.objectContaining({
        where: `${input}:2`,
        uuid: jobs[0]!.uuid,
        reason: 'missing title',
      }),
      expect.objectContaining({ where: `${input}:3`, uuid: null }),
      expect.objectContaining({
        where: `${input}:4`,
        uuid: jobs[1]!.uuid,
        reason: expect.stringMatching(/numberOfVacancies: expected a number/),
      }),
      expect.objectContaining({
        where: join(dir, 'missing.json'),
        reason: 'cannot read the file (ENOENT)',
      }),
    ]);
    expect(byUuid.size).toBe(jobs.length);
  });

  it('reads a truncated gzip archive up to the cut, says where it was cut, and exits 1', async () => {
    const lines = jobs.slice(0, 30).map((j) =>
      JSON.stringify({
        kind: 'detail',
        url: `${urls.api}/v2/jobs/${j.uuid}`,
        uuid: j.uuid,
        body: j,
      }),
    );
    const whole = gzipSync(`${lines.join('\n')}\n`);
    const cut = file('part-cut.jsonl.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));
    const { code, rows, quarantined } = await parse([cut]);
    expect(code).toBe(1);
    // Every row given is a whole job, in order, from the start of the part.
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(30);
    expect(rows.map((r) => r.job_id)).toEqual(jobs.slice(0, rows.length).map((j) => j.uuid));
    for (const [i, r] of rows.entries())
      expect(compare(fromApiRecord(jobs[i]!), r).wrong).toEqual([]);
    expect(quarantined).toEqual([
      {
        where: `${cut}:${rows.length + 1}`,
        uuid: null,
        reason: `the gzip file is cut off (truncated) after ${rows.length} complete lines; the rest of it is lost`,
        problems: [expect.stringContaining('truncated')],
      },
    ]);

    // Cut inside the gzip trailer: every line is there, the file is still reported as cut.
    const trailer = file('part-trailer.jsonl.gz', whole.subarray(0, whole.length - 3));
    const t = await parse([trailer]);
    expect(t.rows.length).toBe(30);
    expect(t.code).toBe(1);

    const corrupt = Buffer.from(whole);
    corrupt.fill(0x55, 20, 60);
    const bad = await parse([file('part-corrupt.jsonl.gz', corrupt)]);
    expect(bad.code).toBe(1);
    expect(bad.quarantined).toEqual([
      expect.objectContaining({ reason: 'not a readable gzip file (Z_DATA_ERROR)' }),
    ]);
  });

  it('is the mcfpipe parse command: --help, bad usage (2), and a real process with JSON Lines on stdout', async () => {
    const logs: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((m) => void logs.push(String(m)));
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main(['parse', '--help'])).toBe(0);
    expect(logs.join('\n')).toMatch(/^Usage: mcfpipe parse \[options\] FILE\.\.\./);
    expect(await main(['parse'])).toBe(2);
    expect(await main(['parse', '--descriptions', 'all', 'x.json'])).toBe(2);
    expect(err.mock.calls.flat().join('\n')).toMatch(/--descriptions.*one of text, none/);
    log.mockRestore();
    err.mockRestore();

    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const page = file('one.html', renderJobPageStatic(jobs[3]!));
    const one = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'runtime/cli.ts', 'parse', page],
      { cwd: root, timeout: 60_000 },
    );
    expect(one.stderr).toBe('');
    expect(JSON.parse(one.stdout.trim())).toMatchObject({ job_id: jobs[3]!.uuid });
  }, 60_000);
});
