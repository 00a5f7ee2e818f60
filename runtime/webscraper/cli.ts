/**
 * `mcfpipe scrape`: one scrape run, configured by flags and environment
 * variables (a flag wins over its variable). On Fargate the task definition
 * sets the variables; locally, flags are handier.
 *
 * Exit codes: 0 complete (or already complete), 1 failed, 2 bad usage,
 * 3 stopped early (circuit breaker, signal, storage failure): run again to resume.
 */
import { writeFileSync } from 'node:fs';
import { code, markdownTable, writeSummary } from '../../core/summary.js';
import {
  InputError,
  MissingInputError,
  parseBoolean,
  parseChoice,
  parseDuration,
  parseInteger,
} from '../../core/values.js';
import { openRowSource, parseUrl, storeOptions } from '../rows/open.js';
import { RowStore } from '../rows/store.js';
import { ConfigError, openConfigFile } from '../settings/config-file.js';
import { helpText, type OptionSpec, Options, parseCommandLine } from '../settings/options.js';
import { StopRequestedError } from './http/errors.js';
import { createLogger, LOG_FORMATS, type Logger } from './log.js';
import { LISTING_ENDPOINTS } from './mcf/client.js';
import { MCF_API_URL, MCF_WEB_URL } from './mcf/urls.js';
import { DESCRIPTION_POLICIES } from './normalise/job.js';
import { COUNTERS } from './progress.js';
import {
  BROWSER_MODES,
  NoTracksError,
  type ScrapeOptions,
  type ScrapeSummary,
  scrape,
} from './scraper.js';
import { openBlobStore } from './state/blob-store.js';
import { RowScrapeStorage } from './storage/rows.js';

export const SCRAPE_OPTIONS: OptionSpec[] = [
  {
    flag: 'config',
    env: 'MCFPIPE_CONFIG',
    arg: 'FILE',
    help: 'The configuration file (default: mcfpipe.config.yaml in the current folder, if any)',
  },
  ...storeOptions('SCRAPER_STORE'),

  {
    flag: 'store-id',
    env: 'SCRAPER_STORE_ID',
    arg: 'ID',
    help: 'Identity of the database rows go to; a checkpoint of another is ignored (default: the DynamoDB tables’ ids with dynamodb, none with db-api)',
  },
  {
    flag: 'state',
    config: 'scrape.state',
    env: 'SCRAPER_STATE',
    arg: 'DIR|s3://B/P',
    def: '.local-data/scraper',
    help: 'Checkpoints, shard hand-offs and (by default) the quarantine',
  },
  {
    flag: 'archive',
    config: 'scrape.archive',
    env: 'SCRAPER_ARCHIVE',
    arg: 'DIR|s3://B/P',
    help: 'Keep raw payloads as gzip JSONL here (default: not kept)',
  },
  {
    flag: 'quarantine',
    config: 'scrape.quarantine',
    env: 'SCRAPER_QUARANTINE',
    arg: 'DIR|s3://B/P',
    help: 'Bad records as JSONL (default: the state location)',
  },
  {
    flag: 'user',
    config: 'scrape.user',
    env: 'SCRAPER_USER',
    arg: 'USER_ID',
    help: "Only this user's tracks (default: every user's)",
  },
  {
    flag: 'rate',
    config: 'scrape.rate',
    env: 'SCRAPER_RATE',
    arg: 'REQ_PER_S',
    def: '2',
    help: 'Requests per second to MCF for the whole run; 0 = no limit',
  },
  {
    flag: 'concurrency',
    config: 'scrape.concurrency',
    env: 'SCRAPER_CONCURRENCY',
    arg: 'N',
    def: '2',
    help: 'Requests in flight at once',
  },
  {
    flag: 'max-pages',
    config: 'scrape.max_pages',
    env: 'SCRAPER_MAX_PAGES',
    arg: 'N',
    def: '10',
    help: 'Listing pages (of 100) per search when a track sets no max_pages',
  },
  {
    flag: 'early-stop',
    config: 'scrape.early_stop',
    env: 'SCRAPER_EARLY_STOP',
    arg: 'true|false',
    def: 'true',
    help: 'Stop a search at a full page of jobs seen and unchanged',
  },
  {
    flag: 'descriptions',
    config: 'scrape.descriptions',
    env: 'SCRAPER_DESCRIPTIONS',
    arg: 'text|none',
    def: 'text',
    help: "Store job descriptions as plain text, or not at all (MCF's terms)",
  },
  {
    flag: 'browser',
    config: 'scrape.browser',
    env: 'SCRAPER_BROWSER',
    arg: 'off|fallback|always',
    def: 'fallback',
    help: 'Render job pages in Chromium: never, when the API fails for a job, or for every job',
  },
  {
    flag: 'listing',
    config: 'scrape.listing',
    env: 'MCF_LISTING',
    arg: 'jobs|search',
    def: 'jobs',
    help: 'Listing endpoint: GET /v2/jobs or POST /v2/search',
  },
  {
    flag: 'mcf-api-url',
    config: 'scrape.mcf_api_url',
    env: 'MCF_API_URL',
    arg: 'URL',
    def: MCF_API_URL,
    help: 'MCF API base (the replay server locally)',
  },
  {
    flag: 'mcf-web-url',
    config: 'scrape.mcf_web_url',
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
    config: 'scrape.write_batch',
    env: 'SCRAPER_WRITE_BATCH',
    arg: 'N',
    def: '100',
    help: 'Job rows per storage write (each write also saves the checkpoint)',
  },
  {
    flag: 'attempts',
    config: 'scrape.attempts',
    env: 'SCRAPER_ATTEMPTS',
    arg: 'N',
    def: '6',
    help: 'Attempts per request',
  },
  {
    flag: 'timeout',
    config: 'scrape.timeout',
    env: 'SCRAPER_TIMEOUT',
    arg: 'DURATION',
    def: '30s',
    help: 'Per-attempt timeout',
  },
  {
    flag: 'block-pause',
    config: 'scrape.block_pause',
    env: 'SCRAPER_BLOCK_PAUSE',
    arg: 'DURATION',
    def: '5m',
    help: 'Pause of every request after a 403 block',
  },
  {
    flag: 'max-retry-after',
    config: 'scrape.max_retry_after',
    env: 'SCRAPER_MAX_RETRY_AFTER',
    arg: 'DURATION',
    def: '5m',
    help: 'Longest Retry-After honoured',
  },
  {
    flag: 'breaker-errors',
    config: 'scrape.breaker_errors',
    env: 'SCRAPER_BREAKER_ERRORS',
    arg: 'N',
    def: '20',
    help: 'Failed requests in a row that stop the run',
  },
  {
    flag: 'breaker-blocks',
    config: 'scrape.breaker_blocks',
    env: 'SCRAPER_BREAKER_BLOCKS',
    arg: 'N',
    def: '3',
    help: '403 blocks in a row that stop the run',
  },
  {
    flag: 'handoff-wait',
    config: 'scrape.handoff_wait',
    env: 'SCRAPER_HANDOFF_WAIT',
    arg: 'DURATION',
    def: '15m',
    help: 'How long a shard waits for the others to finish listing',
  },
  {
    flag: 'progress-interval',
    config: 'scrape.progress_interval',
    env: 'SCRAPER_PROGRESS_INTERVAL',
    arg: 'DURATION',
    def: '30s',
    help: 'Progress log interval; 0 = none',
  },
  {
    flag: 'log-format',
    config: 'scrape.log_format',
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
    config: 'scrape.force',
    env: 'SCRAPER_FORCE',
    boolean: true,
    help: 'Scrape again a day the checkpoint says is complete',
  },
];

