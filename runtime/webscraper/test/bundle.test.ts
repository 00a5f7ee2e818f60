/**
 * The container's program: the esbuild bundle of `mcfpipe`, run as the
 * image runs it (`node mcfpipe.mjs scrape`), through the API and, with
 * Chromium present, through rendered pages.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tierAvailable } from '../../../core/testing/tiers.js';
import { DbApiClient } from '../../db-api/client.js';
import { type LocalDbApi, startLocalDbApi } from '../../db-api/local/server.js';
import type { ReplayServer } from '../../mcf-replay/server.js';
import { expectedUuids, startReplay } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let dir: string;
let outfile: string;
let api: LocalDbApi;
let server: ReplayServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-bundle-'));
  const { bundle, TARGETS } = await import('../bundle.mjs');
  // The container's program: runtime/cli.ts as one ESM file.
  expect(TARGETS.mcfpipe).toMatchObject({ entry: 'runtime/cli.ts', file: 'mcfpipe.mjs' });
  ({ outfile } = await bundle('mcfpipe', { outdir: dir }));
  api = await startLocalDbApi();
  server = await startReplay({ corpus: { seed: 61, jobs: 120 }, renderDelayMs: 0 });
  await new DbApiClient({ url: api.url }).put('track', 'b:t', {
    track_id: 'b:t',
    user_id: 'b',
    name: 'T',
    search_terms: ['graduate'],
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the bundle's scrape against the replay. */
function runBundle(...args: string[]): Promise<Run> {
  return execBundle(
    'scrape',
    '--mcf-api-url',
    server.url,
    '--mcf-web-url',
    server.url,
    '--rate',
    '0',
    '--progress-interval',
    '0',
    '--state',
    join(dir, 'state'),
    ...args,
  );
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the bundle (asynchronously: the servers it talks to live in this process). */
function execBundle(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [outfile, ...args],
      {
        env: { PATH: process.env.PATH, DB_API_URL: api.url, CHROMIUM_PATH: CHROMIUM },
        encoding: 'utf8',
        timeout: 30_000,
      },
      (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function summaryOf(stdout: string) {
  return JSON.parse(stdout.split('\n').find((l) => l.startsWith('{"mcfpipe_scrape_summary"'))!)
    .mcfpipe_scrape_summary;
}

describe('bundled mcfpipe', () => {
  it('is one file of a few MB that scrapes through the API', async () => {
    expect(statSync(outfile).size).toBeLessThan(8 * 1024 * 1024);
    const res = await runBundle('--browser', 'off');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(summaryOf(res.stdout).counters.stored).toBe(
      expectedUuids(server.corpus, ['graduate']).size,
    );
  });

  it('draws the report with node:sqlite (as in the node:24 image), and on Node 20 says what it needs', async () => {
    const out = join(dir, 'report');
    const res = await execBundle('report', '--out', out, '--user', 'b');
    if (process.getBuiltinModule('node:sqlite')) {
      // Node 22.13 and later (the image runs 24): the built-in SQLite, nothing native to load.
      // stderr carries the export's progress lines, and nothing else (no
      // ExperimentalWarning, no error).
      expect(res.status, res.stderr).toBe(0);
      expect(res.stderr).toMatch(/analytics export done: .*node:sqlite/);
      expect(res.stderr).not.toMatch(/warning|error/i);
      const summary = JSON.parse(
        res.stdout.split('\n').find((l) => l.startsWith('{"mcfpipe_report_summary"'))!,
      ).mcfpipe_report_summary;
      expect(summary.export.engine).toMatch(/^node:sqlite/);
      const found = expectedUuids(server.corpus, ['graduate']).size;
      expect(summary.export.tables.job.total).toBe(found);
      expect(summary.totals.jobs).toBe(found);
      expect(statSync(join(out, 'analytics.sqlite')).size).toBeGreaterThan(0);
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
    } else {
      // Node 20: the bundle does not carry the native better-sqlite3, and says so.
      expect(res.status).toBe(1);
      expect(res.stderr).toMatch(/has no node:sqlite \(Node 22\.13 or later has\)/);
      expect(existsSync(join(out, 'report.html'))).toBe(false);
    }
  });

  it.skipIf(
    !tierAvailable(
      'bundle through Chromium',
      existsSync(CHROMIUM),
      `there is no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`,
    ),
  )('drives Chromium from the bundle (browser: always)', async () => {
    const res = await runBundle(
      '--browser',
      'always',
      '--force',
      '--user',
      'b',
      '--state',
      join(dir, 'state-browser'),
    );
    expect(res.status).toBe(0);
    const s = summaryOf(res.stdout);
    expect(s.counters.browser_pages).toBe(0); // every job is stored and unchanged: nothing to render
    server.corpus.edit(server.corpus.query({ search: 'graduate' }).entries[0]!.facets.uuid);
    const again = await runBundle(
      '--browser',
      'always',
      '--force',
      '--state',
      join(dir, 'state-browser'),
    );
    expect(again.status).toBe(0);
    expect(summaryOf(again.stdout).counters).toMatchObject({
      browser_pages: 1,
      updated: 1,
      stored: 1,
    });
  });
});
