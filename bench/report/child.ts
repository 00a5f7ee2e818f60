/**
 * One measured phase of the report benchmark, in its own process so its peak
 * RSS is its own (run by bench/report/run.ts):
 *
 *   node --import tsx bench/report/child.ts export|render DATA_DIR SQLITE_FILE [--full]
 *
 * `export` reads the tables from DATA_DIR/<table>.jsonl (written by run.ts: a
 * JSON page of 1,000 rows a line, parsed as the DB API client parses a
 * listing) through the runtime's row store (every row checked against
 * db_schema.json) into SQLITE_FILE. `render` draws the report from SQLITE_FILE. Prints one
 * JSON line: the phase's wall time, the process's peak RSS, what was done.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { type RowSource, RowStore } from '../../runtime/rows/store.js';
import type { TableName } from '../../runtime/schema/types.generated.js';

/** Pages streamed from one file per table, a JSON array a line; read-only. */
class JsonLinesSource implements RowSource {
  readonly description: string;
  constructor(private readonly dir: string) {
    this.description = `jsonl ${dir}`;
  }
  async *pages(table: TableName): AsyncIterable<unknown[]> {
    // Lines split on the bytes and each decoded once: the cost left is JSON.parse, as for a listing.
    let pending: Buffer[] = [];
    for await (const chunk of createReadStream(join(this.dir, `${table}.jsonl`))) {
      let buf = chunk as Buffer;
      for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
        const line = Buffer.concat([...pending, buf.subarray(0, nl)]);
        pending = [];
        if (line.length) yield JSON.parse(line.toString('utf8')) as unknown[];
        buf = buf.subarray(nl + 1);
      }
      if (buf.length) pending.push(buf);
    }
    if (pending.length) yield JSON.parse(Buffer.concat(pending).toString('utf8')) as unknown[];
  }

  getMany(): Promise<unknown[]> {
    return Promise.reject(new Error('the benchmark source only lists'));
  }
  upsert(): Promise<void> {
    return Promise.reject(new Error('the benchmark source is read-only'));
  }
  delete(): Promise<void> {
    return Promise.reject(new Error('the benchmark source is read-only'));
  }
}

const [phase, dataDir, file, flag] = process.argv.slice(2);
let t0 = performance.now();
let detail: Record<string, unknown>;
// Each phase loads only its own code (the charts library is large), before the clock starts.
if (phase === 'export') {
  const { exportAnalytics } = await import('../../runtime/report/export.js');
  t0 = performance.now();
  const s = await exportAnalytics({
    rows: new RowStore(new JsonLinesSource(dataDir!)),
    file: file!,
    full: flag === '--full',
    fullAfterMs: 0,
  });
  detail = {
    mode: s.mode,
    engine: s.engine,
    read: Object.fromEntries(Object.entries(s.tables).map(([t, x]) => [t, x.read])),
    refused: Object.values(s.tables).reduce((n, x) => n + x.refused, 0),
    userJobs: s.userJobs,
  };
} else if (phase === 'render') {
  const { renderReport } = await import('../../runtime/report/render.js');
  t0 = performance.now();
  const r = renderReport(file!);
  detail = {
    htmlBytes: Buffer.byteLength(r.html),
    charts: r.charts.filter((c) => c.svg).length,
    jobs: r.data.totals.jobs,
  };
} else {
  throw new Error(`phase must be export or render, not ${JSON.stringify(phase)}`);
}
const seconds = (performance.now() - t0) / 1000;
const usage = process.resourceUsage();
const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
// ru_maxrss: the process's peak resident set, kB (Linux).
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ phase, seconds, cpuSeconds, peakMb, ...detail }));
