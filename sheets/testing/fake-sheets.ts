/**
 * A Sheets-v4-compatible server on 127.0.0.1 for tests and benchmarks: the
 * endpoints the connector uses, with the real API's request and response
 * shapes (spreadsheets.get with includeGridData / ranges / fields,
 * spreadsheets.batchUpdate with the requests below, includeSpreadsheetInResponse
 * with responseRanges) and its error format, including 429 RESOURCE_EXHAUSTED.
 *
 * batchUpdate is atomic, as Google documents: the requests apply to a copy,
 * which replaces the spreadsheet only if every request succeeded.
 *
 * Tests act as the user on `sheet(...)` directly (sort, insert and delete rows,
 * move and insert columns, filter, edit cells), and can do so between the
 * sync's read and its write with `beforeWrite`.
 */
import { createVerify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type A1Range, parseA1 } from '../google/a1.js';
import { rowAt } from '../grid.js';
import { applyMask, keptAt, parseMask } from './fields-mask.js';

export interface ExtendedValue {
  stringValue?: string;
  numberValue?: number;
  boolValue?: boolean;
  formulaValue?: string;
}
export interface CellData {
  userEnteredValue?: ExtendedValue;
  userEnteredFormat?: Record<string, unknown>;
  dataValidation?: unknown;
}
export interface SheetModel {
  properties: {
    sheetId: number;
    title: string;
    index: number;
    hidden?: boolean;
    gridProperties: { rowCount: number; columnCount: number; frozenRowCount?: number };
  };
  /** rows[r][c]; missing = empty. */
  rows: Array<Array<CellData | undefined>>;
  conditionalFormats: unknown[];
  protectedRanges: ProtectedRangeModel[];
  basicFilter?: unknown;
  hiddenRows: Set<number>;
}
export interface ProtectedRangeModel {
  protectedRangeId: number;
  range?: GridRangeModel;
  unprotectedRanges?: GridRangeModel[];
  description?: string;
  warningOnly?: boolean;
  editors?: { users?: string[]; groups?: string[]; domainUsersCanEdit?: boolean };
}

/**
 * Who the fake acts for: the service account the tests sign their JWTs as.
 * A protected range that is not warning-only and does not list it as an
 * editor refuses its writes, as Google does for a non-owner.
 */
export const SERVICE_ACCOUNT = 'mcfpipe-sync@example-project.iam.gserviceaccount.com';

export interface SpreadsheetModel {
  spreadsheetId: string;
  sheets: SheetModel[];
}

export const CELL_LIMIT = 10_000_000;

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
    readonly details?: unknown[],
    /** A Retry-After header to send (Google's quota errors usually carry none: clients back off on their own). */
    readonly retryAfter?: string,
  ) {
    super(message);
  }
}

/** Google's error body for a quota 429 (per-minute write quota, per user). */
export function quotaError(kind: 'Read' | 'Write' = 'Write', retryAfter?: string): ApiError {
  return new ApiError(
    429,
    'RESOURCE_EXHAUSTED',
    `Quota exceeded for quota metric '${kind} requests' and limit '${kind} requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:123456789'.`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'RATE_LIMIT_EXCEEDED',
        domain: 'googleapis.com',
        metadata: {
          quota_location: 'global',
          quota_metric: `sheets.googleapis.com/${kind.toLowerCase()}_requests`,
          quota_limit: `${kind}RequestsPerMinutePerUser`,
          quota_limit_value: '60',
          consumer: 'projects/123456789',
          service: 'sheets.googleapis.com',
        },
      },
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [
          {
            description: 'Request a higher quota limit.',
            url: 'https://cloud.google.com/docs/quotas/help/request_increase',
          },
        ],
      },
    ],
    retryAfter,
  );
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** A request's `fields` mask, which Google requires of every update request. */
function requiredFields(r: { fields?: unknown }, where: string): string {
  const fields = String(r.fields ?? '');
  if (!fields)
    throw new ApiError(
      400,
      'INVALID_ARGUMENT',
      `Invalid ${where}: At least one field must be listed in 'fields'. (Use '*' to indicate all fields.)`,
    );
  return fields;
}

/**
 * A sheet's copy sharing its cells: cells are never changed in place (every
 * write puts a new cell object), so copying the row arrays is enough.
 */
function copySheet(s: SheetModel): SheetModel {
  return {
    ...s,
    properties: clone(s.properties),
    rows: Array.from(s.rows, (r) => (r ? [...r] : [])),
    conditionalFormats: [...s.conditionalFormats],
    protectedRanges: [...s.protectedRanges],
    hiddenRows: new Set(s.hiddenRows),
  };
}

function effective(v: ExtendedValue | undefined): ExtendedValue | undefined {
  if (!v) return undefined;
  if (v.formulaValue !== undefined) return { stringValue: '' };
  return v;
}

