/**
 * `mcfpipe report` as a user and a workflow run it: flags and their errors,
 * a local run against the DB API into a folder, and (as in AWS) a run of the
 * real command against DynamoDB and S3 on moto.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MotoServer, motoAvailable, startMoto } from '../../../core/testing/moto.js';
import { DbApiClient } from '../../db-api/client.js';
import { type LocalDbApi, startLocalDbApi } from '../../db-api/local/server.js';
import { createDynamoClient } from '../../db-api/store/dynamo-client.js';
import { TableStore } from '../../db-api/store/table-store.js';
import { ensureTables } from '../../db-api/store/tables.js';
import { projectSchema } from '../../schema/schema.js';
import { consoleUrl, help, run } from '../cli.js';
import { openDatabase } from '../sqlite.js';
import { KNOWN_WRITES, sgt } from './known-data.js';

const ROOT = resolve(import.meta.dirname, '../../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-report-cli-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the command in this process; what it printed, and its exit code. */
async function report(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((s: unknown) => void out.push(String(s)));
  vi.spyOn(console, 'error').mockImplementation((s: unknown) => void err.push(String(s)));
  try {
    const code = await run(argv, env);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    vi.restoreAllMocks();
  }
}

function summaryOf(stdout: string) {
  const line = stdout.split('\n').find((l) => l.startsWith('{"mcfpipe_report_summary"'));
  if (!line) throw new Error(`no summary line in: ${stdout}`);
  return JSON.parse(line).mcfpipe_report_summary;
}

