import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { RowStore } from '../../runtime/rows/store.js';
import { JOBS } from '../layout.js';
import { ViewStore } from '../store.js';
import { sync } from '../sync.js';
import { jobId, seedTables } from '../testing/fixtures.js';
import { XlsxBackend } from '../xlsx/backend.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(jobs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'mcfpipe-xlsx-'));
  dirs.push(dir);
  const path = join(dir, 'crm.xlsx');
  const tables = seedTables({ jobs, crm: 1 });
  const run = () =>
    sync({
      backend: new XlsxBackend(path),
      store: new ViewStore(new RowStore(tables)),
      user: 'me',
    });
  return { path, tables, run };
}

const col = (name: string) => JOBS.columns.findIndex((c) => c.header === name) + 1;

async function edit(path: string, change: (ws: ExcelJS.Worksheet) => void) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  change(wb.getWorksheet('jobs')!);
  await wb.xlsx.writeFile(path);
}

function rowOf(ws: ExcelJS.Worksheet, key: string): ExcelJS.Row {
  let found: ExcelJS.Row | undefined;
  ws.eachRow((row) => {
    if (row.getCell(1).value === key) found = row;
  });
  if (!found) throw new Error(`no row ${key}`);
  return found;
}

describe('sync with a local workbook', () => {
  it('round trip: created with its tabs, edited (re-sorted, a column added), read back by key', async () => {
    const { path, tables, run } = setup(5);
    const first = await run();
    expect(first.status).toBe('done');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    expect(wb.worksheets.map((w) => w.name)).toEqual(
      expect.arrayContaining(['jobs', 'tracks', 'keywords', 'config']),
    );
    const ws = wb.getWorksheet('jobs')!;
    expect(ws.rowCount).toBe(6);
    expect(rowOf(ws, `me:${jobId(2)}`).getCell(col('title')).value).toBe('Analytics Engineer 2');
    await run(); // reads the new rows back
    const key = `me:${jobId(3)}`;
    await edit(path, (ws) => {
      // re-sort by hand: move the last data row to the top, and add a column at the end
      const rows = ws.getRows(2, 5)!.map((r) => (r.values as unknown[]).slice(1));
      rows.reverse().forEach((values, i) => {
        ws.getRow(i + 2).values = values as ExcelJS.CellValue[];
      });
      ws.getCell(1, 20).value = 'my notes';
      const row = rowOf(ws, key);
      row.getCell(col('status')).value = 'applied';
      row.getCell(col('applied_date')).value = new Date(Date.UTC(2026, 11, 3));
      row.getCell(20).value = 'mine';
    });
    tables.table('job_score').get(key)!.score = 100;
    const r = await run();
    expect(r.status).toBe('done');
    expect(r.imported).toBe(1);
    const crm = tables.table('crm').get(key)!;
    expect(crm.status).toBe('applied');
    expect(crm.applied_date).toBe('2026-12-03');
    const after = new ExcelJS.Workbook();
    await after.xlsx.readFile(path);
    const row = rowOf(after.getWorksheet('jobs')!, key);
    expect(row.getCell(col('score')).value).toBe(100);
    expect(row.getCell(20).value).toBe('mine');
    expect((await run()).writes).toBe(0);
  });
});
