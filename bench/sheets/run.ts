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
 * With --profile DIR, the measured sync runs under the V8 profiler in both
 * processes (client and server; profiles written to DIR) and the results
 * list the functions with the most CPU time (the profiler's overhead is then
 * in the wall time: record results from a run without it).
 *
 *   npx tsx bench/sheets/run.ts [--rows 10000] [--changed 500] [--profile DIR] [--out bench/results/sheets.md]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { RowStore } from '../../runtime/rows/store.js';
import { SheetsApi } from '../../sheets/google/api.js';
import { GoogleSheetsBackend } from '../../sheets/google/backend.js';
import { initSpreadsheet } from '../../sheets/google/init.js';
import { JOBS } from '../../sheets/layout.js';
import { ViewStore } from '../../sheets/store.js';
import { sync } from '../../sheets/sync.js';
import { jobId, seedTables } from '../../sheets/testing/fixtures.js';
import { runHeader, Verdicts } from '../lib/verdict.mjs';
import { busyMs, type CpuProfile, profiled, topFunctions } from './profile.js';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000' },
    changed: { type: 'string', default: '500' },
    out: { type: 'string' },
    profile: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    `Usage: npx tsx bench/sheets/run.ts [--rows 10000] [--changed 500] [--profile DIR] [--out bench/results/sheets.md]\n\nSheets sync: API calls and time for a sync of changed rows against a Sheets-compatible server.\n--profile DIR: profile the measured sync in the client and the server (written to DIR) and list where the CPU time went.`,
  );
  process.exit(0);
}
const ROWS = Number(values.rows);
const CHANGED = Number(values.changed);
const MAX_CALLS = 3;
const MAX_MS = 5000;

// The server runs as a process of its own, as a real API would.
const child = spawn(
  process.execPath,
  ['--import', 'tsx', resolve(ROOT, 'sheets/testing/serve.ts'), 'bench'],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
// The server answers on its standard output, one JSON line a message.
const replies = createInterface({ input: child.stdout });
const reply = () =>
  new Promise<Record<string, unknown>>((ok, fail) => {
    const onExit = (code: number | null) => fail(new Error(`the Sheets server exited (${code})`));
    child.once('exit', onExit);
    replies.once('line', (line) => {
      child.off('exit', onExit);
      ok(JSON.parse(line) as Record<string, unknown>);
    });
  });
const url = String((await reply()).url);
const ID = 'bench';
const tables = seedTables({ jobs: ROWS, crm: Math.floor(ROWS / 4) });
/** Bytes of each call of the sync's client: request body sent, answer received (Content-Length). */
const traffic: Array<{ call: string; sent: number; received: number }> = [];
const counted: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  traffic.push({
    call: new URL(String(input)).pathname.endsWith(':batchUpdate') ? 'batchUpdate' : 'get',
    sent: typeof init?.body === 'string' ? Buffer.byteLength(init.body) : 0,
    received: Number(res.headers.get('content-length') ?? 0),
  });
  return res;
};
const api = () =>
  new SheetsApi({
    rootUrl: url,
    headers: async () => ({ authorization: 'Bearer bench' }),
    fetch: counted,
  });
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

// The user re-sorts the tab by score and edits rows, through the API.
const user = api();
const path = `v4/spreadsheets/${ID}`;
type Doc = {
  sheets: Array<{
    properties: { sheetId: number; title: string };
    data?: Array<{
      rowData?: Array<{ values?: Array<{ effectiveValue?: { stringValue?: string } }> }>;
    }>;
  }>;
};
const col = (name: string) => JOBS.columns.findIndex((c) => c.header === name);
const jobsSheet = async () => {
  const doc = await user.call<Doc>('get', 'GET', path, [
    ['includeGridData', 'true'],
    ['ranges', 'jobs'],
  ]);
  return doc.sheets.find((x) => x.properties.title === 'jobs')!;
};
const sheetId = (await jobsSheet()).properties.sheetId;
await user.call('batchUpdate', 'POST', `${path}:batchUpdate`, [], {
  requests: [
    {
      sortRange: {
        range: { sheetId, startRowIndex: 1 },
        sortSpecs: [{ dimensionIndex: col('score'), sortOrder: 'DESCENDING' }],
      },
    },
  ],
});
const rows = (await jobsSheet()).data?.[0]?.rowData ?? [];
const keyRow = new Map(
  rows.map((r, i) => [r.values?.[col('job_s_id')]?.effectiveValue?.stringValue ?? '', i]),
);
const half = Math.floor(CHANGED / 2);
for (let n = 0; n < half; n++) {
  const score = tables.table('job_score').get(`me:${jobId(n)}`)!;
  score.score = ((score.score as number) + 1) % 101;
}
const cellAt = (row: number, c: number, value: string) => ({
  updateCells: {
    range: {
      sheetId,
      startRowIndex: row,
      endRowIndex: row + 1,
      startColumnIndex: c,
      endColumnIndex: c + 1,
    },
    rows: [{ values: [{ userEnteredValue: { stringValue: value } }] }],
    fields: 'userEnteredValue',
  },
});
const edits: unknown[] = [];
for (let n = half; n < CHANGED; n++) {
  const r = keyRow.get(`me:${jobId(n)}`)!;
  edits.push(cellAt(r, col('notes'), `bench note ${n}`), cellAt(r, col('status'), 'shortlisted'));
}
await user.call('batchUpdate', 'POST', `${path}:batchUpdate`, [], { requests: edits });

