/**
 * `mcfpipe scrape`: one scrape run, configured by flags and environment
 * variables (a flag wins over its variable). On Fargate the task definition
 * sets the variables; locally, flags are handier.
 *
 * Exit codes: 0 complete (or already complete), 1 failed, 2 bad usage,
 * 3 stopped early (circuit breaker, signal, storage failure): run again to resume.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
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
import { StopRequestedError } from './http/errors.js';
import { createLogger, type Logger } from './log.js';
import { LISTING_ENDPOINTS } from './mcf/client.js';
import { MCF_API_URL, MCF_WEB_URL } from './mcf/urls.js';
import { DESCRIPTION_POLICIES } from './normalise/job.js';
import { COUNTERS } from './progress.js';
import { BROWSER_MODES, type ScrapeOptions, type ScrapeSummary, scrape } from './scraper.js';
import { openBlobStore } from './state/blob-store.js';
import { DbApiStorage } from './storage/db-api.js';
import { DynamoStorage } from './storage/dynamodb.js';
import type { ScrapeStorage } from './storage/types.js';

interface OptionSpec {
  flag: string;
  env?: string;
  arg?: string;
  def?: string;
  help: string;
  boolean?: true;
}

const OPTIONS: OptionSpec[] = [
  {
    flag: 'store',
    env: 'SCRAPER_STORE',
    arg: 'auto|db-api|dynamodb',
    def: 'auto',
    help: 'Where rows go; auto: db-api when DB_API_URL is set, else dynamodb when TABLE_NAME_PREFIX is',
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
    flag: 'state',
    env: 'SCRAPER_STATE',
    arg: 'DIR|s3://B/P',
    def: '.local-data/scraper',
    help: 'Checkpoints, shard hand-offs and (by default) the quarantine',
  },
  {
    flag: 'archive',
    env: 'SCRAPER_ARCHIVE',
    arg: 'DIR|s3://B/P',
    help: 'Keep raw payloads as gzip JSONL here (default: not kept)',
  },
  {
    flag: 'quarantine',
    env: 'SCRAPER_QUARANTINE',
    arg: 'DIR|s3://B/P',
    help: 'Bad records as JSONL (default: the state location)',
  },
  {
    flag: 'user',
    env: 'SCRAPER_USER',
    arg: 'USER_ID',
    help: "Only this user's tracks (default: every user's)",
  },
  {
    flag: 'rate',
    env: 'SCRAPER_RATE',
    arg: 'REQ_PER_S',
    def: '2',
    help: 'Requests per second to MCF for the whole run; 0 = no limit',
  },
  {
    flag: 'concurrency',
    env: 'SCRAPER_CONCURRENCY',
    arg: 'N',
    def: '2',
    help: 'Requests in flight at once',
  },
  {
    flag: 'max-pages',
    env: 'SCRAPER_MAX_PAGES',
    arg: 'N',
    def: '10',
    help: 'Listing pages (of 100) per search when a track sets no max_pages',
  },
  {
    flag: 'early-stop',
    env: 'SCRAPER_EARLY_STOP',
    arg: 'true|false',
    def: 'true',
    help: 'Stop a search at a full page of jobs seen and unchanged',
  },
  {
    flag: 'descriptions',
    env: 'SCRAPER_DESCRIPTIONS',
    arg: 'text|none',
    def: 'text',
    help: "Store job descriptions as plain text, or not at all (MCF's terms)",
  },
  {
    flag: 'browser',
    env: 'SCRAPER_BROWSER',
    arg: 'off|fallback|always',
    def: 'fallback',
    help: 'Render job pages in Chromium: never, when the API fails for a job, or for every job',
  },
  {
    flag: 'listing',
    env: 'MCF_LISTING',
    arg: 'jobs|search',
    def: 'jobs',
    help: 'Listing endpoint: GET /v2/jobs or POST /v2/search',
  },
  {
    flag: 'mcf-api-url',
    env: 'MCF_API_URL',
    arg: 'URL',
    def: MCF_API_URL,
    help: 'MCF API base (the replay server locally)',
  },
  {
    flag: 'mcf-web-url',
    env: 'MCF_WEB_URL',
    arg: 'URL',
    def: MCF_WEB_URL,
    help: 'MCF website base, for job pages',
  },
  {
    flag: 'shard-index',
    env: 'SHARD_INDEX',
    arg: 'I',
    def: '0',
    help: 'This task’s shard, 0 to SHARD_COUNT - 1',
  },
  {
    flag: 'shard-count',
    env: 'SHARD_COUNT',
    arg: 'N',
    def: '1',
    help: 'Tasks sharing the searches',
  },
  {
    flag: 'write-batch',
    env: 'SCRAPER_WRITE_BATCH',
    arg: 'N',
    def: '100',
    help: 'Job rows per storage write (each write also saves the checkpoint)',
  },
  { flag: 'attempts', env: 'SCRAPER_ATTEMPTS', arg: 'N', def: '6', help: 'Attempts per request' },
  {
    flag: 'timeout',
    env: 'SCRAPER_TIMEOUT',
    arg: 'DURATION',
    def: '30s',
    help: 'Per-attempt timeout',
  },
  {
    flag: 'block-pause',
    env: 'SCRAPER_BLOCK_PAUSE',
    arg: 'DURATION',
    def: '5m',
    help: 'Pause of every request after a 403 block',
  },
  {
    flag: 'max-retry-after',
    env: 'SCRAPER_MAX_RETRY_AFTER',
    arg: 'DURATION',
    def: '5m',
    help: 'Longest Retry-After honoured',
  },
  {
    flag: 'breaker-errors',
    env: 'SCRAPER_BREAKER_ERRORS',
    arg: 'N',
    def: '20',
    help: 'Failed requests in a row that stop the run',
  },
  {
    flag: 'breaker-blocks',
    env: 'SCRAPER_BREAKER_BLOCKS',
    arg: 'N',
    def: '3',
    help: '403 blocks in a row that stop the run',
  },
  {
    flag: 'handoff-wait',
    env: 'SCRAPER_HANDOFF_WAIT',
    arg: 'DURATION',
    def: '15m',
    help: 'How long a shard waits for the others to finish listing',
  },
  {
    flag: 'progress-interval',
    env: 'SCRAPER_PROGRESS_INTERVAL',
    arg: 'DURATION',
    def: '30s',
    help: 'Progress log interval; 0 = none',
  },
  {
    flag: 'log-format',
    env: 'SCRAPER_LOG_FORMAT',
    arg: 'text|json',
    def: 'text',
    help: 'Log lines for people or for machines',
  },
  {
    flag: 'summary-json',
    env: 'SCRAPER_SUMMARY_JSON',
    arg: 'FILE',
    help: 'Also write the final summary to this file',
  },
  {
    flag: 'force',
    env: 'SCRAPER_FORCE',
    boolean: true,
    help: 'Scrape again a day the checkpoint says is complete',
  },
];

export function help(): string {
  const rows = OPTIONS.map((o) => {
    const left = `  --${o.flag}${o.arg ? ` ${o.arg}` : ''}`;
    const right = `${o.help}${o.env ? ` [${o.env}]` : ''}${o.def !== undefined ? ` (default ${o.def})` : ''}`;
    return `${left.padEnd(38)} ${right}`;
  });
  return `Usage: mcfpipe scrape [options]\n\nScrapes MyCareersFuture for the active tracks in the database: job_search rows for\nevery job found, job rows for new and edited jobs. Resumable; one run per day.\n\nOptions (a flag wins over its environment variable):\n${rows.join('\n')}\n  --help, -h`;
}

type Values = Record<string, string | boolean | undefined>;

/** A flag's value, else its environment variable, else its default. */
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

