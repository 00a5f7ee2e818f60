/**
 * The user acts on the Sheet between the sync's read and its write (sort,
 * filter, insert and delete rows, move and insert columns, edit cells, edit
 * the very cell the sync is about to write), 1,000 random sequences, seeded.
 * After the sync: no edit lost, nothing on the wrong row, every double edit
 * reported, the Sheet exactly the merge of both sides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/testing/virtual-clock.js';
import { RowStore } from '../../runtime/rows/store.js';
import { SheetsApi } from '../google/api.js';
import { GoogleSheetsBackend } from '../google/backend.js';
import { initSpreadsheet } from '../google/init.js';
import { JOBS } from '../layout.js';
import { ViewStore } from '../store.js';
import { sync } from '../sync.js';
import {
  type FakeSheetsService,
  type FakeSpreadsheet,
  plain,
  FakeSheetsService as Service,
} from '../testing/fake-sheets.js';
import { jobId, seedTables, type Tables } from '../testing/fixtures.js';

const JOBS_N = 8;
const ID = 'race';
const KEYS = Array.from({ length: JOBS_N }, (_, n) => `me:${jobId(n)}`);
const STATUS = JOBS.columns.find((c) => c.field === 'status')!.choices!;
type UserField = 'status' | 'notes';

function api(service: FakeSheetsService): SheetsApi {
  return new SheetsApi({
    rootUrl: service.url,
    headers: async () => ({ authorization: 'Bearer t' }),
    fetch: service.fetch,
    clock: new VirtualClock(0),
  });
}

async function run(service: FakeSheetsService, tables: Tables) {
  return sync({
    backend: new GoogleSheetsBackend(api(service), ID),
    store: new ViewStore(new RowStore(tables)),
    user: 'me',
  });
}

/** A synced sheet and database to start every case from. */
async function baseline(): Promise<{
  model: FakeSpreadsheet['model'];
  rows: Map<string, Map<string, Record<string, unknown>>>;
}> {
  const service = new Service();
  service.book(ID);
  const tables = seedTables({ jobs: JOBS_N, crm: 4 });
  await initSpreadsheet(api(service), ID);
  await run(service, tables);
  await run(service, tables);
  const rows = new Map<string, Map<string, Record<string, unknown>>>();
  for (const t of ['job', 'job_score', 'crm', 'track', 'keyword', 'config'] as const)
    rows.set(t, structuredClone(tables.table(t)));
  return { model: structuredClone(service.book(ID).model), rows };
}

function header(book: FakeSpreadsheet): unknown[] {
  return book.values('jobs')[0] ?? [];
}
function colOf(book: FakeSpreadsheet, name: string): number {
  return header(book).indexOf(name);
}
function rowIndexOf(book: FakeSpreadsheet, key: string): number {
  const k = colOf(book, 'job_s_id');
  return book.values('jobs').findIndex((r, i) => i > 0 && r[k] === key);
}

const field = fc.constantFrom<UserField>('status', 'notes');
const key = fc.integer({ min: 0, max: JOBS_N - 1 });
const userValue = (f: UserField, n: number) =>
  f === 'status' ? STATUS[n % STATUS.length]! : `note ${n}`;

const windowAction = fc.oneof(
  fc.record({
    kind: fc.constant('sort' as const),
    col: fc.integer({ min: 0, max: 15 }),
    desc: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('filter' as const), col: fc.integer({ min: 0, max: 15 }) }),
  fc.record({
    kind: fc.constant('insertRows' as const),
    at: fc.integer({ min: 1, max: JOBS_N + 1 }),
    n: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ kind: fc.constant('deleteRow' as const), key }),
  fc.record({
    kind: fc.constant('moveColumn' as const),
    from: fc.integer({ min: 0, max: 15 }),
    to: fc.integer({ min: 0, max: 15 }),
  }),
  fc.record({ kind: fc.constant('insertColumn' as const), at: fc.integer({ min: 0, max: 16 }) }),
  fc.record({ kind: fc.constant('edit' as const), key, field, n: fc.nat(100) }),
  fc.record({ kind: fc.constant('editPlanned' as const), pick: fc.nat(100), n: fc.nat(100) }),
);