export class FakeSpreadsheet {
  model: SpreadsheetModel;
  constructor(id: string) {
    this.model = { spreadsheetId: id, sheets: [] };
  }

  sheet(title: string): SheetModel {
    const s = this.model.sheets.find((x) => x.properties.title === title);
    if (!s) throw new Error(`no sheet ${title}`);
    return s;
  }

  has(title: string): boolean {
    return this.model.sheets.some((x) => x.properties.title === title);
  }

  /** Adds a tab with the given values (tests set up a sheet the way a user would have it). */
  addSheet(title: string, values: unknown[][] = [], sheetId?: number): SheetModel {
    const id = sheetId ?? Math.max(0, ...this.model.sheets.map((s) => s.properties.sheetId)) + 1;
    const s: SheetModel = {
      properties: {
        sheetId: id,
        title,
        index: this.model.sheets.length,
        gridProperties: {
          rowCount: Math.max(1000, values.length),
          columnCount: Math.max(26, ...values.map((r) => r.length)),
        },
      },
      rows: values.map((r) => r.map((v) => cellOf(v))),
      conditionalFormats: [],
      protectedRanges: [],
      hiddenRows: new Set(),
    };
    this.model.sheets.push(s);
    return s;
  }

  /** The tab's values as plain JS (empty = null), trailing empties trimmed per row. */
  values(title: string): unknown[][] {
    return Array.from(this.sheet(title).rows, (r) => {
      const out = (r ?? []).map((c) => plain(c?.userEnteredValue));
      while (out.length && out[out.length - 1] === null) out.pop();
      return out;
    });
  }

  setCell(title: string, row: number, col: number, value: unknown): void {
    const s = this.sheet(title);
    const r = rowAt(s.rows, row);
    r[col] = value === null ? undefined : { ...(r[col] ?? {}), userEnteredValue: extended(value) };
  }

  // ---- what a user does in the UI ----
  sortRows(title: string, col: number, descending = false): void {
    const s = this.sheet(title);
    const data = s.rows.slice(1);
    sortByColumn(data, col, descending);
    s.rows = [s.rows[0] ?? [], ...data];
  }
  /** The owner protects a range (a GridRange without sheetId); not warning-only unless asked. */
  protect(
    title: string,
    range: Omit<GridRangeModel, 'sheetId'>,
    opts: {
      warningOnly?: boolean;
      editors?: string[];
      unprotected?: Array<Omit<GridRangeModel, 'sheetId'>>;
    } = {},
  ): void {
    const s = this.sheet(title);
    const sheetId = s.properties.sheetId;
    s.protectedRanges.push({
      protectedRangeId: 1000 + s.protectedRanges.length,
      range: { sheetId, ...range },
      ...(opts.unprotected
        ? { unprotectedRanges: opts.unprotected.map((u) => ({ sheetId, ...u })) }
        : {}),
      ...(opts.warningOnly
        ? { warningOnly: true }
        : { editors: { users: opts.editors ?? ['owner@example.com'] } }),
    });
  }
  insertRows(title: string, at: number, n = 1): void {
    const s = this.sheet(title);
    while (s.rows.length < at) s.rows.push([]);
    s.rows.splice(at, 0, ...Array.from({ length: n }, () => []));
    s.properties.gridProperties.rowCount += n;
  }
  deleteRows(title: string, at: number, n = 1): void {
    const s = this.sheet(title);
    s.rows.splice(at, n);
    s.properties.gridProperties.rowCount -= n;
  }
  insertColumn(title: string, at: number): void {
    const s = this.sheet(title);
    for (const r of s.rows) if (r && r.length > at) r.splice(at, 0, undefined);
    s.properties.gridProperties.columnCount += 1;
  }
  moveColumn(title: string, from: number, to: number): void {
    const s = this.sheet(title);
    const width = Math.max(from, to) + 1;
    for (let i = 0; i < s.rows.length; i++) {
      const r = rowAt(s.rows, i);
      while (r.length < width) r.push(undefined);
      const [c] = r.splice(from, 1);
      r.splice(to, 0, c);
    }
  }
  /** A basic filter hiding rows whose column value is in `hide` (rows stay where they are). */
  filter(title: string, col: number, hide: unknown[]): void {
    const s = this.sheet(title);
    s.basicFilter = {
      range: { sheetId: s.properties.sheetId },
      criteria: { [col]: { hiddenValues: hide.map(String) } },
    };
    s.hiddenRows = new Set(
      s.rows
        .map((r, i) => (i > 0 && hide.includes(plain(r?.[col]?.userEnteredValue)) ? i : -1))
        .filter((i) => i > 0),
    );
  }

  cellCount(): number {
    return this.model.sheets.reduce(
      (n, s) => n + s.properties.gridProperties.rowCount * s.properties.gridProperties.columnCount,
      0,
    );
  }

