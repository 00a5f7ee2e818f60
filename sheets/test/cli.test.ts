import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../runtime/cli.js';
import { DbApiClient } from '../../runtime/db-api/client.js';
import { type LocalDbApi, startLocalDbApi } from '../../runtime/db-api/local/server.js';
import { JOBS } from '../layout.js';
import { type FakeSheetsServer, startFakeSheets } from '../testing/fake-sheets.js';
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

  it('without Google credentials the same view goes to the local workbook', async () => {
    const workbook = join(dir, 'crm.xlsx');
    const r = await cli(['sync', '--workbook', workbook], { GOOGLE_SERVICE_ACCOUNT_KEY: '' });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/no Google credentials: using the workbook/);
    expect(r.out).toMatch(/synced workbook/);
  }, 60_000);
});
