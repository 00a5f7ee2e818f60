/**
 * `mcfpipe score`: scores the users' jobs against their tracks and keywords
 * (job_score rows), only what changed since the last scoring. The same
 * command runs locally (through the DB API) and in AWS (the DB API, or
 * DynamoDB directly with TABLE_NAME_PREFIX), e.g. as a step after the
 * scraper's shards. Exit codes: 0 done, 1 failed, 2 configuration, 3
 * stopped early (run again to resume).
 */
import { writeFileSync } from 'node:fs';
import { code, markdownTable, writeSummary } from '../../core/summary.js';
import { InputError, MissingInputError } from '../../core/values.js';
import { openRowSource, storeOptions } from '../rows/open.js';
import { RowStore } from '../rows/store.js';
import { ConfigError, openConfigFile } from '../settings/config-file.js';
import { helpText, type OptionSpec, Options, parseCommandLine } from '../settings/options.js';
import { createLogger, LOG_FORMATS, type Logger } from '../webscraper/log.js';
import { openBlobStore } from '../webscraper/state/blob-store.js';
import { NoProfileError, type ScoreSummary, scoreJobs } from './scorer.js';

export const SCORE_OPTIONS: OptionSpec[] = [
  {
    flag: 'config',
    env: 'MCFPIPE_CONFIG',
    arg: 'FILE',
    help: 'The configuration file (default: mcfpipe.config.yaml in the current folder, if any)',
  },
  ...storeOptions('SCORING_STORE'),
  {
    flag: 'store-id',
    env: 'SCORING_STORE_ID',
    arg: 'ID',
    help: 'Identity of the database; statistics kept for another are not used (default: the DynamoDB tables’ ids with dynamodb)',
  },
  {
    flag: 'state',
    env: 'SCORING_STATE',
    config: 'score.state',
    arg: 'DIR|s3://B/P',
    def: '.local-data/scoring',
    help: 'Where the corpus statistics of each user are kept',
  },
  {
    flag: 'user',
    env: 'SCORING_USER',
    arg: 'USER_ID',
    help: "Only this user's jobs (default: every user's)",
  },
  {
    flag: 'log-format',
    env: 'SCORING_LOG_FORMAT',
    arg: 'text|json',
    def: 'text',
    help: 'Log lines for people or for machines',
  },
  {
    flag: 'summary-json',
    env: 'SCORING_SUMMARY_JSON',
    arg: 'FILE',
    help: 'Also write the final summary to this file',
  },
];

function help(): string {
  return helpText(
    'mcfpipe score [options]',
    'Scores every user’s jobs against their tracks and keyword libraries (job_score rows: a score from\n0 to 100 with its explanation); only jobs new or changed since the last scoring, and all of a\nuser’s jobs when their tracks, keywords or settings change. Method: runtime/scoring/README.md.',
    SCORE_OPTIONS,
  );
}

/** One line per user: `me: 80 jobs (full: first scoring): 70 scored, 3 filtered, ...`. */
export function describeSummary(s: ScoreSummary): string {
  return s.users
    .map((u) => {
      const parts = [
        `${u.byStatus.scored} scored`,
        u.byStatus.filtered ? `${u.byStatus.filtered} filtered` : '',
        u.byStatus.insufficient_data
          ? `${u.byStatus.insufficient_data} with insufficient data`
          : '',
        u.duplicates ? `${u.duplicates} reposts linked` : '',
        u.missing ? `${u.missing} not stored yet` : '',
      ].filter(Boolean);
      const done = u.scored + u.duplicates;
      return `${u.userId}: ${u.jobs} jobs, ${done ? `${done} (re)scored (${u.mode}: ${u.why}): ${parts.join(', ')}` : 'nothing new to score'}`;
    })
    .join('; ');
}

type SummaryBuilder = Parameters<Parameters<typeof writeSummary>[0]>[0];

