/**
 * Scores the users' jobs and stores a job_score row per user and job, the
 * same way on one machine (through the local DB API) and in AWS (the DB API
 * or DynamoDB directly): only what changed.
 *
 * Per user:
 *  1. The profile (tracks, keywords, settings) and the user's jobs
 *     (job_search rows, the job rows' versions, the stored scores).
 *  2. The corpus statistics: computed over all the user's jobs, and kept
 *     (`<state>/stats/<user>.json`) with the profile's hash. They are
 *     computed again, and every job scored again, when the profile changes,
 *     the database is another, or the number of jobs moved by more than 10%
 *     since; `scoring_version` (algorithm / profile / statistics) says which
 *     computation a score belongs to.
 *  3. Otherwise only jobs without a score, with another scoring_version, or
 *     whose row has a new version are scored.
 *  4. In order of first posting (then job id): a job that reposts an earlier
 *     one (dedupe.ts) takes its score, linked by duplicate_of; the others
 *     are scored for every track (model.ts).
 *  5. Rows are written in batches; a stop (Ctrl-C) keeps what is written and
 *     the next run scores the rest, with the same statistics: a run stopped
 *     anywhere ends, once finished, with the rows an unstopped run writes.
 */
import type { RowStore } from '../rows/store.js';
import { isoTimestamp } from '../schema/timestamps.js';
import type { JobScoreInput } from '../schema/types.generated.js';
import type { Logger } from '../webscraper/log.js';
import type { BlobStore } from '../webscraper/state/blob-store.js';
import { formatPrint, OriginalIndex, parsePrint } from './dedupe.js';
import { extractFeatures, type JobFeatures } from './features.js';
import { duplicateRow, jobScoreRow, type RowContext } from './job-score.js';
import { PhraseMatcher } from './matcher.js';
import { ALGORITHM, type CorpusStats, jobTerms, prepare, scoreTrack } from './model.js';
import { buildProfile, type ScoringProfile } from './profile.js';
import { corpusStats, loadStats, type StoredStats, statsHash, storeStats } from './stats.js';

export interface ScoreOptions {
  rows: RowStore;
  /** Where the corpus statistics are kept (a folder, or s3://). */
  state: BlobStore;
  /** The database's identity: statistics kept for another database are not used. */
  storeId?: string;
  /** Only this user (default: every user with an active track). */
  userId?: string;
  logger: Logger;
  signal?: AbortSignal;
  now?: () => Date;
  /** Jobs scored so far of the current user's. */
  onProgress?: (done: number, total: number, userId: string) => void;
  /** Jobs read and rows written per request batch (default 200). */
  batchSize?: number;
  /** Share of the corpus that may come or go before statistics are computed again (default 0.1). */
  drift?: number;
}

export interface UserSummary {
  userId: string;
  /** The user's jobs (job_search rows with a stored job). */
  jobs: number;
  /** Statistics computed again and every job scored (with why), or only what changed. */
  mode: 'full' | 'incremental';
  why: string;
  scored: number;
  /** Reposts that took their original's score. */
  duplicates: number;
  /** Job_search rows whose job is not stored (not fetched yet, or failed). */
  missing: number;
  byStatus: Record<'scored' | 'filtered' | 'insufficient_data', number>;
  scoringVersion: string;
  warnings: string[];
  /** The best jobs scored in this run (reposts left out), best first: at most TOP_JOBS. */
  top: TopJob[];
}

export interface TopJob {
  jobId: string;
  trackId: string;
  /** 0 to 100. */
  score: number;
  /** The largest parts of the explanation (`+12.34 Spark (title 1)`). */
  parts: string[];
}

export const TOP_JOBS = 10;

