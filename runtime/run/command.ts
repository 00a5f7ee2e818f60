/**
 * `mcfpipe run` (what `npm start` runs): the whole pipeline on one machine.
 * Starts dynalite (its files in the data folder) and the DB API on
 * 127.0.0.1, the MCF replay unless --live, runs the stages in order
 * (stages.ts), prints where everything is, and stops its servers, also on
 * Ctrl-C. Exit codes: 0 done, 1 failed, 2 configuration (the message says
 * what to change), 3 stopped early (run again to resume).
 */
import {
  InputError,
  MissingInputError,
  parseBoolean,
  parseChoice,
  parseInteger,
  parseList,
} from '../../core/values.js';
import { DbApiSource } from '../rows/db-api-source.js';
import { RowStore } from '../rows/store.js';
import { SCORE_OPTIONS } from '../scoring/cli.js';
import {
  ConfigError,
  checkSections,
  configSection,
  openConfigFile,
} from '../settings/config-file.js';
import { helpText, type OptionSpec, Options, parseCommandLine } from '../settings/options.js';
import { SCRAPE_OPTIONS } from '../webscraper/cli.js';
import { MCF_API_URL, MCF_WEB_URL } from '../webscraper/mcf/urls.js';
import { type DataFolder, DataFolderError, openDataFolder } from './data-folder.js';
import { type LocalServers, ServerStartError, startLocalServers } from './servers.js';
import type { StageContext, StageEntry, StageResult } from './stage.js';
import { StageConfigError } from './stage.js';
import { STAGES } from './stages.js';
import { createRunConsole } from './terminal.js';

export const RUN_OPTIONS: OptionSpec[] = [
  {
    flag: 'config',
    env: 'MCFPIPE_CONFIG',
    arg: 'FILE',
    help: 'The configuration file (default: mcfpipe.config.yaml in the current folder, if any)',
  },
  {
    flag: 'data',
    config: 'run.data',
    arg: 'DIR',
    def: '.local-data',
    help: 'The data folder: database, checkpoints, outputs (kept between runs)',
  },
  {
    flag: 'live',
    config: 'scrape.live',
    boolean: true,
    help: 'Scrape MyCareersFuture itself (default: the bundled replay, offline)',
  },
  {
    flag: 'db-port',
    config: 'run.db_port',
    arg: 'PORT',
    help: 'The DB API’s port on 127.0.0.1 (default: a free one)',
  },
  {
    flag: 'replay-jobs',
    config: 'replay.jobs',
    arg: 'N',
    def: '2000',
    help: 'Jobs in the replay’s generated corpus',
  },
  {
    flag: 'replay-seed',
    config: 'replay.seed',
    arg: 'N',
    def: '1',
    help: 'The replay corpus’s seed',
  },
  {
    flag: 'rate',
    arg: 'REQ_PER_S',
    help: 'Requests per second to MCF (default: 2 live, no limit on the replay) [scrape.rate]',
  },
  {
    flag: 'concurrency',
    arg: 'N',
    help: 'Requests in flight (default: 2 live, 4 on the replay) [scrape.concurrency]',
  },
  {
    flag: 'max-pages',
    arg: 'N',
    help: 'Listing pages (of 100) per search and day when a track sets none (default 10) [scrape.max_pages]',
  },
  {
    flag: 'stages',
    arg: 'LIST',
    help: `Only these stages, comma-separated (default: all: ${STAGES.map((s) => s.name).join(', ')})`,
  },
  { flag: 'skip', arg: 'LIST', help: 'Leave out these stages, comma-separated' },
  {
    flag: 'log-format',
    config: 'run.log_format',
    arg: 'text|json',
    def: 'text',
    help: 'Output for people (a progress line on a terminal) or JSON lines for machines',
  },
];

function help(): string {
  const stages = STAGES.map((s) => `  ${s.name.padEnd(9)} ${s.summary}`).join('\n');
  return helpText(
    'mcfpipe run [options]   (npm start)',
    `Runs the pipeline on this machine: the database (dynalite, in the data folder) and the DB API on\n127.0.0.1, then the stages in order:\n${stages}\nA second run the same day adds only what is new; a run stopped (Ctrl-C) or killed resumes.\nExit codes: 0 done, 1 failed, 2 configuration, 3 stopped early (run again to resume).`,
    RUN_OPTIONS,
  );
}