function parseRate(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(n) || n > 1000) {
    throw new InputError(
      name,
      value,
      'requests per second: a number from 0 (no limit) to 1000, e.g. 2 or 0.5',
    );
  }
  return n;
}

function parseUrl(name: string, value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return value;
  } catch {
    // reported below
  }
  throw new InputError(name, value, 'an http:// or https:// URL');
}

/** Everything a run needs, from flags and environment; InputError / MissingInputError on bad values. */
export function buildOptions(
  values: Values,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): ScrapeOptions {
  const get = (flag: string) => pick(values, env, flag);
  const int = (flag: string, min: number, max: number) =>
    parseInteger(label(flag), get(flag)!, { min, max });
  const duration = (flag: string, minMs = 0) => parseDuration(label(flag), get(flag)!, { minMs });

  const shardCount = int('shard-count', 1, 1000);
  const shardIndex = int('shard-index', 0, shardCount - 1);
  const user = get('user');
  if (user !== undefined && !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(user)) {
    throw new InputError(
      label('user'),
      user,
      'a user id: lowercase letters, digits, _ and -, up to 64 characters',
    );
  }
  const politeness = {
    ratePerSec: parseRate(label('rate'), get('rate')!),
    concurrency: int('concurrency', 1, 64),
    attempts: int('attempts', 1, 20),
    timeoutMs: duration('timeout', 100),
    blockPauseMs: duration('block-pause'),
    maxRetryAfterMs: duration('max-retry-after'),
    breaker: {
      maxConsecutiveErrors: int('breaker-errors', 1, 10_000),
      maxBlocks: int('breaker-blocks', 1, 100),
    },
  };
  const settings = {
    apiUrl: parseUrl(label('mcf-api-url'), get('mcf-api-url')!),
    webUrl: parseUrl(label('mcf-web-url'), get('mcf-web-url')!),
    listing: parseChoice(label('listing'), get('listing')!, LISTING_ENDPOINTS),
    shard: { index: shardIndex, count: shardCount },
    ...(user ? { userId: user } : {}),
    maxPages: int('max-pages', 1, 100),
    writeBatch: int('write-batch', 1, 500),
    earlyStop: parseBoolean(label('early-stop'), get('early-stop')!),
    descriptions: parseChoice(label('descriptions'), get('descriptions')!, DESCRIPTION_POLICIES),
    browser: parseChoice(label('browser'), get('browser')!, BROWSER_MODES),
    politeness,
    handoffWaitMs: duration('handoff-wait'),
    progressIntervalMs: duration('progress-interval'),
    force: get('force') !== undefined && parseBoolean(label('force'), get('force')!),
  };
  const archive = get('archive');
  const quarantine = get('quarantine');
  return {
    ...settings,
    state: openBlobStore(label('state'), get('state')!),
    ...(archive ? { archive: openBlobStore(label('archive'), archive) } : {}),
    ...(quarantine ? { quarantine: openBlobStore(label('quarantine'), quarantine) } : {}),
    storage: openStorage(get, logger),
    logger,
  };
}

