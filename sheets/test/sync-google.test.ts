import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/testing/virtual-clock.js';
import { SheetsApi } from '../google/api.js';
import { initSpreadsheet } from '../google/init.js';
import { JOBS, STATE_TAB } from '../layout.js';
import { quotaError } from '../testing/fake-sheets.js';
import { jobId, seedTables } from '../testing/fixtures.js';
import { type Harness, startHarness } from '../testing/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function ready(jobs: number, crm = 0): Promise<Harness> {
  h = await startHarness(seedTables({ jobs, crm }));
  const api = new SheetsApi({
    rootUrl: h.server.url,
    headers: async () => ({ authorization: 'Bearer t' }),
  });
  await initSpreadsheet(api, h.id);
  return h;
}

const col = (name: string) => JOBS.columns.findIndex((c) => c.header === name);
function rowOf(h: Harness, key: string): number {
  return h.server
    .book(h.id)
    .values('jobs')
    .findIndex((r) => r[col('job_s_id')] === key);
}

describe('sync with a spreadsheet', () => {
  it('first export: one row per scored job, pipeline and user columns, in 2 API calls', async () => {
    const h = await ready(5, 2);
    const before = h.server.calls.length;
    const r = await h.run();
    expect(r.status).toBe('done');
    expect(r.appended).toBe(5 + 3); // and a track, a keyword, a config row
    expect(h.server.book(h.id).values('jobs')).toHaveLength(6);
    expect(h.server.calls.length - before).toBe(2);
    const values = h.server.book(h.id).values('jobs');
    expect(values[0]).toEqual(JOBS.columns.map((c) => c.header));
    const first = values[rowOf(h, `me:${jobId(0)}`)]!;
    expect(first[col('title')]).toBe('Data Engineer 0');
    expect(first[col('status')]).toBe('screened');
    expect(first[col('track')]).toBe('me:data-engineering');
    const last = values[rowOf(h, `me:${jobId(4)}`)]!;
    expect(last[col('status')]).toBe('new');
    expect(typeof last[col('posted')]).toBe('number'); // a date serial, formatted yyyy-mm-dd
    // The next sync reads the new rows back (and records them as synced); then nothing is left to do.
    const again = await h.run();
    expect(again.appended).toBe(0);
    expect(again.updatedCells).toBe(0);
    const third = await h.run();
    expect(third.writes).toBe(0);
    expect(h.server.calls.length - before).toBe(2 + 2 + 1);
  });

  it('user edits after a re-sort and with an added column go to the crm rows by key', async () => {
    const h = await ready(6);
    await h.run();
    const book = h.server.book(h.id);
    book.sortRows('jobs', col('score'), true);
    book.insertColumn('jobs', 2);
    book.setCell('jobs', 0, 2, 'my column');
    const statusAt = col('status') + 1;
    const key = `me:${jobId(3)}`;
    book.setCell('jobs', rowOf(h, key), statusAt, 'applied');
    book.setCell('jobs', rowOf(h, key), col('notes') + 1, 'called Tue');
    book.setCell('jobs', rowOf(h, key), 2, 'mine');
    const r = await h.run();
    expect(r.status).toBe('done');
    expect(r.imported).toBe(1);
    const crm = h.tables.table('crm').get(key)!;
    expect(crm.status).toBe('applied');
    expect(crm.notes).toBe('called Tue');
    expect(h.tables.table('crm').size).toBe(1);
    expect(book.values('jobs')[rowOf(h, key)]![2]).toBe('mine');
  });

  it('pipeline updates change only their cells, in place, wherever the row went', async () => {
    const h = await ready(4);
    await h.run();
    const book = h.server.book(h.id);
    book.sortRows('jobs', col('title'), true);
    const key = `me:${jobId(2)}`;
    book.setCell('jobs', rowOf(h, key), col('notes'), 'keep me');
    h.tables.table('job').get(jobId(2))!.title = 'Lead Data Engineer';
    h.tables.table('job_score').get(key)!.score = 99;
    const r = await h.run();
    const row = book.values('jobs')[rowOf(h, key)]!;
    expect(row[col('title')]).toBe('Lead Data Engineer');
    expect(row[col('score')]).toBe(99);
    expect(row[col('notes')]).toBe('keep me');
    expect(r.updatedCells).toBe(2);
    expect(h.tables.table('crm').get(key)!.notes).toBe('keep me');
  });

  it('a conflict: both sides changed the same field; reported, neither overwritten', async () => {
    const h = await ready(3, 3);
    await h.run();
    const book = h.server.book(h.id);
    const key = `me:${jobId(1)}`;
    book.setCell('jobs', rowOf(h, key), col('status'), 'applied');
    h.tables.table('crm').get(key)!.status = 'closed';
    const r = await h.run();
    expect(r.conflicts).toEqual([
      { tab: 'jobs', key, column: 'status', sheet: 'applied', db: 'closed', base: 'screened' },
    ]);
    expect(book.values('jobs')[rowOf(h, key)]![col('status')]).toBe('applied');
    expect(h.tables.table('crm').get(key)!.status).toBe('closed');
    // Still reported next time, until one side gives way.
    expect((await h.run()).conflicts).toHaveLength(1);
    book.setCell('jobs', rowOf(h, key), col('status'), 'closed');
    expect((await h.run()).conflicts).toHaveLength(0);
  });

  it('a change in the database of a user column reaches the Sheet when the Sheet did not change', async () => {
    const h = await ready(2, 2);
    await h.run();
    const key = `me:${jobId(0)}`;
    h.tables.table('crm').get(key)!.status = 'interviewing';
    await h.run();
    expect(h.server.book(h.id).values('jobs')[rowOf(h, key)]![col('status')]).toBe('interviewing');
  });

  it('bad rows are reported with tab, row and column; the rest is synced; nothing deleted', async () => {
    const h = await ready(4);
    await h.run();
    const book = h.server.book(h.id);
    const a = `me:${jobId(0)}`;
    const b = `me:${jobId(1)}`;
    const c = `me:${jobId(2)}`;
    book.setCell('jobs', rowOf(h, a), col('status'), 'maybe');
    book.setCell('jobs', rowOf(h, b), col('applied_date'), '31/02/2026');
    book.setCell('jobs', rowOf(h, c), col('status'), 'shortlisted');
    const dupRow = rowOf(h, `me:${jobId(3)}`);
    book.setCell('jobs', 20, col('job_s_id'), `me:${jobId(3)}`);
    const r = await h.run();
    expect(r.status).toBe('done');
    const where = r.problems.map((p) => [p.tab, p.row, p.column]);
    expect(where).toContainEqual(['jobs', rowOf(h, a) + 1, 'status']);
    expect(where).toContainEqual(['jobs', rowOf(h, b) + 1, 'applied_date']);
    expect(where).toContainEqual(['jobs', dupRow + 1, 'job_s_id']);
    expect(h.tables.table('crm').get(c)!.status).toBe('shortlisted');
    expect(h.tables.table('crm').has(a)).toBe(false);
    expect(book.values('jobs')[rowOf(h, a)]![col('status')]).toBe('maybe');
    expect(h.tables.table('job_score').size).toBe(4);
  });

  it('a renamed key column: the tab is reported and left alone, nothing appended again', async () => {
    const h = await ready(3);
    await h.run();
    const book = h.server.book(h.id);
    book.setCell('jobs', 0, col('job_s_id'), 'id');
    const rowsBefore = book.values('jobs').length;
    const r = await h.run();
    expect(
      r.problems.some(
        (p) => p.tab === 'jobs' && p.column === 'job_s_id' && /missing or renamed/.test(p.message),
      ),
    ).toBe(true);
    expect(book.values('jobs').length).toBe(rowsBefore);
  });

  it('the state tab: a sync sends only the state rows that changed; new rows go after the others', async () => {
    const h = await ready(40);
    await h.run();
    await h.run();
    const stateBefore = h.server.book(h.id).values(STATE_TAB);
    const key = `me:${jobId(7)}`;
    h.server.book(h.id).setCell('jobs', rowOf(h, key), col('notes'), 'one edit');
    await h.run();
    const stateWrites = (h.server.lastBatch?.requests ?? []).filter(
      (r) =>
        (r.updateCells as { range?: { sheetId?: number } } | undefined)?.range?.sheetId ===
        h.server.book(h.id).sheet(STATE_TAB).properties.sheetId,
    );
    expect(stateWrites).toHaveLength(1);
    const range = (stateWrites[0]!.updateCells as { range: Record<string, number> }).range;
    expect(range.endRowIndex! - range.startRowIndex!).toBe(1);
    const stateAfter = h.server.book(h.id).values(STATE_TAB);
    const changed = stateAfter.filter(
      (r, i) => JSON.stringify(r) !== JSON.stringify(stateBefore[i]),
    );
    expect(changed.map((r) => r[1])).toEqual([key]);
    expect(String(changed[0]![2])).toContain('one edit');
    // A new job: its state row is added at the end, the others stay where they were.
    const more = seedTables({ jobs: 41 });
    h.tables.table('job').set(jobId(40), more.table('job').get(jobId(40))!);
    h.tables
      .table('job_score')
      .set(`me:${jobId(40)}`, more.table('job_score').get(`me:${jobId(40)}`)!);
    await h.run();
    const grown = h.server.book(h.id).values(STATE_TAB);
    expect(grown.slice(0, stateAfter.length)).toEqual(stateAfter);
  });

  it('quota: 429s are retried with backoff; exhausted, the sync fails with nothing half-written, and the next one finishes', async () => {
    const h = await ready(3);
    await h.run();
    const key = `me:${jobId(0)}`;
    h.server.book(h.id).setCell('jobs', rowOf(h, key), col('status'), 'applied');
    h.tables.table('job').get(jobId(1))!.title = 'Changed';
    const clock = new VirtualClock(0);
    const waits = clock.sleeps;
    h.server.failNext('spreadsheets.batchUpdate', 2, () => quotaError());
    const ok = await h.run({ clock });
    expect(ok.status).toBe('done');
    expect(waits).toHaveLength(2);
    expect(waits[1]!).toBeGreaterThan(waits[0]!);

    h.server.book(h.id).setCell('jobs', rowOf(h, key), col('status'), 'interviewing');
    h.tables.table('job').get(jobId(2))!.title = 'Changed too';
    const snapshot = JSON.stringify(h.server.book(h.id).values('jobs'));
    h.server.failNext('spreadsheets.batchUpdate', 99, () => quotaError());
    await expect(h.run({ attempts: 3 })).rejects.toThrow(
      /429 RESOURCE_EXHAUSTED.*Run the sync again/s,
    );
    expect(JSON.stringify(h.server.book(h.id).values('jobs'))).toBe(snapshot);
    expect(h.tables.table('crm').get(key)!.status).toBe('interviewing'); // the database went first

    h.server.clearFaults();
    const next = await h.run();
    expect(next.status).toBe('done');
    expect(next.conflicts).toEqual([]);
    expect(h.server.book(h.id).values('jobs')[rowOf(h, `me:${jobId(2)}`)]![col('title')]).toBe(
      'Changed too',
    );
    expect((await h.run()).writes).toBe(0);
  });

  it('the user re-sorts and inserts a column between the read and the write: misplaced cells put back, written again (3 calls)', async () => {
    const h = await ready(6, 6);
    await h.run();
    await h.run();
    const key = `me:${jobId(4)}`;
    h.tables.table('job').get(jobId(4))!.title = 'Rewritten title';
    h.tables.table('crm').get(key)!.status = 'offer';
    const notesOf = new Map<string, string>();
    h.server.beforeWrite = (book, call) => {
      if (call !== 1) return;
      book.sortRows('jobs', col('title'), true);
      book.insertColumn('jobs', 1);
      book.setCell('jobs', 0, 1, 'mine');
      const values = book.values('jobs');
      values.forEach((r, i) => {
        if (i === 0) return;
        book.setCell('jobs', i, 1, `of ${String(r[0])}`);
        notesOf.set(String(r[0]), `of ${String(r[0])}`);
      });
    };
    const before = h.server.calls.length;
    const r = await h.run();
    expect(r.status).toBe('done');
    expect(r.repaired).toBeGreaterThan(0);
    expect(h.server.calls.length - before).toBe(3);
    const values = h.server.book(h.id).values('jobs');
    const head = values[0]!;
    const c = (name: string) => head.indexOf(name);
    for (const row of values.slice(1)) expect(row[1]).toBe(`of ${String(row[c('job_s_id')])}`);
    const mine = values.find((r) => r[c('job_s_id')] === key)!;
    expect(mine[c('title')]).toBe('Rewritten title');
    expect(mine[c('status')]).toBe('offer');
    const titles = values.slice(1).map((r) => String(r[c('title')]));
    expect(titles.filter((t) => t === 'Rewritten title')).toHaveLength(1);
  });

  it('the 10-million-cell limit is checked before writing: nothing written, the cause given', async () => {
    const h = await ready(3);
    const big = h.server.book(h.id).addSheet('archive');
    big.properties.gridProperties = { rowCount: 1_000_000, columnCount: 10 };
    const before = h.server.calls.length;
    await expect(h.run()).rejects.toThrow(
      /over Google Sheets' limit of 10,000,000.*nothing was written/,
    );
    expect(h.server.calls.slice(before).map((x) => x.method)).toEqual(['spreadsheets.get']);
    expect(h.server.book(h.id).values('jobs')).toHaveLength(1);
  });

  it('quota exhausted on the repair write: exit with an error, and the next sync finishes with every edit in place', async () => {
    const h = await ready(6, 6);
    await h.run();
    await h.run();
    const key = `me:${jobId(2)}`;
    h.tables.table('job').get(jobId(2))!.title = 'New title';
    h.server.book(h.id).setCell('jobs', rowOf(h, key), col('notes'), 'before the read');
    h.server.beforeWrite = (book, call) => {
      if (call !== 1) return;
      book.sortRows('jobs', col('title'), true); // the row of the title the sync writes moves
      book.setCell('jobs', rowOf(h, key), col('status'), 'offer');
      h.server.failNext('spreadsheets.batchUpdate', 99, () => quotaError());
    };
    await expect(h.run({ attempts: 2 })).rejects.toThrow(
      /429 RESOURCE_EXHAUSTED[\s\S]*repair could not be written: \d+ cell/,
    );
    h.server.beforeWrite = undefined;
    h.server.clearFaults();
    const next = await h.run();
    expect(next.status).toBe('done');
    const row = h.server.book(h.id).values('jobs')[rowOf(h, key)]!;
    expect(row[col('title')]).toBe('New title');
    expect(row[col('notes')]).toBe('before the read');
    expect(row[col('status')]).toBe('offer');
    expect(h.tables.table('crm').get(key)).toMatchObject({
      notes: 'before the read',
      status: 'offer',
    });
    const values = h.server.book(h.id).values('jobs').slice(1);
    for (const r of values) {
      const k = String(r[col('job_s_id')]);
      const job = h.tables.table('job').get(k.slice(3))!;
      expect(r[col('title')]).toBe(job.title);
    }
    expect((await h.run()).writes).toBe(0);
  });
});