/** CPU seconds the server process has used (Linux /proc; undefined elsewhere). */
const serverCpu = (): number | undefined => {
  try {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
};
const load = loadavg()[0]!;
const profileDir = values.profile ? resolve(values.profile) : undefined;
if (profileDir) {
  mkdirSync(profileDir, { recursive: true });
  child.stdin.write('profile\n');
  await reply();
}
traffic.length = 0;
const server0 = serverCpu();
const cpu0 = process.cpuUsage();
const start = performance.now();
const measured = profileDir
  ? await profiled(run, join(profileDir, 'client.cpuprofile'))
  : { result: await run(), profile: undefined };
const ms = performance.now() - start;
const report = measured.result;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
const server1 = serverCpu();
const serverS = server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined;
let serverProfile: CpuProfile | undefined;
if (profileDir) {
  const file = join(profileDir, 'server.cpuprofile');
  child.stdin.write(`profile-stop ${file}\n`);
  await reply();
  serverProfile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}
const calls = report.calls;
child.stdin.end();

const imported = [...tables.table('crm').values()].filter((r) =>
  String(r.notes ?? '').startsWith('bench note'),
).length;
const verdicts = new Verdicts();
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const profiles = (
  [
    ['client (sync, in-memory database)', measured.profile],
    ['server', serverProfile],
  ] as Array<[string, CpuProfile | undefined]>
)
  .filter((x): x is [string, CpuProfile] => x[1] !== undefined)
  .map(
    ([who, p]) =>
      `\nWhere the ${who}'s CPU time went (self time, profiled run; ${busyMs(p).toFixed(0)} ms busy):\n\n| function | where | ms |\n| --- | --- | ---: |\n${topFunctions(
        p,
      )
        .map(
          ([name, where, t]) => `| ${name.replaceAll('|', '\\|')} | ${where} | ${t.toFixed(0)} |`,
        )
        .join('\n')}\n`,
  )
  .join('');
verdicts.check(
  `API calls of the sync: at most ${MAX_CALLS}`,
  `${calls} (${report.writes} write${report.writes === 1 ? '' : 's'})`,
  calls <= MAX_CALLS,
);
verdicts.check(
  `wall time: under ${MAX_MS / 1000} s`,
  `${(ms / 1000).toFixed(2)} s${profileDir ? ' (under the profiler)' : ''}, load ${load.toFixed(1)} on ${cpus().length} CPUs at its start`,
  ms < MAX_MS,
);
verdicts.check(
  `result: ${half} pipeline cells updated in place, ${CHANGED - half} edits saved, 0 conflicts`,
  `${report.updatedCells} updated, ${imported} saved, ${report.conflicts.length} conflicts (status ${report.status})`,
  report.status === 'done' &&
    report.updatedCells === half &&
    imported === CHANGED - half &&
    report.conflicts.length === 0,
);
const text = `# Sheets connector: sync of a ${ROWS.toLocaleString('en')}-row sheet with ${CHANGED} changed rows

${runHeader()}

The jobs tab holds ${ROWS.toLocaleString('en')} synced rows (${JOBS.columns.length} columns) in the Sheets-v4-compatible server, a
process of its own on 127.0.0.1 (HTTP, JSON, the real API's shapes; sheets/testing/fake-sheets.ts); the database is in
memory (runtime/rows MemorySource, with the DB API's validation). Through the API the user re-sorts the tab by score
and edits ${CHANGED - half} rows (status and notes); the pipeline rescores ${half} other rows. One \`sync\`, timed from its first call to its report.
One run.

${verdicts.summary()}

${verdicts.table()}

Traffic of the sync: ${traffic.map((t) => `${t.call} ${mb(t.sent)} sent, ${mb(t.received)} received`).join('; ')} (Google recommends request bodies under 2 MB).
CPU time of the sync: client (and the in-memory database) ${(cpuMs / 1000).toFixed(2)} s, server ${serverS === undefined ? '?' : `${serverS.toFixed(2)} s`}.
For reference: the first export of the ${ROWS.toLocaleString('en')} rows (an append in one batchUpdate) took ${(exportMs / 1000).toFixed(2)} s
in ${first.calls} calls.
${profiles}
Command: \`npx tsx bench/sheets/run.ts --rows ${ROWS} --changed ${CHANGED}${values.profile ? ` --profile ${values.profile}` : ''}${values.out ? ` --out ${values.out}` : ''}\`
`;
process.stdout.write(text);
if (values.out) writeFileSync(resolve(ROOT, values.out), text);
verdicts.exit();