function openStorage(get: (flag: string) => string | undefined, logger: Logger): ScrapeStorage {
  const url = get('db-api-url');
  const prefix = get('table-prefix');
  const store = parseChoice(label('store'), get('store')!, ['auto', 'db-api', 'dynamodb'] as const);
  const kind = store === 'auto' ? (url ? 'db-api' : prefix ? 'dynamodb' : undefined) : store;
  if (kind === 'db-api') {
    if (!url)
      throw new MissingInputError(
        label('db-api-url'),
        'Give the DB API base URL (the db-api stack output).',
      );
    const host = new URL(parseUrl(label('db-api-url'), url)).hostname;
    const auth = parseChoice(label('db-api-auth'), get('db-api-auth')!, [
      'auto',
      'iam',
      'none',
    ] as const);
    const sign = auth === 'iam' || (auth === 'auto' && regionFromHost(host) !== undefined);
    return new DbApiStorage({
      url,
      ...(sign ? { sigv4: true } : {}),
      onRetry: (r) =>
        logger.warn('retrying a DB API request', {
          method: r.method,
          path: r.path,
          status: r.status,
          delay_ms: r.delayMs,
        }),
    });
  }
  if (kind === 'dynamodb') {
    if (!prefix)
      throw new MissingInputError(
        label('table-prefix'),
        'Give the DynamoDB table name prefix, e.g. mcfpipe-dev-.',
      );
    return new DynamoStorage({ tablePrefix: prefix });
  }
  throw new MissingInputError(
    `${label('db-api-url')} or ${label('table-prefix')}`,
    'Say where rows go: the DB API URL, or (inside AWS) the DynamoDB table name prefix.',
  );
}

function summaryMarkdown(
  s: ScrapeSummary,
): (summary: Parameters<Parameters<typeof writeSummary>[0]>[0]) => void {
  return (summary) => {
    summary.addHeading(
      `MCF scrape ${s.day}, shard ${s.shard.index + 1} of ${s.shard.count}: ${s.status}`,
      3,
    );
    if (s.reason) summary.addRaw(`<p>Stopped: ${code(s.reason)}. Run again to resume.</p>`, true);
    const shown = COUNTERS;
    summary.addRaw(
      markdownTable(
        ['searches', ...shown, 'requests', 'duration'],
        [
          [
            `${s.searches.done}/${s.searches.mine}`,
            ...shown.map((k) => s.counters[k]),
            s.http.requests,
            `${s.durationS}s`,
          ],
        ],
      ),
      true,
    );
    if (s.searches.failed.length) {
      summary.addRaw(
        markdownTable(
          ['failed search', 'error'],
          s.searches.failed.map((f) => [f.term, f.error]),
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
    console.error(`mcfpipe scrape: ${(err as Error).message}\n\n${help()}`);
    return 2;
  }
  if (values.help) {
    console.log(help());
    return 0;
  }
  const format = pick(values, env, 'log-format');
  if (format !== 'text' && format !== 'json') {
    console.error(new InputError(label('log-format'), String(format), 'text or json').message);
    return 2;
  }
  const logger = createLogger(format);
  let opts: ScrapeOptions;
  try {
    opts = buildOptions(values, env, logger);
  } catch (err) {
    if (err instanceof InputError || err instanceof MissingInputError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130);
    logger.warn(`${sig} received: stopping after what is in flight; run again to resume`);
    stop.abort(new StopRequestedError(`${sig} received`));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const summary = await scrape({ ...opts, signal: stop.signal });
    const json = JSON.stringify(summary);
    console.log(JSON.stringify({ mcfpipe_scrape_summary: summary }));
    const file = pick(values, env, 'summary-json');
    if (file) writeFileSync(file, `${json}\n`);
    if (env.GITHUB_STEP_SUMMARY) await writeSummary(summaryMarkdown(summary));
    return summary.status === 'stopped' ? 3 : 0;
  } catch (err) {
    logger.error('scrape failed', { error: err instanceof Error ? err.message : String(err) });
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
