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
}

export interface WriteBatch {
  /** Applied first, in order. */
  restores: Restore[];
  writes: PositionalWrite[];
  appends: Append[];
  /** The whole sync-state tab, rewritten. */
  state: Grid;
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
}

export interface SheetBackend {
  /** For messages: "Google Sheets <id>" or "workbook <path>". */
  readonly description: string;
  read(): Promise<Book>;
  write(batch: WriteBatch): Promise<WriteOutcome>;
  /** API calls made so far (a retried call counts once). */
  readonly calls: number;
}
