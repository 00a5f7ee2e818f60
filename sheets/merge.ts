/**
 * The three-way merge of one tab: the Sheet (as read), the database (the
 * pipeline's view of the same rows) and the last synced value of each row.
 * Pure: it plans, the caller writes.
 *
 * Per row (by key):
 * - in the database only: appended to the Sheet; unless the user removed it
 *   from the Sheet after a sync (then it is not added back).
 * - in the Sheet only: a new row of a dimension tab (tracks, keywords,
 *   config) is imported; in `jobs`, left alone.
 * - in both, per column:
 *   - pipeline column: the Sheet gets the database's value when they differ.
 *   - user column: sheet = database: in sync. Only the database changed
 *     since the last sync: the Sheet gets it. Only the Sheet changed: the
 *     database gets it (if valid). Both changed to different values: a
 *     conflict, reported; neither side is written.
 */

import { projectSchema } from '../runtime/schema/schema.js';
import { checkValue } from '../runtime/schema/validate.js';
import { type Cell, fromDb, type Read, toDb } from './cells.js';
import { cellAt, type Grid, type ParsedTab, type Problem } from './grid.js';
import type { ColumnSpec, TabSpec } from './layout.js';
import type { RowState } from './state.js';

/** The database's side of a tab: canonical text per field, by key. */
export type DbRows = Map<string, Record<string, string>>;

/** One cell to write, where the read found it, and what the read saw there. */
export interface CellWrite {
  tab: string;
  key: string;
  field: string;
  row: number;
  col: number;
  /** The cell as read (the write is wrong if the cell held anything else just before it). */
  expected: Cell;
  /** Canonical text to write. */
  value: string;
}

export interface RowAppend {
  tab: string;
  key: string;
  /** Canonical text per field. */
  values: Record<string, string>;
}

export interface Import {
  tab: string;
  key: string;
  /** The row is not in the database yet. */
  isNew: boolean;
  /** Sheet row, 1-based, for messages. */
  row: number;
  /** Database values of the changed fields (undefined: cleared). */
  changes: Record<string, unknown>;
}

export interface Conflict {
  tab: string;
  key: string;
  column: string;
  sheet: string;
  db: string;
  /** The last synced value. */
  base: string | undefined;
}

export interface TabPlan {
  writes: CellWrite[];
  appends: RowAppend[];
  imports: Import[];
  conflicts: Conflict[];
  problems: Problem[];
  /** The tab's sync state after this sync. */
  state: Map<string, RowState>;
}

export interface MergeInput {
  parsed: ParsedTab;
  grid: Grid;
  db: DbRows;
  base: Map<string, RowState>;
  /** Rows new in the Sheet are imported (dimension tabs); else left alone (jobs). */
  importNewRows: boolean;
}

export function mergeTab({ parsed, grid, db, base, importNewRows }: MergeInput): TabPlan {
  const spec = parsed.spec;
  const plan: TabPlan = {
    writes: [],
    appends: [],
    imports: [],
    conflicts: [],
    problems: [],
    state: new Map(),
  };
  if (!parsed.usable) {
    // Nothing of the tab is read or written; the state is kept as it was.
    for (const [k, s] of base) plan.state.set(k, s);
    return plan;
  }
  for (const k of parsed.duplicates) {
    const s = base.get(k);
    if (s) plan.state.set(k, s);
  }
  for (const [key, dbRow] of db) {
    if (parsed.rows.has(key) || parsed.duplicates.has(key)) continue;
    const prior = base.get(key);
    if (prior?.appended || !prior) {
      plan.appends.push({ tab: spec.name, key, values: { ...dbRow } });
      plan.state.set(key, { values: userValues(spec, dbRow), appended: true });
    } else if (!prior.removed) {
      plan.state.set(key, { values: prior.values, removed: true });
      plan.problems.push({
        tab: spec.name,
        key,
        message: `row ${key} was removed from the Sheet; it stays in the database and is not added back`,
      });
    } else {
      plan.state.set(key, prior);
    }
  }
  for (const [key, row] of parsed.rows) {
    const dbRow = db.get(key);
    const prior = base.get(key);
    if (!dbRow) {
      if (prior) plan.state.set(key, prior);
      if (importNewRows && !prior) importNewRow(spec, key, row.index, row.values, plan);
      else if (!importNewRows && !prior)
        plan.problems.push({
          tab: spec.name,
          row: row.index + 1,
          key,
          message: `${key} is not a scored job in the database; the row is left alone`,
        });
      continue;
    }
    mergeRow(spec, parsed, grid, key, row.index, row.values, dbRow, prior, plan);
  }
  return plan;
}

