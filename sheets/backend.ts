/**
 * Where the CRM view lives: a Google spreadsheet or a local .xlsx workbook.
 * Both read every tab at once and apply a whole {@link WriteBatch} at once,
 * answering with the tabs as they were just before the batch applied (the
 * pre-image, to verify the writes against; the after-image follows from it
 * and the batch, see verify.ts).
 */
import type { Cell } from './cells.js';
import type { Grid } from './grid.js';

export interface Book {
  /** Tab title -> cells. */
  tabs: Map<string, Grid>;
  /**
   * Tab title -> the areas the sync may not write: protected ranges its
   * account cannot edit (a write there would fail the whole atomic batch).
   */
  locked?: Map<string, LockedArea[]>;
}

/** A rectangle of a tab: 0-based, end exclusive, undefined = unbounded on that side. */
export interface Area {
  startRow?: number;
  endRow?: number;
  startCol?: number;
  endCol?: number;
}

export interface LockedArea extends Area {
  /** Parts left editable inside it (unprotected ranges of a protected sheet). */
  except: Area[];
}

function inArea(a: Area, row: number, col: number): boolean {
  return (
    row >= (a.startRow ?? 0) &&
    row < (a.endRow ?? Number.POSITIVE_INFINITY) &&
    col >= (a.startCol ?? 0) &&
    col < (a.endCol ?? Number.POSITIVE_INFINITY)
  );
}

export function isLocked(
  areas: readonly LockedArea[] | undefined,
  row: number,
  col: number,
): boolean {
  return (areas ?? []).some(
    (a) => inArea(a, row, col) && !a.except.some((e) => inArea(e, row, col)),
  );
}

/**
 * Whether rows appended at `firstRow` (where the read says they will go)
 * would write a locked cell in one of `cols`. An estimate: should the rows
 * land elsewhere and meet a protected cell, the atomic batch fails instead.
 */
export function appendLocked(
  areas: readonly LockedArea[] | undefined,
  firstRow: number,
  rows: number,
  cols: readonly number[],
): boolean {
  if (!areas?.length) return false;
  for (let r = firstRow; r < firstRow + rows; r++)
    if (cols.some((c) => isLocked(areas, r, c))) return true;
  return false;
}

/** A cell put back to what it held before (a write that landed in the wrong place). */
export interface Restore {
  tab: string;
  row: number;
  col: number;
  /** The backend's own form of the original cell (keeps formulas), from a pre-image. */
  original: unknown;
  /** The cell's shown value once put back. */
  cell: Cell;
}

export interface PositionalWrite {
  tab: string;
  row: number;
  col: number;
  cell: Cell;
  /** Date cells get the date format. */
  date?: boolean;
}

export interface Append {
  tab: string;
  /** Cells by column index, in the header layout the rows were planned for. */
  rows: Array<Array<{ cell: Cell; date?: boolean }>>;
  /** The key column in that layout, and each row's key (how the backend finds where the rows went). */
  keyCol: number;
  keys: string[];
}

export interface WriteBatch {
  /** Applied first, in order. */
  restores: Restore[];
  writes: PositionalWrite[];
  appends: Append[];
  /** The whole sync-state tab as it is to be. */
  state: Grid;
  /** The state tab as the sync last saw it (read, or written by the first round): only rows that differ are sent. */
  stateBefore?: Grid;
  /** 1 for the sync's first write, 2 for a repair. */
  round: number;
}

export interface TabImage {
  grid: Grid;
  /** The backend's original form of each cell, for {@link Restore}. */
  originals: unknown[][];
}

export interface WriteOutcome {
  /** Tabs written positionally or appended to, just before the batch. */
  before: Map<string, TabImage>;
  /**
   * Per tab appended to: the 0-based row each appended row landed on, in
   * order. The backend says where ("after the last row with data" is the
   * API's rule, and what it counts as data is its own), never the sync.
   */
  appendedAt: Map<string, number[]>;
}

export interface SheetBackend {
  /** For messages: "Google Sheets <id>" or "workbook <path>". */
  readonly description: string;
  read(): Promise<Book>;
  write(batch: WriteBatch): Promise<WriteOutcome>;
  /** API calls made so far (a retried call counts once). */
  readonly calls: number;
}
