/**
 * The local Sheets server answers as Google documents the API, where the
 * connector depends on it: grid data per range, partial responses, the
 * protected-cell error, sheet indexes.
 */
import { describe, expect, it } from 'vitest';
import { columnIndex, columnLetter, parseA1, quoteTitle } from '../google/a1.js';
import { FakeSheetsService } from '../testing/fake-sheets.js';

interface Body {
  sheets: Array<{
    data?: Array<{
      startRow?: number;
      startColumn?: number;
      rowData: Array<{ values: Array<{ effectiveValue?: { stringValue?: string } }> }>;
    }>;
    protectedRanges: Array<Record<string, unknown>>;
  }>;
  error: Record<string, unknown>;
}

function service() {
  const s = new FakeSheetsService();
  const book = s.book('b');
  book.addSheet('jobs', [
    ['job_s_id', 'title', 'notes'],
    ['k1', 'A', 'n1'],
    ['k2', 'B', null],
  ]);
  book.addSheet("Bob's tab", [['x']]);
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await s.fetch(`http://127.0.0.1/v4/spreadsheets/b${path}`, {
      method,
      headers: { authorization: 'Bearer t' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Body };
  };
  return { s, book, call };
}

describe('the local Sheets server', () => {
  it('with ranges, lists only the sheets they are on, one GridData per range at its start', async () => {
    const { call } = service();
    const r = await call(
      'GET',
      `?includeGridData=true&ranges=${encodeURIComponent("'jobs'!B:B")}&ranges=${encodeURIComponent('jobs!A3:C3')}`,
    );
    expect(r.body.sheets).toHaveLength(1);
    const [col, row] = r.body.sheets[0]!.data!;
    expect(col!.startColumn).toBe(1);
    expect(col!.startRow).toBeUndefined();
    expect(col!.rowData.map((x) => x.values[0]!.effectiveValue?.stringValue)).toEqual([
      'title',
      'A',
      'B',
    ]);
    expect(row).toMatchObject({ startRow: 2, rowData: [{ values: [{}, {}] }] });
    expect(row!.rowData[0]!.values[0]!.effectiveValue).toEqual({ stringValue: 'k2' });
  });

  it('a fields mask decides whether grid data comes back (includeGridData is then ignored)', async () => {
    const { call } = service();
    const r = await call(
      'GET',
      '?fields=sheets(properties(title),data(rowData(values(effectiveValue))))',
    );
    expect(r.body.sheets[0]!.data![0]!.rowData[1]!.values[1]).toEqual({
      effectiveValue: { stringValue: 'A' },
    });
    const plain = await call('GET', '');
    expect(plain.body.sheets[0]!.data).toBeUndefined();
  });

  it('refuses a write into a range protected against the account, and the whole batch with it', async () => {
    const { book, call } = service();
    book.protect('jobs', { startColumnIndex: 2, endColumnIndex: 3 });
    const sheetId = book.sheet('jobs').properties.sheetId;
    const write = (col: number) => ({
      updateCells: {
        range: {
          sheetId,
          startRowIndex: 2,
          endRowIndex: 3,
          startColumnIndex: col,
          endColumnIndex: col + 1,
        },
        rows: [{ values: [{ userEnteredValue: { stringValue: 'x' } }] }],
        fields: 'userEnteredValue',
      },
    });
    const r = await call('POST', ':batchUpdate', { requests: [write(1), write(2)] });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: expect.stringMatching(
        /^Invalid requests\[1\]\.updateCells: You are trying to edit a protected cell/,
      ),
    });
    expect(book.values('jobs')[2]).toEqual(['k2', 'B']);
    const meta = await call('GET', '?fields=sheets.protectedRanges');
    expect(meta.body.sheets[0]!.protectedRanges[0]!).toMatchObject({
      requestingUserCanEdit: false,
    });
    expect(meta.body.sheets[0]!.protectedRanges[0]!.editors).toBeUndefined();
  });

  it('keeps sheet indexes 0..n-1 and refuses an insertSheetIndex past the end', async () => {
    const { book, call } = service();
    const src = book.sheet('jobs').properties.sheetId;
    const bad = await call('POST', ':batchUpdate', {
      requests: [
        { duplicateSheet: { sourceSheetId: src, insertSheetIndex: 3, newSheetName: 'c' } },
      ],
    });
    expect(bad.status).toBe(400);
    const ok = await call('POST', ':batchUpdate', {
      requests: [
        { duplicateSheet: { sourceSheetId: src, insertSheetIndex: 1, newSheetName: 'copy' } },
        { deleteSheet: { sheetId: src } },
      ],
    });
    expect(ok.status).toBe(200);
    expect(book.model.sheets.map((x) => [x.properties.title, x.properties.index]).sort()).toEqual([
      ["Bob's tab", 1],
      ['copy', 0],
    ]);
  });
});

describe('A1 notation', () => {
  it('columns, quoting and ranges', () => {
    expect([0, 25, 26, 18_277].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'ZZZ']);
    expect(columnIndex('ZZZ')).toBe(18_277);
    expect(quoteTitle("Bob's tab")).toBe("'Bob''s tab'");
    expect(parseA1("'Bob''s tab'!C2:C")).toEqual({
      title: "Bob's tab",
      startCol: 2,
      startRow: 1,
      endCol: 3,
    });
    expect(parseA1('jobs!2:5')).toEqual({ title: 'jobs', startRow: 1, endRow: 5 });
    expect(parseA1('jobs')).toEqual({ title: 'jobs' });
    expect(parseA1('jobs!?')).toBeUndefined();
  });
});
