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
 *
 * What the API decides is asked, not assumed: where appendCells put the new
 * rows (the response also carries the key column of each tab appended to),
 * and, when a batchUpdate's answer is lost (a network error or a 5xx after
 * Google applied it, then a retry refused because its snapshot tab exists),
 * whether the batch was applied: its snapshot tabs carry ids chosen at
 * random for this batch, so finding them proves it, and the pre-image is
 * read from them.
 */
import { randomInt } from 'node:crypto';
import type {
  Append,
  Book,
  LockedArea,
  SheetBackend,
  TabImage,
  WriteBatch,
  WriteOutcome,
} from '../backend.js';
import type { Cell } from '../cells.js';
import { type Grid, rowAt } from '../grid.js';
import { SNAPSHOT_PREFIX, STATE_TAB } from '../layout.js';
import { sameCell } from '../verify.js';
import { columnRange, quoteTitle } from './a1.js';
import type { SheetsApi } from './api.js';

/** Google Sheets' limit of cells per spreadsheet (all tabs, whole grids). */
export const CELL_LIMIT = 10_000_000;

/** The warning shown when someone edits the hidden sync-state tab. */
export const STATE_PROTECTION =
  'mcfpipe: the last synced values; editing them makes the next sync see changes that were not made';

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
interface GridRange {
  sheetId?: number;
  startRowIndex?: number;
  endRowIndex?: number;
  startColumnIndex?: number;
  endColumnIndex?: number;
}
interface ProtectedRange {
  range?: GridRange;
  namedRangeId?: string;
  unprotectedRanges?: GridRange[];
  warningOnly?: boolean;
  requestingUserCanEdit?: boolean;
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
  protectedRanges?: ProtectedRange[];
}
export interface Spreadsheet {
  spreadsheetId?: string;
  sheets?: Sheet[];
  namedRanges?: Array<{ namedRangeId?: string; range?: GridRange }>;
}

const PROPERTIES =
  'properties(sheetId,title,index,hidden,gridProperties(rowCount,columnCount,frozenRowCount))';
const READ_FIELDS = `namedRanges(namedRangeId,range),sheets(${PROPERTIES},protectedRanges(range,namedRangeId,unprotectedRanges,warningOnly,requestingUserCanEdit),data(startRow,startColumn,rowData(values(effectiveValue))))`;
/** The tabs as a write found them: values as shown, and as entered (formulas), to put back. */
const IMAGE_FIELDS = `sheets(${PROPERTIES},data(startRow,startColumn,rowData(values(userEnteredValue,effectiveValue))))`;

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