/** Keeps `list` the best `TOP_JOBS` jobs, best first (ties: lower job id). */
function keepTop(list: TopJob[], row: JobScoreInput): void {
  if (row.status !== 'scored' || row.score === undefined) return;
  const last = list[list.length - 1];
  if (
    list.length >= TOP_JOBS &&
    last &&
    (row.score < last.score || (row.score === last.score && row.job_id > last.jobId))
  )
    return;
  list.push({
    jobId: row.job_id,
    trackId: row.track_id,
    score: row.score,
    parts: (row.score_parts ?? []).slice(0, 3),
  });
  list.sort((a, b) => b.score - a.score || (a.jobId < b.jobId ? -1 : 1));
  if (list.length > TOP_JOBS) list.pop();
}

export interface ScoreSummary {
  status: 'complete' | 'stopped';
  reason?: string;
  users: UserSummary[];
  durationS: number;
}

/** No user has an active track: nothing to score against. */
export class NoProfileError extends Error {
  override readonly name = 'NoProfileError';
}

interface Snapshot {
  version: 1;
  userId: string;
  storeId?: string;
  profileHash: string;
  scoringVersion: string;
  stats: StoredStats;
}

const statsKey = (userId: string) => `stats/${userId}.json`;

async function readSnapshot(state: BlobStore, userId: string): Promise<Snapshot | undefined> {
  const raw = await state.get(statsKey(userId));
  if (!raw) return undefined;
  try {
    const s = JSON.parse(raw.toString('utf8')) as Snapshot;
    return s.version === 1 && s.userId === userId ? s : undefined;
  } catch {
    return undefined;
  }
}

function byPostedThenId(a: JobFeatures, b: JobFeatures): number {
  if (a.print.posted !== b.print.posted) return a.print.posted < b.print.posted ? -1 : 1;
  return a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0;
}

export async function scoreJobs(opts: ScoreOptions): Promise<ScoreSummary> {
  const started = Date.now();
  const [tracks, keywords, config] = await Promise.all([
    opts.rows.all('track'),
    opts.rows.all('keyword'),
    opts.rows.all('config'),
  ]);
  const users = [...new Set(tracks.filter((t) => t.active !== false).map((t) => t.user_id))]
    .filter((u) => !opts.userId || u === opts.userId)
    .sort();
  if (users.length === 0)
    throw new NoProfileError(
      `No active track${opts.userId ? ` of user ${opts.userId}` : ''} in ${opts.rows.description}: nothing to score against. ` +
        'Add a track and keywords (mcfpipe.config.yaml and mcfpipe run, Google Sheets, or the DB API).',
    );
  const summaries: UserSummary[] = [];
  for (const userId of users) {
    if (opts.signal?.aborted) break;
    const profile = buildProfile(userId, tracks, keywords, config);
    for (const w of profile.warnings) opts.logger.warn(`user ${userId}: ${w}`);
    summaries.push(await new UserScoring(opts, profile).run());
  }
  const stopped = opts.signal?.aborted || summaries.length < users.length;
  return {
    status: stopped ? 'stopped' : 'complete',
    ...(stopped ? { reason: String(opts.signal?.reason ?? 'stopped') } : {}),
    users: summaries,
    durationS: Math.round((Date.now() - started) / 100) / 10,
  };
}

/** What scoring needs of a stored score: whether it is current, and the job's print for reposts. */
interface Kept {
  jobId: string;
  scoringVersion?: string;
  jobVersion?: number;
  signature?: string;
  duplicateOf?: string;
}

class UserScoring {
  private readonly userId: string;
  private readonly matcher: PhraseMatcher;
  private readonly batch: number;

  constructor(
    private readonly opts: ScoreOptions,
    private readonly profile: ScoringProfile,
  ) {
    this.userId = profile.userId;
    this.matcher = new PhraseMatcher(profile.keywords.map((k) => k.phrases));
    this.batch = opts.batchSize ?? 200;
  }

