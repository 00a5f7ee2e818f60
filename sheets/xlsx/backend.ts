/**
 * The CRM view in a local .xlsx workbook (exceljs), for running without
 * Google credentials: the same tabs, the same keyed three-way merge, the same
 * sync state (a hidden sheet). The file is created with its tabs on first use.
 *
 * A write re-reads the file first: that fresh copy is the pre-image the sync
 * verifies against, so edits saved from Excel between the read and the write
 * are seen, never overwritten. The new file replaces the old one atomically
 * (write to a temporary file, then rename); the previous version is kept
 * beside it as `<name>.before-sync.xlsx`.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Book, SheetBackend, TabImage, WriteBatch, WriteOutcome } from '../backend.js';
import type { Cell } from '../cells.js';
import { type Grid, lastDataRow } from '../grid.js';
import { STATE_TAB } from '../layout.js';
import { addMissingTabs } from './layout.js';

type Workbook = ExcelJS.Workbook;
type Worksheet = ExcelJS.Worksheet;

/** A cell's shown value: formulas give their cached result, rich text its text, dates their serial. */
export function cellOf(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  if (value instanceof Date) return value.getTime() / 86_400_000 + 25_569;
  if (typeof value === 'object') {
    if ('result' in value) return cellOf((value as { result?: ExcelJS.CellValue }).result ?? null);
    if ('richText' in value)
      return (value as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join('');
    if ('text' in value) return cellOf((value as { text: ExcelJS.CellValue }).text);
    if ('error' in value) return `#ERROR ${(value as ExcelJS.CellErrorValue).error}`;
  }
  return String(value);
}

function gridOf(ws: Worksheet | undefined, originals?: unknown[][]): Grid {
  const grid: Grid = [];
  if (!ws) return grid;
  ws.eachRow({ includeEmpty: false }, (row, r) => {
    const cells: Cell[] = [];
    grid[r - 1] = cells;
    const raw: unknown[] | undefined = originals ? [] : undefined;
    if (originals && raw) originals[r - 1] = raw;
    row.eachCell({ includeEmpty: false }, (cell, c) => {
      cells[c - 1] = cellOf(cell.value);
      if (raw) raw[c - 1] = cell.value;
    });
  });
  for (let r = 0; r < grid.length; r++) {
    grid[r] ??= [];
    for (let c = 0; c < grid[r]!.length; c++) grid[r]![c] ??= null;
  }
  return grid;
}

export class XlsxBackend implements SheetBackend {
  readonly description: string;
  calls = 0;

  constructor(readonly path: string) {
    this.description = `workbook ${path}`;
  }

  private async load(): Promise<Workbook> {
    const wb = new ExcelJS.Workbook();
    if (existsSync(this.path)) {
      try {
        await wb.xlsx.readFile(this.path);
      } catch (err) {
        throw new Error(
          `cannot read the workbook ${this.path}: ${(err as Error).message}. Is it an .xlsx file? Move it aside to start a new one.`,
        );
      }
    }
    addMissingTabs(wb);
    return wb;
  }

  async read(): Promise<Book> {
    this.calls++;
    const wb = await this.load();
    const tabs = new Map<string, Grid>();
    wb.eachSheet((ws) => tabs.set(ws.name, gridOf(ws)));
    return { tabs };
  }

  async write(batch: WriteBatch): Promise<WriteOutcome> {
    this.calls++;
    const wb = await this.load();
    const touched = new Set(
      [...batch.restores, ...batch.writes]
        .map((w) => w.tab)
        .concat(batch.appends.map((a) => a.tab)),
    );
    const before = new Map<string, TabImage>();
    for (const tab of touched) {
      const originals: unknown[][] = [];
      before.set(tab, { grid: gridOf(wb.getWorksheet(tab), originals), originals });
    }
    for (const r of batch.restores)
      sheet(wb, r.tab).getCell(r.row + 1, r.col + 1).value = (r.original ??
        null) as ExcelJS.CellValue;
    for (const w of batch.writes) setCell(sheet(wb, w.tab), w.row, w.col, w.cell, w.date);
    const appendedAt = new Map<string, number[]>();
    for (const a of batch.appends) {
      const ws = sheet(wb, a.tab);
      let at = lastDataRow(gridOf(ws)) + 1;
      const rows: number[] = [];
      for (const cells of a.rows) {
        cells.forEach((c, col) => {
          setCell(ws, at, col, c.cell, c.date);
        });
        rows.push(at++);
      }
      appendedAt.set(a.tab, rows);
    }
    writeState(wb, batch.state);
    await this.save(wb);
    return { before, appendedAt };
  }

  async save(wb: Workbook): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    try {
      await wb.xlsx.writeFile(tmp);
      if (existsSync(this.path))
        copyFileSync(this.path, this.path.replace(/\.xlsx$/i, '') + '.before-sync.xlsx');
      renameSync(tmp, this.path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw new Error(
        `cannot save the workbook ${this.path}: ${(err as Error).message}. If it is open in Excel, close it and run the sync again (nothing was changed).`,
      );
    }
  }
}

function sheet(wb: Workbook, name: string): Worksheet {
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`the workbook has no sheet ${name}`);
  return ws;
}

function setCell(ws: Worksheet, row: number, col: number, cell: Cell, date?: boolean): void {
  const c = ws.getCell(row + 1, col + 1);
  c.value = cell;
  if (date && typeof cell === 'number') c.numFmt = 'yyyy-mm-dd';
}

function writeState(wb: Workbook, state: Grid): void {
  const old = wb.getWorksheet(STATE_TAB);
  if (old) wb.removeWorksheet(old.id);
  const ws = wb.addWorksheet(STATE_TAB, { state: 'hidden' });
  for (const row of state) ws.addRow(row);
}