describe('usage', () => {
  it('--help lists every option with its variable and default', async () => {
    const r = await report(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(help());
    expect(r.stdout).toContain('--out DIR|s3://B/P');
    expect(r.stdout).toContain('[REPORT_OUT] (default .local-data/report)');
    expect(r.stdout).toContain('[REPORT_TOP, report.top in the config file] (default 20)');
    expect(r.stdout).toContain('--full ');
    expect(r.stdout).toContain('--skip-export');
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [[], /"--db-api-url \/ DB_API_URL or --table-prefix \/ TABLE_NAME_PREFIX" is required/],
    [
      ['--db-api-url', 'ftp://x'],
      /--db-api-url \/ DB_API_URL.*"ftp:\/\/x".*http:\/\/ or https:\/\/ URL/,
    ],
    [['--store', 'dynamodb'], /--table-prefix \/ TABLE_NAME_PREFIX/],
    [
      ['--store', 'mysql', '--db-api-url', 'http://127.0.0.1:1'],
      /--store \/ REPORT_STORE.*"mysql"/,
    ],
    [
      ['--db-api-url', 'http://127.0.0.1:1', '--user', 'Ana!'],
      /--user \/ REPORT_USER.*"Ana!".*lowercase letters/,
    ],
    [['--db-api-url', 'http://127.0.0.1:1', '--top', 'many'], /--top \/ REPORT_TOP.*"many"/],
    [
      ['--db-api-url', 'http://127.0.0.1:1', '--full-after', 'soon'],
      /--full-after \/ REPORT_FULL_AFTER.*"soon"/,
    ],
    [['--out', 's3://'], /--out \/ REPORT_OUT.*s3:\/\/BUCKET\/KEY/],
  ])('%j is bad usage (exit 2) with a message naming the input', async (argv, message) => {
    const r = await report(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('links an S3 report to its page in the S3 console', () => {
    expect(consoleUrl('s3://b-1/mcfpipe/dev/report/report.html', 'ap-southeast-1')).toBe(
      'https://ap-southeast-1.console.aws.amazon.com/s3/object/b-1?region=ap-southeast-1&prefix=mcfpipe%2Fdev%2Freport%2Freport.html',
    );
    expect(consoleUrl('file:///tmp/report.html', 'ap-southeast-1')).toBeUndefined();
    expect(consoleUrl('s3://b-1/report.html', undefined)).toBeUndefined();
  });

  it('--skip-export without an analytics file says where it looked', async () => {
    const out = join(dir, 'nothing');
    const r = await report(['--skip-export', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`No analytics file at file://${out}/analytics.sqlite`);
  });
});

describe('a local run against the DB API', () => {
  let api: LocalDbApi;
  let clock = sgt('2026-11-01 08:00');
  beforeAll(async () => {
    api = await startLocalDbApi({ now: () => clock });
    const client = new DbApiClient({ url: api.url });
    const schema = projectSchema();
    for (const w of KNOWN_WRITES) {
      clock = sgt(w.at);
      await client.put(w.table, w.row[schema.tables[w.table]!.key] as string, w.row as never);
    }
  }, 60_000);
  afterAll(() => api?.stop());

  it('writes analytics.sqlite and report.html to the folder; again, incrementally; then from the file alone', async () => {
    const out = join(dir, 'local');
    const env = { DB_API_URL: api.url, REPORT_OUT: out };
    const several = await report([], env);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain('holds jobs of 2 users (ana, ben); name one with --user');
    // The export was kept: the report was what could not be made.
    expect(several.stderr).toContain('analytics export (full: no earlier export) from db-api');
    expect(existsSync(join(out, 'analytics.sqlite'))).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(false);

    const first = await report(['--user', 'ana', '--full'], env);
    expect(first.code, first.stderr).toBe(0);
    const s1 = summaryOf(first.stdout);
    expect(s1).toMatchObject({
      export: {
        mode: 'full',
        reason: 'a full rebuild was asked for',
        dataAsOf: '2026-11-20 10:00',
      },
      sqlite: `file://${out}/analytics.sqlite`,
      html: `file://${out}/report.html`,
      user: 'ana',
      totals: { jobs: 7, applied: 4, responded: 3 },
    });
    expect(s1.charts.drawn).toHaveLength(7);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Job search report, user ana');

    const second = await report(['--user', 'ana'], env);
    expect(summaryOf(second.stdout).export.mode).toBe('incremental');

    const sqliteBefore = statSync(join(out, 'analytics.sqlite')).mtimeMs;
    const third = await report(['--user', 'ben', '--skip-export'], { REPORT_OUT: out });
    expect(third.code).toBe(0);
    expect(summaryOf(third.stdout).export).toBeUndefined();
    expect(statSync(join(out, 'analytics.sqlite')).mtimeMs).toBe(sqliteBefore);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Job search report, user ben');

    // The report section of the configuration file; a flag still wins.
    const config = join(dir, 'report.config.yaml');
    writeFileSync(config, 'report:\n  user: ana\n  top: 1\n');
    const fromFile = await report(['--skip-export', '--config', config], { REPORT_OUT: out });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(summaryOf(fromFile.stdout).user).toBe('ana');
    expect(
      readFileSync(join(out, 'report.html'), 'utf8').match(/<tr><td class="num">/g),
    ).toHaveLength(1);
    const flagWins = await report(['--skip-export', '--config', config, '--top', 'x'], {
      REPORT_OUT: out,
    });
    expect(flagWins.code).toBe(2);
    expect(flagWins.stderr).toMatch(/--top \/ REPORT_TOP \/ report\.top.*"x"/);
  }, 30_000);

  it('writes a job summary in a workflow', async () => {
    const file = join(dir, 'summary.md');
    writeFileSync(file, '');
    vi.stubEnv('GITHUB_STEP_SUMMARY', file);
    const r = await report(['--user', 'ana', '--full', '--summary-json', join(dir, 's.json')], {
      GITHUB_STEP_SUMMARY: file,
      DB_API_URL: api.url,
      REPORT_OUT: join(dir, 'summary-out'),
    });
    expect(r.code).toBe(0);
    const md = readFileSync(file, 'utf8');
    expect(md).toContain('Job search report for ana');
    expect(md).toContain('Export: full (a full rebuild was asked for)');
    expect(md).toContain(`<code>file://${join(dir, 'summary-out')}/report.html</code>`);
    expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).user).toBe('ana');
  });

  it('a DB API that cannot be reached fails (exit 1) with the cause', async () => {
    const r = await report(['--db-api-url', 'http://127.0.0.1:9', '--out', join(dir, 'down')], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /mcfpipe report failed: DB API GET \/track.*cannot reach http:\/\/127\.0\.0\.1:9/,
    );
  }, 60_000);
});

const moto = motoAvailable();

describe.skipIf(!moto)('in AWS: DynamoDB tables to the config bucket (moto)', () => {
  let server: MotoServer;
  const bucket = 'mcfpipe-config-dev-123456789012-ap-southeast-1';
  const prefix = 'mcfpipe-dev-';
  beforeAll(async () => {
    server = await startMoto('ap-southeast-1');
    const dynamo = createDynamoClient({ localEndpoint: server.endpoint, region: 'ap-southeast-1' });
    const schema = projectSchema();
    await ensureTables(dynamo, schema, prefix);
    let clock = sgt('2026-11-01 08:00');
    const store = new TableStore({ dynamo, tablePrefix: prefix, now: () => clock });
    for (const w of KNOWN_WRITES) {
      clock = sgt(w.at);
      await store.put(w.table, w.row[schema.tables[w.table]!.key] as string, w.row as never);
    }
    dynamo.destroy();
    await new S3Client({ ...server.clientConfig, forcePathStyle: true }).send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: 'ap-southeast-1' },
      }),
    );
  }, 60_000);
  afterAll(() => server?.stop());

  /** The command as a workflow step runs it. */
  function mcfpipeReport(
    args: string[],
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((res) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'runtime/cli.ts', 'report', ...args],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH, ...server.env, TABLE_NAME_PREFIX: prefix },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => res({ code, stdout, stderr }));
    });
  }

  it('uploads the analytics file and the report next to it, and reads the last one back to stay incremental', async () => {
    const out = `s3://${bucket}/mcfpipe/dev/report`;
    const first = await mcfpipeReport(['--out', out, '--user', 'ana']);
    expect(first.code, first.stderr).toBe(0);
    expect(summaryOf(first.stdout)).toMatchObject({
      export: { mode: 'full', source: `dynamodb ${prefix}*` },
      sqlite: `${out}/analytics.sqlite`,
      html: `${out}/report.html`,
    });
    const s3 = new S3Client({ ...server.clientConfig, forcePathStyle: true });
    const get = (key: string) =>
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: `mcfpipe/dev/report/${key}` }));
    const html = await get('report.html');
    expect(html.ContentType).toBe('text/html; charset=utf-8');
    expect(await html.Body!.transformToString()).toContain('Job search report, user ana');
    const sqlite = await get('analytics.sqlite');
    expect(sqlite.ContentType).toBe('application/vnd.sqlite3');
    const file = join(dir, 'from-s3.sqlite');
    writeFileSync(file, await sqlite.Body!.transformToByteArray());
    const db = openDatabase(file);
    try {
      expect(
        db.prepare("SELECT found, applied FROM funnel_by_track WHERE track_id = 'ana:de'").get(),
      ).toMatchObject({
        found: 4,
        applied: 2,
      });
    } finally {
      db.close();
    }

    const second = await mcfpipeReport(['--out', out, '--user', 'ana']);
    expect(second.code, second.stderr).toBe(0);
    expect(summaryOf(second.stdout).export.mode).toBe('incremental');
    expect(existsSync(join(dir, 'from-s3.sqlite'))).toBe(true);
  }, 60_000);

  it('a bucket that does not exist fails with the S3 error, and exit 1', async () => {
    const r = await mcfpipeReport(['--out', 's3://no-such-bucket-mcfpipe/report', '--user', 'ana']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mcfpipe report failed: .*NoSuchBucket/);
  }, 60_000);
});
