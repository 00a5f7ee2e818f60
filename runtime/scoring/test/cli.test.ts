/**
 * `mcfpipe score` as a workflow step runs it: a process given the DB API's
 * URL, or the DynamoDB tables directly (TABLE_NAME_PREFIX), with a job
 * summary when GITHUB_STEP_SUMMARY is set. Both stores end with the same
 * scores; a second run scores nothing; bad input is refused with exit 2.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DbApiClient } from '../../db-api/client.js';
import { type LocalDbApi, startLocalDbApi } from '../../db-api/local/server.js';
import { run } from '../cli.js';
import { ALL_JOBS, CONFIG, JOBS, KEYWORDS, TRACKS, USER } from './corpus.js';

const ROOT = resolve(import.meta.dirname, '../../..');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function score(args: string[], env: Record<string, string>): Promise<Finished> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli.ts', 'score', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((res) => child.on('exit', (code) => res({ code, stdout, stderr })));
}

async function seed(api: LocalDbApi): Promise<DbApiClient> {
  const client = new DbApiClient({ url: api.url });
  await client.batch('track', TRACKS);
  await client.batch('keyword', KEYWORDS);
  await client.batch('config', CONFIG);
  await client.batch('job', ALL_JOBS);
  await client.batch(
    'job_search',
    ALL_JOBS.map((j) => ({
      job_s_id: `${USER}:${j.job_id}`,
      user_id: USER,
      job_id: j.job_id,
      track_id: TRACKS[0]!.track_id,
      first_seen: '2026-03-03 10:00',
      last_seen: '2026-03-03 10:00',
    })),
  );
  return client;
}

async function scores(client: DbApiClient): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for await (const r of client.listAll('job_score')) {
    const { created, last_modified, version, scored_at, ...rest } = r as unknown as Record<
      string,
      unknown
    >;
    out.set(String(rest.job_s_id), rest);
  }
  return out;
}

const summaryOf = (stdout: string) =>
  JSON.parse(stdout.split('\n').find((l) => l.startsWith('{"mcfpipe_score_summary"'))!)
    .mcfpipe_score_summary;

let dir: string;
let viaApi: LocalDbApi;
let viaDynamo: LocalDbApi;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-score-'));
  [viaApi, viaDynamo] = await Promise.all([startLocalDbApi(), startLocalDbApi()]);
});
afterAll(async () => {
  await Promise.all([viaApi?.stop(), viaDynamo?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('mcfpipe score', () => {
  it('scores through the DB API and through DynamoDB directly alike, writes the job summary, and scores nothing the second time', async () => {
    const apiClient = await seed(viaApi);
    const dynamoClient = await seed(viaDynamo);
    const stepSummary = join(dir, 'step-summary.md');
    writeFileSync(stepSummary, '');
    const first = await score(['--state', join(dir, 'api-state'), '--log-format', 'json'], {
      DB_API_URL: viaApi.url,
      GITHUB_STEP_SUMMARY: stepSummary,
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(summaryOf(first.stdout)).toMatchObject({
      status: 'complete',
      users: [{ userId: USER, jobs: ALL_JOBS.length, mode: 'full', duplicates: 1 }],
    });
    const md = readFileSync(stepSummary, 'utf8');
    expect(md).toContain('Job scoring: complete');
    expect(md).toContain(`Best new matches for ${USER}`);
    // The best job by title and company, with its largest parts.
    expect(md).toMatch(/\| Senior Data Engineer \| A Pte\. Ltd\. \| me:de \| \+\d+\.\d\d Spark/);

    const direct = await score(['--state', join(dir, 'dynamo-state'), '--log-format', 'json'], {
      TABLE_NAME_PREFIX: viaDynamo.tablePrefix,
      AWS_ENDPOINT_URL_DYNAMODB: viaDynamo.dynamoEndpoint,
      AWS_REGION: 'ap-southeast-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    expect(direct.stderr).toBe('');
    expect(direct.code).toBe(0);
    const a = await scores(apiClient);
    const d = await scores(dynamoClient);
    expect(a.size).toBe(ALL_JOBS.length);
    // The same scores, explanations, links and scoring version, whichever way the rows were reached.
    expect(d).toEqual(a);
    expect(a.get(`${USER}:${JOBS.f.job_id}`)).toMatchObject({ duplicate_of: JOBS.a.job_id });

    const again = await score(['--state', join(dir, 'api-state'), '--log-format', 'json'], {
      DB_API_URL: viaApi.url,
    });
    expect(again.code).toBe(0);
    expect(summaryOf(again.stdout).users[0]).toMatchObject({
      mode: 'incremental',
      scored: 0,
      duplicates: 0,
    });
    expect(again.stdout).toContain('nothing new to score');
  }, 60_000);

  it('refuses bad input with exit 2, naming the option and what is accepted', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
      errors.push(a.join(' '));
    });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      expect(await run(['--user', 'Not A User'], { DB_API_URL: viaApi.url })).toBe(2);
      expect(errors.join('\n')).toMatch(/--user.*"Not A User".*lowercase letters/);
      errors.length = 0;
      expect(await run([], {})).toBe(2);
      expect(errors.join('\n')).toMatch(/DB_API_URL/);
      errors.length = 0;
      expect(
        await run(['--user', 'nobody', '--state', join(dir, 'x')], { DB_API_URL: viaApi.url }),
      ).toBe(2);
      expect(errors.join('\n')).toMatch(/No active track of user nobody.*Add a track/);
      expect(await run(['--log-format', 'xml'], { DB_API_URL: viaApi.url })).toBe(2);
    } finally {
      spy.mockRestore();
      out.mockRestore();
    }
  });
});
