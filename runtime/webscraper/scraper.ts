/**
 * One scrape of MyCareersFuture for one day and one shard.
 *
 *   tracks -> searches (deduplicated; this shard's share)
 *     -> listing pages, newest first (stop at the end, at max_pages, or at a
 *        full page of jobs already seen and unchanged)
 *        -> job_search rows for every job found (idempotent upserts)
 *        -> new or edited jobs: to this shard's detail queue, or handed to
 *           the shard that owns them
 *     -> detail workers: GET /v2/jobs/{uuid} (or the rendered page), one
 *        normaliser, job rows in batches; bad records to the quarantine
 *
 * Everything goes through one polite HTTP layer. Progress is checkpointed
 * after every page and every stored batch; a stop (signal, circuit breaker,
 * storage failure) saves what there is and ends with a resumable state.
 */

import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { done, notYet, poll } from '../../core/poll.js';
import { isoDate, isoTimestamp } from '../schema/timestamps.js';
import type { JobInput, JobSearchInput } from '../schema/types.generated.js';
import { launchChromium, type PageRenderer } from './browser/chromium.js';
import { CircuitOpenError, StopRequestedError } from './http/errors.js';
import { type HttpStats, PoliteHttp, type PolitenessOptions } from './http/polite.js';
import { createLogger, type Logger } from './log.js';
import { type ListingEndpoint, McfClient } from './mcf/client.js';
import { jobPageUrl, MCF_API_URL, MCF_WEB_URL } from './mcf/urls.js';
import { type DescriptionPolicy, normaliseJob } from './normalise/job.js';
import { type ListingStamp, readListingItem } from './normalise/listing.js';
import { readJobPage } from './page/extract.js';
import { jobShard, type PlannedSearch, planSearches, searchShard } from './plan.js';
import { type Counters, emptyCounters, ProgressReporter } from './progress.js';
import type { BlobStore } from './state/blob-store.js';
import { Checkpoint, type PendingJob } from './state/checkpoint.js';
import { Handoff, type HandoffItem } from './state/handoff.js';
import { JsonlParts } from './state/jsonl-parts.js';
import type { ScrapeStorage } from './storage/types.js';
import { WorkQueue } from './work-queue.js';

export type BrowserMode = 'off' | 'fallback' | 'always';
export const BROWSER_MODES: readonly BrowserMode[] = ['off', 'fallback', 'always'];

export interface ScrapeOptions {
  storage: ScrapeStorage;
  /** Checkpoints and shard hand-offs. */
  state: BlobStore;
  /** Raw payloads (gzip JSONL) go here when set. */
  archive?: BlobStore;
  /** Quarantined records (JSONL); default: `state`. */
  quarantine?: BlobStore;
  apiUrl?: string;
  webUrl?: string;
  listing?: ListingEndpoint;
  /** Items per listing page (default 100, MCF's maximum). */
  pageSize?: number;
  politeness?: PolitenessOptions;
  shard?: { index: number; count: number };
  /** Only this user's tracks (default: every user's). */
  userId?: string;
  /** Listing pages per search when a track sets no max_pages (default 10). */
  maxPages?: number;
  /** Stop a search at a full page of jobs seen and unchanged (default true). */
  earlyStop?: boolean;
  descriptions?: DescriptionPolicy;
  browser?: BrowserMode;
  /** Starts the browser for the browser path (default: Debian's Chromium via puppeteer-core). */
  renderer?: () => Promise<PageRenderer>;
  /** Job rows per storage write (default 100). */
  writeBatch?: number;
  /** Listing waits while this many jobs wait for their details (default 2000): memory and checkpoints stay small. */
  maxQueued?: number;
  /** Progress log interval, ms; 0 = none (default 30000). */
  progressIntervalMs?: number;
  /** How long a shard waits for the others to hand off their finds, ms (default 15 min). */
  handoffWaitMs?: number;
  handoffPollMs?: number;
  /** Scrape even when the day's checkpoint says complete. */
  force?: boolean;
  logger?: Logger;
  clock?: Clock;
  fetch?: typeof fetch;
  random?: () => number;
  /** Abort to stop the run cleanly (SIGTERM). */
  signal?: AbortSignal;
  /** The time of first_seen / last_seen and of the day (default: now). */
  now?: () => Date;
  runId?: string;
  /**
   * The identity of the store rows go to (default: the storage's own, when it
   * has one). The checkpoint records it; a checkpoint of another store is
   * ignored, so a new or replaced database is scraped in full.
   */
  storeId?: string;
}