/** The stages to run: all, or --stages, minus --skip; unknown names are an InputError. */
function selectStages(o: Options): StageEntry[] {
  const names = STAGES.map((s) => s.name);
  const pick = (flag: string) =>
    parseList(o.get(flag) ?? '').map((n) => parseChoice(o.label(flag), n, names));
  const only = pick('stages');
  const skip = new Set(pick('skip'));
  return STAGES.filter((s) => (only.length === 0 || only.includes(s.name)) && !skip.has(s.name));
}

/** Refuses settings in the file that nothing reads (a typo would silently fall back to a default). */
function checkFile(o: Options): void {
  const file = o.file;
  if (!file) return;
  checkSections(file, [
    'run',
    'scrape',
    'replay',
    'profile',
    ...STAGES.map((s) => s.name).filter((n) => n !== 'profile' && n !== 'scrape'),
  ]);
  const known = (section: string, specs: OptionSpec[]) =>
    specs
      .filter((s) => s.config?.startsWith(`${section}.`))
      .map((s) => s.config!.slice(section.length + 1));
  for (const section of ['run', 'replay', 'scrape', 'score']) {
    const keys =
      section === 'scrape'
        ? [...known('scrape', SCRAPE_OPTIONS), 'live']
        : section === 'score'
          ? known('score', SCORE_OPTIONS)
          : known(section, RUN_OPTIONS);
    for (const key of Object.keys(configSection(file, section)))
      if (!keys.includes(key))
        throw new ConfigError(
          `${file.path}: unknown setting ${section}.${key}; known: ${keys.join(', ')}`,
        );
  }
}

