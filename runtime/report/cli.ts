/**
 * `mcfpipe report`: export the tables into the analytics SQLite file
 * (incrementally) and write the HTML report next to it, in a local folder or
 * an S3 prefix. Flags win over their environment variables.
 *
 * Exit codes: 0 done, 1 failed, 2 bad usage.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { explainError } from '../../core/errors.js';
import { code, markdownTable, writeSummary } from '../../core/summary.js';
import {
  InputError,
  MissingInputError,
  parseBoolean,
  parseChoice,
  parseDuration,
  parseInteger,
} from '../../core/values.js';
import { regionFromHost } from '../db-api/sigv4.js';
import { DbApiSource } from '../rows/db-api-source.js';
import { DynamoSource } from '../rows/dynamo-source.js';
import { type RowSource, RowStore } from '../rows/store.js';
import { HTML_NAME, openOutput, SQLITE_NAME } from './output.js';
import { UserChoiceError } from './queries.js';
import { NoAnalyticsFileError, type ReportRunSummary, runReport } from './run.js';
import { SqliteUnavailableError } from './sqlite.js';

interface OptionSpec {
  flag: string;
  env?: string;
  arg?: string;
  def?: string;
  help: string;
  boolean?: true;
}

export const DEFAULT_OUT = '.local-data/report';

const OPTIONS: OptionSpec[] = [
  {
    flag: 'out',
    env: 'REPORT_OUT',
    arg: 'DIR|s3://B/P',
    def: DEFAULT_OUT,
    help: `Where ${SQLITE_NAME} and ${HTML_NAME} go (in AWS: s3://<config bucket>/mcfpipe/<env>/report)`,
  },
  {
    flag: 'store',
    env: 'REPORT_STORE',
    arg: 'auto|db-api|dynamodb',
    def: 'auto',
    help: 'Where the tables are read; auto: db-api when DB_API_URL is set, else dynamodb when TABLE_NAME_PREFIX is',
  },
  {
    flag: 'db-api-url',
    env: 'DB_API_URL',
    arg: 'URL',
    help: 'The DB API (db-api stack output, or http://127.0.0.1:PORT locally)',
  },
  {
    flag: 'db-api-auth',
    env: 'DB_API_AUTH',
    arg: 'auto|iam|none',
    def: 'auto',
    help: 'SigV4 signing; auto: for an execute-api host',
  },
  {
    flag: 'table-prefix',
    env: 'TABLE_NAME_PREFIX',
    arg: 'PREFIX',
    help: 'DynamoDB table name prefix, e.g. mcfpipe-dev- (store dynamodb)',
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
    arg: 'USER_ID',
    help: 'The user to report on (default: the only user with jobs)',
  },
  {
    flag: 'top',
    env: 'REPORT_TOP',
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
  const rows = OPTIONS.map((o) => {
    const left = `  --${o.flag}${o.arg ? ` ${o.arg}` : ''}`;
    const right = `${o.help}${o.env ? ` [${o.env}]` : ''}${o.def !== undefined ? ` (default ${o.def})` : ''}`;
    return `${left.padEnd(32)} ${right}`;
  });
  return `Usage: mcfpipe report [options]

Exports the tables (job, job_search, job_score, crm, track, keyword) into one SQLite
file with a denormalised user_job table and views, then writes a self-contained HTML
report with charts next to it. Incremental: only rows changed since the last export
are read, unless --full.

Options (a flag wins over its environment variable):
${rows.join('\n')}
  --help, -h

Examples:
  mcfpipe report --db-api-url http://127.0.0.1:8080
  mcfpipe report --table-prefix mcfpipe-dev- \\
    --out s3://mcfpipe-config-dev-123456789012-ap-southeast-1/mcfpipe/dev/report`;
}

type Values = Record<string, string | boolean | undefined>;

function pick(values: Values, env: NodeJS.ProcessEnv, flag: string): string | undefined {
  const o = OPTIONS.find((x) => x.flag === flag)!;
  const v = values[flag];
  if (typeof v === 'string') return v;
  if (v === true) return 'true';
  const fromEnv = o.env ? env[o.env]?.trim() : undefined;
  return fromEnv ? fromEnv : o.def;
}

function label(flag: string): string {
  const o = OPTIONS.find((x) => x.flag === flag)!;
  return o.env ? `--${flag} / ${o.env}` : `--${flag}`;
}

const USER_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Where the flags say the tables are: the DB API, or DynamoDB directly. */
export function openSource(
  get: (flag: string) => string | undefined,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): RowSource {
  const url = get('db-api-url');
  const prefix = get('table-prefix');
  const store = parseChoice(label('store'), get('store')!, ['auto', 'db-api', 'dynamodb'] as const);
  const kind = store === 'auto' ? (url ? 'db-api' : prefix ? 'dynamodb' : undefined) : store;
  if (kind === 'db-api') {
    if (!url) throw new MissingInputError(label('db-api-url'), 'Give the DB API base URL.');
    let host: string;
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
      host = u.hostname;
    } catch {
      throw new InputError(label('db-api-url'), url, 'an http:// or https:// URL');
    }
    const auth = parseChoice(label('db-api-auth'), get('db-api-auth')!, [
      'auto',
      'iam',
      'none',
    ] as const);
    const sign = auth === 'iam' || (auth === 'auto' && regionFromHost(host) !== undefined);
    return new DbApiSource({
      url,
      ...(sign ? { sigv4: true } : {}),
      onRetry: (r) =>
        log(
          `retrying DB API ${r.method} ${r.path} (${r.status ?? 'no answer'}) in ${r.delayMs} ms`,
        ),
    });
  }
  if (kind === 'dynamodb') {
    if (!prefix)
      throw new MissingInputError(
        label('table-prefix'),
        'Give the DynamoDB table name prefix, e.g. mcfpipe-dev-.',
      );
    return new DynamoSource({ tablePrefix: prefix, env });
  }
  throw new MissingInputError(
    `${label('db-api-url')} or ${label('table-prefix')}`,
    'Say where the tables are read: the DB API URL, or (inside AWS) the DynamoDB table name prefix; or pass --skip-export to draw the report from the last analytics file.',
  );
}

