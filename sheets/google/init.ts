/**
 * `mcfpipe sheets init` for a spreadsheet: creates the tabs that are missing
 * and repairs the ones that exist, in one batchUpdate:
 * - headers: a missing column is added after the last used one (the user's
 *   own columns and the order they chose are left alone);
 * - the header row frozen; dropdowns for the choice columns (status, apply
 *   status, response, kind) and for track (the tracks tab's ids); TRUE/FALSE
 *   checkboxes; yyyy-mm-dd date formats; a colour scale on score;
 * - warning-only protection of the pipeline-owned columns and the hidden
 *   sync-state tab (editing them asks "are you sure?").
 * Running it again changes nothing that is already in place.
 */
import type { Cell } from '../cells.js';
import { headerKey, keyColumn, STATE_TAB, TABS, type TabSpec, TRACKS } from '../layout.js';
import { columnLetter, quoteTitle } from './a1.js';
import type { SheetsApi } from './api.js';
import { extendedValue, type SheetProperties } from './backend.js';

export const PROTECTION_NOTE =
  'mcfpipe: written by the pipeline; your edits here are replaced at the next sync';

interface SheetMeta {
  properties: SheetProperties;
  conditionalFormats?: Array<{ ranges?: Array<{ startColumnIndex?: number }> }>;
  protectedRanges?: Array<{
    protectedRangeId: number;
    description?: string;
    range?: { startColumnIndex?: number };
  }>;
  data?: Array<{
    rowData?: Array<{ values?: Array<{ effectiveValue?: { stringValue?: string } }> }>;
  }>;
}

export interface InitResult {
  created: string[];
  addedColumns: string[];
  requests: number;
}

export async function initSpreadsheet(
  api: SheetsApi,
  spreadsheetId: string,
  dryRun = false,
): Promise<InitResult> {
  const path = `v4/spreadsheets/${encodeURIComponent(spreadsheetId)}`;
  const meta = await api.call<{ sheets?: SheetMeta[] }>('spreadsheets.get', 'GET', path, [
    ['includeGridData', 'true'],
    [
      'fields',
      'sheets(properties,conditionalFormats(ranges),protectedRanges(protectedRangeId,description,range),data(rowData(values(effectiveValue))))',
    ],
  ]);
  const sheets = new Map((meta.sheets ?? []).map((s) => [s.properties.title, s]));
  const taken = new Set([...sheets.values()].map((s) => s.properties.sheetId));
  let nextId = 1;
  const freeId = () => {
    while (taken.has(nextId)) nextId++;
    taken.add(nextId);
    return nextId;
  };
  const result: InitResult = { created: [], addedColumns: [], requests: 0 };
  const requests: unknown[] = [];
  const layouts = new Map<string, { sheetId: number; at: Map<string, number> }>();
  for (const tab of TABS) {
    const existing = sheets.get(tab.name);
    const sheetId = existing?.properties.sheetId ?? freeId();
    const header: Cell[] = (existing?.data?.[0]?.rowData?.[0]?.values ?? []).map(
      (v) => v.effectiveValue?.stringValue ?? null,
    );
    const at = new Map<string, number>();
    header.forEach((h, i) => {
      if (typeof h === 'string') {
        const col = tab.columns.find((c) => headerKey(c.header) === headerKey(h));
        if (col && !at.has(col.field)) at.set(col.field, i);
      }
    });
    let next = header.length;
    const added: Array<{ col: number; text: string }> = [];
    for (const col of tab.columns) {
      if (at.has(col.field)) continue;
      at.set(col.field, next);
      added.push({ col: next, text: col.header });
      if (existing) result.addedColumns.push(`${tab.name}.${col.header}`);
      next++;
    }
    const width = Math.max(next, existing?.properties.gridProperties?.columnCount ?? 0);
    if (!existing) {
      result.created.push(tab.name);
      requests.push({
        addSheet: {
          properties: {
            sheetId,
            title: tab.name,
            gridProperties: { rowCount: 1000, columnCount: width, frozenRowCount: 1 },
          },
        },
      });
    } else if ((existing.properties.gridProperties?.columnCount ?? 0) < width) {
      requests.push({
        updateSheetProperties: {
          properties: { sheetId, gridProperties: { columnCount: width } },
          fields: 'gridProperties.columnCount',
        },
      });
    }
    if (existing && existing.properties.gridProperties?.frozenRowCount !== 1)
      requests.push({
        updateSheetProperties: {
          properties: { sheetId, gridProperties: { frozenRowCount: 1 } },
          fields: 'gridProperties.frozenRowCount',
        },
      });
    for (const a of added)
      requests.push({
        updateCells: {
          range: {
            sheetId,
            startRowIndex: 0,
            endRowIndex: 1,
            startColumnIndex: a.col,
            endColumnIndex: a.col + 1,
          },
          rows: [
            {
              values: [
                {
                  userEnteredValue: extendedValue(a.text),
                  userEnteredFormat: { textFormat: { bold: true } },
                },
              ],
            },
          ],
          fields: 'userEnteredValue,userEnteredFormat.textFormat.bold',
        },
      });
    layouts.set(tab.name, { sheetId, at });
    requests.push(...columnRules(tab, sheetId, at, existing, !existing));
  }
  // The track dropdown lists the tracks tab's ids.
  const tracks = layouts.get(TRACKS.name)!;
  const trackIdCol = tracks.at.get(keyColumn(TRACKS).field)!;
  for (const tab of TABS) {
    const { sheetId, at } = layouts.get(tab.name)!;
    const col = at.get('track_id');
    if (col === undefined || tab === TRACKS) continue;
    requests.push({
      setDataValidation: {
        range: { sheetId, startRowIndex: 1, startColumnIndex: col, endColumnIndex: col + 1 },
        rule: {
          condition: {
            type: 'ONE_OF_RANGE',
            values: [
              {
                userEnteredValue: `=${quoteTitle(TRACKS.name)}!${columnLetter(trackIdCol)}2:${columnLetter(trackIdCol)}`,
              },
            ],
          },
          showCustomUi: true,
          strict: false,
        },
      },
    });
  }
  const state = sheets.get(STATE_TAB);
  if (state && !state.protectedRanges?.some((p) => p.description === PROTECTION_NOTE))
    requests.push({
      addProtectedRange: {
        protectedRange: {
          range: { sheetId: state.properties.sheetId },
          description: PROTECTION_NOTE,
          warningOnly: true,
        },
      },
    });
  result.requests = requests.length;
  if (!dryRun && requests.length)
    await api.call(
      'spreadsheets.batchUpdate',
      'POST',
      `${path}:batchUpdate`,
      [['fields', 'spreadsheetId']],
      { requests },
    );
  return result;
}

