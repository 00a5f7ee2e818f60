import { describe, expect, it } from 'vitest';
import type { Cell } from '../cells.js';
import { type Grid, parseTab } from '../grid.js';
import { JOBS, TRACKS } from '../layout.js';
import { type DbRows, mergeTab } from '../merge.js';
import type { RowState } from '../state.js';

const K = 'me:0f4b6b4c7e1d4c6c9b2a6a1d3e5f7a9b';
const HEAD = JOBS.columns.map((c) => c.header);
const at = (h: string) => HEAD.indexOf(h);

function row(values: Record<string, Cell>): Cell[] {
  const r: Cell[] = HEAD.map(() => null);
  for (const [h, v] of Object.entries(values)) r[at(h)] = v;
  return r;
}
function db(values: Record<string, string>): DbRows {
  const full: Record<string, string> = Object.fromEntries(JOBS.columns.map((c) => [c.field, '']));
  return new Map([
    [
      K,
      {
        ...full,
        job_s_id: K,
        status: 'new',
        apply_status: 'not_applied',
        response: 'none',
        ...values,
      },
    ],
  ]);
}
function base(values: Record<string, string>): Map<string, RowState> {
  return new Map([
    [
      K,
      {
        values: {
          job_s_id: K,
          status: 'new',
          apply_status: 'not_applied',
          response: 'none',
          applied_date: '',
          notes: '',
          track_id: '',
          ...values,
        },
      },
    ],
  ]);
}
function merge(grid: Grid, dbRows: DbRows, state: Map<string, RowState>) {
  return mergeTab({
    parsed: parseTab(JOBS, grid),
    grid,
    db: dbRows,
    base: state,
    importNewRows: false,
  });
}
const sheetRow = (v: Record<string, Cell> = {}) =>
  row({ job_s_id: K, status: 'new', apply_status: 'not_applied', response: 'none', ...v });

describe('the three-way merge of a row', () => {
  it('only the Sheet changed a user column: imported, and that value becomes the base', () => {
    const p = merge([HEAD, sheetRow({ status: 'applied' })], db({}), base({}));
    expect(p.imports).toEqual([
      { tab: 'jobs', key: K, isNew: false, row: 2, changes: { status: 'applied' } },
    ]);
    expect(p.writes).toEqual([]);
    expect(p.state.get(K)!.values.status).toBe('applied');
  });

  it('only the database changed a user column: written to the Sheet; the base stays until a read sees it there', () => {
    const p = merge([HEAD, sheetRow()], db({ status: 'closed' }), base({}));
    expect(p.writes).toMatchObject([
      { field: 'status', row: 1, col: at('status'), expected: 'new', value: 'closed' },
    ]);
    expect(p.imports).toEqual([]);
    expect(p.state.get(K)!.values.status).toBe('new');
  });

  it('both changed to different values: a conflict with both values and the base; nothing written either way', () => {
    const p = merge(
      [HEAD, sheetRow({ notes: 'mine' })],
      db({ notes: 'theirs' }),
      base({ notes: 'old' }),
    );
    expect(p.conflicts).toEqual([
      { tab: 'jobs', key: K, column: 'notes', sheet: 'mine', db: 'theirs', base: 'old' },
    ]);
    expect(p.writes).toEqual([]);
    expect(p.imports).toEqual([]);
    expect(p.state.get(K)!.values.notes).toBe('old');
  });

  it('both changed to the same value: in sync, no conflict', () => {
    const p = merge(
      [HEAD, sheetRow({ notes: 'same' })],
      db({ notes: 'same' }),
      base({ notes: 'old' }),
    );
    expect([p.conflicts, p.writes, p.imports]).toEqual([[], [], []]);
    expect(p.state.get(K)!.values.notes).toBe('same');
  });

  it('pipeline columns always take the database value; dates compare as dates, lists as lists', () => {
    const grid = [HEAD, sheetRow({ title: 'Old', posted: 46357, matched: 'sql,spark', score: 50 })];
    const p = merge(
      grid,
      db({ title: 'New', posted: '2026-12-01', matched: 'sql, spark', score: '50' }),
      base({}),
    );
    expect(p.writes.map((w) => [w.field, w.value])).toEqual([['title', 'New']]);
  });

  it('an unknown status or a malformed date is a problem at its row and column, and is neither imported nor overwritten', () => {
    const p = merge(
      [HEAD, sheetRow({ status: 'maybe', applied_date: '2026-02-30' })],
      db({ status: 'closed' }),
      base({}),
    );
    expect(p.problems.map((x) => [x.row, x.column])).toEqual([
      [2, 'status'],
      [2, 'applied_date'],
    ]);
    expect(p.writes).toEqual([]);
    expect(p.imports).toEqual([]);
  });

  it('a row the user removed after a sync is not added back, and stays removed', () => {
    const p = merge([HEAD], db({}), base({}));
    expect(p.appends).toEqual([]);
    expect(p.state.get(K)!.removed).toBe(true);
    const again = merge([HEAD], db({}), p.state);
    expect(again.appends).toEqual([]);
    expect(again.problems).toEqual([]);
  });

  it('a row appended but never read back is appended again rather than taken as removed', () => {
    const first = merge([HEAD], db({}), new Map());
    expect(first.appends).toHaveLength(1);
    expect(first.state.get(K)!.appended).toBe(true);
    expect(merge([HEAD], db({}), first.state).appends).toHaveLength(1);
    const seen = merge([HEAD, sheetRow()], db({}), first.state);
    expect(seen.state.get(K)).toEqual({ values: expect.objectContaining({ status: 'new' }) });
  });

  it('a new row of a dimension tab is imported when valid, reported when not', () => {
    const head = TRACKS.columns.map((c) => c.header);
    const grid: Grid = [
      head,
      ['me:de', 'Data', 'data engineer, dbt', null, null, null, 5000, 3, true],
      ['me:bad', '', null, null, null, null, 'lots', null, 'yes'],
    ];
    const p = mergeTab({
      parsed: parseTab(TRACKS, grid),
      grid,
      db: new Map(),
      base: new Map(),
      importNewRows: true,
    });
    expect(p.imports).toMatchObject([
      {
        key: 'me:de',
        isNew: true,
        changes: {
          name: 'Data',
          search_terms: ['data engineer', 'dbt'],
          min_salary: 5000,
          max_pages: 3,
          active: true,
        },
      },
    ]);
    expect(p.problems.map((x) => [x.row, x.column])).toEqual(
      expect.arrayContaining([
        [3, 'min_salary'],
        [3, 'active'],
        [3, 'name'],
        [3, 'search_terms'],
      ]),
    );
  });
});
