/**
 * The spreadsheet as a {@link SheetBackend}: one spreadsheets.get for the
 * read, one spreadsheets.batchUpdate for each write.
 *
 * The batchUpdate is atomic (all requests apply or none). It starts by
 * duplicating each tab it writes into a hidden snapshot tab, so the response
 * (includeSpreadsheetInResponse) holds the tab exactly as the writes found
 * it, whatever the user did since the read: the sync verifies every write
 * against that pre-image (sync.ts) and puts back any cell a write should not
 * have touched. The snapshots stay until the next sync, as "the tabs before
 * the last sync".
 */

import type { Book, SheetBackend, TabImage, WriteBatch, WriteOutcome } from '../backend.js';
import type { Cell } from '../cells.js';
import { type Grid, rowAt } from '../grid.js';
import { SNAPSHOT_PREFIX, STATE_TAB } from '../layout.js';
import type { SheetsApi } from './api.js';

/** Google Sheets' limit of cells per spreadsheet (all tabs, whole grids). */
export const CELL_LIMIT = 10_000_000;

interface ExtendedValue {
  stringValue?: string;
  numberValue?: number;
  boolValue?: boolean;
  formulaValue?: string;
  errorValue?: { type?: string; message?: string };
}
interface CellData {
  userEnteredValue?: ExtendedValue;
  effectiveValue?: ExtendedValue;
  userEnteredFormat?: unknown;
}
interface GridData {
  startRow?: number;
  startColumn?: number;
  rowData?: Array<{ values?: CellData[] }>;
}
export interface SheetProperties {
  sheetId: number;
  title: string;
  index?: number;
  hidden?: boolean;
  gridProperties?: { rowCount?: number; columnCount?: number; frozenRowCount?: number };
}
interface Sheet {
  properties: SheetProperties;
  data?: GridData[];
}
export interface Spreadsheet {
  spreadsheetId?: string;
  sheets?: Sheet[];
}

const GRID_FIELDS =
  'sheets(properties(sheetId,title,index,hidden,gridProperties(rowCount,columnCount,frozenRowCount)),data(startRow,startColumn,rowData(values(effectiveValue))))';
const RESPONSE_FIELDS =
  'updatedSpreadsheet(sheets(properties(sheetId,title,index,hidden,gridProperties(rowCount,columnCount,frozenRowCount)),data(startRow,startColumn,rowData(values(userEnteredValue,effectiveValue)))))';

function toCell(v: ExtendedValue | undefined): Cell {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.numberValue !== undefined) return v.numberValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.errorValue) return `#ERROR ${v.errorValue.type ?? ''}`.trim();
  return null;
}

export function extendedValue(cell: Cell): ExtendedValue | undefined {
  if (cell === null) return undefined;
  if (typeof cell === 'number') return { numberValue: cell };
  if (typeof cell === 'boolean') return { boolValue: cell };
  // Always a string value: text from the database or a sheet cell never becomes a formula.
  return { stringValue: cell };
}

/** A tab's grid from its GridData (values as shown: effectiveValue). */
function gridOf(sheet: Sheet, originals?: unknown[][]): Grid {
  const grid: Grid = [];
  for (const data of sheet.data ?? []) {
    const r0 = data.startRow ?? 0;
    const c0 = data.startColumn ?? 0;
    (data.rowData ?? []).forEach((row, i) => {
      const cells = rowAt(grid, r0 + i);
      const raw = originals ? rowAt(originals, r0 + i) : undefined;
      (row?.values ?? []).forEach((cd, j) => {
        cells[c0 + j] = toCell(cd.effectiveValue);
        if (raw) raw[c0 + j] = cd.userEnteredValue;
      });
    });
  }
  for (let r = 0; r < grid.length; r++) {
    grid[r] ??= [];
    for (let c = 0; c < grid[r]!.length; c++) grid[r]![c] ??= null;
  }
  return grid;
}

function quoted(title: string): string {
  return `'${title.replace(/'/g, "''")}'`;
}