export function help(): string {
  return helpText(
    'mcfpipe scrape [options]',
    'Scrapes MyCareersFuture for the active tracks in the database: job_search rows for\nevery job found, job rows for new and edited jobs. Resumable; one run per day.',
    SCRAPE_OPTIONS,
  );
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

/** Everything a run needs, from the options; InputError / MissingInputError on bad values. */
export function buildOptions(o: Options, logger: Logger): ScrapeOptions {
  const get = (flag: string) => o.get(flag);
  const label = (flag: string) => o.label(flag);
  const int = (flag: string, min: number, max: number) =>
    parseInteger(label(flag), get(flag)!, { min, max });
  const duration = (flag: string, minMs = 0) => parseDuration(label(flag), get(flag)!, { minMs });

  const shardCount = int('shard-count', 1, 1000);
  const shardIndex = int('shard-index', 0, shardCount - 1);
  const user = o.userId();
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
  const storeId = get('store-id');
  const settings = {
    apiUrl: parseUrl(label('mcf-api-url'), get('mcf-api-url')!),
    webUrl: parseUrl(label('mcf-web-url'), get('mcf-web-url')!),
    listing: parseChoice(label('listing'), get('listing')!, LISTING_ENDPOINTS),
    shard: { index: shardIndex, count: shardCount },
    ...(user ? { userId: user } : {}),
    ...(storeId ? { storeId } : {}),
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
  const source = openRowSource(o, (r) =>
    logger.warn('retrying a DB API request', {
      method: r.method,
      path: r.path,
      status: r.status,
      delay_ms: r.delayMs,
    }),
  );
  return {
    ...settings,
    state: openBlobStore(label('state'), get('state')!),
    ...(archive ? { archive: openBlobStore(label('archive'), archive) } : {}),
    ...(quarantine ? { quarantine: openBlobStore(label('quarantine'), quarantine) } : {}),
    storage: new RowScrapeStorage(new RowStore(source)),
    logger,
  };
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
  const parsed = parseCommandLine('scrape', argv, SCRAPE_OPTIONS, help);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  let o: Options;
  let logger: Logger;
  let opts: ScrapeOptions;
  try {
    o = new Options(SCRAPE_OPTIONS, values, env, openConfigFile(values, env));
    logger = createLogger(o.oneOf('log-format', LOG_FORMATS)!);
    opts = buildOptions(o, logger);
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
    const file = o.get('summary-json');
    if (file) writeFileSync(file, `${json}\n`);
    if (env.GITHUB_STEP_SUMMARY) await writeSummary(summaryMarkdown(summary));
    return summary.status === 'stopped' ? 3 : 0;
  } catch (err) {
    if (err instanceof NoTracksError) {
      logger.error(err.message);
      return 2;
    }
    logger.error('scrape failed', { error: err instanceof Error ? err.message : String(err) });
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
