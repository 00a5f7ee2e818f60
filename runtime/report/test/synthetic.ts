/**
 * A realistic, deterministic data set for the report's browser test and the
 * ETL benchmark: job rows from the MCF replay's generator through the
 * webscraper's normaliser (titles, companies, salaries, skills, descriptions
 * as stored), job_search rows over three tracks and their search terms,
 * spread over the days the jobs were posted, a score per job, and CRM rows
 * through every stage with applications and answers.
 *
 * Rows are made one at a time from (seed, k), so a benchmark can stream
 * 100,000 of them without holding them.
 */
import { JobGenerator } from '../../mcf-replay/generate.js';
import { createRandom, mixSeed } from '../../mcf-replay/random.js';
import { isoDate, isoTimestamp } from '../../schema/timestamps.js';
import { normaliseJob } from '../../webscraper/normalise/job.js';
import type { ExportedTable } from '../model.js';

type SourceRow = Record<string, unknown>;

export interface SyntheticOptions {
  /** Jobs found (job, job_search and job_score rows). */
  jobs: number;
  /** CRM rows (the first `crm` jobs). */
  crm: number;
  seed?: number;
  user?: string;
  /** New jobs per day (default 1500, about MCF's weekday rate). */
  perDay?: number;
}

export const SYNTHETIC_TRACKS = [
  {
    slug: 'data',
    name: 'Data engineering',
    terms: ['data engineer', 'etl developer', 'analytics engineer'],
  },
  { slug: 'ml', name: 'Machine learning', terms: ['machine learning', 'ml engineer'] },
  {
    slug: 'platform',
    name: 'Platform and SRE',
    terms: ['devops', 'site reliability', 'platform engineer'],
  },
] as const;

const STAGES: Array<[string, number]> = [
  ['new', 0.4],
  ['screened', 0.2],
  ['shortlisted', 0.1],
  ['applied', 0.15],
  ['interviewing', 0.07],
  ['offer', 0.03],
  ['closed', 0.05],
];

const DAY = 86_400_000;

/** The entry of `weighted` that `x` (in [0, 1)) falls in. */
function pickWeighted(weighted: Array<[string, number]>, x: number): string {
  let rest = x;
  for (const [value, p] of weighted) {
    rest -= p;
    if (rest < 0) return value;
  }
  return weighted[0]![0];
}

export class SyntheticData {
  readonly user: string;
  private readonly gen: JobGenerator;
  private readonly seed: number;

  constructor(readonly opts: SyntheticOptions) {
    this.seed = opts.seed ?? 11;
    this.user = opts.user ?? 'me';
    this.gen = new JobGenerator({ seed: this.seed, perDay: opts.perDay ?? 1500, oddRate: 0.03 });
  }

  private stamp(ms: number): string {
    return isoTimestamp(new Date(ms));
  }

  private system(createdMs: number, modifiedMs = createdMs): SourceRow {
    return { created: this.stamp(createdMs), last_modified: this.stamp(modifiedMs), version: 1 };
  }

  private track(k: number) {
    return SYNTHETIC_TRACKS[k % SYNTHETIC_TRACKS.length]!;
  }

  private foundMs(k: number): number {
    return this.gen.postedAtMs(k) + 3 * 3600_000;
  }

  /** How many rows `table` has. */
  count(table: ExportedTable): number {
    switch (table) {
      case 'track':
        return SYNTHETIC_TRACKS.length;
      case 'keyword':
        return 0;
      case 'crm':
        return Math.min(this.opts.crm, this.opts.jobs);
      default:
        return this.opts.jobs;
    }
  }

  /** Row `k` of `table`. */
  row(table: ExportedTable, k: number): SourceRow {
    const t0 = this.gen.startMs;
    switch (table) {
      case 'track': {
        const t = SYNTHETIC_TRACKS[k]!;
        return {
          track_id: `${this.user}:${t.slug}`,
          user_id: this.user,
          name: t.name,
          search_terms: [...t.terms],
          active: true,
          ...this.system(t0 - DAY),
        };
      }
      case 'job': {
        const r = normaliseJob(this.gen.job(k));
        if (!r.ok) throw new Error(`synthetic job ${k}: ${r.reason}`);
        return { ...r.row, ...this.system(this.foundMs(k)) };
      }
      case 'job_search': {
        const uuid = this.gen.facets(k).uuid;
        const t = this.track(k);
        const r = createRandom(mixSeed(this.seed, k, 21));
        return {
          job_s_id: `${this.user}:${uuid}`,
          user_id: this.user,
          job_id: uuid,
          track_id: `${this.user}:${t.slug}`,
          search_term: r.pick(t.terms),
          first_seen: this.stamp(this.foundMs(k)),
          last_seen: this.stamp(this.foundMs(k) + r.int(0, 5) * DAY),
          ...this.system(this.foundMs(k)),
        };
      }
      case 'job_score': {
        const uuid = this.gen.facets(k).uuid;
        const r = createRandom(mixSeed(this.seed, k, 22));
        return {
          job_s_id: `${this.user}:${uuid}`,
          user_id: this.user,
          job_id: uuid,
          track_id: `${this.user}:${this.track(k).slug}`,
          score: Math.round(r() * 1000) / 10,
          matched_keywords: r.sample(
            ['python', 'sql', 'spark', 'aws', 'kubernetes', 'airflow'],
            r.int(0, 4),
          ),
          scored_at: this.stamp(this.foundMs(k) + 3600_000),
          ...this.system(this.foundMs(k) + 3600_000),
        };
      }
      case 'crm': {
        const uuid = this.gen.facets(k).uuid;
        const r = createRandom(mixSeed(this.seed, k, 23));
        const status = pickWeighted(STAGES, r());
        const applied = ['applied', 'interviewing', 'offer'].includes(status);
        const appliedMs = this.foundMs(k) + r.int(1, 4) * DAY;
        const response =
          status === 'interviewing'
            ? 'interview'
            : status === 'offer'
              ? 'offer'
              : applied
                ? r.pick(['none', 'none', 'acknowledged', 'rejected', 'no_reply'])
                : 'none';
        const answered = ['acknowledged', 'interview', 'offer', 'rejected'].includes(response);
        const answerMs = appliedMs + r.int(1, 45) * DAY;
        return {
          job_s_id: `${this.user}:${uuid}`,
          user_id: this.user,
          job_id: uuid,
          track_id: `${this.user}:${this.track(k).slug}`,
          status,
          apply_status: applied
            ? 'applied'
            : status === 'shortlisted'
              ? 'preparing'
              : 'not_applied',
          response,
          ...(applied ? { applied_date: isoDate(new Date(appliedMs)) } : {}),
          // One answer in five without its date: the report estimates those from last_modified.
          ...(answered && r.chance(0.8) ? { response_date: isoDate(new Date(answerMs)) } : {}),
          ...this.system(this.foundMs(k) + DAY, answered ? answerMs : this.foundMs(k) + DAY),
        };
      }
      default:
        return {};
    }
  }

  /** Every row of `table`, one at a time. */
  *rows(table: ExportedTable): Generator<SourceRow> {
    const n = this.count(table);
    for (let k = 0; k < n; k++) yield this.row(table, k);
  }

  /** All tables in memory (small sets: tests). */
  tables(): Record<ExportedTable, SourceRow[]> {
    const tables = ['track', 'keyword', 'job', 'job_search', 'job_score', 'crm'] as const;
    return Object.fromEntries(tables.map((t) => [t, [...this.rows(t)]])) as Record<
      ExportedTable,
      SourceRow[]
    >;
  }
}
