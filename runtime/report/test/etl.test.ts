/**
 * The analytics ETL on the known data set (known-data.ts), read through the
 * DB API and through DynamoDB directly: every view's rows against values
 * worked out by hand; then incremental exports, full rebuilds and failures.
 */
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbApiClient } from '../../db-api/client.js';
import { type LocalDbApi, startLocalDbApi } from '../../db-api/local/server.js';
import { createDynamoClient } from '../../db-api/store/dynamo-client.js';
import { DbApiSource } from '../../rows/db-api-source.js';
import { DynamoSource } from '../../rows/dynamo-source.js';
import { type RowSource, RowStore } from '../../rows/store.js';
import { projectSchema, type Schema } from '../../schema/schema.js';
import type { TableName } from '../../schema/types.generated.js';
import { exportAnalytics } from '../export.js';
import { type Database, openDatabase, type SqlRow } from '../sqlite.js';
import { J, KNOWN_AS_OF, KNOWN_WRITES, sgt } from './known-data.js';
import { memoryRows } from './rows.js';

let api: LocalDbApi;
let client: DbApiClient;
let clock = sgt('2026-11-01 08:00');
let dir: string;

async function write(table: TableName, row: Record<string, unknown>, at: string) {
  clock = sgt(at);
  const t = projectSchema().tables[table]!;
  await client.put(table, row[t.key] as string, row as never);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-report-etl-'));
  api = await startLocalDbApi({ now: () => clock });
  client = new DbApiClient({ url: api.url });
  for (const w of KNOWN_WRITES) await write(w.table, w.row, w.at);
}, 60_000);

