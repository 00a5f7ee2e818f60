import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../runtime/cli.js';
import { DbApiClient } from '../../runtime/db-api/client.js';
import { type LocalDbApi, startLocalDbApi } from '../../runtime/db-api/local/server.js';
import { JOBS } from '../layout.js';
import { type FakeSheetsServer, quotaError, startFakeSheets } from '../testing/fake-sheets.js';
import { jobId, seedTables } from '../testing/fixtures.js';

let db: LocalDbApi;
let sheets: FakeSheetsServer;
let dir: string;
let env: NodeJS.ProcessEnv;
const SHEET = 'sheet_0123456789abcdef';

beforeAll(async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  db = await startLocalDbApi();
  sheets = await startFakeSheets({
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  sheets.book(SHEET);
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-sync-cli-'));
  const client = new DbApiClient({ url: db.url });
  const tables = seedTables({ jobs: 4, crm: 1 });
  for (const table of ['job', 'job_score', 'crm', 'track', 'keyword', 'config'] as const)
    await client.batch(table, [...tables.table(table).values()] as never);
  await client.put('config', 'me:sheets.spreadsheet_id', {
    config_id: 'me:sheets.spreadsheet_id',
    user_id: 'me',
    name: 'sheets.spreadsheet_id',
    value: SHEET,
  });
  env = {
    DB_API_URL: db.url,
    SHEETS_API_URL: sheets.url,
    GOOGLE_SERVICE_ACCOUNT_KEY: JSON.stringify({
      type: 'service_account',
      client_email: 'mcfpipe-sync@example-project.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    }),
  };
}, 60_000);

afterAll(async () => {
  await sheets?.close();
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((m) => void out.push(String(m)));
  const error = vi.spyOn(console, 'error').mockImplementation((m) => void err.push(String(m)));
  const saved = { ...process.env };
  Object.assign(process.env, env, extra);
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.env = saved;
    log.mockRestore();
    error.mockRestore();
  }
}

describe('mcfpipe sheets init / mcfpipe sync', () => {
  it('init creates the tabs; sync exports with a signed service-account JWT and imports edits through the DB API', async () => {
    const init = await cli(['sheets', 'init']);
    expect(init.code).toBe(0);
    expect(init.out).toMatch(/new tabs: jobs, tracks, keywords, config/);
    const book = sheets.book(SHEET);
    expect(book.sheet('jobs').properties.gridProperties.frozenRowCount).toBe(1);
    expect(book.sheet('jobs').protectedRanges.every((p) => p.warningOnly === true)).toBe(true);
    expect((await cli(['sheets', 'init'])).out).toMatch(/applied \d+ change/);
    expect(book.sheet('jobs').conditionalFormats).toHaveLength(1); // not added twice

    const summary = join(dir, 'summary.json');
    const first = await cli(['sync', '--summary-json', summary]);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/service account mcfpipe-sync@example-project/);
    expect(first.err).not.toMatch(/PRIVATE KEY/);
    expect(JSON.parse(readFileSync(summary, 'utf8')).appended).toBeGreaterThanOrEqual(4);
    const status = JOBS.columns.findIndex((c) => c.header === 'status');
    const key = `me:${jobId(2)}`;
    const row = book.values('jobs').findIndex((r) => r[0] === key);
    book.setCell('jobs', row, status, 'shortlisted');
    const second = await cli(['sync']);
    expect(second.code, second.err).toBe(0);
    const crm = await new DbApiClient({ url: db.url }).get('crm', key);
    expect(crm.status).toBe('shortlisted');
  }, 60_000);

  it('refuses a bad spreadsheet id and bad credentials with the input named; a wrong key is a 401 with a cause', async () => {
    const bad = await cli(['sync', '--backend', 'sheets', '--spreadsheet-id', 'x/../y']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--spreadsheet-id/);
    const badKey = await cli(['sync', '--backend', 'sheets'], {
      GOOGLE_SERVICE_ACCOUNT_KEY: '{"type":"authorized_user"}',
    });
    expect(badKey.code).toBe(2);
    expect(badKey.err).toMatch(/GOOGLE_SERVICE_ACCOUNT_KEY.*service-account key/);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = JSON.stringify({
      type: 'service_account',
      client_email: 'x@y.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    const rejected = await cli(['sync'], { GOOGLE_SERVICE_ACCOUNT_KEY: other });
    expect(rejected.code).toBe(1);
    expect(rejected.err).toMatch(/401 UNAUTHENTICATED.*credentials were rejected/);
  }, 60_000);

  it('quota exhausted mid-sync: exit 1 with the cause, nothing half-written; the next sync finishes', async () => {
    const book = sheets.book(SHEET);
    const status = JOBS.columns.findIndex((c) => c.header === 'status');
    const key = `me:${jobId(3)}`;
    book.setCell(
      'jobs',
      book.values('jobs').findIndex((r) => r[0] === key),
      status,
      'applied',
    );
    const before = JSON.stringify(book.values('jobs'));
    // Retry-After 0: the client's 6 attempts without its minute of backoff.
    sheets.failNext('spreadsheets.batchUpdate', 99, () => quotaError('Write', '0'));
    const failed = await cli(['sync']);
    sheets.clearFaults();
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/429 RESOURCE_EXHAUSTED.*Run the sync again later/);
    expect(failed.out).not.toMatch(/^synced/m);
    expect(JSON.stringify(book.values('jobs'))).toBe(before);
    const next = await cli(['sync']);
    expect(next.code, next.err).toBe(0);
    expect((await new DbApiClient({ url: db.url }).get('crm', key)).status).toBe('applied');
    expect((await cli(['sync'])).out).toMatch(/0 new row\(s\), 0 cell\(s\) updated, 0 edit/);
  }, 60_000);

  it('without Google credentials the same view goes to the local workbook', async () => {
    const workbook = join(dir, 'crm.xlsx');
    const r = await cli(['sync', '--workbook', workbook], { GOOGLE_SERVICE_ACCOUNT_KEY: '' });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/no Google credentials: using the workbook/);
    expect(r.out).toMatch(/synced workbook/);
  }, 60_000);

  it("without --workbook the workbook is the user's one that npm start writes (.local-data/crm/<user>.xlsx)", async () => {
    const project = join(dir, 'default-workbook');
    mkdirSync(project, { recursive: true });
    const cwd = process.cwd();
    process.chdir(project);
    try {
      const r = await cli(['sync', '--backend', 'xlsx']);
      expect(r.code, r.err).toBe(0);
      const expected = join(project, '.local-data', 'crm', 'me.xlsx');
      expect(r.out).toContain(`synced workbook ${expected}`);
      expect(existsSync(expected)).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  }, 60_000);

  it('resolves every option one way: flag > environment > the sync section of the config file > default', async () => {
    const folder = join(dir, 'project');
    mkdirSync(folder, { recursive: true });
    const config = join(folder, 'mcfpipe.config.yaml');
    writeFileSync(config, 'sync:\n  backend: xlsx\n  workbook: from-file.xlsx\n');
    // From the file: relative to the file's folder, and backend xlsx despite the Google key.
    const fromFile = await cli(['sync', '--config', config]);
    expect(fromFile.code, fromFile.err).toBe(0);
    expect(existsSync(join(folder, 'from-file.xlsx'))).toBe(true);
    // The environment wins over the file; the flag over the environment.
    const fromEnv = join(dir, 'from-env.xlsx');
    const fromFlag = join(dir, 'from-flag.xlsx');
    expect((await cli(['sync', '--config', config], { SHEETS_WORKBOOK: fromEnv })).code).toBe(0);
    expect(existsSync(fromEnv)).toBe(true);
    const r = await cli(['sync', '--workbook', fromFlag], {
      MCFPIPE_CONFIG: config,
      SHEETS_WORKBOOK: fromEnv,
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`synced workbook ${fromFlag}`);

    writeFileSync(config, 'sync:\n  spreadsheet: abc\n');
    const typo = await cli(['sync', '--config', config]);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(
      /unknown setting "sync.spreadsheet"; known: backend, spreadsheet_id, workbook/,
    );
    const badUser = await cli(['sync', '--user', 'Me!'], { GOOGLE_SERVICE_ACCOUNT_KEY: '' });
    expect(badUser.code).toBe(2);
    expect(badUser.err).toMatch(/--user \/ MCFPIPE_USER.*Me!.*lowercase letters/);
  }, 60_000);

  it('--help lists each option with its variable, config key and default; a usage error exits 2', async () => {
    const help = await cli(['sync', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(
      /--spreadsheet-id ID .*\[SHEETS_SPREADSHEET_ID, sync.spreadsheet_id in the config file\]/,
    );
    expect(help.out).toMatch(/--db-api-url URL .*\[DB_API_URL\]/);
    expect(help.out).toMatch(/GOOGLE_SERVICE_ACCOUNT_KEY/);
    expect((await cli(['sheets', 'init', '--help'])).out).toMatch(/--dry-run/);
    expect((await cli(['sync', '--no-such-flag'])).code).toBe(2);
    const unknown = await cli(['sheets', 'innit']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown subcommand "innit"/);
  });
});