  // ---- the API ----
  /**
   * spreadsheets.get. As Google documents, includeGridData is ignored when a
   * `fields` mask is set (the mask then decides whether grid data comes back).
   * With `ranges`, only the sheets those ranges are on are listed, each with
   * one GridData per range (its startRow / startColumn; zero values omitted,
   * as proto3 JSON omits them).
   */
  get(params: URLSearchParams): unknown {
    const includeGrid = params.has('fields') || params.get('includeGridData') === 'true';
    return this.render(
      includeGrid,
      this.parseRanges(params.getAll('ranges')),
      keptAt(params.get('fields'), CELL_PATH),
    );
  }

  private parseRanges(ranges: string[]): Map<number, A1Range[]> | undefined {
    if (!ranges.length) return undefined;
    const out = new Map<number, A1Range[]>();
    for (const range of ranges) {
      const a1 = parseA1(range);
      const s = a1
        ? a1.title === undefined
          ? this.ordered()[0]
          : this.model.sheets.find((x) => x.properties.title === a1.title)
        : undefined;
      if (!a1 || !s) throw new ApiError(400, 'INVALID_ARGUMENT', `Unable to parse range: ${range}`);
      out.set(s.properties.sheetId, [...(out.get(s.properties.sheetId) ?? []), a1]);
    }
    return out;
  }

  private ordered(): SheetModel[] {
    return [...this.model.sheets].sort((a, b) => a.properties.index - b.properties.index);
  }

  /** Sheet indexes 0..n-1 in their order (after a sheet is added, moved or deleted). */
  private reindex(): void {
    this.ordered().forEach((s, i) => {
      s.properties.index = i;
    });
  }

  /** Whether the requester (SERVICE_ACCOUNT) may edit inside a protected range. */
  private canEdit(p: ProtectedRangeModel): boolean {
    return p.warningOnly === true || (p.editors?.users ?? []).includes(SERVICE_ACCOUNT);
  }

  /** The protected range the requester may not edit that covers a cell, if any. */
  private lockedBy(s: SheetModel, row: number, col: number): ProtectedRangeModel | undefined {
    return s.protectedRanges.find(
      (p) =>
        !this.canEdit(p) &&
        inGridRange(p.range ?? {}, row, col) &&
        !(p.unprotectedRanges ?? []).some((u) => inGridRange(u, row, col)),
    );
  }

  private checkEditable(s: SheetModel, row: number, col: number, where: string): void {
    if (this.lockedBy(s, row, col))
      throw new ApiError(
        400,
        'INVALID_ARGUMENT',
        `Invalid ${where}: You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit.`,
      );
  }

