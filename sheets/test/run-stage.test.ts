import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { RowStore } from '../../runtime/rows/store.js';
import type { StageContext } from '../../runtime/run/stage.js';
import { syncStage } from '../run-stage.js';
import { jobId, seedTables } from '../testing/fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function context(tables: ReturnType<typeof seedTables>): StageContext {
  const dir = mkdtempSync(join(tmpdir(), 'mcfpipe-sync-stage-'));
  dirs.push(dir);
  const lines: string[] = [];
  return {
    data: { dir: (name: string) => join(dir, name) },
    dbApiUrl: 'http://127.0.0.1:9/',
    rows: new RowStore(tables),
    logger: {
      info: (m: string) => lines.push(m),
      warn: (m: string) => lines.push(m),
      error: (m: string) => lines.push(m),
    },
  } as unknown as StageContext;
}

describe('the sync stage of mcfpipe run', () => {
  it("without Google credentials writes each user's workbook in the data folder, and reads edits back", async () => {
    const saved = { ...process.env };
    delete process.env.GOOGLE_SERVICE_ACCOUNT_KEY;
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    try {
      const tables = seedTables({ jobs: 3 });
      const ctx = context(tables);
      const first = await syncStage.run(ctx);
      expect(first.status).toBe('done');
      expect(first.summary).toMatch(/^6 new row/);
      const file = first.outputs![0]!.location;
      expect(file).toBe(join(ctx.data.dir('crm'), 'me.xlsx'));
      await syncStage.run(ctx);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const ws = wb.getWorksheet('jobs')!;
      ws.eachRow((row) => {
        if (row.getCell(1).value === `me:${jobId(1)}`) row.getCell(11).value = 'applied';
      });
      await wb.xlsx.writeFile(file);
      const third = await syncStage.run(ctx);
      expect(third.summary).toMatch(/1 edit\(s\) saved/);
      expect(tables.table('crm').get(`me:${jobId(1)}`)!.status).toBe('applied');
    } finally {
      process.env = saved;
    }
  });

  it('is skipped when no user has tracks', async () => {
    const tables = seedTables({ jobs: 0 });
    tables.table('track').clear();
    expect((await syncStage.run(context(tables))).status).toBe('skipped');
  });
});