const scenario = fc.record({
  sheetEdits: fc.array(fc.record({ key, field, n: fc.nat(100) }), { maxLength: 3 }),
  pipelineChanges: fc.array(fc.record({ key, score: fc.integer({ min: 0, max: 100 }) }), {
    maxLength: 3,
  }),
  dbUserChanges: fc.array(fc.record({ key, field, n: fc.nat(100) }), { maxLength: 3 }),
  window: fc.array(windowAction, { maxLength: 6 }),
});

describe('user actions between the read and the write', () => {
  it('1,000 random sequences: 0 edits lost or misplaced, every double edit reported', async () => {
    const start = await baseline();
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const service = new Service();
        const book = service.book(ID);
        book.model = structuredClone(start.model);
        const tables = seedTables({ jobs: 0 });
        for (const [t, rows] of start.rows)
          for (const [k, v] of rows) tables.table(t as never).set(k, structuredClone(v));
        const crm = (k: string) => tables.table('crm').get(k);
        const dbUser = (k: string, f: UserField) =>
          String(crm(k)?.[f] ?? (f === 'status' ? 'new' : ''));

        // Before the read: the user edits, the pipeline rescores, the database changes user fields.
        const lastEdit = new Map<string, string>(); // `${key}|${field}` -> value the user typed last
        const typedAll = new Map<string, string[]>(); // every value typed, in order
        const original = new Map<string, string>();
        for (const k of KEYS)
          for (const f of ['status', 'notes'] as const) original.set(`${k}|${f}`, dbUser(k, f));
        const dbChanged = new Map<string, string>();
        for (const c of sc.dbUserChanges) {
          const k = KEYS[c.key]!;
          const v = `${userValue(c.field, c.n + 1)}`;
          if (v === original.get(`${k}|${c.field}`)) continue;
          tables.table('crm').set(k, {
            job_s_id: k,
            user_id: 'me',
            job_id: k.slice(3),
            status: 'new',
            ...crm(k),
            [c.field]: v,
          });
          dbChanged.set(`${k}|${c.field}`, v);
        }
        for (const c of sc.pipelineChanges)
          tables.table('job_score').get(KEYS[c.key]!)!.score = c.score;
        const edit = (k: string, f: UserField, v: string) => {
          const r = rowIndexOf(book, k);
          if (r < 0) return;
          const cur = plain(book.sheet('jobs').rows[r]?.[colOf(book, f)]?.userEnteredValue);
          if (String(cur ?? '') === v) return;
          book.setCell('jobs', r, colOf(book, f), v);
          lastEdit.set(`${k}|${f}`, v);
          typedAll.set(`${k}|${f}`, [...(typedAll.get(`${k}|${f}`) ?? []), v]);
        };
        for (const e of sc.sheetEdits) edit(KEYS[e.key]!, e.field, userValue(e.field, e.n));
        const atRead = new Map(lastEdit); // the Sheet's user cells the sync reads (when edited)

        // Between the read and the write: the window.
        const deleted = new Set<string>();
        let extra = 0;
        service.beforeWrite = (b, call) => {
          if (call !== 1) return;
          for (const a of sc.window) {
            const width = header(b).length;
            switch (a.kind) {
              case 'sort':
                b.sortRows('jobs', a.col % width, a.desc);
                break;
              case 'filter':
                b.filter('jobs', a.col % width, ['screened']);
                break;
              case 'insertRows':
                b.insertRows('jobs', Math.min(a.at, b.values('jobs').length), a.n);
                break;
              case 'deleteRow': {
                const k = KEYS[a.key]!;
                const r = rowIndexOf(b, k);
                if (r > 0) {
                  b.deleteRows('jobs', r, 1);
                  deleted.add(k);
                }
                break;
              }
              case 'moveColumn':
                b.moveColumn('jobs', a.from % width, a.to % width);
                break;
              case 'insertColumn': {
                const at = a.at % (width + 1);
                b.insertColumn('jobs', at);
                b.setCell('jobs', 0, at, `extra ${++extra}`);
                const k = colOf(b, 'job_s_id');
                b.values('jobs').forEach((row, i) => {
                  if (i > 0 && row[k]) b.setCell('jobs', i, at, `of ${String(row[k])}`);
                });
                break;
              }
              case 'edit':
                edit(KEYS[a.key]!, a.field, userValue(a.field, a.n + 7));
                break;
              case 'editPlanned': {
                // The very cell the sync is about to write: a database change of a user field.
                const planned = [...dbChanged.keys()].filter((id) => !lastEdit.has(id));
                if (!planned.length) break;
                const [k, f] = planned[a.pick % planned.length]!.split('|') as [string, UserField];
                edit(k, f, userValue(f, a.n + 13));
                break;
              }
            }
          }
        };

        const report = await run(service, tables);
        expect(report.status, report.message).toBe('done');
        expect(report.calls).toBeLessThanOrEqual(3);

        const values = book.values('jobs');
        const col = (name: string) => colOf(book, name);
        // Every key once (none twice), except rows the user deleted.
        const keyCol = col('job_s_id');
        const seen = values
          .slice(1)
          .map((r) => r[keyCol])
          .filter(Boolean);
        expect(new Set(seen).size).toBe(seen.length);
        for (const k of KEYS) expect(seen.includes(k) || deleted.has(k)).toBe(true);

        const conflicts = new Set(report.conflicts.map((c) => `${c.key}|${c.column}`));
        for (const k of KEYS) {
          const r = rowIndexOf(book, k);
          if (r < 0) continue;
          const row = values[r]!;
          // Pipeline cells: the database's, on the right row.
          expect(row[col('score')]).toBe(tables.table('job_score').get(k)!.score);
          expect(row[col('title')]).toBe(tables.table('job').get(k.slice(3))!.title);
          // User-added columns kept their row.
          for (let i = 1; i <= extra; i++) {
            const c = col(`extra ${i}`);
            if (row[c] !== undefined && row[c] !== null) expect(row[c]).toBe(`of ${k}`);
          }
          for (const f of ['status', 'notes'] as const) {
            const id = `${k}|${f}`;
            // A cell typed back to its last synced value is, for any state-based sync, not edited (A-B-A).
            const typed = lastEdit.get(id) === original.get(id) ? undefined : lastEdit.get(id);
            const changed = dbChanged.get(id);
            const cell = String(row[col(f)] ?? '');
            const readValue = atRead.get(id) ?? original.get(id);
            if (typed !== undefined) {
              expect(cell, `${id}: the user's edit is kept`).toBe(typed);
              // Both sides changed the cell since the last sync to different values (the database's
              // change not already in the Sheet when it was read): a double edit.
              const double = changed !== undefined && changed !== typed && readValue !== changed;
              expect(conflicts.has(id), `${id}: double edit ${double ? '' : 'not '}reported`).toBe(
                double,
              );
              if (!double)
                // The original, the database's change, or a value the user typed (a window edit is
                // imported by the repair round or the next sync).
                expect([...(typedAll.get(id) ?? []), original.get(id), changed]).toContain(
                  dbUser(k, f),
                );
            } else if (changed !== undefined) {
              expect(cell, `${id}: the database's change reached the Sheet`).toBe(changed);
              expect(dbUser(k, f)).toBe(changed);
            } else {
              expect(cell).toBe(original.get(id));
              expect(dbUser(k, f)).toBe(original.get(id));
            }
          }
        }
        // Sheet edits made before the read are in the database (unless in conflict).
        for (const e of sc.sheetEdits) {
          const k = KEYS[e.key]!;
          const id = `${k}|${e.field}`;
          const typed = lastEdit.get(id);
          if (typed === undefined || deleted.has(k) || conflicts.has(id)) continue;
          if (sc.window.some((a) => a.kind === 'edit' || a.kind === 'editPlanned')) continue; // a later window edit may supersede it
          expect(dbUser(k, e.field), `${id} imported`).toBe(typed);
        }
      }),
      { numRuns: 1000, seed: 20261205, endOnFailure: true },
    );
  }, 300_000);
});
