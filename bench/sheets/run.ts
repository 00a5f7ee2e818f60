/**
 * Sheets connector benchmark, against the Sheets-v4-compatible server on
 * 127.0.0.1 (sheets/testing/fake-sheets.ts, over HTTP) and the database in
 * memory (runtime/rows MemorySource, with the DB API's write rules):
 *
 *   a spreadsheet whose jobs tab has 10,000 synced rows; then 500 changed rows
 *   (250 rescored by the pipeline, 250 edited by the user in the Sheet, after
 *   a re-sort of the tab); one `sync`.
 *
 * Targets: at most 3 API calls; wall time under 5 s. Exits 1 on a miss.
 *
 *   npx tsx bench/sheets/run.ts [--rows 10000] [--changed 500] [--out bench/results/sheets.md]
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RowStore } from '../../runtime/rows/store.js';
import { SheetsApi } from '../../sheets/google/api.js';
import { GoogleSheetsBackend } from '../../sheets/google/backend.js';
import { initSpreadsheet } from '../../sheets/google/init.js';
import { JOBS } from '../../sheets/layout.js';
import { ViewStore } from '../../sheets/store.js';
import { sync } from '../../sheets/sync.js';
import { startFakeSheets } from '../../sheets/testing/fake-sheets.js';
import { jobId, seedTables } from '../../sheets/testing/fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000' },
    changed: { type: 'string', default: '500' },
    out: { type: 'string' },
  },
});
const ROWS = Number(values.rows);
const CHANGED = Number(values.changed);
const MAX_CALLS = 3;
const MAX_MS = 5000;

const server = await startFakeSheets();
const ID = 'bench';
server.book(ID);
const tables = seedTables({ jobs: ROWS, crm: Math.floor(ROWS / 4) });
const api = () =>
  new SheetsApi({ rootUrl: server.url, headers: async () => ({ authorization: 'Bearer bench' }) });
const run = () =>
  sync({
    backend: new GoogleSheetsBackend(api(), ID),
    store: new ViewStore(new RowStore(tables)),
    user: 'me',
  });

await initSpreadsheet(api(), ID);
const t0 = performance.now();
const first = await run();
const exportMs = performance.now() - t0;
await run(); // reads the new rows back: the state now holds every row
const book = server.book(ID);
const col = (name: string) => JOBS.columns.findIndex((c) => c.header === name);
book.sortRows('jobs', col('score'), true);
const keyRow = new Map(book.values('jobs').map((r, i) => [String(r[col('job_s_id')]), i]));
const half = Math.floor(CHANGED / 2);
for (let n = 0; n < half; n++) {
  const score = tables.table('job_score').get(`me:${jobId(n)}`)!;
  score.score = ((score.score as number) + 1) % 101;
}
for (let n = half; n < CHANGED; n++) {
  const k = `me:${jobId(n)}`;
  book.setCell('jobs', keyRow.get(k)!, col('notes'), `bench note ${n}`);
  book.setCell('jobs', keyRow.get(k)!, col('status'), 'shortlisted');
}
const callsBefore = server.calls.length;
const load = loadavg()[0]!;
const cpu0 = process.cpuUsage();
const start = performance.now();
const report = await run();
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
const calls = server.calls.length - callsBefore;
await server.close();

const imported = [...tables.table('crm').values()].filter((r) =>
  String(r.notes ?? '').startsWith('bench note'),
).length;
const ok = {
  calls: calls <= MAX_CALLS,
  time: ms < MAX_MS,
  done: report.status === 'done' && report.updatedCells === half && imported === CHANGED - half,
};
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT })
  .toString()
  .trim();
const verdict = (b: boolean) => (b ? 'met' : 'NOT met');
const text = `# Sheets connector: sync of a ${ROWS.toLocaleString('en')}-row sheet with ${CHANGED} changed rows

Date ${new Date().toISOString().slice(0, 10)}, commit ${commit}, ${cpus().length} x ${cpus()[0]?.model.trim()}, Node.js ${process.version}.

The jobs tab holds ${ROWS.toLocaleString('en')} synced rows (${JOBS.columns.length} columns) in the Sheets-v4-compatible server on
127.0.0.1 (HTTP, JSON, the real API's shapes; sheets/testing/fake-sheets.ts); the database is in memory
(runtime/rows MemorySource). The user re-sorts the tab by score; then ${half} rows are rescored by the pipeline
and ${CHANGED - half} rows edited by the user (status and notes). One \`sync\`, timed from its first call to its report.
One run. Load average (1 min) when the sync started: ${load.toFixed(1)} on ${cpus().length} CPUs.

| measure | value | target | verdict |
| --- | ---: | ---: | --- |
| API calls of the sync | ${calls} (${server.calls
  .slice(callsBefore)
  .map((c) => c.method)
  .join(', ')}) | at most ${MAX_CALLS} | ${verdict(ok.calls)} |
| wall time | ${(ms / 1000).toFixed(2)} s | under ${MAX_MS / 1000} s | ${verdict(ok.time)} |
| CPU time (client, server and database share this one process) | ${(cpuMs / 1000).toFixed(2)} s | | |
| result | ${report.updatedCells} pipeline cells updated in place, ${imported} edits saved to the database, ${report.conflicts.length} conflicts | ${half} and ${CHANGED - half} | ${verdict(ok.done)} |

For reference: the first export of the ${ROWS.toLocaleString('en')} rows (an append in one batchUpdate) took ${(exportMs / 1000).toFixed(2)} s
in ${first.calls} calls.

Command: \`npx tsx bench/sheets/run.ts --rows ${ROWS} --changed ${CHANGED}${values.out ? ` --out ${values.out}` : ''}\`
`;
process.stdout.write(text);
if (values.out) writeFileSync(resolve(ROOT, values.out), text);
process.exitCode = ok.calls && ok.time && ok.done ? 0 : 1;