function summaryMarkdown(s: ReportRunSummary) {
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
    summary.addRaw(`<p>Report: ${code(s.html)}<br>Analytics file: ${code(s.sqlite)}</p>`, true);
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
  let values: Values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(
          OPTIONS.map((o) => [
            o.flag,
            { type: o.boolean ? ('boolean' as const) : ('string' as const) },
          ]),
        ),
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values as Values;
  } catch (err) {
    console.error(`mcfpipe report: ${(err as Error).message}\n\n${help()}`);
    return 2;
  }
  if (values.help) {
    console.log(help());
    return 0;
  }
  const get = (flag: string) => pick(values, env, flag);
  const log = (line: string) => console.error(line);
  let opts: Parameters<typeof runReport>[0];
  try {
    const user = get('user');
    if (user !== undefined && !USER_ID.test(user)) {
      throw new InputError(
        label('user'),
        user,
        'a user id: lowercase letters, digits, _ and -, up to 64 characters',
      );
    }
    const full = get('full');
    const skipExport = values['skip-export'] === true;
    opts = {
      output: openOutput(label('out'), get('out')!, { env }),
      ...(skipExport ? {} : { rows: new RowStore(openSource(get, env, log)) }),
      ...(full !== undefined ? { full: parseBoolean(label('full'), full) } : {}),
      fullAfterMs: parseDuration(label('full-after'), get('full-after')!),
      ...(user !== undefined ? { user } : {}),
      topJobs: parseInteger(label('top'), get('top')!, { min: 0, max: 1000 }),
      log,
      env,
    };
  } catch (err) {
    if (err instanceof InputError || err instanceof MissingInputError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  try {
    const summary = await runReport(opts);
    console.log(JSON.stringify({ mcfpipe_report_summary: summary }));
    const file = get('summary-json');
    if (file) writeFileSync(file, `${JSON.stringify(summary)}\n`);
    if (env.GITHUB_STEP_SUMMARY) await writeSummary(summaryMarkdown(summary));
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
