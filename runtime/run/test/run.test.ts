/**
 * `mcfpipe run` end to end, as `npm start` runs it on a fresh machine: in an
 * empty folder, on the bundled replay, with no configuration file. A second
 * run adds nothing; a run killed mid-scrape, or stopped with Ctrl-C, and
 * started again ends with the rows of an uninterrupted run; Ctrl-C leaves
 * no server or process behind.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Corpus } from '../../mcf-replay/corpus.js';
import { expectedUuids } from '../../webscraper/test/helpers.js';
import { content, mcfpipe, runSummary, type Snapshot, snapshot } from './helpers.js';

const JOBS = 1000;
/** The example profile's searches (settings/example.ts). */
const TERMS = [
  'data engineer',
  'machine learning engineer',
  'devops engineer',
  'platform engineer',
  'site reliability engineer',
];
const TABLES = ['job', 'job_search', 'job_score', 'track', 'keyword', 'config'] as const;
/** Slow enough to stop the scrape in the middle (about 50 jobs at 10 requests a second). */
const ARGS = ['run', '--replay-jobs', String(JOBS), '--rate', '10', '--log-format', 'json'];

let root: string;
let reference: Snapshot;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mcfpipe-run-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const logged = (stdout: string, msg: string) =>
  stdout.split('\n').some((l) => l.startsWith('{"time"') && JSON.parse(l).msg === msg);

describe('mcfpipe run', () => {
  it('on a fresh folder loads the example profile, scrapes the replay, stores and scores the jobs; a second run adds nothing', async () => {
    const dir = join(root, 'fresh');
    const first = await mcfpipe(root, [...ARGS, '--data', dir]).done;
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(runSummary(first.stdout).status).toBe('done');
    expect(first.stdout).toContain('loaded the example profile');

    const expected = expectedUuids(new Corpus({ seed: 1, jobs: JOBS }), TERMS);
    expect(expected.size).toBeGreaterThan(30);
    const db = await snapshot(dir, [...TABLES]);
    expect(new Set(db.job!.keys())).toEqual(expected);
    expect(new Set([...db.job_search!.values()].map((r) => r.job_id))).toEqual(expected);
    expect(new Set([...db.job_score!.values()].map((r) => r.job_id))).toEqual(expected);
    for (const r of db.job_search!.values()) expect(r.user_id).toBe('me');
    const statuses = new Set([...db.job_score!.values()].map((r) => r.status));
    expect(statuses.has('scored')).toBe(true);
    expect(db.track!.size).toBe(2);
    reference = db;

    const second = await mcfpipe(root, [...ARGS, '--data', dir]).done;
    expect(second.code).toBe(0);
    const stages = runSummary(second.stdout).stages;
    expect(stages).toContainEqual(
      expect.objectContaining({
        name: 'scrape',
        summary: expect.stringContaining('already scraped'),
      }),
    );
    expect(stages).toContainEqual(
      expect.objectContaining({
        name: 'score',
        summary: expect.stringContaining('nothing new to score'),
      }),
    );
    const again = await snapshot(dir, [...TABLES]);
    for (const t of TABLES)
      expect(new Map([...again[t]!].map(([id, r]) => [id, r.version]))).toEqual(
        new Map([...db[t]!].map(([id, r]) => [id, r.version])),
      );
  }, 180_000);

  it('killed mid-scrape and started again, ends with the rows of an uninterrupted run', async () => {
    const dir = join(root, 'killed');
    const run = mcfpipe(root, [...ARGS, '--data', dir]);
    await until(() => logged(run.stdout(), 'search done'), 'a search to finish');
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const partial = await snapshot(dir, ['job']);
    expect(partial.job!.size).toBeLessThan(reference.job!.size);

    const again = await mcfpipe(root, [...ARGS, '--data', dir]).done;
    expect(again.code).toBe(0);
    expect(content(await snapshot(dir, [...TABLES]))).toEqual(content(reference));
  }, 180_000);

  it('stops on Ctrl-C with exit 3 and nothing left running, and a rerun finishes the same rows', async () => {
    const dir = join(root, 'interrupted');
    const run = mcfpipe(root, [...ARGS, '--data', dir]);
    await until(() => logged(run.stdout(), 'search done'), 'a search to finish');
    const api = /DB API on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout())![1]!;
    const replay = /MCF replay on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout())![1]!;
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped).toMatchObject({ code: 3, signal: null });
    expect(runSummary(stopped.stdout).status).toMatch(/stopped early/);
    // The process ended on its own: its servers are closed and the data folder unlocked.
    for (const url of [api, replay]) await expect(fetch(url)).rejects.toThrow();
    expect(existsSync(join(dir, '.lock'))).toBe(false);

    const again = await mcfpipe(root, [...ARGS, '--data', dir]).done;
    expect(again.code).toBe(0);
    expect(content(await snapshot(dir, [...TABLES]))).toEqual(content(reference));
  }, 180_000);
});