  /** Features of these jobs, read in batches (the text is dropped once read). */
  private async features(ids: string[]): Promise<Map<string, JobFeatures>> {
    const out = new Map<string, JobFeatures>();
    for (let i = 0; i < ids.length; i += this.batch) {
      this.opts.signal?.throwIfAborted();
      const jobs = await this.opts.rows.getMany('job', ids.slice(i, i + this.batch));
      for (const [id, job] of jobs) out.set(id, extractFeatures(job, this.matcher));
    }
    return out;
  }

  /** The user's job ids, and what is kept of their stored scores (not the explanations: they stay in the table). */
  private async stored(): Promise<{ jobIds: string[]; kept: Map<string, Kept> }> {
    const where = { user_id: this.userId };
    const ids = new Set<string>();
    for await (const page of this.opts.rows.pages('job_search', where))
      for (const r of page) ids.add(r.job_id);
    const kept = new Map<string, Kept>();
    for await (const page of this.opts.rows.pages('job_score', where))
      for (const r of page)
        kept.set(r.job_id, {
          jobId: r.job_id,
          ...(r.scoring_version !== undefined ? { scoringVersion: r.scoring_version } : {}),
          ...(r.job_version !== undefined ? { jobVersion: r.job_version } : {}),
          ...(r.signature !== undefined ? { signature: r.signature } : {}),
          ...(r.duplicate_of !== undefined ? { duplicateOf: r.duplicate_of } : {}),
        });
    return { jobIds: [...ids].sort(), kept };
  }

  async run(): Promise<UserSummary> {
    const { rows, state, logger } = this.opts;
    const { jobIds, kept } = await this.stored();
    const versions = new Map<string, number>();
    for (let i = 0; i < jobIds.length; i += 1000)
      for (const [id, r] of await rows.getMany('job', jobIds.slice(i, i + 1000), ['version']))
        versions.set(id, r.version ?? 0);
    const snapshot = await readSnapshot(state, this.userId);
    const n = versions.size;
    const drift = this.opts.drift ?? 0.1;
    const why = !snapshot
      ? 'first scoring'
      : snapshot.storeId !== this.opts.storeId
        ? 'another database'
        : snapshot.profileHash !== this.profile.hash
          ? 'tracks, keywords or settings changed'
          : Math.abs(n - snapshot.stats.n) > drift * Math.max(1, snapshot.stats.n)
            ? `the jobs went from ${snapshot.stats.n} to ${n}`
            : '';
    const summary: UserSummary = {
      userId: this.userId,
      jobs: n,
      mode: why ? 'full' : 'incremental',
      why: why || 'only new and changed jobs',
      scored: 0,
      duplicates: 0,
      missing: jobIds.length - n,
      byStatus: { scored: 0, filtered: 0, insufficient_data: 0 },
      scoringVersion: '',
      warnings: this.profile.warnings,
      top: [],
    };
    let stats: CorpusStats;
    let features: Map<string, JobFeatures>;
    let toScore: string[];
    try {
      if (why) {
        features = await this.features([...versions.keys()]);
        stats = corpusStats(features.values(), this.profile.keywords.length);
        const stored = storeStats(stats, this.profile);
        summary.scoringVersion = `${ALGORITHM}/${this.profile.hash.slice(0, 8)}/${statsHash(stored).slice(0, 8)}`;
        // Kept before any row is written: a run stopped halfway resumes with these same statistics.
        const snap: Snapshot = {
          version: 1,
          userId: this.userId,
          ...(this.opts.storeId ? { storeId: this.opts.storeId } : {}),
          profileHash: this.profile.hash,
          scoringVersion: summary.scoringVersion,
          stats: stored,
        };
        await state.put(statsKey(this.userId), JSON.stringify(snap), 'application/json');
        toScore = [...features.keys()];
      } else {
        stats = loadStats(snapshot!.stats, this.profile);
        summary.scoringVersion = snapshot!.scoringVersion;
        toScore = [...versions.keys()].filter((id) => {
          const k = kept.get(id);
          return (
            !k || k.scoringVersion !== summary.scoringVersion || k.jobVersion !== versions.get(id)
          );
        });
        features = await this.features(toScore);
      }
    } catch (err) {
      if (!this.opts.signal?.aborted) throw err;
      summary.why = 'stopped before any job was scored';
      return summary;
    }
    logger.info(`scoring user ${this.userId}`, {
      jobs: n,
      to_score: toScore.length,
      mode: summary.mode,
      ...(why ? { why } : {}),
      scoring_version: summary.scoringVersion,
    });
    await this.score(features, toScore, kept, stats, summary);
    return summary;
  }

