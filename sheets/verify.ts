/**
 * Checks a write against the pre-image (the tabs exactly as the write found
 * them) and plans the undo of every write that landed somewhere the plan did
 * not mean: a cell whose row, column or own value was no longer what the plan
 * was made from (the user sorted, filtered, inserted, deleted or moved rows or
 * columns, or edited the cell, between the read and the write).
 */

import type { Restore, WriteBatch, WriteOutcome } from './backend.js';
import type { Cell } from './cells.js';
import { cellAt, type Grid, rowAt } from './grid.js';

export interface Misplaced {
  tab: string;
  row: number;
  col: number;
  /** What the cell held before the write. */
  before: Cell;
}

export interface Verdict {
  ok: boolean;
  misplaced: Misplaced[];
  /** Undo of the misplaced writes, to apply to the after-image. */
  restores: Restore[];
}

/**
 * `expected`: the tabs as the plan assumed them right before the batch;
 * `keyCols`: the key column of each tab in that layout.
 */
export function verifyWrite(
  batch: WriteBatch,
  expected: Map<string, Grid>,
  keyCols: Map<string, number>,
  outcome: WriteOutcome,
): Verdict {
  const { before, appendedAt } = outcome;
  const misplaced: Misplaced[] = [];
  const restores: Restore[] = [];
  const seen = new Set<string>();
  const positional = [...batch.restores, ...batch.writes].map((w) => ({
    tab: w.tab,
    row: w.row,
    col: w.col,
  }));
  for (const w of positional) {
    const pre = before.get(w.tab);
    const plan = expected.get(w.tab);
    if (!pre || !plan) continue;
    const keyCol = keyCols.get(w.tab);
    const same =
      sameCell(cellAt(pre.grid, w.row, w.col), cellAt(plan, w.row, w.col)) &&
      sameCell(cellAt(pre.grid, 0, w.col), cellAt(plan, 0, w.col)) &&
      (keyCol === undefined ||
        sameCell(cellAt(pre.grid, w.row, keyCol), cellAt(plan, w.row, keyCol)));
    const id = `${w.tab}\u0000${w.row}\u0000${w.col}`;
    if (same || seen.has(id)) continue;
    seen.add(id);
    misplaced.push({ tab: w.tab, row: w.row, col: w.col, before: cellAt(pre.grid, w.row, w.col) });
    restores.push({
      tab: w.tab,
      row: w.row,
      col: w.col,
      original: pre.originals[w.row]?.[w.col] ?? null,
      cell: cellAt(pre.grid, w.row, w.col),
    });
  }
  for (const a of batch.appends) {
    const pre = before.get(a.tab);
    const plan = expected.get(a.tab);
    if (!pre || !plan) continue;
    const width = Math.max(0, ...a.rows.map((r) => r.length));
    let layoutSame = true;
    for (let c = 0; c < width; c++)
      if (!sameCell(cellAt(pre.grid, 0, c), cellAt(plan, 0, c))) layoutSame = false;
    if (layoutSame) continue;
    // The columns moved under the new rows: empty them (they did not exist before the write).
    const rows = appendedAt.get(a.tab) ?? [];
    a.rows.forEach((cells, i) => {
      const row = rows[i]!;
      cells.forEach((c, col) => {
        if (c.cell === null) return;
        misplaced.push({ tab: a.tab, row, col, before: null });
        restores.push({ tab: a.tab, row, col, original: null, cell: null });
      });
    });
  }
  return { ok: misplaced.length === 0, misplaced, restores };
}

export function sameCell(a: Cell, b: Cell): boolean {
  const blank = (c: Cell) => c === null || c === '';
  if (blank(a) && blank(b)) return true;
  return a === b;
}

/**
 * A tab after the batch, from its pre-image: restores and writes where they
 * were sent, then the appended rows where the backend says they landed.
 */
export function afterImage(
  before: Grid,
  batch: WriteBatch,
  tab: string,
  appendedAt: Map<string, number[]>,
): Grid {
  const grid = before.map((r) => [...r]);
  for (const w of [...batch.restores, ...batch.writes])
    if (w.tab === tab) rowAt(grid, w.row)[w.col] = w.cell;
  for (const a of batch.appends) {
    if (a.tab !== tab) continue;
    const rows = appendedAt.get(tab) ?? [];
    a.rows.forEach((cells, i) => {
      const row = rowAt(grid, rows[i]!);
      cells.forEach((c, col) => {
        row[col] = c.cell;
      });
    });
  }
  for (let r = 0; r < grid.length; r++) {
    const row = rowAt(grid, r);
    for (let c = 0; c < row.length; c++) row[c] ??= null;
  }
  return grid;
}