/** The job summary: one row per user, then each user's best new matches with their title and company. */
export async function summaryMarkdown(
  s: ScoreSummary,
  rows: RowStore,
): Promise<(summary: SummaryBuilder) => void> {
  const jobs = await rows.getMany(
    'job',
    s.users.flatMap((u) => u.top.map((t) => t.jobId)),
    ['job_id', 'title', 'company_name'],
  );
  return (summary) => {
    summary.addHeading(`Job scoring: ${s.status}`, 3);
    if (s.reason) summary.addRaw(`<p>Stopped: ${code(s.reason)}. Run again to resume.</p>`, true);
    summary.addRaw(
      markdownTable(
        [
          'user',
          'jobs',
          'scoring',
          'scored',
          'filtered',
          'insufficient data',
          'reposts linked',
          'not stored yet',
          'scoring version',
        ],
        s.users.map((u) => [
          u.userId,
          u.jobs,
          `${u.mode}: ${u.why}`,
          u.byStatus.scored,
          u.byStatus.filtered,
          u.byStatus.insufficient_data,
          u.duplicates,
          u.missing,
          u.scoringVersion,
        ]),
      ),
      true,
    );
    for (const u of s.users) {
      if (u.warnings.length)
        summary.addRaw(
          markdownTable(
            [`${u.userId}: settings not used`],
            u.warnings.map((w) => [w]),
          ),
          true,
        );
      if (!u.top.length) continue;
      summary.addHeading(`Best new matches for ${u.userId}`, 4);
      summary.addRaw(
        markdownTable(
          ['score', 'job', 'company', 'track', 'largest parts'],
          u.top.map((t) => {
            const job = jobs.get(t.jobId);
            return [
              t.score.toFixed(2),
              job?.title ?? t.jobId,
              job?.company_name ?? '',
              t.trackId,
              t.parts.join('; '),
            ];
          }),
        ),
        true,
      );
    }
  };
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseCommandLine('score', argv, SCORE_OPTIONS, help);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  let o: Options;
  let logger: Logger;
  let rows: RowStore;
  let state: ReturnType<typeof openBlobStore>;
  try {
    o = new Options(SCORE_OPTIONS, values, env, openConfigFile(values, env));
    logger = createLogger(o.oneOf('log-format', LOG_FORMATS)!);
    o.userId(); // checked before anything is opened; read where the scorer starts
    rows = new RowStore(openRowSource(o), {
      onBadRow: (bad) => {
        for (const p of bad.problems)
          logger.warn('skipped a stored row that does not match the schema', {
            table: bad.table,
            id: bad.id,
            field: p.field,
            rule: p.rule,
            problem: p.message,
          });
      },
    });
    state = openBlobStore(o.label('state'), o.get('state')!);
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
  const onSignal = (sig: NodeJS.Signals) => {
    logger.warn(`${sig} received: stopping after the batch in flight; run again to resume`);
    stop.abort(new Error(`${sig} received`));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const storeId = o.get('store-id') ?? (await rows.source.storeId?.());
    const user = o.userId();
    let last = 0;
    const summary = await scoreJobs({
      rows,
      state,
      ...(storeId ? { storeId } : {}),
      ...(user ? { userId: user } : {}),
      logger,
      signal: stop.signal,
      onProgress: (done, total, userId) => {
        if (Date.now() - last < 15_000 && done < total) return;
        last = Date.now();
        logger.info('progress', { user: userId, scored: done, of: total });
      },
    });
    logger.info(`scoring ${summary.status}: ${describeSummary(summary)}`);
    console.log(JSON.stringify({ mcfpipe_score_summary: summary }));
    if (env.GITHUB_STEP_SUMMARY) await writeSummary(await summaryMarkdown(summary, rows));
    const file = o.get('summary-json');
    if (file) writeFileSync(file, `${JSON.stringify(summary)}\n`);
    return summary.status === 'stopped' ? 3 : 0;
  } catch (err) {
    if (err instanceof NoProfileError) {
      logger.error(err.message);
      return 2;
    }
    logger.error('scoring failed', { error: err instanceof Error ? err.message : String(err) });
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