  /** Scores `toScore` in order of first posting; reposts take their original's score. */
  private async score(
    features: Map<string, JobFeatures>,
    toScore: string[],
    kept: Map<string, Kept>,
    stats: CorpusStats,
    summary: UserSummary,
  ): Promise<void> {
    const { rows } = this.opts;
    const order = toScore
      .map((id) => features.get(id))
      .filter((f): f is JobFeatures => f !== undefined)
      .sort(byPostedThenId);
    features.clear();
    const rescored = new Set(order.map((f) => f.jobId));
    // Earlier originals a job may repost: the kept scores, then this run's.
    const originals = new OriginalIndex();
    const followers = new Map<string, Kept[]>();
    for (const k of kept.values()) {
      if (rescored.has(k.jobId)) continue;
      const print = k.signature ? parsePrint(k.signature) : undefined;
      if (print && !k.duplicateOf) originals.add(print, k.jobId);
      if (k.duplicateOf) followers.set(k.duplicateOf, [...(followers.get(k.duplicateOf) ?? []), k]);
    }
    const prepared = prepare(this.profile, stats);
    const scoredAt = isoTimestamp(this.opts.now?.() ?? new Date());
    const written = new Map<string, JobScoreInput>();
    let pending: JobScoreInput[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      await rows.upsert('job_score', batch);
      written.clear();
    };
    /** An original's row: in this batch, else as stored. */
    const rowOf = async (jobId: string): Promise<JobScoreInput | undefined> =>
      written.get(jobId) ??
      (await rows.getMany('job_score', [`${this.userId}:${jobId}`])).get(`${this.userId}:${jobId}`);
    let done = 0;
    for (let i = 0; i < order.length; i++) {
      const f = order[i]!;
      order[i] = undefined as unknown as JobFeatures; // let the features go once used
      const ctx: RowContext = {
        userId: this.userId,
        jobId: f.jobId,
        jobVersion: f.version,
        signature: formatPrint(f.print),
        scoredAt,
        scoringVersion: summary.scoringVersion,
      };
      const candidate = originals.find(f.print);
      const original = candidate ? await rowOf(candidate.jobId) : undefined;
      let row: JobScoreInput;
      if (original) {
        row = duplicateRow(original, ctx);
        summary.duplicates++;
      } else {
        const terms = jobTerms(f, prepared);
        row = jobScoreRow(
          prepared.tracks.map((t) => scoreTrack(f, t, prepared, terms)),
          ctx,
        );
        summary.scored++;
        keepTop(summary.top, row);
        originals.add(f.print, f.jobId);
        // Reposts of this job scored earlier follow its new score.
        for (const d of followers.get(f.jobId) ?? []) {
          const copy = duplicateRow(row, {
            ...ctx,
            jobId: d.jobId,
            jobVersion: d.jobVersion ?? f.version,
            signature: d.signature ?? '',
          });
          pending.push(copy);
          written.set(d.jobId, copy);
        }
      }
      summary.byStatus[row.status ?? 'scored']++;
      pending.push(row);
      written.set(f.jobId, row);
      done++;
      if (pending.length >= this.batch) {
        await flush();
        this.opts.onProgress?.(done, order.length, this.userId);
        if (this.opts.signal?.aborted) return;
      }
    }
    await flush();
    this.opts.onProgress?.(done, order.length, this.userId);
  }
}
