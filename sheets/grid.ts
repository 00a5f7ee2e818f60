/**
 * Reading a tab's cells as keyed rows. Row 1 is the header; columns are found
 * by their header text wherever they are, rows by the key column's value
 * wherever they are. Columns the user added are ignored, blank rows skipped.
 * Whatever cannot be read safely (no key column, a duplicate key, a row with
 * data but no key) is reported with tab, row and column and left alone.
 */
import { type Cell, type Read, readCell } from './cells.js';
import { type ColumnSpec, headerKey, keyColumn, type TabSpec } from './layout.js';

/** A tab's values, row-major; row 0 is the header row. Ragged rows are fine. */
export type Grid = Cell[][];

export interface Problem {
  tab: string;
  /** The sheet row (1-based, as the user sees it). */
  row?: number;
  column?: string;
  key?: string;
  message: string;
}

export interface TabRow {
  key: string;
  /** 0-based row index in the grid. */
  index: number;
  /** Canonical values (or why not) of the tab's columns that are present. */
  values: Map<string, Read>;
}

export interface ParsedTab {
  spec: TabSpec;
  /** False when the tab does not exist, or its key column cannot be found: nothing of it is synced. */
  usable: boolean;
  /** field -> 0-based column index, for the tab's columns found exactly once in the header. */
  columns: Map<string, number>;
  rows: Map<string, TabRow>;
  /** Keys on more than one row: those rows are neither imported nor written. */
  duplicates: Set<string>;
  /** 0-based index of the last row holding any value (0 when only the header). */
  lastDataRow: number;
  problems: Problem[];
}

/** Row `i` of a ragged array of rows, created when missing. */
export function rowAt<T>(rows: T[][], i: number): T[] {
  let row = rows[i];
  if (!row) {
    row = [];
    rows[i] = row;
  }
  return row;
}

export function cellAt(grid: Grid, row: number, col: number): Cell {
  return grid[row]?.[col] ?? null;
}

function isBlank(cell: Cell): boolean {
  return cell === null || (typeof cell === 'string' && cell.trim() === '');
}

function keyText(cell: Cell): string {
  return isBlank(cell) ? '' : String(cell).trim();
}

/** Finds the tab's columns in the header row by name. */
function findColumns(spec: TabSpec, header: Cell[], problems: Problem[]): Map<string, number> {
  const positions = new Map<string, number[]>();
  header.forEach((cell, i) => {
    if (isBlank(cell)) return;
    const k = headerKey(String(cell));
    positions.set(k, [...(positions.get(k) ?? []), i]);
  });
  const columns = new Map<string, number>();
  for (const col of spec.columns) {
    const at = positions.get(headerKey(col.header)) ?? [];
    if (at.length === 1) columns.set(col.field, at[0]!);
    else if (at.length > 1)
      problems.push({
        tab: spec.name,
        row: 1,
        column: col.header,
        message: `the header "${col.header}" is in ${at.length} columns; rename all but one (the column is not synced until then)`,
      });
    else if (col.owner !== 'key')
      problems.push({
        tab: spec.name,
        row: 1,
        column: col.header,
        message: `no column "${col.header}" in row 1; it is not synced until the header is back (run "mcfpipe sheets init" to add it)`,
      });
  }
  return columns;
}

export function lastDataRow(grid: Grid): number {
  for (let r = grid.length - 1; r > 0; r--) if (grid[r]?.some((c) => !isBlank(c))) return r;
  return 0;
}

/** Reads a tab; `grid` undefined means the tab does not exist. */
export function parseTab(spec: TabSpec, grid: Grid | undefined): ParsedTab {
  const problems: Problem[] = [];
  const empty: ParsedTab = {
    spec,
    usable: false,
    columns: new Map(),
    rows: new Map(),
    duplicates: new Set(),
    lastDataRow: 0,
    problems,
  };
  if (!grid) {
    problems.push({
      tab: spec.name,
      message: `no tab "${spec.name}"; run "mcfpipe sheets init" to create it`,
    });
    return empty;
  }
  const key = keyColumn(spec);
  const columns = findColumns(spec, grid[0] ?? [], problems);
  const keyAt = columns.get(key.field);
  if (keyAt === undefined) {
    problems.push({
      tab: spec.name,
      row: 1,
      column: key.header,
      message: `the key column "${key.header}" is missing or renamed in row 1; nothing in this tab is synced until it is back (rows are matched by it)`,
    });
    return { ...empty, columns };
  }
  const found = new Map<string, number[]>();
  const last = lastDataRow(grid);
  for (let r = 1; r <= last; r++) {
    const row = grid[r] ?? [];
    const k = keyText(row[keyAt] ?? null);
    if (k) found.set(k, [...(found.get(k) ?? []), r]);
    else if ([...columns.values()].some((c) => !isBlank(row[c] ?? null)))
      problems.push({
        tab: spec.name,
        row: r + 1,
        column: key.header,
        message: `row ${r + 1} has values but no ${key.header}; it is not synced`,
      });
  }
  const rows = new Map<string, TabRow>();
  const duplicates = new Set<string>();
  for (const [k, at] of found) {
    if (at.length > 1) {
      duplicates.add(k);
      problems.push({
        tab: spec.name,
        row: at[0]! + 1,
        column: key.header,
        key: k,
        message: `${key.header} ${JSON.stringify(k)} is on rows ${at.map((r) => r + 1).join(', ')}; none of them is synced until only one is left`,
      });
      continue;
    }
    const index = at[0]!;
    const values = new Map<string, Read>();
    for (const col of spec.columns) {
      const c = columns.get(col.field);
      if (c !== undefined) values.set(col.field, readValue(col, cellAt(grid, index, c)));
    }
    rows.set(k, { key: k, index, values });
  }
  return { spec, usable: true, columns, rows, duplicates, lastDataRow: last, problems };
}

function readValue(col: ColumnSpec, cell: Cell): Read {
  return col.owner === 'key' ? { ok: true, value: keyText(cell) } : readCell(col, cell);
}