/** A tab's grid from its GridData (values as shown: effectiveValue), each GridData at its start. */
function gridOf(data: GridData[] | undefined, originals?: unknown[][]): Grid {
  const grid: Grid = [];
  for (const d of data ?? []) {
    const r0 = d.startRow ?? 0;
    const c0 = d.startColumn ?? 0;
    (d.rowData ?? []).forEach((row, i) => {
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

function area(g: GridRange): LockedArea['except'][number] {
  return {
    ...(g.startRowIndex !== undefined ? { startRow: g.startRowIndex } : {}),
    ...(g.endRowIndex !== undefined ? { endRow: g.endRowIndex } : {}),
    ...(g.startColumnIndex !== undefined ? { startCol: g.startColumnIndex } : {}),
    ...(g.endColumnIndex !== undefined ? { endCol: g.endColumnIndex } : {}),
  };
}

/** The protected ranges of each tab that the requesting account may not edit. */
function lockedAreas(doc: Spreadsheet): Map<string, LockedArea[]> {
  const named = new Map((doc.namedRanges ?? []).map((n) => [n.namedRangeId, n.range]));
  const out = new Map<string, LockedArea[]>();
  for (const s of doc.sheets ?? []) {
    const areas: LockedArea[] = [];
    for (const p of s.protectedRanges ?? []) {
      if (p.warningOnly || p.requestingUserCanEdit !== false) continue;
      const range = p.range ?? named.get(p.namedRangeId) ?? {};
      areas.push({ ...area(range), except: (p.unprotectedRanges ?? []).map(area) });
    }
    if (areas.length) out.set(s.properties.title, areas);
  }
  return out;
}

const DATE_FORMAT = { numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' } };

/** sheetIds of the snapshot tabs: chosen at random per batch, so a batch can be recognised by them. */
const SNAPSHOT_ID_MIN = 1_000_000_000;
const SNAPSHOT_ID_MAX = 2_147_483_647;

export class GoogleSheetsBackend implements SheetBackend {
  readonly description: string;
  private sheets = new Map<string, SheetProperties>();

  constructor(
    readonly api: SheetsApi,
    readonly spreadsheetId: string,
    private readonly pickId: (taken: Set<number>) => number = randomFreeId,
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
      ['fields', READ_FIELDS],
    ]);
    this.sheets = new Map((doc.sheets ?? []).map((s) => [s.properties.title, s.properties]));
    const tabs = new Map<string, Grid>();
    for (const s of doc.sheets ?? []) tabs.set(s.properties.title, gridOf(s.data));
    return { tabs, locked: lockedAreas(doc) };
  }

  private sheetId(tab: string): number {
    const p = this.sheets.get(tab);
    if (!p) throw new Error(`tab ${tab} is not in the spreadsheet`);
    return p.sheetId;
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
    // Sheets in the spreadsheet as the batch goes: a new one is inserted at the end (an index
    // past the end is not one Google documents).
    let count = this.sheets.size - dropped.length;
    const snapshots = new Map<string, { title: string; id: number }>();
    for (const tab of written) {
      const title = `${SNAPSHOT_PREFIX}.${tab}.${batch.round}`;
      if (this.sheets.has(title) && !dropped.includes(title)) {
        requests.push({ deleteSheet: { sheetId: this.sheetId(title) } });
        dropped.push(title);
        count--;
      }
      const id = this.pickId(taken);
      taken.add(id);
      snapshots.set(tab, { title, id });
      requests.push(
        {
          duplicateSheet: {
            sourceSheetId: this.sheetId(tab),
            insertSheetIndex: count++,
            newSheetId: id,
            newSheetName: title,
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
    const stateId = this.sheets.get(STATE_TAB)?.sheetId ?? this.pickId(taken);
    taken.add(stateId);
    requests.push(...this.stateRequests(batch.state, stateId, batch.stateBefore));
    const ranges = [
      ...[...snapshots.values()].map((s) => quoteTitle(s.title)),
      ...batch.appends.map((a) => columnRange(a.tab, a.keyCol)),
    ];
    let updated: Spreadsheet;
    try {
      const doc = await this.api.call<{ updatedSpreadsheet?: Spreadsheet }>(
        'spreadsheets.batchUpdate',
        'POST',
        this.path(':batchUpdate'),
        [['fields', `updatedSpreadsheet(${IMAGE_FIELDS})`]],
        {
          requests,
          includeSpreadsheetInResponse: true,
          // Ignored by Google when a fields mask is set (the mask asks for the data); kept for clarity.
          responseIncludeGridData: true,
          responseRanges: ranges,
        },
      );
      updated = doc.updatedSpreadsheet ?? {};
    } catch (err) {
      updated = await this.appliedAnyway(err, [...snapshots.values()], ranges);
    }
    this.remember(updated, dropped, STATE_TAB, stateId, batch.state.length);
    // The response lists the sheets of the ranges asked for, each with one GridData per range.
    const byTitle = new Map((updated.sheets ?? []).map((s) => [s.properties.title, s]));
    const before = new Map<string, TabImage>();
    for (const tab of written) {
      const snap = byTitle.get(snapshots.get(tab)!.title);
      if (!snap)
        throw new Error(
          `the batchUpdate response has no grid data for ${tab}; cannot verify the write`,
        );
      const originals: unknown[][] = [];
      before.set(tab, { grid: gridOf(snap.data, originals), originals });
    }
    const appendedAt = new Map<string, number[]>();
    for (const a of batch.appends) {
      const keyColumn = gridOf(byTitle.get(a.tab)?.data);
      appendedAt.set(a.tab, locateAppended(batch, a, keyColumn, before.get(a.tab)!));
    }
    return { before, appendedAt };
  }

  /**
   * The batchUpdate failed, or its answer was lost. It was applied anyway if
   * its snapshot tabs (ids chosen for this batch) exist: then the tabs as the
   * batch found them are read from them. Else the error stands.
   */
  private async appliedAnyway(
    err: unknown,
    snapshots: Array<{ title: string; id: number }>,
    ranges: string[],
  ): Promise<Spreadsheet> {
    if (!snapshots.length) throw err;
    let doc: Spreadsheet;
    try {
      doc = await this.api.call<Spreadsheet>('spreadsheets.get', 'GET', this.path(), [
        ['fields', 'sheets.properties(sheetId,title)'],
      ]);
    } catch (checkErr) {
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\nWhether the write was applied could not be checked (${checkErr instanceof Error ? checkErr.message : String(checkErr)}). If it was, the hidden tabs "${snapshots.map((s) => s.title).join('", "')}" hold the tabs as the write found them. Run the sync again.`,
        { cause: err },
      );
    }
    const ids = new Map((doc.sheets ?? []).map((s) => [s.properties.title, s.properties.sheetId]));
    if (!snapshots.every((s) => ids.get(s.title) === s.id)) throw err;
    return this.api.call<Spreadsheet>('spreadsheets.get', 'GET', this.path(), [
      ...ranges.map((r): [string, string] => ['ranges', r]),
      ['fields', IMAGE_FIELDS],
    ]);
  }

  /** The tabs' properties after a batch: the response has only the sheets of its ranges. */
  private remember(
    updated: Spreadsheet,
    deleted: string[],
    stateTitle: string,
    stateId: number,
    stateRows: number,
  ): void {
    for (const t of deleted) this.sheets.delete(t);
    const state = this.sheets.get(stateTitle);
    this.sheets.set(stateTitle, {
      ...(state ?? { title: stateTitle, hidden: true }),
      sheetId: stateId,
      gridProperties: { ...(state?.gridProperties ?? {}), rowCount: stateRows, columnCount: 3 },
    });
    for (const s of updated.sheets ?? []) this.sheets.set(s.properties.title, s.properties);
  }

  private stateRequests(state: Grid, sheetId: number, before: Grid | undefined): unknown[] {
    const row = (r: Cell[]) => ({
      values: r.map((c) => {
        const v = extendedValue(c);
        return v ? { userEnteredValue: v } : {};
      }),
    });
    const out: unknown[] = [];
    const exists = this.sheets.has(STATE_TAB);
    if (!exists)
      out.push(
        {
          addSheet: {
            properties: {
              sheetId,
              title: STATE_TAB,
              hidden: true,
              gridProperties: { rowCount: state.length, columnCount: 3 },
            },
          },
        },
        {
          addProtectedRange: {
            protectedRange: {
              range: { sheetId },
              description: STATE_PROTECTION,
              warningOnly: true,
            },
          },
        },
      );
    out.push({
      updateSheetProperties: {
        properties: { sheetId, gridProperties: { rowCount: state.length, columnCount: 3 } },
        fields: 'gridProperties(rowCount,columnCount)',
      },
    });
    if (!exists || !before) {
      out.push({
        updateCells: { range: { sheetId }, rows: state.map(row), fields: 'userEnteredValue' },
      });
      return out;
    }
    // Only the runs of rows that differ from the tab as last seen (rows past the end went with rowCount).
    const same = (r: number) =>
      [0, 1, 2].every((c) => sameCell(state[r]?.[c] ?? null, before[r]?.[c] ?? null));
    for (let r = 0; r < state.length; ) {
      if (same(r)) {
        r++;
        continue;
      }
      let end = r + 1;
      while (end < state.length && !same(end)) end++;
      out.push({
        updateCells: {
          range: {
            sheetId,
            startRowIndex: r,
            endRowIndex: end,
            startColumnIndex: 0,
            endColumnIndex: 3,
          },
          rows: state.slice(r, end).map(row),
          fields: 'userEnteredValue',
        },
      });
      r = end;
    }
    return out;
  }
}

/**
 * Where appended rows landed: the rows whose key column (in the layout the
 * rows were planned for) holds their keys after the batch, where the batch's
 * other writes did not put that key.
 */
function locateAppended(batch: WriteBatch, a: Append, after: Grid, before: TabImage): number[] {
  const written = new Map<number, Cell>();
  for (const w of [...batch.restores, ...batch.writes])
    if (w.tab === a.tab && w.col === a.keyCol) written.set(w.row, w.cell);
  const keyBefore = (r: number) =>
    written.has(r) ? written.get(r) : (before.grid[r]?.[a.keyCol] ?? null);
  const rows = new Map<string, number[]>();
  for (let r = 1; r < after.length; r++) {
    const k = after[r]?.[a.keyCol];
    if (k === null || k === undefined || keyBefore(r) === k) continue;
    rows.set(String(k), [...(rows.get(String(k)) ?? []), r]);
  }
  return a.keys.map((k) => {
    const at = rows.get(k)?.shift();
    if (at === undefined)
      throw new Error(
        `the batchUpdate response does not show where the new row ${k} went; cannot verify the write`,
      );
    return at;
  });
}

function randomFreeId(taken: Set<number>): number {
  for (;;) {
    const id = randomInt(SNAPSHOT_ID_MIN, SNAPSHOT_ID_MAX);
    if (!taken.has(id)) return id;
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
