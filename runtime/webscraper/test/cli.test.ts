/**
 * `mcfpipe scrape` as a process, the way it runs on Fargate: killed with
 * SIGKILL mid-run and started again, it loses no job, writes none twice and
 * refetches no completed listing page; SIGTERM stops it cleanly (exit 3).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli.js';
import { DbApiClient } from '../../db-api/client.js';
import { type LocalDbApi, startLocalDbApi } from '../../db-api/local/server.js';
import type { ReplayServer } from '../../mcf-replay/server.js';
import { expectedUuids, startReplay } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../../..');
let api: LocalDbApi;
let client: DbApiClient;
let dir: string;

beforeAll(async () => {
  api = await startLocalDbApi();
  client = new DbApiClient({ url: api.url });
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-scrape-'));
});
afterAll(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

function startScrape(
  server: ReplayServer,
  user: string,
  extraEnv: Record<string, string> = {},
): Run {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'runtime/cli.ts',
      'scrape',
      '--user',
      user,
      '--mcf-api-url',
      server.url,
      '--state',
      join(dir, user),
      '--rate',
      '0',
      '--concurrency',
      '4',
      '--browser',
      'off',
      '--progress-interval',
      '0',
      '--write-batch',
      '10',
      '--log-format',
      'json',
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DB_API_URL: api.url, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((res) => child.on('exit', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, done };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function storedJobs(ids: Iterable<string>): Promise<Set<string>> {
  const out = new Set<string>();
  for (const id of ids) if (await client.find('job', id)) out.add(id);
  return out;
}

function checkpoint(user: string): {
  searches: Record<string, { nextPage: number }>;
  pending: Record<string, unknown>;
} {
  const base = join(dir, user, 'checkpoints');
  const day = readdirSync(base)[0]!;
  return JSON.parse(readFileSync(join(base, day, 'shard-0-of-1.json'), 'utf8'));
}

describe('mcfpipe scrape (process)', () => {
  it('resumes after SIGKILL mid-run: no job lost, none fetched again once stored, no completed page refetched', async () => {
    const server = await startReplay({ corpus: { seed: 41, jobs: 700 }, latencyMs: 8 });
    try {
      await client.put('track', 'kill:t', {
        track_id: 'kill:t',
        user_id: 'kill',
        name: 'T',
        search_terms: ['engineer', 'manager'],
      });
      const expected = expectedUuids(server.corpus, ['engineer', 'manager']);

      const first = startScrape(server, 'kill');
      await waitFor(() => server.counts.detail >= 60, '60 detail requests');
      first.child.kill('SIGKILL');
      const killed = await first.done;
      expect(killed.signal).toBe('SIGKILL');
      await new Promise((r) => setTimeout(r, 50)); // requests in flight land

      const storedBefore = await storedJobs(expected);
      expect(storedBefore.size).toBeGreaterThan(0);
      expect(storedBefore.size).toBeLessThan(expected.size);
      const cp = checkpoint('kill');
      const firstLog = server.requests.length;

      const second = startScrape(server, 'kill');
      const result = await second.done;
      expect(result.code).toBe(0);
      const line = result.stdout.split('\n').find((l) => l.startsWith('{"mcfpipe_scrape_summary"'));
      const summary = JSON.parse(line!).mcfpipe_scrape_summary;
      expect(summary).toMatchObject({ status: 'complete', resumed: true });

      const rerun = server.requests.slice(firstLog);
      for (const r of rerun.filter((x) => x.route === 'detail'))
        expect(storedBefore.has(r.uuid!)).toBe(false);
      const details = rerun.filter((x) => x.route === 'detail').map((x) => x.uuid);
      expect(new Set(details).size).toBe(details.length);
      // Listing pages the checkpoint had marked done are not read again.
      for (const r of rerun.filter((x) => x.route === 'jobs')) {
        const key = Object.keys(cp.searches).find((k) => JSON.parse(k)[0] === r.search);
        if (key) expect(r.page!).toBeGreaterThanOrEqual(cp.searches[key]!.nextPage);
      }
      expect(await storedJobs(expected)).toEqual(expected);
      const rows = [];
      for await (const row of client.listAll('job_search', { where: { user_id: 'kill' } }))
        rows.push(row.job_id);
      expect(new Set(rows)).toEqual(expected);
      expect(rows.length).toBe(expected.size);

      // A third run on the same day has nothing to do.
      const third = await startScrape(server, 'kill').done;
      expect(third.code).toBe(0);
      expect(third.stdout).toContain('"already-complete"');
    } finally {
      await server.stop();
    }
  }, 40_000);

  it('stops cleanly on SIGTERM with exit 3, and writes the job summary and summary file', async () => {
    const server = await startReplay({ corpus: { seed: 42, jobs: 600 }, latencyMs: 15 });
    try {
      await client.put('track', 'term:t', {
        track_id: 'term:t',
        user_id: 'term',
        name: 'T',
        search_terms: ['a'],
      });
      const stepSummary = join(dir, 'step-summary.md');
      const summaryFile = join(dir, 'summary.json');
      writeFileSync(stepSummary, '');
      const run = startScrape(server, 'term', {
        GITHUB_STEP_SUMMARY: stepSummary,
        SCRAPER_SUMMARY_JSON: summaryFile,
      });
      await waitFor(() => server.counts.detail >= 20, '20 detail requests');
      run.child.kill('SIGTERM');
      const result = await run.done;
      expect(result.code).toBe(3);
      expect(result.stdout).toContain('SIGTERM received');
      const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
      expect(summary).toMatchObject({ status: 'stopped', reason: 'SIGTERM received' });
      expect(summary.pending).toBeGreaterThan(0);
      expect(readFileSync(stepSummary, 'utf8')).toMatch(/MCF scrape .*: stopped/);
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('prints usage and refuses bad input with exit 2', async () => {
    expect(await main([])).toBe(2);
    expect(await main(['--help'])).toBe(0);
    expect(await main(['unknown'])).toBe(2);
    expect(await main(['scrape', '--help'])).toBe(0);
    expect(await main(['scrape', '--nope'])).toBe(2);
    expect(await main(['scrape', '--db-api-url', 'http://127.0.0.1:1', '--concurrency', '0'])).toBe(
      2,
    );
    expect(await main(['scrape', '--db-api-url', 'ftp://x'])).toBe(2);
    expect(await main(['scrape', '--store', 'dynamodb'])).toBe(2);
  });
});
