/**
 * The report from an analytics file: read the views for one user, draw the
 * charts, compose the page.
 */
import { basename } from 'node:path';
import { isoTimestamp } from '../schema/timestamps.js';
import { type Chart, reportCharts } from './charts.js';
import { reportHtml } from './html.js';
import { chooseUser, type ReportData, readReportData } from './queries.js';
import { openDatabase } from './sqlite.js';

export interface RenderOptions {
  /** The user to report on (default: the only one in the file). */
  user?: string;
  /** Rows of the top-scored new jobs table (default 20). */
  topJobs?: number;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

export interface RenderedReport {
  html: string;
  data: ReportData;
  charts: Chart[];
}

export function renderReport(sqliteFile: string, opts: RenderOptions = {}): RenderedReport {
  const db = openDatabase(sqliteFile, opts.env);
  try {
    const user = chooseUser(db, opts.user);
    const data = readReportData(db, user, { topJobs: opts.topJobs ?? 20 });
    const charts = reportCharts(data);
    const html = reportHtml(data, charts, {
      generatedAt: isoTimestamp((opts.now ?? (() => new Date()))(), data.timezone),
      sourceNote: basename(sqliteFile),
    });
    return { html, data, charts };
  } finally {
    db.close();
  }
}