describe('as the real API behaves', () => {
  it('the sync-state tab it creates carries warning-only protection from the start', async () => {
    const h = await ready(2);
    await h.run();
    const state = h.server.book(h.id).sheet(STATE_TAB);
    expect(state.properties.hidden).toBe(true);
    expect(state.protectedRanges).toEqual([
      expect.objectContaining({ warningOnly: true, range: { sheetId: state.properties.sheetId } }),
    ]);
  });

  it('waits longer for an answer than Google takes before it gives up on a request (180 s)', () => {
    const api = new SheetsApi({ headers: async () => ({}) });
    expect(api.timeoutMs).toBeGreaterThan(180_000);
  });

  for (const kind of ['unavailable', 'reset'] as const)
    it(`a batchUpdate applied whose answer is lost (${kind === 'reset' ? 'connection reset' : '503'}): found applied, verified, nothing written twice`, async () => {
      const h = await ready(4, 4);
      await h.run();
      await h.run();
      const key = `me:${jobId(1)}`;
      h.tables.table('job').get(jobId(1))!.title = 'Retitled';
      h.tables.table('crm').get(key)!.notes = 'from the database';
      const book = h.server.book(h.id);
      book.setCell('jobs', rowOf(h, `me:${jobId(2)}`), col('status'), 'applied');
      h.server.loseAnswers('spreadsheets.batchUpdate', 1, kind);
      const r = await h.run();
      expect(r.status).toBe('done');
      expect(r.writes).toBe(1);
      const row = book.values('jobs')[rowOf(h, key)]!;
      expect(row[col('title')]).toBe('Retitled');
      expect(row[col('notes')]).toBe('from the database');
      expect(h.tables.table('crm').get(`me:${jobId(2)}`)!.status).toBe('applied');
      expect(book.values('jobs').filter((v) => v[col('job_s_id')] === key)).toHaveLength(1);
      // The next sync records what this one wrote as synced; then nothing is left to do.
      expect((await h.run()).updatedCells).toBe(0);
      expect((await h.run()).writes).toBe(0);
    });

  it('a lost answer on a batch that was not applied: the error stands, and the next sync finishes', async () => {
    const h = await ready(3);
    await h.run();
    h.tables.table('job').get(jobId(0))!.title = 'Retitled';
    h.server.failNext('spreadsheets.batchUpdate', 99, () => quotaError());
    await expect(h.run({ attempts: 2 })).rejects.toThrow(/429 RESOURCE_EXHAUSTED/);
    h.server.clearFaults();
    expect((await h.run()).status).toBe('done');
    const values = h.server.book(h.id).values('jobs');
    expect(values[rowOf(h, `me:${jobId(0)}`)]![col('title')]).toBe('Retitled');
  });

  it('new rows go where the API appends them: below a formula column the user filled down, with a column moved during the write', async () => {
    const tables = seedTables({ jobs: 5 });
    const later = [3, 4].map((n) => {
      const k = `me:${jobId(n)}`;
      const score = tables.table('job_score').get(k)!;
      tables.table('job_score').delete(k);
      return [k, score] as const;
    });
    h = await startHarness(tables);
    const api = new SheetsApi({
      rootUrl: h.server.url,
      headers: async () => ({ authorization: 'Bearer t' }),
    });
    await initSpreadsheet(api, h.id);
    await h.run();
    await h.run();
    const book = h.server.book(h.id);
    // A helper column of formulas down to row 40: to the API those rows hold data, though they show nothing.
    const helper = JOBS.columns.length;
    book.setCell('jobs', 0, helper, 'days open');
    for (let r = 1; r < 40; r++) book.setCell('jobs', r, helper, `=IF(A${r + 1}="","",1)`);
    for (const [k, score] of later) tables.table('job_score').set(k, score);
    h.server.beforeWrite = (b, call) => {
      if (call === 1) b.moveColumn('jobs', col('title'), col('company'));
    };
    const r = await h.run();
    expect(r.status).toBe('done');
    const values = book.values('jobs');
    const head = values[0]!;
    const at = (name: string) => head.indexOf(name);
    const keys = values
      .slice(1)
      .map((v) => v[at('job_s_id')])
      .filter((v) => v !== null && v !== undefined);
    // Every row with a key is a scored job, once; the new ones with their title under "title".
    expect(keys.sort()).toEqual([0, 1, 2, 3, 4].map((n) => `me:${jobId(n)}`).sort());
    for (const [k] of later) {
      const row = values.find((v) => v[at('job_s_id')] === k)!;
      expect(row[at('title')]).toBe(tables.table('job').get(k.slice(3))!.title);
      expect(values.indexOf(row)).toBeGreaterThanOrEqual(40);
    }
    // No row holds pipeline values without a key (a new row written under the wrong headers).
    for (const v of values.slice(1))
      if (v[at('job_s_id')] === null || v[at('job_s_id')] === undefined)
        expect(v.filter((c, i) => c !== null && i !== helper)).toEqual([]);
    expect((await h.run()).updatedCells).toBe(0);
    expect((await h.run()).writes).toBe(0);
  });

  it('a range protected against the sync account: its cells are reported, not written; the rest of the sync is done', async () => {
    const h = await ready(4, 4);
    await h.run();
    await h.run();
    const book = h.server.book(h.id);
    const locked = `me:${jobId(1)}`;
    const free = `me:${jobId(2)}`;
    // The owner protects the notes column (only they may edit it).
    book.protect('jobs', { startColumnIndex: col('notes'), endColumnIndex: col('notes') + 1 });
    h.tables.table('crm').get(locked)!.notes = 'database note';
    h.tables.table('job').get(jobId(2))!.title = 'Retitled';
    book.setCell('jobs', rowOf(h, free), col('status'), 'applied');
    const r = await h.run();
    expect(r.status).toBe('done');
    expect(r.problems).toContainEqual(
      expect.objectContaining({
        tab: 'jobs',
        row: rowOf(h, locked) + 1,
        column: 'notes',
        key: locked,
      }),
    );
    expect(book.values('jobs')[rowOf(h, locked)]![col('notes')] ?? null).toBe(null);
    expect(book.values('jobs')[rowOf(h, free)]![col('title')]).toBe('Retitled');
    expect(h.tables.table('crm').get(free)!.status).toBe('applied');
    // Once the sync may edit the column, the database's note reaches the Sheet.
    book.sheet('jobs').protectedRanges = [];
    await h.run();
    expect(book.values('jobs')[rowOf(h, locked)]![col('notes')]).toBe('database note');
  });

  it('a tab whose new rows would land in a protected area: the rows are reported and added once allowed', async () => {
    const h = await ready(3);
    const book = h.server.book(h.id);
    book.protect('jobs', { startRowIndex: 1 });
    const r = await h.run();
    expect(r.status).toBe('done');
    expect(
      r.problems.some((p) => p.tab === 'jobs' && /3 new row\(s\) cannot be added/.test(p.message)),
    ).toBe(true);
    expect(book.values('jobs')).toHaveLength(1);
    book.sheet('jobs').protectedRanges = [];
    expect((await h.run()).appended).toBe(3);
    expect(book.values('jobs')).toHaveLength(4);
  });
});
