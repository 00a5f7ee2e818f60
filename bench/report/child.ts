/**
 * One measured phase of the report benchmark, in its own process so its peak
 * RSS is its own (run by bench/report/run.ts):
 *
 *   node --import tsx bench/report/child.ts export|render DATA_DIR SQLITE_FILE [--full]
 *
 * `export` reads the tables from DATA_DIR/<table>.jsonl (written by run.ts)
 * through the runtime's row store, 1,000 rows a page, parsed as they are read
 * (as the DB API client parses its pages) and checked against db_schema.json,
 * into SQLITE_FILE. `render` draws the report from SQLITE_FILE. Prints one
 * JSON line: the phase's wall time, the process's peak RSS, what was done.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type RowSource, RowStore } from '../../runtime/rows/store.js';
import type { TableName } from '../../runtime/schema/types.generated.js';

/** Rows streamed from one JSON-lines file per table; read-only. */
class JsonLinesSource implements RowSource {
  readonly description: string;
  constructor(private readonly dir: string) {
    this.description = `jsonl ${dir}`;
  }
  async *pages(table: TableName): AsyncIterable<unknown[]> {
    let page: unknown[] = [];
    const lines = createInterface({
      input: createReadStream(join(this.dir, `${table}.jsonl`)),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) {
      if (!line) continue;
      page.push(JSON.parse(line));
      if (page.length === 1000) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
  }
  getMany(): Promise<unknown[]> {
    return Promise.reject(new Error('the benchmark source only lists'));
  }
  upsert(): Promise<void> {
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
// ru_maxrss: the process's peak resident set, kB (Linux).
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ phase, seconds, peakMb, ...detail }));
