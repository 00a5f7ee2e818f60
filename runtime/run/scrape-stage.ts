/**
 * The scrape stage: `mcfpipe scrape` against the run's DB API, with its
 * options from the scrape section of mcfpipe.config.yaml and the run's
 * flags (--rate, --concurrency, --max-pages), its state in the data folder
 * (checkpoints bound to this database), and MCF's API: the replay by
 * default (no rate limit, no browser), MyCareersFuture with --live (the
 * polite defaults, after a check that it can be reached).
 */
import { withDeadline } from '../../core/deadline.js';
import { InputError, MissingInputError } from '../../core/values.js';
import { type FlagValues, Options } from '../settings/options.js';
import { buildOptions, SCRAPE_OPTIONS } from '../webscraper/cli.js';
import { NoTracksError, scrape } from '../webscraper/scraper.js';
import { RowScrapeStorage } from '../webscraper/storage/rows.js';
import type { Stage, StageContext, StageResult } from './stage.js';
import { StageConfigError } from './stage.js';

/** Flags of `mcfpipe run` passed on to the scraper. */
export const PASSED_FLAGS = ['rate', 'concurrency', 'max-pages'] as const;

/** Against the replay: as fast as it answers, and no browser (it has no faults to fall back from). */
const REPLAY_DEFAULTS: Record<string, string> = { rate: '0', concurrency: '4', browser: 'off' };

/** Fails with a cause a person can act on when MCF's API cannot be reached. */
async function checkReachable(apiUrl: string, signal: AbortSignal): Promise<void> {
  const url = `${apiUrl.replace(/\/+$/, '')}/v2/jobs?limit=1&page=0`;
  try {
    // Not AbortSignal.any + AbortSignal.timeout: on Node 20 a GC drops that timer (core/deadline.ts).
    const res = await withDeadline(20_000, signal, (deadline) =>
      fetch(url, { signal: deadline, headers: { 'mcf-client': 'jobseeker' } }),
    );
    await res.body?.cancel();
  } catch (err) {
    if (signal.aborted) throw err;
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new Error(
      `MyCareersFuture's API (${apiUrl}) cannot be reached (${cause}): check the network connection, ` +
        'or run on the bundled replay (leave out --live).',
    );
  }
}

export const scrapeStage: Stage = {
  async run(ctx: StageContext): Promise<StageResult> {
    const values: FlagValues = {
      'db-api-url': ctx.dbApiUrl,
      store: 'db-api',
      state: ctx.data.dir('scraper'),
      'mcf-api-url': ctx.mcf.apiUrl,
      'mcf-web-url': ctx.mcf.webUrl,
      'progress-interval': ctx.tty ? '1s' : '30s',
    };
    for (const flag of PASSED_FLAGS)
      if (ctx.options.source(flag) === 'flag') values[flag] = ctx.options.get(flag);
    const specs = ctx.mcf.live
      ? SCRAPE_OPTIONS
      : SCRAPE_OPTIONS.map((s) =>
          REPLAY_DEFAULTS[s.flag] ? { ...s, def: REPLAY_DEFAULTS[s.flag] } : s,
        );
    let opts: ReturnType<typeof buildOptions>;
    try {
      opts = buildOptions(new Options(specs, values, {}, ctx.file), ctx.logger);
    } catch (err) {
      if (err instanceof InputError || err instanceof MissingInputError)
        throw new StageConfigError(err.message);
      throw err;
    }
    if (ctx.mcf.live) await checkReachable(ctx.mcf.apiUrl, ctx.signal);
    const line = ctx.progress('scrape', 'requests');
    try {
      const s = await scrape({
        ...opts,
        storage: new RowScrapeStorage(ctx.rows),
        storeId: ctx.storeId,
        signal: ctx.signal,
      });
      const c = s.counters;
      const outputs = [
        { label: 'scrape checkpoints and quarantine', location: ctx.data.dir('scraper') },
      ];
      if (s.status === 'already-complete')
        return { status: 'done', summary: `${s.day} already scraped: nothing to do`, outputs };
      const summary =
        `${s.day}: ${s.searches.done}/${s.searches.mine} searches, ${c.listed} jobs listed ` +
        `(${c.new} new, ${c.updated} updated), ${c.stored} stored, ${c.job_search_written} job_search rows` +
        `${c.failed ? `, ${c.failed} failed` : ''}${c.quarantined ? `, ${c.quarantined} quarantined` : ''}`;
      return s.status === 'stopped'
        ? { status: 'stopped', summary, reason: s.reason ?? 'stopped', outputs }
        : { status: 'done', summary, outputs };
    } catch (err) {
      if (err instanceof NoTracksError) throw new StageConfigError(err.message);
      throw err;
    } finally {
      line.finish();
    }
  },
};
