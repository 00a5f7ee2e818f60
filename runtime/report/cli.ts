/**
 * `mcfpipe report`: export the tables into the analytics SQLite file
 * (incrementally) and write the HTML report next to it, in a local folder or
 * an S3 prefix. Flags win over their environment variables.
 *
 * Exit codes: 0 done, 1 failed, 2 bad usage.
 */
import { writeFileSync } from 'node:fs';
import { explainError } from '../../core/errors.js';
import { code, markdownTable, writeSummary } from '../../core/summary.js';
import {
  InputError,
  MissingInputError,
  parseBoolean,
  parseDuration,
  parseInteger,
} from '../../core/values.js';
import { openRowSource, storeOptions } from '../rows/open.js';
import { RowStore } from '../rows/store.js';
import { ConfigError, openConfigFile } from '../settings/config-file.js';
import { helpText, type OptionSpec, Options, parseCommandLine } from '../settings/options.js';
import { HTML_NAME, openOutput, SQLITE_NAME } from './output.js';
import { UserChoiceError } from './queries.js';
import {
  NoAnalyticsFileError,
  type ReportRunOptions,
  type ReportRunSummary,
  runReport,
} from './run.js';
import { SqliteUnavailableError } from './sqlite.js';

export const DEFAULT_OUT = '.local-data/report';

export const REPORT_OPTIONS: OptionSpec[] = [
  {
    flag: 'config',
    env: 'MCFPIPE_CONFIG',
    arg: 'FILE',
    help: 'The configuration file (default: mcfpipe.config.yaml in the current folder, if any)',
  },
  ...storeOptions('REPORT_STORE'),
  {
    flag: 'out',
    env: 'REPORT_OUT',
    arg: 'DIR|s3://B/P',
    def: DEFAULT_OUT,
    help: `Where ${SQLITE_NAME} and ${HTML_NAME} go (in AWS: s3://<config bucket>/mcfpipe/<env>/report)`,
  },
  {
    flag: 'full',
    env: 'REPORT_FULL',
    boolean: true,
    help: 'Read every row and rebuild the analytics file (default: only rows changed since the last export)',
  },
  {
    flag: 'full-after',
    env: 'REPORT_FULL_AFTER',
    config: 'report.full_after',
    arg: 'DURATION',
    def: '7d',
    help: 'Rebuild in full when the last full rebuild is older (deleted rows leave only then); 0 = never',
  },
  {
    flag: 'skip-export',
    boolean: true,
    help: 'Draw the report from the analytics file as it is, without reading the tables',
  },
  {
    flag: 'user',
    env: 'REPORT_USER',
    config: 'report.user',
    arg: 'USER_ID',
    help: 'The user to report on (default: the only user with jobs)',
  },
  {
    flag: 'top',
    env: 'REPORT_TOP',
    config: 'report.top',
    arg: 'N',
    def: '20',
    help: 'Rows in the table of top-scored new jobs',
  },
  {
    flag: 'summary-json',
    env: 'REPORT_SUMMARY_JSON',
    arg: 'FILE',
    help: 'Also write the run summary (locations, counts, charts) to this file',
  },
];

export function help(): string {
  return `${helpText(
    'mcfpipe report [options]',
    `Exports the tables (job, job_search, job_score, crm, track, keyword) into one SQLite
file with a denormalised user_job table and views, then writes a self-contained HTML
report with charts next to it. Incremental: only rows changed since the last export
are written, unless --full.`,
    REPORT_OPTIONS,
  )}

Examples:
  mcfpipe report --db-api-url http://127.0.0.1:8080
  mcfpipe report --table-prefix mcfpipe-dev- \\
    --out s3://mcfpipe-config-dev-123456789012-ap-southeast-1/mcfpipe/dev/report`;
}

/**
 * The report's settings from the options (everything but where the rows are);
 * InputError on a bad value. Shared by the command and the run's report stage.
 */