interface Outcome {
  name: string;
  result?: StageResult;
  error?: string;
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseCommandLine('run', argv, RUN_OPTIONS, help);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  let o: Options;
  let stages: StageEntry[];
  let format: 'text' | 'json';
  let data: DataFolder;
  try {
    o = new Options(RUN_OPTIONS, values, env, openConfigFile(values, env));
    checkFile(o);
    format = parseChoice(o.label('log-format'), o.get('log-format')!, ['text', 'json'] as const);
    stages = selectStages(o);
    data = openDataFolder(o.path('data')!, 'mcfpipe run');
  } catch (err) {
    if (isConfigError(err)) {
      console.error(`mcfpipe run: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
  const tty = format === 'text' && process.stdout.isTTY === true;
  const term = createRunConsole({ tty, format });
  const { logger } = term;
  const stop = new AbortController();
  let signals = 0;
  let servers: LocalServers | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn(`${sig} again: stopping now`);
      void (servers?.stop() ?? Promise.resolve()).finally(() => {
        data.release();
        process.exit(130);
      });
      return;
    }
    logger.warn(`${sig} received: stopping after what is in flight; run again to resume`);
    stop.abort(new Error(`${sig} received`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  const outcomes: Outcome[] = [];
  let code = 0;
  try {
    const live = o.get('live') !== undefined && parseBoolean(o.label('live'), o.get('live')!);
    const dbPort = o.get('db-port');
    servers = await startLocalServers({
      dbDir: data.db,
      ...(dbPort
        ? { dbPort: parseInteger(o.label('db-port'), dbPort, { min: 1, max: 65535 }) }
        : {}),
      ...(live
        ? {}
        : {
            replay: {
              jobs: parseInteger(o.label('replay-jobs'), o.get('replay-jobs')!, {
                min: 1,
                max: 1_000_000,
              }),
              seed: parseInteger(o.label('replay-seed'), o.get('replay-seed')!, { min: 0 }),
            },
          }),
    });
    logger.info(
      `DB API on ${servers.api.url} (while this run lasts), data in ${data.root}` +
        (servers.replay
          ? `, MCF replay on ${servers.replay.url}`
          : ', scraping MyCareersFuture (live)'),
    );
    const rows = new RowStore(new DbApiSource({ url: servers.api.url }), {
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
    const ctx: StageContext = {
      options: o,
      ...(o.file ? { file: o.file } : {}),
      data,
      dbApiUrl: servers.api.url,
      rows,
      storeId: servers.storeId,
      mcf: servers.replay
        ? { apiUrl: servers.replay.url, webUrl: servers.replay.url, live: false }
        : { apiUrl: MCF_API_URL, webUrl: MCF_WEB_URL, live: true },
      logger,
      progress: (label, unit) => term.progress(label, unit),
      signal: stop.signal,
      tty,
    };
    for (const entry of stages) {
      if (stop.signal.aborted) break;
      logger.info(`stage ${entry.name}`);
      try {
        const result = await (await entry.load()).run(ctx);
        outcomes.push({ name: entry.name, result });
        logger.info(`stage ${entry.name}: ${result.status}`, { summary: result.summary });
        if (result.status === 'stopped') {
          code = 3;
          break;
        }
      } catch (err) {
        if (stop.signal.aborted) {
          outcomes.push({
            name: entry.name,
            result: { status: 'stopped', summary: 'stopped', reason: String(stop.signal.reason) },
          });
          code = 3;
          break;
        }
        outcomes.push({ name: entry.name, error: (err as Error).message });
        logger.error(`stage ${entry.name} failed: ${(err as Error).message}`);
        code = isConfigError(err) ? 2 : 1;
        break;
      }
    }
    if (stop.signal.aborted && code === 0) code = 3;
  } catch (err) {
    if (!isConfigError(err)) throw err;
    logger.error((err as Error).message);
    code = 2;
  } finally {
    term.close();
    await servers?.stop();
    data.release();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  report({ format, data, outcomes, code, seconds: (Date.now() - started) / 1000, stages });
  return code;
}

function isConfigError(err: unknown): boolean {
  return (
    err instanceof InputError ||
    err instanceof MissingInputError ||
    err instanceof ConfigError ||
    err instanceof DataFolderError ||
    err instanceof ServerStartError ||
    err instanceof StageConfigError
  );
}

/** The end of the run: each stage's outcome and where everything is. */
function report(r: {
  format: 'text' | 'json';
  data: DataFolder;
  outcomes: Outcome[];
  code: number;
  seconds: number;
  stages: StageEntry[];
}): void {
  const where = [
    { label: 'data folder', location: r.data.root },
    { label: 'database (dynalite files)', location: r.data.db },
    ...r.outcomes.flatMap((x) => x.result?.outputs ?? []),
  ];
  const verdict =
    r.code === 0
      ? 'done'
      : r.code === 3
        ? 'stopped early: run again to resume'
        : r.code === 2
          ? 'not run as configured'
          : 'failed';
  if (r.format === 'json') {
    console.log(
      JSON.stringify({
        mcfpipe_run_summary: {
          status: verdict,
          exit_code: r.code,
          duration_s: Math.round(r.seconds * 10) / 10,
          stages: r.outcomes.map((x) => ({
            name: x.name,
            ...(x.result ?? {}),
            ...(x.error ? { status: 'failed', error: x.error } : {}),
          })),
          where,
        },
      }),
    );
    return;
  }
  const lines = [`\nmcfpipe run: ${verdict} (${r.seconds.toFixed(1)}s)`];
  const width = Math.max(...r.stages.map((s) => s.name.length));
  for (const s of r.stages) {
    const x = r.outcomes.find((y) => y.name === s.name);
    const text = !x
      ? 'not run'
      : x.error
        ? `FAILED: ${x.error}`
        : `${x.result!.status}: ${x.result!.summary}${x.result!.reason ? ` (${x.result!.reason})` : ''}`;
    lines.push(`  ${s.name.padEnd(width)}  ${text}`);
  }
  lines.push('Where everything is:');
  const lw = Math.max(...where.map((w) => w.label.length));
  for (const w of where) lines.push(`  ${w.label.padEnd(lw)}  ${w.location}`);
  lines.push(
    'Look at the tables: mcfpipe db serve (the DB API on this data folder); reference: runtime/README.md',
  );
  console.log(lines.join('\n'));
}
