/**
 * `mcfpipe run` end to end, as `npm start` runs it on a fresh machine: in an
 * empty folder, on the bundled replay, with no configuration file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Corpus } from '../../mcf-replay/corpus.js';
import { expectedUuids } from '../../webscraper/test/helpers.js';
import { mcfpipe, runSummary, snapshot } from './helpers.js';

const JOBS = 300;
/** The example profile's searches (settings/example.ts). */
const TERMS = [
  'data engineer',
  'machine learning engineer',
  'devops engineer',
  'platform engineer',
  'site reliability engineer',
];
const TABLES = ['job', 'job_search', 'track', 'keyword', 'config'] as const;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-run-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('mcfpipe run', () => {
  it('on a fresh folder loads the example profile, scrapes the replay and stores the jobs; a second run adds nothing', async () => {
    const args = ['run', '--replay-jobs', String(JOBS), '--log-format', 'json'];
    const first = await mcfpipe(dir, args).done;
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = runSummary(first.stdout);
    expect(summary.status).toBe('done');
    expect(first.stdout).toContain('loaded the example profile');

    const expected = expectedUuids(new Corpus({ seed: 1, jobs: JOBS }), TERMS);
    const db = await snapshot(join(dir, '.local-data'), [...TABLES]);
    expect(new Set(db.job!.keys())).toEqual(expected);
    expect(new Set([...db.job_search!.values()].map((r) => r.job_id))).toEqual(expected);
    for (const r of db.job_search!.values()) expect(r.user_id).toBe('me');
    expect(db.track!.size).toBe(2);

    const second = await mcfpipe(dir, args).done;
    expect(second.code).toBe(0);
    expect(runSummary(second.stdout).stages).toContainEqual(
      expect.objectContaining({
        name: 'scrape',
        summary: expect.stringContaining('already scraped'),
      }),
    );
    const again = await snapshot(join(dir, '.local-data'), [...TABLES]);
    for (const t of TABLES)
      expect(new Map([...again[t]!].map(([id, r]) => [id, r.version]))).toEqual(
        new Map([...db[t]!].map(([id, r]) => [id, r.version])),
      );
  }, 120_000);
});