const DATE_FORMAT = { numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' } };

export class GoogleSheetsBackend implements SheetBackend {
  readonly description: string;
  private sheets = new Map<string, SheetProperties>();

  constructor(
    readonly api: SheetsApi,
    readonly spreadsheetId: string,
  ) {
    this.description = `Google Sheets spreadsheet ${spreadsheetId}`;
  }

  get calls(): number {
    return this.api.calls;
  }

  private path(suffix = ''): string {
    return `v4/spreadsheets/${encodeURIComponent(this.spreadsheetId)}${suffix}`;
  }

  /** The tabs' properties as of the last call. */
  properties(): Map<string, SheetProperties> {
    return this.sheets;
  }

  async read(): Promise<Book> {
    const doc = await this.api.call<Spreadsheet>('spreadsheets.get', 'GET', this.path(), [
      ['includeGridData', 'true'],
      ['fields', GRID_FIELDS],
    ]);
    this.remember(doc);
    const tabs = new Map<string, Grid>();
    for (const s of doc.sheets ?? []) tabs.set(s.properties.title, gridOf(s));
    return { tabs };
  }

  private remember(doc: Spreadsheet): void {
    this.sheets = new Map((doc.sheets ?? []).map((s) => [s.properties.title, s.properties]));
  }

  private sheetId(tab: string): number {
    const p = this.sheets.get(tab);
    if (!p) throw new Error(`tab ${tab} is not in the spreadsheet`);
    return p.sheetId;
  }

  private freeSheetId(taken: Set<number>): number {
    for (let id = 1_000_000_001; ; id++) if (!taken.has(id)) return id;
  }

  /** Cells in the spreadsheet after the batch, counting whole grids as Google does. */
  cellsAfter(batch: WriteBatch, snapshotTabs: string[], dropped: string[]): number {
    const size = (p: SheetProperties | undefined) =>
      (p?.gridProperties?.rowCount ?? 0) * (p?.gridProperties?.columnCount ?? 0);
    let total = 0;
    for (const p of this.sheets.values()) total += size(p);
    for (const t of dropped) total -= size(this.sheets.get(t));
    for (const t of snapshotTabs) total += size(this.sheets.get(t));
    for (const a of batch.appends) {
      const p = this.sheets.get(a.tab);
      const cols = p?.gridProperties?.columnCount ?? 0;
      total += a.rows.length * cols;
    }
    const state = this.sheets.get(STATE_TAB);
    total += batch.state.length * 3 - size(state);
    return total;
  }

  async write(batch: WriteBatch): Promise<WriteOutcome> {
    const written = [
      ...new Set(
        [...batch.restores, ...batch.writes]
          .map((w) => w.tab)
          .concat(batch.appends.map((a) => a.tab)),
      ),
    ];
    const requests: unknown[] = [];
    const taken = new Set([...this.sheets.values()].map((p) => p.sheetId));
    const dropped =
      batch.round === 1 ? [...this.sheets.keys()].filter((t) => t.startsWith(SNAPSHOT_PREFIX)) : [];
    for (const t of dropped) requests.push({ deleteSheet: { sheetId: this.sheetId(t) } });
    const snapshotOf = new Map<string, string>();
    for (const tab of written) {
      const name = `${SNAPSHOT_PREFIX}.${tab}.${batch.round}`;
      if (this.sheets.has(name) && !dropped.includes(name))
        requests.push({ deleteSheet: { sheetId: this.sheetId(name) } });
      const id = this.freeSheetId(taken);
      taken.add(id);
      snapshotOf.set(tab, name);
      requests.push(
        {
          duplicateSheet: {
            sourceSheetId: this.sheetId(tab),
            insertSheetIndex: this.sheets.size + 10,
            newSheetId: id,
            newSheetName: name,
          },
        },
        { updateSheetProperties: { properties: { sheetId: id, hidden: true }, fields: 'hidden' } },
      );
    }
    const limit = this.cellsAfter(batch, written, dropped);
    if (limit > CELL_LIMIT)
      throw new Error(
        `the write would take the spreadsheet to ${limit.toLocaleString('en')} cells, over Google Sheets' limit of ${CELL_LIMIT.toLocaleString('en')}; nothing was written. Delete unused tabs or rows (or old rows of jobs) and run the sync again.`,
      );
    for (const r of batch.restores)
      requests.push(
        updateCell(
          this.sheetId(r.tab),
          r.row,
          r.col,
          r.original === undefined || r.original === null
            ? {}
            : { userEnteredValue: r.original as ExtendedValue },
        ),
      );
    for (const w of batch.writes) {
      const value = extendedValue(w.cell);
      requests.push(
        updateCell(this.sheetId(w.tab), w.row, w.col, value ? { userEnteredValue: value } : {}),
      );
    }
    for (const a of batch.appends) {
      requests.push({
        appendCells: {
          sheetId: this.sheetId(a.tab),
          rows: a.rows.map((cells) => ({
            values: cells.map((c) => {
              const value = extendedValue(c.cell);
              return {
                ...(value ? { userEnteredValue: value } : {}),
                ...(c.date ? { userEnteredFormat: DATE_FORMAT } : {}),
              };
            }),
          })),
          fields: 'userEnteredValue,userEnteredFormat.numberFormat',
        },
      });
    }
    requests.push(...this.stateRequests(batch.state, taken));
    const doc = await this.api.call<{ updatedSpreadsheet?: Spreadsheet }>(
      'spreadsheets.batchUpdate',
      'POST',
      this.path(':batchUpdate'),
      [['fields', RESPONSE_FIELDS]],
      {
        requests,
        includeSpreadsheetInResponse: true,
        responseIncludeGridData: true,
        responseRanges: [...snapshotOf.values()].map(quoted),
      },
    );
    const updated = doc.updatedSpreadsheet ?? {};
    const byTitle = new Map((updated.sheets ?? []).map((s) => [s.properties.title, s]));
    // The response lists every tab's properties but grid data only of the ranges asked for.
    this.remember(updated);
    const before = new Map<string, TabImage>();
    for (const tab of written) {
      const snap = byTitle.get(snapshotOf.get(tab)!);
      if (!snap)
        throw new Error(
          `the batchUpdate response has no grid data for ${tab}; cannot verify the write`,
        );
      const originals: unknown[][] = [];
      before.set(tab, { grid: gridOf(snap, originals), originals });
    }
    return { before };
  }

  private stateRequests(state: Grid, taken: Set<number>): unknown[] {
    const rows = state.map((r) => ({
      values: r.map((c) => {
        const v = extendedValue(c);
        return v ? { userEnteredValue: v } : {};
      }),
    }));
    const existing = this.sheets.get(STATE_TAB);
    const out: unknown[] = [];
    let sheetId: number;
    if (existing) sheetId = existing.sheetId;
    else {
      sheetId = this.freeSheetId(taken);
      taken.add(sheetId);
      out.push({
        addSheet: {
          properties: {
            sheetId,
            title: STATE_TAB,
            hidden: true,
            gridProperties: { rowCount: state.length, columnCount: 3 },
          },
        },
      });
    }
    out.push(
      {
        updateSheetProperties: {
          properties: { sheetId, gridProperties: { rowCount: state.length, columnCount: 3 } },
          fields: 'gridProperties(rowCount,columnCount)',
        },
      },
      { updateCells: { range: { sheetId }, rows, fields: 'userEnteredValue' } },
    );
    return out;
  }
}

function updateCell(sheetId: number, row: number, col: number, cell: CellData): unknown {
  return {
    updateCells: {
      range: {
        sheetId,
        startRowIndex: row,
        endRowIndex: row + 1,
        startColumnIndex: col,
        endColumnIndex: col + 1,
      },
      rows: [{ values: [cell] }],
      fields: 'userEnteredValue',
    },
  };
}