export function reportSettings(
  o: Options,
  env: NodeJS.ProcessEnv,
): Omit<ReportRunOptions, 'rows' | 'log'> {
  const user = o.userId();
  const full = o.get('full');
  return {
    output: openOutput(o.label('out'), o.get('out')!, { env }),
    ...(full !== undefined ? { full: parseBoolean(o.label('full'), full) } : {}),
    fullAfterMs: parseDuration(o.label('full-after'), o.get('full-after')!),
    ...(user !== undefined ? { user } : {}),
    topJobs: parseInteger(o.label('top'), o.get('top')!, { min: 0, max: 1000 }),
    env,
  };
}

/** The S3 console's page of an s3:// object (the bucket is private: a person opens it signed in). */
export function consoleUrl(location: string, region: string | undefined): string | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!m || !region) return undefined;
  return `https://${region}.console.aws.amazon.com/s3/object/${m[1]}?region=${region}&prefix=${encodeURIComponent(m[2]!)}`;
}

function summaryMarkdown(s: ReportRunSummary, region: string | undefined) {
  return (summary: Parameters<Parameters<typeof writeSummary>[0]>[0]) => {
    summary.addHeading(`Job search report${s.user ? ` for ${s.user}` : ''}`, 3);
    summary.addRaw(
      markdownTable(
        ['data as of', 'jobs found', 'in the CRM', 'applied', 'answers'],
        [
          [
            s.dataAsOf ?? 'no data',
            s.totals.jobs,
            s.totals.inCrm,
            s.totals.applied,
            s.totals.responded,
          ],
        ],
      ),
      true,
    );
    if (s.export) {
      summary.addRaw(
        `<p>Export: ${s.export.mode} (${s.export.reason}), ${(s.export.durationMs / 1000).toFixed(1)} s.</p>`,
        true,
      );
    }
    const link = consoleUrl(s.html, region);
    summary.addRaw(
      `<p>Report: ${code(s.html)}${link ? ` (<a href="${link}">open in the S3 console</a>)` : ''}<br>Analytics file: ${code(s.sqlite)}</p>`,
      true,
    );
    if (s.charts.empty.length) {
      summary.addRaw(
        markdownTable(
          ['empty chart', 'why'],
          s.charts.empty.map((c) => [c.id, c.why]),
        ),
        true,
      );
    }
  };
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseCommandLine('report', argv, REPORT_OPTIONS, help);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const log = (line: string) => console.error(line);
  let o: Options;
  let opts: ReportRunOptions;
  try {
    o = new Options(REPORT_OPTIONS, values, env, openConfigFile(values, env));
    const settings = reportSettings(o, env);
    const rows =
      values['skip-export'] === true
        ? undefined
        : new RowStore(
            openRowSource(o, (r) =>
              log(
                `retrying DB API ${r.method} ${r.path} (${r.status ?? 'no answer'}) in ${r.delayMs} ms`,
              ),
            ),
          );
    opts = { ...settings, ...(rows ? { rows } : {}), log };
  } catch (err) {
    if (
      err instanceof InputError ||
      err instanceof MissingInputError ||
      err instanceof ConfigError
    ) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  try {
    const summary = await runReport(opts);
    console.log(JSON.stringify({ mcfpipe_report_summary: summary }));
    const file = o.get('summary-json');
    if (file) writeFileSync(file, `${JSON.stringify(summary)}\n`);
    if (env.GITHUB_STEP_SUMMARY)
      await writeSummary(summaryMarkdown(summary, env.AWS_REGION ?? env.AWS_DEFAULT_REGION));
    return 0;
  } catch (err) {
    if (err instanceof UserChoiceError || err instanceof NoAnalyticsFileError) {
      console.error(`mcfpipe report: ${err.message}`);
      return 2;
    }
    if (err instanceof SqliteUnavailableError) {
      console.error(`mcfpipe report: ${err.message}`);
      return 1;
    }
    console.error(`mcfpipe report failed: ${explainError(err)}`);
    return 1;
  } finally {
    opts.output.dispose();
  }
}