afterAll(async () => {
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const EXPORTED_AT = sgt('2026-11-21 09:00');

function rows(db: Database, sql: string, ...params: string[]): SqlRow[] {
  // Plain objects (node:sqlite returns null-prototype ones), for toEqual.
  return db
    .prepare(sql)
    .all(...params)
    .map((r) => ({ ...r }));
}

function dbApiRows(): RowStore {
  return new RowStore(new DbApiSource({ client }));
}

async function exportTo(file: string, rows: RowStore, now = EXPORTED_AT, full = false) {
  return exportAnalytics({ rows, file, now: () => now, ...(full ? { full } : {}) });
}

describe('the known data set, exported through the DB API', () => {
  let db: Database;
  let file: string;
  beforeAll(async () => {
    file = join(dir, 'known.sqlite');
    const summary = await exportTo(file, dbApiRows());
    expect(summary.mode).toBe('full');
    expect(summary.reason).toBe('no earlier export');
    expect(summary.dataAsOf).toBe(KNOWN_AS_OF);
    db = openDatabase(file);
  });
  afterAll(() => db?.close());

  it('stores every row of the tables, without descriptions or notes', () => {
    const count = (t: string) => Number(rows(db, `SELECT count(*) AS n FROM ${t}`)[0]!.n);
    expect([
      count('track'),
      count('job'),
      count('job_search'),
      count('job_score'),
      count('crm'),
    ]).toEqual([3, 8, 9, 6, 8]);
    const jobColumns = rows(db, 'SELECT name FROM pragma_table_info(?)', 'job').map((r) => r.name);
    expect(jobColumns).toContain('salary_type');
    expect(jobColumns).not.toContain('description');
    expect(
      rows(db, 'SELECT name FROM pragma_table_info(?)', 'crm').map((r) => r.name),
    ).not.toContain('notes');
    expect(rows(db, 'SELECT skills FROM job WHERE job_id = ?', J.j1)[0]!.skills).toBe(
      '["Python","SQL","Spark"]',
    );
    // Trimmed and once per job.
    expect(rows(db, 'SELECT skill FROM job_skill WHERE job_id = ? ORDER BY skill', J.j6)).toEqual([
      { skill: 'Python' },
      { skill: 'TensorFlow' },
    ]);
  });

  it('user_job: one row per job found for a user, with salary per month and funnel stage', () => {
    const u = rows(
      db,
      `SELECT job_s_id, track_id, salary_monthly_min AS lo, salary_monthly_max AS hi, salary_monthly_mid AS mid,
         crm_status, funnel_stage FROM user_job ORDER BY job_s_id`,
    );
    expect(u).toEqual([
      {
        job_s_id: `ana:${J.j1}`,
        track_id: 'ana:de',
        lo: 5000,
        hi: 7000,
        mid: 6000,
        crm_status: 'applied',
        funnel_stage: 3,
      },
      // 72,000 to 96,000 a year: 6,000 to 8,000 a month.
      {
        job_s_id: `ana:${J.j2}`,
        track_id: 'ana:de',
        lo: 6000,
        hi: 8000,
        mid: 7000,
        crm_status: 'interviewing',
        funnel_stage: 3,
      },
      {
        job_s_id: `ana:${J.j3}`,
        track_id: 'ana:de',
        lo: 4000,
        hi: 4000,
        mid: 4000,
        crm_status: 'screened',
        funnel_stage: 1,
      },
      {
        job_s_id: `ana:${J.j4}`,
        track_id: 'ana:de',
        lo: null,
        hi: null,
        mid: null,
        crm_status: null,
        funnel_stage: 0,
      },
      // No period given: MCF quotes salaries per month.
      {
        job_s_id: `ana:${J.j5}`,
        track_id: 'ana:ml',
        lo: 8000,
        hi: 12000,
        mid: 10000,
        crm_status: 'offer',
        funnel_stage: 3,
      },
      // Hourly: not converted.
      {
        job_s_id: `ana:${J.j6}`,
        track_id: 'ana:ml',
        lo: null,
        hi: null,
        mid: null,
        crm_status: 'new',
        funnel_stage: 0,
      },
      // 0-0: a hidden salary. Withdrawn after applying: applied, no answer.
      {
        job_s_id: `ana:${J.j7}`,
        track_id: 'ana:ml',
        lo: null,
        hi: null,
        mid: null,
        crm_status: 'closed',
        funnel_stage: 2,
      },
      {
        job_s_id: `ben:${J.j1}`,
        track_id: 'ben:ops',
        lo: 5000,
        hi: 7000,
        mid: 6000,
        crm_status: 'applied',
        funnel_stage: 3,
      },
      {
        job_s_id: `ben:${J.j8}`,
        track_id: 'ben:ops',
        lo: 3000,
        hi: 5000,
        mid: 4000,
        crm_status: 'new',
        funnel_stage: 0,
      },
    ]);
  });

  it('jobs_by_stage: every stage in the CRM order, zeros included', () => {
    expect(
      rows(
        db,
        'SELECT stage, jobs FROM jobs_by_stage WHERE user_id = ? ORDER BY stage_order',
        'ana',
      ),
    ).toEqual([
      { stage: 'not in CRM yet', jobs: 1 },
      { stage: 'new', jobs: 1 },
      { stage: 'screened', jobs: 1 },
      { stage: 'shortlisted', jobs: 0 },
      { stage: 'applied', jobs: 1 },
      { stage: 'interviewing', jobs: 1 },
      { stage: 'offer', jobs: 1 },
      { stage: 'closed', jobs: 1 },
    ]);
    expect(
      rows(
        db,
        'SELECT stage, jobs FROM jobs_by_stage WHERE user_id = ? AND jobs > 0 ORDER BY stage_order',
        'ben',
      ),
    ).toEqual([
      { stage: 'new', jobs: 1 },
      { stage: 'applied', jobs: 1 },
    ]);
  });

  it('funnel_by_track: found >= screened >= applied >= responded', () => {
    expect(
      rows(
        db,
        'SELECT user_id, track_name, found, screened, applied, responded FROM funnel_by_track ORDER BY user_id, track_id',
      ),
    ).toEqual([
      // j1 acknowledged, j2 interview, j3 screened, j4 not in the CRM.
      {
        user_id: 'ana',
        track_name: 'Data engineering',
        found: 4,
        screened: 3,
        applied: 2,
        responded: 2,
      },
      // j5 offer, j6 new, j7 closed after withdrawing an application.
      {
        user_id: 'ana',
        track_name: 'Machine learning',
        found: 3,
        screened: 2,
        applied: 2,
        responded: 1,
      },
      // j1 rejected (an answer, even though its dates are inconsistent), j8 new.
      { user_id: 'ben', track_name: 'Ops', found: 2, screened: 1, applied: 1, responded: 1 },
    ]);
  });

  it('jobs_found_daily: per day, track and search term', () => {
    expect(
      rows(
        db,
        'SELECT day, track_id, search_term, jobs FROM jobs_found_daily WHERE user_id = ? ORDER BY day, track_id, search_term',
        'ana',
      ),
    ).toEqual([
      { day: '2026-11-02', track_id: 'ana:de', search_term: 'data engineer', jobs: 2 },
      { day: '2026-11-02', track_id: 'ana:ml', search_term: 'machine learning', jobs: 1 },
      { day: '2026-11-03', track_id: 'ana:de', search_term: 'etl', jobs: 2 },
      { day: '2026-11-04', track_id: 'ana:ml', search_term: '(not recorded)', jobs: 1 },
      { day: '2026-11-04', track_id: 'ana:ml', search_term: 'machine learning', jobs: 1 },
    ]);
  });

  it('salary_by_track and salary_stats_by_track: SGD per month, nearest-rank percentiles', () => {
    expect(
      rows(
        db,
        'SELECT track_id, band_from, band_to, jobs FROM salary_by_track WHERE user_id = ? ORDER BY track_id, band_from',
        'ana',
      ),
    ).toEqual([
      { track_id: 'ana:de', band_from: 4000, band_to: 5000, jobs: 1 },
      { track_id: 'ana:de', band_from: 6000, band_to: 7000, jobs: 1 },
      { track_id: 'ana:de', band_from: 7000, band_to: 8000, jobs: 1 },
      { track_id: 'ana:ml', band_from: 10000, band_to: 11000, jobs: 1 },
    ]);
    expect(
      rows(
        db,
        'SELECT user_id, track_id, jobs, min, p25, median, p75, max FROM salary_stats_by_track ORDER BY user_id, track_id',
      ),
    ).toEqual([
      // de: 4000, 6000, 7000 -> ranks ceil(0.25*3)=1, ceil(0.5*3)=2, ceil(0.75*3)=3.
      {
        user_id: 'ana',
        track_id: 'ana:de',
        jobs: 3,
        min: 4000,
        p25: 4000,
        median: 6000,
        p75: 7000,
        max: 7000,
      },
      {
        user_id: 'ana',
        track_id: 'ana:ml',
        jobs: 1,
        min: 10000,
        p25: 10000,
        median: 10000,
        p75: 10000,
        max: 10000,
      },
      // ops: 4000, 6000 -> ranks 1, 1, 2.
      {
        user_id: 'ben',
        track_id: 'ben:ops',
        jobs: 2,
        min: 4000,
        p25: 4000,
        median: 4000,
        p75: 6000,
        max: 6000,
      },
    ]);
  });

  it('top_skills_by_track: jobs per skill, ranked (ties by name)', () => {
    expect(
      rows(
        db,
        'SELECT track_id, skill, jobs, rank FROM top_skills_by_track WHERE user_id = ? ORDER BY track_id, rank',
        'ana',
      ),
    ).toEqual([
      { track_id: 'ana:de', skill: 'Python', jobs: 3, rank: 1 },
      { track_id: 'ana:de', skill: 'SQL', jobs: 3, rank: 2 },
      { track_id: 'ana:de', skill: 'Excel', jobs: 1, rank: 3 },
      { track_id: 'ana:de', skill: 'Spark', jobs: 1, rank: 4 },
      { track_id: 'ana:ml', skill: 'Python', jobs: 2, rank: 1 },
      { track_id: 'ana:ml', skill: 'TensorFlow', jobs: 2, rank: 2 },
    ]);
    // j1 counts for ben's track too: skills are the job's, tracks the user's.
    expect(
      rows(
        db,
        'SELECT skill, rank FROM top_skills_by_track WHERE user_id = ? ORDER BY rank',
        'ben',
      ),
    ).toEqual([
      { skill: 'Linux', rank: 1 },
      { skill: 'Python', rank: 2 },
      { skill: 'SQL', rank: 3 },
      { skill: 'Spark', rank: 4 },
    ]);
  });

  it('time_to_response: days from applied_date to the answer; a missing date estimated from the row change', () => {
    expect(
      rows(
        db,
        'SELECT job_s_id, applied_date, response_kind, response_date, response_date_estimated AS est, days FROM time_to_response ORDER BY job_s_id',
      ),
    ).toEqual([
      {
        job_s_id: `ana:${J.j1}`,
        applied_date: '2026-11-05',
        response_kind: 'acknowledged',
        response_date: '2026-11-12',
        est: 0,
        days: 7,
      },
      {
        job_s_id: `ana:${J.j2}`,
        applied_date: '2026-11-04',
        response_kind: 'interview',
        response_date: '2026-11-06',
        est: 0,
        days: 2,
      },
      // No response_date: the day the CRM row last changed (2026-11-20 10:00).
      {
        job_s_id: `ana:${J.j5}`,
        applied_date: '2026-11-03',
        response_kind: 'offer',
        response_date: '2026-11-20',
        est: 1,
        days: 17,
      },
      // ben's answer predates his application: left out.
    ]);
    expect(
      rows(
        db,
        'SELECT track_id, responses, median_days, mean_days, estimated_dates FROM time_to_response_by_track ORDER BY track_id',
      ),
    ).toEqual([
      { track_id: 'ana:de', responses: 2, median_days: 2, mean_days: 4.5, estimated_dates: 0 },
      { track_id: 'ana:ml', responses: 1, median_days: 17, mean_days: 17, estimated_dates: 1 },
    ]);
  });

  it('records the export: watermarks, the date of the data, what was left out', () => {
    const meta = Object.fromEntries(
      rows(db, 'SELECT key, value FROM meta').map((r) => [r.key, r.value]),
    );
    expect(meta).toMatchObject({
      data_as_of: KNOWN_AS_OF,
      exported_at: '2026-11-21 09:00',
      export_mode: 'full',
      full_rebuild_at: '2026-11-21 09:00',
      timezone: 'Asia/Singapore',
    });
    // Free text over 2,000 characters: MCF's description and other requirements, the CRM's notes.
    expect(JSON.parse(String(meta.left_out))).toMatchObject({
      job: ['description', 'other_requirements'],
      crm: ['notes'],
    });
    expect(
      rows(db, 'SELECT table_name, watermark, rows_total FROM export_state ORDER BY table_name'),
    ).toEqual([
      { table_name: 'crm', watermark: '2026-11-20 10:00', rows_total: 8 },
      { table_name: 'job', watermark: '2026-11-04 12:00', rows_total: 8 },
      { table_name: 'job_score', watermark: '2026-11-05 08:00', rows_total: 6 },
      { table_name: 'job_search', watermark: '2026-11-04 12:00', rows_total: 9 },
      { table_name: 'keyword', watermark: null, rows_total: 0 },
      { table_name: 'track', watermark: '2026-11-01 08:00', rows_total: 3 },
    ]);
    // Set before the first table is made, or SQLite keeps 4 KiB (bench/report: 9.5 s -> 8.3 s).
    expect(rows(db, 'PRAGMA page_size')).toEqual([{ page_size: 16384 }]);
  });

  it('DynamoDB read directly gives the same file contents', async () => {
    const other = join(dir, 'known-dynamo.sqlite');
    const dynamo = createDynamoClient({ localEndpoint: api.dynamoEndpoint });
    try {
      const summary = await exportTo(
        other,
        new RowStore(new DynamoSource({ dynamo, tablePrefix: api.tablePrefix })),
      );
      expect(summary.source).toBe(`dynamodb ${api.tablePrefix}*`);
      const db2 = openDatabase(other);
      try {
        const all = (d: Database) => rows(d, 'SELECT * FROM user_job ORDER BY job_s_id');
        expect(all(db2)).toEqual(all(db));
        expect(rows(db2, 'SELECT * FROM job_skill ORDER BY job_id, skill')).toEqual(
          rows(db, 'SELECT * FROM job_skill ORDER BY job_id, skill'),
        );
      } finally {
        db2.close();
      }
    } finally {
      dynamo.destroy();
    }
  });
});

describe('incremental exports', () => {
  it('read only rows changed since the watermark, and see new and changed rows', async () => {
    const file = join(dir, 'incremental.sqlite');
    await exportTo(file, dbApiRows());
    // A day later: ana applies for j6, and a new job j9 is found.
    await write(
      'crm',
      {
        job_s_id: `ana:${J.j6}`,
        user_id: 'ana',
        job_id: J.j6,
        status: 'applied',
        apply_status: 'applied',
        applied_date: '2026-11-21',
      },
      '2026-11-21 10:00',
    );
    await write(
      'job',
      {
        job_id: J.j9,
        job_post_id: 'MCF-2026-0000009',
        title: 'Data Platform Engineer',
        url: 'https://www.mycareersfuture.gov.sg/job/it/x-9',
        salary_min: 9000,
        salary_max: 11000,
        salary_type: 'Monthly',
        skills: ['Kafka'],
      },
      '2026-11-21 10:05',
    );
    await write(
      'job_search',
      {
        job_s_id: `ana:${J.j9}`,
        user_id: 'ana',
        job_id: J.j9,
        track_id: 'ana:de',
        search_term: 'data engineer',
        first_seen: '2026-11-21 10:05',
        last_seen: '2026-11-21 10:05',
      },
      '2026-11-21 10:05',
    );
    const s = await exportTo(file, dbApiRows(), sgt('2026-11-22 09:00'));
    expect(s.mode).toBe('incremental');
    // At or after each watermark: the newest row of the last export again (same minute), plus the changes.
    expect(Object.fromEntries(Object.entries(s.tables).map(([t, x]) => [t, x.read]))).toEqual({
      track: 3, // all three were written in the same minute, the watermark's
      keyword: 0,
      job: 2, // j7 (the watermark's minute), j9
      job_search: 2, // j7, j9
      job_score: 6, // all scored in the same minute
      crm: 2, // j5 (the watermark's minute), j6
    });
    expect(s.tables.crm!.since).toBe('2026-11-20 10:00');
    const db = openDatabase(file);
    try {
      expect(
        rows(db, 'SELECT found, applied FROM funnel_by_track WHERE track_id = ?', 'ana:de'),
      ).toEqual([{ found: 5, applied: 2 }]);
      expect(
        rows(
          db,
          'SELECT found, screened, applied FROM funnel_by_track WHERE track_id = ?',
          'ana:ml',
        ),
      ).toEqual([{ found: 3, screened: 3, applied: 3 }]);
      expect(
        rows(
          db,
          "SELECT skill FROM top_skills_by_track WHERE track_id = 'ana:de' AND skill = 'Kafka'",
        ),
      ).toHaveLength(1);
      expect(rows(db, "SELECT value FROM meta WHERE key = 'data_as_of'")[0]!.value).toBe(
        '2026-11-21 10:05',
      );
    } finally {
      db.close();
    }
  });

  it('keep a deleted row until a full rebuild, which drops it', async () => {
    const file = join(dir, 'deleted.sqlite');
    await exportTo(file, dbApiRows(), sgt('2026-11-22 09:00'));
    clock = sgt('2026-11-22 12:00');
    await client.delete('crm', `ana:${J.j3}`);
    const count = () => {
      const db = openDatabase(file);
      try {
        return rows(db, 'SELECT count(*) AS n FROM crm WHERE job_s_id = ?', `ana:${J.j3}`)[0]!.n;
      } finally {
        db.close();
      }
    };
    const inc = await exportTo(file, dbApiRows(), sgt('2026-11-23 09:00'));
    expect(inc.mode).toBe('incremental');
    expect(count()).toBe(1);
    const full = await exportTo(file, dbApiRows(), sgt('2026-11-23 09:10'), true);
    expect(full).toMatchObject({ mode: 'full', reason: 'a full rebuild was asked for' });
    expect(count()).toBe(0);
    await write(
      'crm',
      KNOWN_WRITES.find((w) => w.table === 'crm' && w.row.job_id === J.j3)!.row,
      '2026-11-05 09:00',
    );
  });

  it('read again rows written during the last export (the watermark stays before it started)', async () => {
    const file = join(dir, 'overlap.sqlite');
    const base = {
      job_id: J.j1,
      job_post_id: 'MCF-2026-0000001',
      title: 'A',
      url: 'https://www.mycareersfuture.gov.sg/job/a',
      created: '2026-11-21 08:00',
    };
    const tables = { job: [{ ...base, last_modified: '2026-11-21 09:59' }] };
    // The newest row is from the export's own minute: the watermark is 5 minutes before the start.
    await exportAnalytics({
      rows: memoryRows(tables),
      file,
      now: () => sgt('2026-11-21 09:59'),
    });
    const db = openDatabase(file);
    const mark = rows(db, "SELECT watermark FROM export_state WHERE table_name = 'job'")[0]!
      .watermark;
    db.close();
    expect(mark).toBe('2026-11-21 09:54');
    // A row the scan could not see yet, stamped 09:57, is read by the next export.
    tables.job.push({ ...base, job_id: J.j2, title: 'B', last_modified: '2026-11-21 09:57' });
    const s = await exportAnalytics({
      rows: memoryRows(tables),
      file,
      now: () => sgt('2026-11-21 11:00'),
    });
    expect(s.tables.job).toMatchObject({ read: 2, total: 2, since: '2026-11-21 09:54' });
  });

  it('rebuild in full when the last full rebuild is too old, or the layout changed', async () => {
    const file = join(dir, 'policy.sqlite');
    const src = dbApiRows();
    await exportTo(file, src, sgt('2026-11-21 09:00'));
    const weekLater = await exportAnalytics({
      rows: src,
      file,
      now: () => sgt('2026-11-28 09:01'),
    });
    expect(weekLater.mode).toBe('full');
    expect(weekLater.reason).toMatch(/last full rebuild \(2026-11-21 09:00\) is older than 168 h/);
    const never = await exportAnalytics({
      rows: src,
      file,
      now: () => sgt('2026-12-30 09:00'),
      fullAfterMs: 0,
    });
    expect(never.mode).toBe('incremental');

    const schema: Schema = structuredClone(projectSchema());
    // A field the schema does not have (yet): the export must take it in.
    expect(schema.tables.job!.fields.added_by_a_test).toBeUndefined();
    schema.tables.job!.fields.added_by_a_test = { type: 'string_list', maxItems: 20 };
    const changed = await exportAnalytics({
      rows: src,
      file,
      schema,
      now: () => sgt('2026-12-30 09:05'),
    });
    expect(changed.mode).toBe('full');
    expect(changed.reason).toMatch(/layout changed/);
    const db = openDatabase(file);
    try {
      expect(rows(db, 'SELECT name FROM pragma_table_info(?)', 'job').map((r) => r.name)).toContain(
        'added_by_a_test',
      );
    } finally {
      db.close();
    }
  });
});

describe('failures', () => {
  it('a source failing part-way leaves the last good file as it was, and no working copy', async () => {
    const sub = mkdtempSync(join(dir, 'fail-'));
    const file = join(sub, 'analytics.sqlite');
    await exportTo(file, dbApiRows());
    const before = readFileSync(file);
    const failing: RowSource = {
      description: 'failing',
      async *pages(table) {
        if (table === 'job_search') throw new Error('DB API GET /job_search failed: 503');
        yield [];
      },
      getMany: () => Promise.reject(new Error('not used')),
      upsert: () => Promise.reject(new Error('not used')),
      delete: () => Promise.reject(new Error('not used')),
    };
    await expect(
      exportAnalytics({ rows: new RowStore(failing), file, full: true }),
    ).rejects.toThrow(/503/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(sub)).toEqual(['analytics.sqlite']);
  });

  it('a file that is not an analytics file is rebuilt, with the reason', async () => {
    const file = join(dir, 'garbage.sqlite');
    writeFileSync(file, 'not a database at all'.repeat(100));
    const s = await exportTo(file, dbApiRows());
    expect(s.mode).toBe('full');
    expect(s.reason).toMatch(/not an analytics file/);
    const other = join(dir, 'empty-copy.sqlite');
    copyFileSync(file, other);
    const again = await exportTo(other, dbApiRows());
    expect(again.mode).toBe('incremental');
  });

  it('rows that break db_schema.json are left out, counted and named in the log; the rest are exported', async () => {
    const file = join(dir, 'bad-rows.sqlite');
    const good = KNOWN_WRITES.find((w) => w.table === 'job' && w.row.job_id === J.j1)!.row;
    const stamps = { created: '2026-11-01 00:00', last_modified: '2026-11-01 00:00', version: 1 };
    const lines: string[] = [];
    const s = await exportAnalytics({
      rows: memoryRows({
        job: [
          { ...good, ...stamps },
          { ...good, ...stamps, job_id: J.j2, salary_min: 'lots' },
          { title: 'no key', ...stamps },
        ],
      }),
      file,
      now: () => EXPORTED_AT,
      log: (l) => lines.push(l),
    });
    expect(s.tables.job).toMatchObject({ read: 1, refused: 2, total: 1 });
    expect(lines).toContain(`  left out: job ${J.j2}: salary_min (type) must be a whole number`);
    expect(lines.some((l) => l.startsWith('  left out: job (no key): job_id (required)'))).toBe(
      true,
    );
    expect(lines).toContain('  job: 1 rows, 2 refused (they break db_schema.json); 1 in the file');
  });
});

describe('SQLite engine', () => {
  it('is node:sqlite where Node has it, else better-sqlite3', async () => {
    const s = await exportAnalytics({
      rows: memoryRows({}),
      file: join(dir, 'engine.sqlite'),
    });
    expect(s.engine).toMatch(
      process.getBuiltinModule('node:sqlite')
        ? /^node:sqlite \(SQLite 3\./
        : /^better-sqlite3 \(SQLite 3\./,
    );
  });

  it('MCFPIPE_SQLITE names the engine, and a wrong name says which are accepted', async () => {
    const file = join(dir, 'engine2.sqlite');
    await expect(
      exportAnalytics({ rows: memoryRows({}), file, env: { MCFPIPE_SQLITE: 'sqlite3' } }),
    ).rejects.toThrow('MCFPIPE_SQLITE="sqlite3" is not an engine; accepted: node, better-sqlite3');
    if (!process.getBuiltinModule('node:sqlite')) {
      await expect(
        exportAnalytics({ rows: memoryRows({}), file, env: { MCFPIPE_SQLITE: 'node' } }),
      ).rejects.toThrow(/has no node:sqlite \(it needs Node 22.13 or later\)/);
    }
  });
});
