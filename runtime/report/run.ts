/**
 * One report run, as `mcfpipe report` and the local pipeline's report stage
 * do it: bring the last analytics file, export the tables into it
 * (incrementally), draw the report, put both files in place.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RowStore } from '../rows/store.js';
import { type ExportSummary, exportAnalytics } from './export.js';
import { HTML_NAME, type Output, SQLITE_NAME } from './output.js';
import type { ReportData } from './queries.js';
import { renderReport } from './render.js';

export interface ReportRunOptions {
  output: Output;
  /** Where the tables are read; absent: draw from the existing analytics file only. */
  rows?: RowStore;
  full?: boolean;
  fullAfterMs?: number;
  user?: string;
  topJobs?: number;
  log?: (line: string) => void;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

export interface ReportRunSummary {
  /** Absent when the export was skipped. */
  export?: ExportSummary;
  sqlite: string;
  html: string;
  user: string | undefined;
  totals: ReportData['totals'];
  dataAsOf: string | null;
  /** Charts drawn, and those shown empty (with why). */
  charts: { drawn: string[]; empty: Array<{ id: string; why: string }> };
}

/** The analytics file is missing and the export was skipped. */
export class NoAnalyticsFileError extends Error {
  override name = 'NoAnalyticsFileError';
}

export async function runReport(opts: ReportRunOptions): Promise<ReportRunSummary> {
  const { output } = opts;
  const log = opts.log ?? (() => {});
  const file = join(output.dir, SQLITE_NAME);
  await output.fetch();
  let exported: ExportSummary | undefined;
  if (opts.rows) {
    exported = await exportAnalytics({
      rows: opts.rows,
      file,
      ...(opts.full !== undefined ? { full: opts.full } : {}),
      ...(opts.fullAfterMs !== undefined ? { fullAfterMs: opts.fullAfterMs } : {}),
      log,
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.env ? { env: opts.env } : {}),
    });
  } else {
    if (!existsSync(file)) {
      throw new NoAnalyticsFileError(
        `No analytics file at ${output.urlOf(SQLITE_NAME)} to draw the report from; run mcfpipe report without --skip-export first.`,
      );
    }
  }
  // The analytics file is published before the report is drawn, so an export is never lost
  // to a report that cannot be drawn (for example several users and none named).
  if (exported) await output.publish([SQLITE_NAME]);
  const report = renderReport(file, {
    ...(opts.user !== undefined ? { user: opts.user } : {}),
    ...(opts.topJobs !== undefined ? { topJobs: opts.topJobs } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  writeFileSync(join(output.dir, HTML_NAME), report.html);
  await output.publish([HTML_NAME]);
  const summary: ReportRunSummary = {
    ...(exported ? { export: exported } : {}),
    sqlite: output.urlOf(SQLITE_NAME),
    html: output.urlOf(HTML_NAME),
    user: report.data.user,
    totals: report.data.totals,
    dataAsOf: report.data.dataAsOf,
    charts: {
      drawn: report.charts.filter((c) => c.svg).map((c) => c.id),
      empty: report.charts.filter((c) => !c.svg).map((c) => ({ id: c.id, why: c.empty ?? '' })),
    },
  };
  log(
    `report: ${summary.html} (${summary.charts.drawn.length} charts drawn, ${summary.charts.empty.length} empty)`,
  );
  return summary;
}