/** The database value `d` to write into a cell (a function, not a closure per cell: the merge visits every cell). */
function pushWrite(
  plan: TabPlan,
  spec: TabSpec,
  grid: Grid,
  key: string,
  col: ColumnSpec,
  row: number,
  at: number,
  d: string,
): void {
  plan.writes.push({
    tab: spec.name,
    key,
    field: col.field,
    row,
    col: at,
    expected: cellAt(grid, row, at),
    value: d,
  });
}

function mergeRow(
  spec: TabSpec,
  parsed: ParsedTab,
  grid: Grid,
  key: string,
  index: number,
  values: Map<string, Read>,
  dbRow: Record<string, string>,
  prior: RowState | undefined,
  plan: TabPlan,
): void {
  const base = prior && !prior.removed ? prior.values : undefined;
  const next: Record<string, string> = Object.create(null);
  const changes: Record<string, unknown> = {};
  for (const col of spec.columns) {
    const at = parsed.columns.get(col.field);
    const read = values.get(col.field);
    const b = base?.[col.field];
    if (at === undefined || !read) {
      if (b !== undefined) next[col.field] = b;
      continue;
    }
    if (col.owner === 'key') {
      next[col.field] = key;
      continue;
    }
    const d = dbRow[col.field] ?? '';
    if (col.owner === 'pipeline') {
      if (!read.ok || read.value !== d) pushWrite(plan, spec, grid, key, col, index, at, d);
      continue;
    }
    if (!read.ok) {
      plan.problems.push(cellProblem(spec, col, index, key, read.problem));
      if (b !== undefined) next[col.field] = b;
      continue;
    }
    const s = read.value;
    if (s === d) {
      next[col.field] = s;
    } else if (b !== undefined && s === b) {
      pushWrite(plan, spec, grid, key, col, index, at, d);
      next[col.field] = b;
    } else if (b !== undefined && d === b) {
      const problem = validate(col, s);
      if (problem) {
        plan.problems.push(cellProblem(spec, col, index, key, problem));
        next[col.field] = b;
      } else {
        changes[col.field] = toDb(col, s);
        next[col.field] = s;
      }
    } else {
      plan.conflicts.push({ tab: spec.name, key, column: col.header, sheet: s, db: d, base: b });
      if (b !== undefined) next[col.field] = b;
    }
  }
  plan.state.set(key, { values: next });
  if (Object.keys(changes).length)
    plan.imports.push({ tab: spec.name, key, isNew: false, row: index + 1, changes });
}

function importNewRow(
  spec: TabSpec,
  key: string,
  index: number,
  values: Map<string, Read>,
  plan: TabPlan,
): void {
  const changes: Record<string, unknown> = {};
  const next: Record<string, string> = Object.create(null);
  let bad = false;
  for (const col of spec.columns) {
    const read = values.get(col.field);
    if (!read) continue;
    if (!read.ok) {
      plan.problems.push(cellProblem(spec, col, index, key, read.problem));
      bad = true;
      continue;
    }
    if (col.owner === 'key') {
      next[col.field] = key;
      continue;
    }
    const problem = validate(col, read.value);
    if (problem) {
      plan.problems.push(cellProblem(spec, col, index, key, problem));
      bad = true;
      continue;
    }
    changes[col.field] = toDb(col, read.value);
    next[col.field] = read.value;
  }
  const missing = spec.columns.filter(
    (c) =>
      c.owner === 'user' &&
      c.def?.required &&
      c.def.default === undefined &&
      changes[c.field] === undefined,
  );
  for (const col of missing) {
    if (values.get(col.field)?.ok === false) continue;
    plan.problems.push(
      cellProblem(spec, col, index, key, `${col.header} is required for a new row`),
    );
    bad = true;
  }
  if (bad) return;
  plan.imports.push({ tab: spec.name, key, isNew: true, row: index + 1, changes });
  plan.state.set(key, { values: next });
}

/** Why a canonical value may not go into its field, by the schema's rules; undefined when it may. */
function validate(col: ColumnSpec, text: string): string | undefined {
  if (!col.def) return undefined;
  const value = toDb(col, text);
  if (value === undefined) return col.def.required ? `${col.header} cannot be empty` : undefined;
  const p = checkValue(col.field, col.def, value, projectSchema());
  return p ? `${col.header} ${p.message}` : undefined;
}

function cellProblem(
  spec: TabSpec,
  col: ColumnSpec,
  index: number,
  key: string,
  message: string,
): Problem {
  return {
    tab: spec.name,
    row: index + 1,
    column: col.header,
    key,
    message: `${message}; the cell is not synced until it is fixed`,
  };
}

/** The key and user columns' values of a row: what the sync state keeps. */
function userValues(spec: TabSpec, row: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const col of spec.columns)
    if (col.owner !== 'pipeline') out[col.field] = row[col.field] ?? '';
  return out;
}

/** The canonical database values of a row for a tab's columns. */
export function dbTexts(spec: TabSpec, item: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const col of spec.columns) out[col.field] = fromDb(col, item[col.field]);
  return out;
}