/** No active track to scrape: a configuration problem, never a silently complete day. */
export class NoTracksError extends Error {
  override readonly name = 'NoTracksError';
}

export interface ScrapeSummary {
  status: 'complete' | 'stopped' | 'already-complete';
  /** Why a run stopped early. */
  reason?: string;
  day: string;
  shard: { index: number; count: number };
  resumed: boolean;
  searches: {
    total: number;
    mine: number;
    done: number;
    failed: Array<{ term: string; error: string }>;
  };
  /** This run's counters. */
  counters: Counters;
  /** Jobs still waiting for their details (a resume fetches them). */
  pending: number;
  http: HttpStats;
  durationS: number;
  jobsPerMin: number;
  checkpoint: string;
  archiveParts: string[];
  quarantineParts: string[];
}

function isStop(err: unknown): boolean {
  return err instanceof CircuitOpenError || err instanceof StopRequestedError;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function scrape(opts: ScrapeOptions): Promise<ScrapeSummary> {
  return new ScrapeRun(opts).run();
}

class ScrapeRun {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly now: () => Date;
  private readonly shard: { index: number; count: number };
  private readonly http: PoliteHttp;
  private readonly client: McfClient;
  private readonly counters = emptyCounters();
  private readonly queue = new WorkQueue<string>();
  /** Jobs queued or handed off this run. */
  private readonly enqueued = new Set<string>();
  /** Jobs counted as new / updated / unchanged this run. */
  private readonly classified = new Set<string>();
  /** job_search rows written this run. */
  private readonly searchRowsWritten = new Set<string>();
  private readonly apiUrl: string;
  private readonly webUrl: string;
  private rows: JobInput[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private checkpoint!: Checkpoint;
  private baseline: Record<string, number> = {};
  private archive: JsonlParts | undefined;
  private quarantine!: JsonlParts;
  /** Pending jobs quarantined since the last checkpoint: done once their quarantine lines are stored. */
  private quarantinedPending: string[] = [];
  private runId = '';
  private renderer: Promise<PageRenderer> | undefined;
  private fatal: Error | undefined;
  private readonly stopController = new AbortController();
  private day = '';
  private stamp = '';
  private mine: PlannedSearch[] = [];

  constructor(private readonly opts: ScrapeOptions) {
    this.logger = opts.logger ?? createLogger();
    this.clock = opts.clock ?? systemClock;
    this.now = opts.now ?? (() => new Date(this.clock.now()));
    this.shard = opts.shard ?? { index: 0, count: 1 };
    if (!(this.shard.count >= 1 && this.shard.index >= 0 && this.shard.index < this.shard.count)) {
      throw new RangeError(
        `Shard ${this.shard.index} of ${this.shard.count} does not exist: SHARD_INDEX runs from 0 to SHARD_COUNT - 1`,
      );
    }
    this.apiUrl = opts.apiUrl ?? MCF_API_URL;
    this.webUrl = opts.webUrl ?? MCF_WEB_URL;
    const signals = [this.stopController.signal, ...(opts.signal ? [opts.signal] : [])];
    this.http = new PoliteHttp({
      ...opts.politeness,
      clock: this.clock,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.random ? { random: opts.random } : {}),
      signal: AbortSignal.any(signals),
      headers: { 'mcf-client': 'jobseeker' },
      onEvent: (e) => {
        if (e.type === 'retry')
          this.logger.warn(`retrying ${e.what}`, {
            url: e.url,
            attempt: e.attempt,
            reason: e.reason,
            delay_ms: e.delayMs,
          });
        else if (e.type === 'block')
          this.logger.warn('blocked by MCF (403): pausing every request', {
            url: e.url,
            pause_ms: e.pauseMs,
          });
        else
          this.logger.warn('rate limited by MCF (429): slowing down', {
            url: e.url,
            rate_per_s: e.ratePerSec,
            pause_ms: e.pauseMs,
          });
      },
    });
    this.client = new McfClient(this.http, {
      apiUrl: this.apiUrl,
      listing: opts.listing ?? 'jobs',
      ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
    });
  }

  private get pending(): Record<string, PendingJob> {
    return this.checkpoint.state.pending;
  }

  async run(): Promise<ScrapeSummary> {
    const started = this.clock.now();
    const at = this.now();
    this.day = isoDate(at);
    this.stamp = isoTimestamp(at);
    this.runId =
      this.opts.runId ??
      `${at.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${Math.random().toString(36).slice(2, 8)}`;
    const storeId = this.opts.storeId ?? (await this.opts.storage.storeId?.());
    this.checkpoint = await Checkpoint.open(
      this.opts.state,
      this.day,
      this.shard,
      this.now,
      storeId,
    );
    if (this.checkpoint.foreign)
      this.logger.warn(
        'the checkpoint of this day was written against another store: ignoring it and starting the day over',
        {
          checkpoint: this.checkpoint.key,
          its_store: this.checkpoint.foreign,
          this_store: storeId,
        },
      );
    this.baseline = { ...this.checkpoint.state.counters };

    // A row that breaks the schema (a track written around the DB API) is reported and skipped.
    const unsubscribe = this.opts.storage.onBadRow?.((bad) => {
      this.counters.skipped_rows++;
      for (const p of bad.problems)
        this.logger.warn('skipped a stored row that does not match the schema', {
          table: bad.table,
          id: bad.id,
          field: p.field,
          rule: p.rule,
          problem: p.message,
        });
    });
    try {
      return await this.runDay(started);
    } finally {
      unsubscribe?.();
    }
  }

  private async runDay(started: number): Promise<ScrapeSummary> {
    const state = this.checkpoint.state;
    const tracks = await this.opts.storage.listTracks(
      this.opts.userId ? { userId: this.opts.userId } : {},
    );
    if (tracks.length === 0) {
      const who = this.opts.userId ? ` of user ${this.opts.userId}` : '';
      throw new NoTracksError(
        `No active track${who} in ${this.opts.storage.description}: there is nothing to scrape. ` +
          'Add a track (a row of the track table: track_id "<user>:<name>", user_id, name, search_terms) ' +
          'with the DB API (PUT /track/{track_id}), Google Sheets, or the profile in mcfpipe.config.yaml ' +
          '(`mcfpipe init` writes an example; `mcfpipe run` loads it), or set active: true on an existing one.',
      );
    }
    const searches = planSearches(tracks, this.opts.maxPages ?? 10);
    this.mine = searches.filter((s) => searchShard(s.key, this.shard.count) === this.shard.index);
    const summary = (status: ScrapeSummary['status'], reason?: string): ScrapeSummary => ({
      status,
      ...(reason ? { reason } : {}),
      day: this.day,
      shard: this.shard,
      resumed: this.checkpoint.resumed,
      searches: {
        total: searches.length,
        mine: this.mine.length,
        done: this.mine.filter((s) => state.searches[s.key]?.done).length,
        failed: this.mine
          .filter((s) => state.searches[s.key]?.outcome === 'failed')
          .map((s) => ({ term: s.spec.term, error: state.searches[s.key]?.error ?? '' })),
      },
      counters: this.counters,
      pending: Object.keys(this.pending).length,
      http: this.http.stats,
      durationS: Math.round((this.clock.now() - started) / 100) / 10,
      jobsPerMin:
        Math.round(
          ((this.counters.new + this.counters.updated + this.counters.unchanged) * 60_000 * 10) /
            Math.max(1, this.clock.now() - started),
        ) / 10,
      checkpoint: `${this.opts.state.description.replace(/\/+$/, '')}/${this.checkpoint.key}`,
      archiveParts: this.archive?.parts ?? [],
      quarantineParts: this.quarantine?.parts ?? [],
    });

    const newSearches = this.mine.filter((s) => !state.searches[s.key]?.done).length;
    if (state.status === 'complete' && !this.opts.force && newSearches === 0) {
      this.logger.info('this day is already complete for this shard: nothing to do', {
        day: this.day,
        shard: `${this.shard.index}/${this.shard.count}`,
      });
      return summary('already-complete');
    }
    if (state.status === 'complete' && !this.opts.force) {
      // Tracks added since the day completed: their searches run now, the others stay done.
      this.logger.info('the day is complete but tracks have new searches: running those', {
        day: this.day,
        searches: newSearches,
      });
    } else if (state.status === 'complete') {
      // --force: list every search again; stored, unchanged jobs and rows seen today are still skipped.
      state.searches = {};
      this.logger.info('the day is complete; scraping it again (force)', { day: this.day });
    }
    state.status = 'running';
    const prefix = `${this.day}/shard-${this.shard.index}-of-${this.shard.count}`;
    if (this.opts.archive)
      // Parts of at most 500 records or 4 MiB: bounded memory, a few hundred KB per gzip object.
      this.archive = new JsonlParts(this.opts.archive, {
        prefix: `raw/${prefix}`,
        runId: this.runId,
        gzip: true,
        maxRecords: 500,
        maxBytes: 4 * 1024 * 1024,
        onError: (err) => this.partsFailed('archive', this.opts.archive!, err),
      });
    const quarantineStore = this.opts.quarantine ?? this.opts.state;
    this.quarantine = new JsonlParts(quarantineStore, {
      prefix: `quarantine/${prefix}`,
      runId: this.runId,
      onError: (err) => this.partsFailed('quarantine', quarantineStore, err),
    });
    this.logger.info(this.checkpoint.resumed ? 'resuming scrape' : 'starting scrape', {
      day: this.day,
      shard: `${this.shard.index}/${this.shard.count}`,
      tracks: tracks.length,
      searches: searches.length,
      mine: this.mine.length,
      pending: Object.keys(this.pending).length,
      storage: this.opts.storage.description,
      rate_per_s: this.http.settings.ratePerSec,
      concurrency: this.http.settings.concurrency,
    });

    const progress = new ProgressReporter(
      {
        counters: this.counters,
        requests: () => this.http.stats.requests,
        remaining: () => this.remaining(),
      },
      this.logger,
      this.opts.progressIntervalMs ?? 30_000,
      () => this.clock.now(),
    );
    progress.start();
    const workerCount = Math.max(1, this.http.settings.concurrency);
    const workers = Array.from({ length: workerCount }, () => this.worker());
    let stopReason: string | undefined;
    try {
      await this.resumePending();
      for (const s of this.mine) await this.listSearch(s);
      if (this.shard.count > 1) await this.handoffPhase();
    } catch (err) {
      if (!isStop(err) && !this.fatal) throw err;
      stopReason = message(this.fatal ?? err);
    } finally {
      this.queue.close();
      await Promise.all(workers);
      progress.stop();
    }
    try {
      await this.flushRows();
    } catch (err) {
      this.fatal ??= err as Error;
    }
    stopReason ??= this.fatal
      ? message(this.fatal)
      : this.http.signal.aborted
        ? message(this.http.signal.reason)
        : undefined;
    try {
      await this.archive?.flush();
    } catch {
      // partsFailed has made it the stop reason
    }
    try {
      await this.settleQuarantine();
    } catch {
      // partsFailed has made it the stop reason
    }
    stopReason ??= this.fatal ? message(this.fatal) : undefined;
    if (this.renderer) await (await this.renderer.catch(() => undefined))?.close();

    const complete = !stopReason && Object.keys(this.pending).length === 0;
    state.status = complete ? 'complete' : 'stopped';
    state.runs++;
    await this.saveCheckpoint();
    const result = summary(
      complete ? 'complete' : 'stopped',
      stopReason ?? (complete ? undefined : 'jobs are still pending'),
    );
    progress.report();
    if (result.status === 'complete')
      this.logger.info('scrape complete', { ...this.counters, duration_s: result.durationS });
    else
      this.logger.warn('scrape stopped; run again to resume', {
        reason: result.reason,
        pending: result.pending,
        ...this.counters,
      });
    return result;
  }

  /** Requests still expected: pending details, plus listing pages left (from MCF's totals). */
  private remaining(): number {
    let pages = 0;
    const size = this.client.pageSize;
    for (const s of this.mine) {
      const p = this.checkpoint.state.searches[s.key];
      if (p?.done) continue;
      const known = p?.total !== undefined ? Math.ceil(p.total / size) : s.maxPages;
      pages += Math.max(0, Math.min(s.maxPages, known) - (p?.nextPage ?? 0));
    }
    return pages + this.queue.size;
  }

  /**
   * Stores the quarantine lines so far, then lets go of the pending jobs they
   * quarantined: a checkpoint never claims a job done before its record is kept.
   */
  private async settleQuarantine(): Promise<void> {
    if (this.quarantine.buffered === 0 && this.quarantinedPending.length === 0) return;
    const done = this.quarantinedPending.splice(0);
    try {
      await this.quarantine.flush();
    } catch (err) {
      this.quarantinedPending.unshift(...done);
      throw err;
    }
    for (const uuid of done) delete this.pending[uuid];
  }

  /** The archive or the quarantine could not be written: stop (resumable), as for any storage failure. */
  private partsFailed(what: string, store: BlobStore, err: unknown): void {
    this.stopWith(
      new Error(`Writing the ${what} to ${store.description} failed: ${message(err)}`, {
        cause: err,
      }),
    );
  }

  private async saveCheckpoint(): Promise<void> {
    try {
      await this.settleQuarantine();
    } catch {
      // partsFailed stops the run; the jobs it could not record stay pending, for the next run.
    }
    const state = this.checkpoint.state;
    const merged: Record<string, number> = { ...this.baseline };
    for (const [k, v] of Object.entries(this.counters)) merged[k] = (merged[k] ?? 0) + v;
    state.counters = merged;
    return this.checkpoint.save();
  }

  /** Jobs left pending by a killed run: drop those stored meanwhile, queue the rest. */
  private async resumePending(): Promise<void> {
    const uuids = Object.keys(this.pending);
    if (uuids.length === 0) return;
    const states = await this.opts.storage.jobStates(uuids);
    for (const uuid of uuids) {
      const p = this.pending[uuid]!;
      const stored = states.get(uuid);
      if (stored !== undefined && (!p.updatedAt || stored === p.updatedAt)) {
        delete this.pending[uuid];
        continue;
      }
      this.enqueued.add(uuid);
      this.queue.push(uuid);
    }
    this.logger.info('resumed pending jobs', {
      queued: this.queue.size,
      already_stored: uuids.length - this.queue.size,
    });
  }

  private async listSearch(s: PlannedSearch): Promise<void> {
    const state = this.checkpoint.state;
    state.searches[s.key] ??= { nextPage: 0, done: false };
    const prog = state.searches[s.key]!;
    if (prog.done) return;
    const users = new Map<string, { trackId: string; term: string }>();
    for (const sub of s.subscribers) if (!users.has(sub.userId)) users.set(sub.userId, sub);
    const filtered = !!(
      s.spec.categories ||
      s.spec.employmentTypes ||
      s.spec.positionLevels ||
      s.spec.minSalary !== undefined
    );
    while (!prog.done) {
      await this.queue.room(this.opts.maxQueued ?? 2000);
      this.http.signal.throwIfAborted();
      const pageNo = prog.nextPage;
      let page: Awaited<ReturnType<McfClient['listPage']>>;
      try {
        page = await this.client.listPage(s.spec, pageNo);
      } catch (err) {
        if (isStop(err) || this.http.signal.aborted) throw this.http.signal.reason ?? err;
        prog.done = true;
        prog.outcome = 'failed';
        prog.error = message(err);
        this.logger.error('search failed', { term: s.spec.term, page: pageNo, error: prog.error });
        await this.saveCheckpoint();
        return;
      }
      this.counters.pages++;
      this.archive?.add({
        kind: 'listing',
        fetched_at: new Date(this.clock.now()).toISOString(),
        url: page.url,
        search: s.spec,
        page: pageNo,
        body: page.body,
      });
      if (pageNo === 0 && filtered && page.total === page.countWithoutFilters && page.total > 0) {
        this.logger.warn(
          'MCF applied no filter to this search (total equals countWithoutFilters): check the track filter names',
          { term: s.spec.term },
        );
      }
      const stamps: ListingStamp[] = [];
      for (const item of page.items) {
        const read = readListingItem(item);
        if (read.ok) stamps.push(read.stamp);
        else this.toQuarantine(read.uuid, 'listing', read.reason, [read.reason], item);
      }
      const uuids = stamps.map((st) => st.uuid);
      const [states, seen] = await Promise.all([
        this.opts.storage.jobStates(uuids),
        this.opts.storage.seenStates(
          [...users.keys()].flatMap((u) => uuids.map((id) => `${u}:${id}`)),
        ),
      ]);
      let allSeen = stamps.length > 0;
      const rows: JobSearchInput[] = [];
      const outbox = new Map<number, HandoffItem[]>();
      for (const st of stamps) {
        const stored = states.get(st.uuid);
        const change =
          stored === undefined
            ? 'new'
            : st.updatedAt && st.updatedAt !== stored
              ? 'updated'
              : 'unchanged';
        if (!this.classified.has(st.uuid)) {
          this.classified.add(st.uuid);
          this.counters[change]++;
          this.counters.listed++;
        }
        if (change !== 'unchanged' || ![...users.keys()].every((u) => seen.has(`${u}:${st.uuid}`)))
          allSeen = false;
        if (change !== 'unchanged' && !this.enqueued.has(st.uuid)) {
          this.enqueued.add(st.uuid);
          const job: PendingJob = {
            ...(st.updatedAt ? { updatedAt: st.updatedAt } : {}),
            ...(st.jobDetailsUrl ? { url: st.jobDetailsUrl } : {}),
          };
          const owner = jobShard(st.uuid, this.shard.count);
          if (owner === this.shard.index) {
            this.pending[st.uuid] = job;
            this.queue.push(st.uuid);
          } else {
            const list = outbox.get(owner) ?? [];
            list.push({ uuid: st.uuid, ...job });
            outbox.set(owner, list);
          }
        }
        for (const [userId, sub] of users) {
          const id = `${userId}:${st.uuid}`;
          if (this.searchRowsWritten.has(id) || seen.get(id)?.startsWith(this.day)) continue;
          this.searchRowsWritten.add(id);
          rows.push({
            job_s_id: id,
            user_id: userId,
            job_id: st.uuid,
            track_id: sub.trackId,
            search_term: sub.term.slice(0, 200),
            first_seen: this.stamp,
            last_seen: this.stamp,
          });
        }
      }
      try {
        await this.opts.storage.writeJobSearches(rows);
      } catch (err) {
        throw this.storageFailed(err);
      }
      this.counters.job_search_written += rows.length;
      for (const [owner, items] of outbox) {
        await this.sendHandoff(owner, items);
      }
      prog.nextPage = pageNo + 1;
      prog.total = page.total;
      if (page.items.length < this.client.pageSize) prog.outcome = 'end';
      else if ((this.opts.earlyStop ?? true) && allSeen) prog.outcome = 'early-stop';
      else if (prog.nextPage >= s.maxPages) prog.outcome = 'max-pages';
      if (prog.outcome) prog.done = true;
      await this.saveCheckpoint();
      if (prog.done)
        this.logger.info('search done', {
          term: s.spec.term,
          pages: prog.nextPage,
          outcome: prog.outcome,
          total: page.total,
        });
    }
  }

  private async sendHandoff(owner: number, items: HandoffItem[]): Promise<void> {
    const state = this.checkpoint.state;
    await new Handoff(this.opts.state, this.day, this.shard).send(
      owner,
      this.runId,
      ++state.handoff.outSeq,
      items,
    );
    this.counters.handed_off += items.length;
  }

  /** After its own searches: take in the jobs other shards found for this one, until all are done listing. */
  private async handoffPhase(): Promise<void> {
    const state = this.checkpoint.state;
    const handoff = new Handoff(this.opts.state, this.day, this.shard);
    await handoff.markListingDone();
    state.handoff.listingDone = true;
    await this.saveCheckpoint();
    const waitMs = this.opts.handoffWaitMs ?? 15 * 60_000;
    const consumed = new Set(state.handoff.consumed);
    const gaveUp = new Error('handoff wait over');
    try {
      await poll(
        async () => {
          this.http.signal.throwIfAborted();
          const othersDone = await handoff.othersDone();
          for (const key of await handoff.inbox(consumed)) {
            // One file at a time, and only while the detail queue has room: pending jobs (and so
            // memory and the checkpoint) stay bounded however many jobs other shards hand over.
            await this.queue.room(this.opts.maxQueued ?? 2000);
            this.http.signal.throwIfAborted();
            const items = await handoff.read(key);
            const fresh = items.filter((i) => !this.enqueued.has(i.uuid));
            const states = await this.opts.storage.jobStates(fresh.map((i) => i.uuid));
            for (const item of fresh) {
              this.enqueued.add(item.uuid);
              const stored = states.get(item.uuid);
              if (stored !== undefined && (!item.updatedAt || stored === item.updatedAt)) continue;
              const { uuid, ...job } = item;
              this.pending[uuid] = job;
              this.queue.push(uuid);
              this.counters.received++;
            }
            consumed.add(key);
            state.handoff.consumed.push(key);
            await this.saveCheckpoint();
          }
          return othersDone ? done(undefined) : notYet;
        },
        {
          intervalMs: this.opts.handoffPollMs ?? 5000,
          timeoutMs: waitMs,
          timeoutError: () => gaveUp,
          clock: this.clock,
          signal: this.http.signal,
        },
      );
    } catch (err) {
      if (err !== gaveUp) throw err;
      this.logger.warn(
        'stopped waiting for other shards to finish listing; jobs they find for this shard later are fetched by the next run',
        { waited_ms: waitMs },
      );
    }
  }

  private async worker(): Promise<void> {
    for (;;) {
      const uuid = await this.queue.next();
      if (uuid === undefined) return;
      if (this.http.signal.aborted) continue;
      try {
        await this.processJob(uuid);
      } catch (err) {
        if (isStop(err) || this.http.signal.aborted) continue;
        this.stopWith(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private async processJob(uuid: string): Promise<void> {
    const pending = this.pending[uuid] ?? {};
    const mode = this.opts.browser ?? 'fallback';
    let raw: unknown;
    let source: 'api' | 'page' = 'api';
    if (mode !== 'always') {
      try {
        const res = await this.client.getJob(uuid);
        if (!res.found) return this.gone(uuid);
        this.archive?.add({
          kind: 'detail',
          fetched_at: new Date(this.clock.now()).toISOString(),
          url: res.url,
          uuid,
          body: res.job,
        });
        raw = res.job;
      } catch (err) {
        if (isStop(err) || this.http.signal.aborted) throw err;
        if (mode === 'off') return this.failed(uuid, err);
        this.logger.warn('job details failed through the API; trying the page', {
          uuid,
          error: message(err),
        });
      }
    }
    if (raw === undefined) {
      source = 'page';
      const url = pending.url ?? jobPageUrl(this.webUrl, { uuid });
      let renderer: PageRenderer;
      try {
        this.renderer ??= (this.opts.renderer ?? (() => launchChromium()))();
        renderer = await this.renderer;
      } catch (err) {
        // No browser, no page for any job: stop (the jobs stay pending) rather than fail them one by one.
        throw this.stopWith(err instanceof Error ? err : new Error(String(err)));
      }
      try {
        const res = await this.http.call(
          { what: 'page', url, parse: (html) => html, allow404: true },
          (signal) => renderer.render(url, signal),
        );
        this.counters.browser_pages++;
        if (!('value' in res)) return this.gone(uuid);
        this.archive?.add({
          kind: 'page',
          fetched_at: new Date(this.clock.now()).toISOString(),
          url,
          uuid,
          body: res.value,
        });
        const read = readJobPage(res.value, {
          url,
          uuid,
          ...(pending.updatedAt ? { updatedAt: pending.updatedAt } : {}),
        });
        if (!read.ok) {
          this.quarantineJob(uuid, 'page', read.reason, read.problems, undefined);
          return;
        }
        raw = read.job;
      } catch (err) {
        if (isStop(err) || this.http.signal.aborted) throw err;
        return this.failed(uuid, err);
      }
    }
    const result = normaliseJob(raw, {
      descriptions: this.opts.descriptions ?? 'text',
      webUrl: this.webUrl,
    });
    if (!result.ok) {
      this.quarantineJob(uuid, source, result.reason, result.problems, raw);
      return;
    }
    if (result.row.job_id !== uuid) {
      // Stored under the uuid asked for or not at all: another job's record would leave this one pending forever.
      const problem = `the record's uuid ${result.row.job_id} is not the uuid asked for (${uuid})`;
      this.quarantineJob(uuid, source, problem, [problem], raw);
      return;
    }
    // Pages show no updatedAt, and a detail may lack it: the listing's is then the job's version,
    // so the next run sees it unchanged instead of fetching it again every day.
    if (pending.updatedAt && (source === 'page' || !result.row.mcf_updated_at))
      result.row.mcf_updated_at = pending.updatedAt;
    this.rows.push(result.row);
    if (this.rows.length >= (this.opts.writeBatch ?? 100)) await this.flushRows();
  }

  /** Stores the buffered job rows, then marks them done in the checkpoint. */
  private flushRows(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.rows.length === 0 || this.fatal) return;
      const rows = this.rows;
      this.rows = [];
      try {
        await this.opts.storage.writeJobs(rows);
      } catch (err) {
        throw this.storageFailed(err);
      }
      for (const r of rows) delete this.pending[r.job_id];
      this.counters.stored += rows.length;
      await this.saveCheckpoint();
    });
    return this.flushing;
  }

  /** A storage failure ends the run: nothing more could be kept. */
  private storageFailed(err: unknown): Error {
    if (err === this.fatal) return err as Error;
    return this.stopWith(
      new Error(`Storage failed (${this.opts.storage.description}): ${message(err)}`, {
        cause: err,
      }),
    );
  }

  /** Ends the run cleanly (what is stored stays stored; the checkpoint keeps the rest). */
  private stopWith(err: Error): Error {
    this.fatal ??= err;
    this.stopController.abort(new StopRequestedError(this.fatal.message));
    return this.fatal;
  }

  private gone(uuid: string): void {
    this.counters.gone++;
    delete this.pending[uuid];
  }

  private failed(uuid: string, err: unknown): void {
    this.counters.failed++;
    this.checkpoint.state.failed[uuid] = message(err);
    delete this.pending[uuid];
    this.logger.warn('job failed', { uuid, error: message(err) });
  }

  /** Quarantines a pending job's record; the job is done once the line is stored (settleQuarantine). */
  private quarantineJob(
    uuid: string,
    source: string,
    reason: string,
    problems: string[],
    record: unknown,
  ): void {
    this.toQuarantine(uuid, source, reason, problems, record);
    this.quarantinedPending.push(uuid);
  }

  private toQuarantine(
    uuid: string | undefined,
    source: string,
    reason: string,
    problems: string[],
    record: unknown,
  ): void {
    this.counters.quarantined++;
    this.quarantine.add({
      at: new Date(this.clock.now()).toISOString(),
      uuid: uuid ?? null,
      source,
      reason,
      problems,
      record,
    });
    this.logger.warn('record quarantined', { uuid, source, reason });
  }
}