function columnRules(
  tab: TabSpec,
  sheetId: number,
  at: Map<string, number>,
  existing: SheetMeta | undefined,
  fresh: boolean,
): unknown[] {
  const out: unknown[] = [];
  const range = (c: number, fromRow = 1) => ({
    sheetId,
    startRowIndex: fromRow,
    startColumnIndex: c,
    endColumnIndex: c + 1,
  });
  for (const col of tab.columns) {
    const c = at.get(col.field)!;
    if (fresh)
      out.push({
        updateDimensionProperties: {
          range: { sheetId, dimension: 'COLUMNS', startIndex: c, endIndex: c + 1 },
          properties: { pixelSize: col.width },
          fields: 'pixelSize',
        },
      });
    if (col.kind === 'choice')
      out.push({
        setDataValidation: {
          range: range(c),
          rule: {
            condition: {
              type: 'ONE_OF_LIST',
              values: col.choices!.map((v) => ({ userEnteredValue: v })),
            },
            showCustomUi: true,
            strict: true,
          },
        },
      });
    if (col.kind === 'boolean')
      out.push({
        setDataValidation: { range: range(c), rule: { condition: { type: 'BOOLEAN' } } },
      });
    if (col.kind === 'date')
      out.push({
        repeatCell: {
          range: range(c),
          cell: { userEnteredFormat: { numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' } } },
          fields: 'userEnteredFormat.numberFormat',
        },
      });
    if (
      col.field === 'score' &&
      !existing?.conditionalFormats?.some((f) => f.ranges?.some((r) => r.startColumnIndex === c))
    )
      out.push({
        addConditionalFormatRule: {
          index: 0,
          rule: {
            ranges: [range(c)],
            gradientRule: {
              minpoint: { color: { red: 0.96, green: 0.8, blue: 0.8 }, type: 'NUMBER', value: '0' },
              midpoint: { color: { red: 1, green: 0.95, blue: 0.75 }, type: 'NUMBER', value: '50' },
              maxpoint: {
                color: { red: 0.72, green: 0.88, blue: 0.8 },
                type: 'NUMBER',
                value: '100',
              },
            },
          },
        },
      });
    if (
      col.owner === 'pipeline' &&
      !existing?.protectedRanges?.some(
        (p) => p.description === PROTECTION_NOTE && p.range?.startColumnIndex === c,
      )
    )
      out.push({
        addProtectedRange: {
          protectedRange: { range: range(c, 0), description: PROTECTION_NOTE, warningOnly: true },
        },
      });
  }
  return out;
}