  /**
   * The Spreadsheet resource; grid data (when asked for) of every sheet, or
   * with `ranges` only the sheets they are on, one GridData per range.
   */
  /** The spreadsheet resource; `cellFields`: the CellData fields the mask keeps (built only those: 10,000-row tabs). */
  render(
    includeGrid: boolean,
    ranges?: Map<number, A1Range[]>,
    cellFields?: ReadonlySet<string>,
  ): unknown {
    return {
      spreadsheetId: this.model.spreadsheetId,
      properties: { title: 'mcfpipe CRM', locale: 'en_US', timeZone: 'Asia/Singapore' },
      sheets: this.ordered()
        .filter((s) => !ranges || ranges.has(s.properties.sheetId))
        .map((s) => ({
          properties: clone(s.properties),
          ...(s.conditionalFormats.length
            ? { conditionalFormats: clone(s.conditionalFormats) }
            : {}),
          ...(s.protectedRanges.length
            ? {
                protectedRanges: s.protectedRanges.map((p) => {
                  const canEdit = this.canEdit(p);
                  const { editors, ...rest } = clone(p);
                  // Editors are shown only to those who may edit the range.
                  return {
                    ...rest,
                    ...(canEdit && editors ? { editors } : {}),
                    requestingUserCanEdit: canEdit,
                  };
                }),
              }
            : {}),
          ...(s.basicFilter ? { basicFilter: clone(s.basicFilter) } : {}),
          ...(includeGrid
            ? {
                data: (ranges?.get(s.properties.sheetId) ?? [{ title: undefined }]).map((r) =>
                  gridData(s, r, cellFields),
                ),
              }
            : {}),
        })),
      spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${this.model.spreadsheetId}/edit`,
    };
  }

  /** spreadsheets.batchUpdate; `mask`: the `fields` mask given, if any (responseIncludeGridData is then ignored). */
  batchUpdate(
    body: {
      requests?: unknown[];
      includeSpreadsheetInResponse?: boolean;
      responseRanges?: string[];
      responseIncludeGridData?: boolean;
    },
    mask?: string,
  ): unknown {
    if (!Array.isArray(body.requests) || body.requests.length === 0)
      throw new ApiError(400, 'INVALID_ARGUMENT', 'Must specify at least one request.');
    const saved = this.model;
    this.model = { ...saved, sheets: saved.sheets.map(copySheet) };
    const replies: unknown[] = [];
    try {
      body.requests.forEach((req, i) => {
        replies.push(this.apply(req as Record<string, unknown>, i));
      });
      if (this.cellCount() > CELL_LIMIT)
        throw new ApiError(
          400,
          'INVALID_ARGUMENT',
          `This action would increase the number of cells in the workbook above the limit of ${CELL_LIMIT} cells.`,
        );
    } catch (err) {
      this.model = saved;
      throw err;
    }
    const out: Record<string, unknown> = { spreadsheetId: this.model.spreadsheetId, replies };
    if (body.includeSpreadsheetInResponse)
      out.updatedSpreadsheet = this.render(
        mask !== undefined || Boolean(body.responseIncludeGridData),
        this.parseRanges(body.responseRanges ?? []),
        keptAt(mask, ['updatedSpreadsheet', ...CELL_PATH]),
      );
    return out;
  }

  private byId(id: unknown, where: string): SheetModel {
    const s = this.model.sheets.find((x) => x.properties.sheetId === id);
    if (!s)
      throw new ApiError(
        400,
        'INVALID_ARGUMENT',
        `Invalid ${where}: No grid with id: ${String(id)}`,
      );
    return s;
  }

  private apply(req: Record<string, unknown>, i: number): unknown {
    const [kind, raw] = Object.entries(req)[0] ?? [];
    // biome-ignore lint/suspicious/noExplicitAny: request bodies are checked field by field below
    const r = raw as Record<string, any>;
    const where = `requests[${i}].${kind}`;
    switch (kind) {
      case 'addSheet': {
        const p = r.properties ?? {};
        if (p.title && this.has(p.title))
          throw new ApiError(
            400,
            'INVALID_ARGUMENT',
            `Invalid ${where}: A sheet with the name "${p.title}" already exists. Please enter another name.`,
          );
        const s = this.addSheet(p.title ?? `Sheet${this.model.sheets.length + 1}`, [], p.sheetId);
        if (p.hidden) s.properties.hidden = true;
        if (p.gridProperties) Object.assign(s.properties.gridProperties, p.gridProperties);
        return { addSheet: { properties: clone(s.properties) } };
      }
      case 'deleteSheet': {
        const s = this.byId(r.sheetId, where);
        const locked = s.protectedRanges.find((p) => !this.canEdit(p));
        if (locked)
          this.checkEditable(
            s,
            locked.range?.startRowIndex ?? 0,
            locked.range?.startColumnIndex ?? 0,
            where,
          );
        this.model.sheets = this.model.sheets.filter((x) => x !== s);
        this.reindex();
        return {};
      }
      case 'duplicateSheet': {
        const src = this.byId(r.sourceSheetId, where);
        if (r.newSheetName && this.has(r.newSheetName))
          throw new ApiError(
            400,
            'INVALID_ARGUMENT',
            `Invalid ${where}: A sheet with the name "${r.newSheetName}" already exists. Please enter another name.`,
          );
        if (
          r.newSheetId !== undefined &&
          this.model.sheets.some((x) => x.properties.sheetId === r.newSheetId)
        )
          throw new ApiError(
            400,
            'INVALID_ARGUMENT',
            `Invalid ${where}: Sheet with id ${r.newSheetId} already exists.`,
          );
        const copy = copySheet(src);
        copy.properties.sheetId =
          r.newSheetId ?? Math.max(...this.model.sheets.map((s) => s.properties.sheetId)) + 1;
        copy.properties.title = r.newSheetName ?? `Copy of ${src.properties.title}`;
        // Google documents no clamping; the fake refuses an index past the end (strict, so the
        // connector never relies on one).
        const at = r.insertSheetIndex ?? this.model.sheets.length;
        if (!Number.isInteger(at) || at < 0 || at > this.model.sheets.length)
          throw new ApiError(
            400,
            'INVALID_ARGUMENT',
            `Invalid ${where}: insertSheetIndex ${String(at)} is out of range; the spreadsheet has ${this.model.sheets.length} sheets.`,
          );
        copy.properties.index = at - 0.5;
        copy.protectedRanges = [];
        this.model.sheets.push(copy);
        this.reindex();
        return { duplicateSheet: { properties: clone(copy.properties) } };
      }
      case 'updateSheetProperties': {
        const s = this.byId(r.properties?.sheetId, where);
        const fields = requiredFields(r, where);
        const p = r.properties;
        if (/\btitle\b/.test(fields) && p.title !== undefined) s.properties.title = p.title;
        if (/\bhidden\b/.test(fields)) s.properties.hidden = Boolean(p.hidden);
        const g = p.gridProperties ?? {};
        if (/rowCount|gridProperties(?![.(])/.test(fields) && g.rowCount !== undefined) {
          if (g.rowCount < 1)
            throw new ApiError(
              400,
              'INVALID_ARGUMENT',
              `Invalid ${where}: rowCount must be at least 1`,
            );
          s.rows.length = Math.min(s.rows.length, g.rowCount);
          s.properties.gridProperties.rowCount = g.rowCount;
        }
        if (/columnCount|gridProperties(?![.(])/.test(fields) && g.columnCount !== undefined) {
          s.properties.gridProperties.columnCount = g.columnCount;
          for (const row of s.rows) if (row) row.length = Math.min(row.length, g.columnCount);
        }
        if (/frozenRowCount|gridProperties(?![.(])/.test(fields) && g.frozenRowCount !== undefined)
          s.properties.gridProperties.frozenRowCount = g.frozenRowCount;
        return {};
      }
      case 'updateCells': {
        const fields = requiredFields(r, where);
        const range = r.range ?? {
          sheetId: r.start?.sheetId,
          startRowIndex: r.start?.rowIndex ?? 0,
          startColumnIndex: r.start?.columnIndex ?? 0,
        };
        const s = this.byId(range.sheetId, where);
        const g = s.properties.gridProperties;
        const r0 = range.startRowIndex ?? 0;
        const c0 = range.startColumnIndex ?? 0;
        const rows: Array<{ values?: CellData[] }> = r.rows ?? [];
        const r1 = r.range ? (range.endRowIndex ?? g.rowCount) : r0 + rows.length;
        const c1 = r.range
          ? (range.endColumnIndex ?? g.columnCount)
          : c0 + Math.max(0, ...rows.map((x) => x.values?.length ?? 0));
        if (r1 > g.rowCount)
          throw new ApiError(
            400,
            'INVALID_ARGUMENT',
            `Invalid ${where}: GridCoordinate.rowIndex[${r1 - 1}] is after last row in grid[${g.rowCount - 1}]`,
          );
        if (c1 > g.columnCount)
          throw new ApiError(
            400,
            'INVALID_ARGUMENT',
            `Invalid ${where}: GridCoordinate.columnIndex[${c1 - 1}] is after last column in grid[${g.columnCount - 1}]`,
          );
        for (let rr = r0; rr < r1; rr++)
          for (let cc = c0; cc < c1; cc++) {
            const given = rows[rr - r0]?.values?.[cc - c0];
            if (!r.range && !given) continue;
            this.checkEditable(s, rr, cc, where);
            setFields(s, rr, cc, given ?? {}, fields);
          }
        return {};
      }
      case 'appendCells': {
        const s = this.byId(r.sheetId, where);
        const fields = requiredFields(r, where);
        let last = s.rows.length - 1;
        while (last >= 0 && !(s.rows[last] ?? []).some((c) => c?.userEnteredValue)) last--;
        const rows: Array<{ values?: CellData[] }> = r.rows ?? [];
        const g = s.properties.gridProperties;
        rows.forEach((row, i) => {
          const rr = last + 1 + i;
          if (rr >= g.rowCount) g.rowCount = rr + 1;
          (row.values ?? []).forEach((cd, cc) => {
            if (cc >= g.columnCount) g.columnCount = cc + 1;
            this.checkEditable(s, rr, cc, where);
            setFields(s, rr, cc, cd, fields);
          });
        });
        return {};
      }
      case 'repeatCell': {
        const range = r.range ?? {};
        const s = this.byId(range.sheetId, where);
        const g = s.properties.gridProperties;
        for (let rr = range.startRowIndex ?? 0; rr < (range.endRowIndex ?? g.rowCount); rr++)
          for (
            let cc = range.startColumnIndex ?? 0;
            cc < (range.endColumnIndex ?? g.columnCount);
            cc++
          )
            if (s.rows[rr]?.[cc]?.userEnteredValue || rr < s.rows.length) {
              this.checkEditable(s, rr, cc, where);
              setFields(s, rr, cc, r.cell ?? {}, String(r.fields ?? ''));
            }
        return {};
      }
      case 'setDataValidation': {
        const range = r.range ?? {};
        const s = this.byId(range.sheetId, where);
        (s as SheetModel & { validations?: unknown[] }).validations = [
          ...((s as SheetModel & { validations?: unknown[] }).validations ?? []).filter(
            (v) => JSON.stringify((v as { range: unknown }).range) !== JSON.stringify(range),
          ),
          { range, rule: r.rule },
        ];
        return {};
      }
      case 'addConditionalFormatRule': {
        const s = this.byId(r.rule?.ranges?.[0]?.sheetId, where);
        s.conditionalFormats.splice(r.index ?? s.conditionalFormats.length, 0, r.rule);
        return {};
      }
      case 'deleteConditionalFormatRule': {
        const s = this.byId(r.sheetId, where);
        if (!(r.index < s.conditionalFormats.length))
          throw new ApiError(
            400,
            'INVALID_ARGUMENT',
            `Invalid ${where}: No conditional format on sheet: ${r.sheetId} at index: ${r.index}`,
          );
        s.conditionalFormats.splice(r.index, 1);
        return {};
      }
      case 'addProtectedRange': {
        const p = r.protectedRange ?? {};
        const s = this.byId(p.range?.sheetId, where);
        const id = p.protectedRangeId ?? Math.floor(Math.random() * 1e9);
        s.protectedRanges.push({ ...p, protectedRangeId: id });
        return { addProtectedRange: { protectedRange: { ...p, protectedRangeId: id } } };
      }
      case 'deleteProtectedRange': {
        const s = this.model.sheets.find((x) =>
          x.protectedRanges.some((p) => p.protectedRangeId === r.protectedRangeId),
        );
        if (!s)
          throw new ApiError(
            400,
            'INVALID_ARGUMENT',
            `Invalid ${where}: No protected range with id: ${r.protectedRangeId}`,
          );
        s.protectedRanges = s.protectedRanges.filter(
          (p) => p.protectedRangeId !== r.protectedRangeId,
        );
        return {};
      }
      case 'sortRange': {
        const range = r.range ?? {};
        const s = this.byId(range.sheetId, where);
        const spec = (r.sortSpecs ?? [])[0];
        if (!spec)
          throw new ApiError(
            400,
            'INVALID_ARGUMENT',
            `Invalid ${where}: sortSpecs must not be empty`,
          );
        const from = range.startRowIndex ?? 0;
        const head = s.rows.slice(0, from);
        const data = s.rows.slice(from, range.endRowIndex ?? s.rows.length);
        const tail = s.rows.slice(range.endRowIndex ?? s.rows.length);
        data.forEach((row, i) => {
          (row ?? []).forEach((_, c) => {
            this.checkEditable(s, from + i, c, where);
          });
        });
        sortByColumn(data, spec.dimensionIndex, spec.sortOrder === 'DESCENDING');
        s.rows = [...head, ...data, ...tail];
        return {};
      }
      case 'updateDimensionProperties':
      case 'setBasicFilter':
        this.byId(r.range?.sheetId ?? r.filter?.range?.sheetId, where);
        if (kind === 'setBasicFilter')
          this.byId(r.filter.range.sheetId, where).basicFilter = r.filter;
        return {};
      default:
        throw new ApiError(
          400,
          'INVALID_ARGUMENT',
          `Invalid JSON payload received. Unknown name "${kind}" at 'requests[${i}]': Cannot find field.`,
        );
    }
  }
}

/**
 * Sorts rows by a column as Sheets does: numbers before text before
 * booleans, text case-insensitively, blank cells last in either order.
 */
function sortByColumn(
  rows: Array<Array<CellData | undefined> | undefined>,
  col: number,
  descending: boolean,
): void {
  const rank = (v: unknown) => (typeof v === 'number' ? 0 : typeof v === 'boolean' ? 2 : 1);
  rows.sort((x, y) => {
    const a = plain(x?.[col]?.userEnteredValue);
    const b = plain(y?.[col]?.userEnteredValue);
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    const order =
      rank(a) - rank(b) ||
      (typeof a === 'string' && typeof b === 'string'
        ? a.localeCompare(b, 'en', { sensitivity: 'base' })
        : Number(a) - Number(b));
    return descending ? -order : order;
  });
}

function setFields(s: SheetModel, rr: number, cc: number, given: CellData, fields: string): void {
  const row = rowAt(s.rows, rr);
  const cell: CellData = { ...(row[cc] ?? {}) };
  const all = fields === '*';
  if (all || /\buserEnteredValue\b/.test(fields)) {
    if (given.userEnteredValue) cell.userEnteredValue = clone(given.userEnteredValue);
    else delete cell.userEnteredValue;
  }
  if (all || /\buserEnteredFormat\b/.test(fields)) {
    if (given.userEnteredFormat)
      cell.userEnteredFormat = {
        ...(cell.userEnteredFormat ?? {}),
        ...clone(given.userEnteredFormat),
      };
    else if (/\buserEnteredFormat\b(?![.(])/.test(fields) || all) delete cell.userEnteredFormat;
  }
  if (all || /\bdataValidation\b/.test(fields)) {
    if (given.dataValidation) cell.dataValidation = clone(given.dataValidation);
    else delete cell.dataValidation;
  }
  row[cc] = Object.keys(cell).length ? cell : undefined;
}

/** Where a cell's fields are in a spreadsheet resource. */
const CELL_PATH = ['sheets', 'data', 'rowData', 'values'];

/** A sheet's GridData for a range (rows and cells past the last non-empty one omitted, as the API does). */
function gridData(
  s: SheetModel,
  r: A1Range,
  cellFields?: ReadonlySet<string>,
): Record<string, unknown> {
  const r0 = r.startRow ?? 0;
  const c0 = r.startCol ?? 0;
  const r1 = Math.min(r.endRow ?? s.rows.length, s.rows.length);
  const rows: Array<Record<string, unknown>> = [];
  for (let i = r0; i < r1; i++) {
    const cells = s.rows[i] ?? [];
    let n = Math.min(cells.length, r.endCol ?? cells.length);
    while (n > c0 && !cells[n - 1]) n--;
    if (n <= c0) {
      rows.push({});
      continue;
    }
    const values: Array<Record<string, unknown>> = new Array(n - c0);
    for (let j = c0; j < n; j++) values[j - c0] = cellView(cells[j], cellFields);
    rows.push({ values });
  }
  while (rows.length && !rows[rows.length - 1]!.values) rows.pop();
  return {
    ...(r0 ? { startRow: r0 } : {}),
    ...(c0 ? { startColumn: c0 } : {}),
    rowData: rows,
  };
}

/** A CellData as the API shows it, with only the fields asked for (all without a mask). */
function cellView(c: CellData | undefined, fields?: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!c) return out;
  const kept = (name: string) => !fields || fields.has(name);
  if (c.userEnteredValue) {
    if (kept('userEnteredValue')) out.userEnteredValue = c.userEnteredValue;
    if (kept('effectiveValue')) out.effectiveValue = effective(c.userEnteredValue);
    if (kept('formattedValue')) out.formattedValue = formatted(c.userEnteredValue);
  }
  if (c.userEnteredFormat && kept('userEnteredFormat')) out.userEnteredFormat = c.userEnteredFormat;
  if (c.dataValidation && kept('dataValidation')) out.dataValidation = c.dataValidation;
  return out;
}

export interface GridRangeModel {
  sheetId?: number;
  startRowIndex?: number;
  endRowIndex?: number;
  startColumnIndex?: number;
  endColumnIndex?: number;
}

/** Whether a cell is inside a GridRange (a missing index: unbounded on that side). */
function inGridRange(g: GridRangeModel, row: number, col: number): boolean {
  return (
    row >= (g.startRowIndex ?? 0) &&
    row < (g.endRowIndex ?? Number.POSITIVE_INFINITY) &&
    col >= (g.startColumnIndex ?? 0) &&
    col < (g.endColumnIndex ?? Number.POSITIVE_INFINITY)
  );
}

function formatted(v: ExtendedValue): string {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.numberValue !== undefined) return String(v.numberValue);
  if (v.boolValue !== undefined) return v.boolValue ? 'TRUE' : 'FALSE';
  return '';
}

export function extended(v: unknown): ExtendedValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  const s = String(v);
  return s.startsWith('=') ? { formulaValue: s } : { stringValue: s };
}

function cellOf(v: unknown): CellData | undefined {
  const e = extended(v);
  return e ? { userEnteredValue: e } : undefined;
}

export function plain(v: ExtendedValue | undefined): unknown {
  if (!v) return null;
  return v.stringValue ?? v.numberValue ?? v.boolValue ?? v.formulaValue ?? null;
}

// ---------------------------------------------------------------- the service

export interface FakeServerOptions {
  /** PEM public key of the service account: requests must carry a JWT it signed. */
  publicKey?: string;
}

/** An answer of the service: `reset` when the connection is to be dropped instead. */
interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  reset?: true;
}

/**
 * The API without a socket: `handle` answers one request; `fetch` is a fetch
 * function over it (in-process, for tests that run thousands of syncs).
 */
export class FakeSheetsService {
  url = 'http://127.0.0.1:0/';
  readonly books = new Map<string, FakeSpreadsheet>();
  /** Calls by method name (spreadsheets.get, spreadsheets.batchUpdate) and their status. */
  readonly calls: Array<{ method: string; status: number }> = [];
  private readonly faults: Array<{ method: string; n: number; error: () => ApiError }> = [];
  private readonly lost: Array<{ method: string; n: number; kind: 'unavailable' | 'reset' }> = [];
  private writes = 0;
  /** The body of the last batchUpdate received, and its size in bytes. */
  lastBatch?: { requests?: Array<Record<string, unknown>>; bytes: number };
  /** Runs before each batchUpdate applies (the user acting between the read and the write). */
  beforeWrite?: (book: FakeSpreadsheet, call: number) => void;

  constructor(private readonly opts: FakeServerOptions = {}) {}

  book(id: string): FakeSpreadsheet {
    let b = this.books.get(id);
    if (!b) {
      b = new FakeSpreadsheet(id);
      this.books.set(id, b);
    }
    return b;
  }

  /** The next `n` calls of a method answer with this error (e.g. quotaError()). */
  failNext(method: string, n: number, error: () => ApiError): void {
    this.faults.push({ method, n, error });
  }

  /**
   * The next `n` successful calls of a method are applied, but their answer
   * is lost: a 503 UNAVAILABLE, or the connection reset before any answer
   * (what a client sees when Google applied a request and the way back failed).
   */
  loseAnswers(method: string, n: number, kind: 'unavailable' | 'reset'): void {
    this.lost.push({ method, n, kind });
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.lost.length = 0;
  }

  private fail(method: string, e: ApiError): Answer {
    this.calls.push({ method, status: e.code });
    return {
      status: e.code,
      ...(e.retryAfter !== undefined ? { headers: { 'retry-after': e.retryAfter } } : {}),
      body: {
        error: {
          code: e.code,
          message: e.message,
          status: e.status,
          ...(e.details ? { details: e.details } : {}),
        },
      },
    };
  }

  handle(httpMethod: string, url: URL, authorization: string | undefined, text: string): Answer {
    const m = /^\/v4\/spreadsheets\/([^/:]+)(:batchUpdate)?$/.exec(url.pathname);
    const method = m?.[2] ? 'spreadsheets.batchUpdate' : 'spreadsheets.get';
    if (!m || (m[2] ? httpMethod !== 'POST' : httpMethod !== 'GET'))
      return this.fail(method, new ApiError(404, 'NOT_FOUND', 'Requested entity was not found.'));
    const auth = authorization ?? '';
    if (
      !/^Bearer \S+$/.test(auth) ||
      (this.opts.publicKey && !verifyJwt(auth.slice(7), this.opts.publicKey))
    )
      return this.fail(
        method,
        new ApiError(
          401,
          'UNAUTHENTICATED',
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        ),
      );
    const fault = this.faults.find((f) => f.method === method && f.n > 0);
    if (fault) {
      fault.n--;
      return this.fail(method, fault.error());
    }
    const book = this.books.get(decodeURIComponent(m[1]!));
    if (!book)
      return this.fail(method, new ApiError(404, 'NOT_FOUND', 'Requested entity was not found.'));
    try {
      let body: unknown;
      if (method === 'spreadsheets.get') body = book.get(url.searchParams);
      else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new ApiError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
        }
        this.lastBatch = { ...(parsed as object), bytes: Buffer.byteLength(text) };
        this.beforeWrite?.(book, ++this.writes);
        body = book.batchUpdate(parsed as never, url.searchParams.get('fields') ?? undefined);
      }
      const lost = this.lost.find((l) => l.method === method && l.n > 0);
      if (lost) {
        lost.n--;
        if (lost.kind === 'reset') {
          this.calls.push({ method, status: 0 });
          return { status: 0, body: undefined, reset: true };
        }
        return this.fail(
          method,
          new ApiError(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
        );
      }
      const fields = url.searchParams.get('fields');
      this.calls.push({ method, status: 200 });
      return { status: 200, body: fields ? applyMask(body, parseMask(fields)) : body };
    } catch (err) {
      if (err instanceof ApiError) return this.fail(method, err);
      return this.fail(
        method,
        new ApiError(500, 'INTERNAL', err instanceof Error ? err.message : String(err)),
      );
    }
  }

  /** A fetch function answering from this service in-process. */
  readonly fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    const r = this.handle(
      init?.method ?? 'GET',
      url,
      headers.get('authorization') ?? undefined,
      typeof init?.body === 'string' ? init.body : '',
    );
    if (r.reset) throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
    return new Response(JSON.stringify(r.body), {
      status: r.status,
      headers: { 'content-type': 'application/json; charset=UTF-8', ...r.headers },
    });
  }) as typeof fetch;
}

export interface FakeSheetsServer extends FakeSheetsService {
  close(): Promise<void>;
}

/** The service on 127.0.0.1, on a port the OS picks. */
export async function startFakeSheets(opts: FakeServerOptions = {}): Promise<FakeSheetsServer> {
  const service = new FakeSheetsService(opts) as FakeSheetsServer;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = service.handle(
        req.method ?? 'GET',
        new URL(req.url ?? '/', 'http://127.0.0.1'),
        req.headers.authorization,
        Buffer.concat(chunks).toString('utf8'),
      );
      if (r.reset) {
        req.socket.destroy();
        return;
      }
      const data = JSON.stringify(r.body);
      res.writeHead(r.status, {
        'content-type': 'application/json; charset=UTF-8',
        'content-length': Buffer.byteLength(data),
        ...r.headers,
      });
      res.end(data);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  service.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
  service.close = () => new Promise((r) => server.close(() => r()));
  return service;
}

/** Checks an RS256 JWT's signature and expiry, and that it carries the Sheets scope. */
function verifyJwt(token: string, publicKey: string): boolean {
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) return false;
  const v = createVerify('RSA-SHA256');
  v.update(`${h}.${p}`);
  if (!v.verify(publicKey, Buffer.from(s, 'base64url'))) return false;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as {
    exp?: number;
    scope?: string;
    aud?: string;
  };
  if (!claims.exp || claims.exp * 1000 < Date.now()) return false;
  return (
    (claims.scope ?? '').split(' ').includes('https://www.googleapis.com/auth/spreadsheets') ||
    Boolean(claims.aud)
  );
}
