/**
 * The replay's data set: generated jobs indexed for searching, plus the
 * changes a test or the local pipeline makes over time (new postings, edits,
 * closures, corrupted records). Full job objects are generated on demand.
 */
import type { McfJob } from '../webscraper/mcf/types.js';
import {
  type GeneratorOptions,
  type JobFacets,
  JobGenerator,
  md5Hex,
  type Urls,
} from './generate.js';
import {
  CATEGORIES,
  EMPLOYMENT_TYPES,
  FLEXIBLE_WORK_ARRANGEMENTS,
  POSITION_LEVELS,
} from './vocabulary.js';

export interface CorpusOptions extends GeneratorOptions {
  /** Jobs at the start (default 1000). */
  jobs?: number;
}

export type SortBy = 'new_posting_date' | 'min_monthly_salary' | 'relevance';

export interface JobQuery {
  search?: string;
  categories?: string[];
  employmentTypes?: string[];
  positionLevels?: string[];
  /** Minimum monthly salary, SGD: jobs whose range reaches it. */
  salary?: number;
  uen?: string;
  skillIds?: string[];
  postingCompany?: Array<'Direct' | 'Third Party'>;
  flexibleWorkArrangements?: number[];
  sortBy?: SortBy;
}

/** Ways to break a record, for quarantine tests. */
export const CORRUPTIONS = [
  'missing-title',
  'wrong-type',
  'no-metadata',
  'bad-date',
  'not-an-object',
] as const;
export type Corruption = (typeof CORRUPTIONS)[number];

interface Entry {
  facets: JobFacets;
  text: string;
  uen: string | null;
  skillIds: Set<string>;
  updatedAtMs?: number;
  editCount?: number;
  title?: string;
  closed?: boolean;
  corruption?: Corruption;
}

export interface QueryResult {
  entries: readonly Entry[];
  total: number;
  countWithoutFilters: number;
}

export class Corpus {
  readonly generator: JobGenerator;
  private readonly entries: Entry[] = [];
  private readonly byUuid = new Map<string, Entry>();
  private readonly cache = new Map<string, QueryResult>();

  constructor(opts: CorpusOptions) {
    this.generator = new JobGenerator(opts);
    this.addJobs(opts.jobs ?? 1000);
  }

  /** Jobs in the corpus, closed ones included. */
  get size(): number {
    return this.entries.length;
  }

  /** Every uuid, newest first (closed ones included). */
  uuids(): string[] {
    return this.entries.map((e) => e.facets.uuid).reverse();
  }

  has(uuid: string): boolean {
    return this.byUuid.has(uuid);
  }

  /** Posts `count` new jobs (newer than every job so far); returns their uuids, newest first. */
  addJobs(count: number): string[] {
    const added: string[] = [];
    for (let i = 0; i < count; i++) {
      const k = this.entries.length;
      const facets = this.generator.facets(k);
      const company = this.generator.company(facets.company);
      const entry: Entry = {
        facets,
        text: [facets.title, ...facets.skills, ...facets.categories, company.name ?? '']
          .join(' ')
          .toLowerCase(),
        uen: facets.thirdParty ? null : company.uen,
        skillIds: new Set(facets.skills.map((s) => md5Hex(`skill:${s}`))),
      };
      this.entries.push(entry);
      this.byUuid.set(facets.uuid, entry);
      added.push(facets.uuid);
    }
    this.touch();
    return added.reverse();
  }

  private entry(uuid: string): Entry {
    const e = this.byUuid.get(uuid);
    if (!e) throw new Error(`The replay corpus has no job ${uuid}`);
    return e;
  }

  private touch(): void {
    this.cache.clear();
  }

  /** Edits a job: `metadata.updatedAt` moves to `atMs` (default: one hour after its current value). */
  edit(uuid: string, changes: { title?: string; atMs?: number } = {}): void {
    const e = this.entry(uuid);
    const current = e.updatedAtMs ?? Date.parse(this.generator.job(e.facets.k).metadata.updatedAt!);
    e.updatedAtMs = changes.atMs ?? current + 3_600_000;
    e.editCount = (e.editCount ?? 0) + 1;
    if (changes.title !== undefined) e.title = changes.title;
    this.touch();
  }

  /** Closes a job: it leaves the listings; its detail stays (status 104 Closed). */
  close(uuid: string): void {
    this.entry(uuid).closed = true;
    this.touch();
  }

  /** Breaks a job's record in the given way (listing and detail both show it). */
  corrupt(uuid: string, how: Corruption): void {
    this.entry(uuid).corruption = how;
    this.touch();
  }

  /** The job as the detail endpoint returns it; undefined for an unknown uuid. */
  job(uuid: string, urls?: Urls): unknown {
    const e = this.byUuid.get(uuid);
    return e ? this.render(e, urls) : undefined;
  }

  /**
   * Jobs a job's page suggests (its neighbours in posting order, open and
   * well-formed), shown as cards that reuse the salary and company test ids.
   */
  suggestions(uuid: string, urls?: Urls, count = 3): McfJob[] {
    const e = this.byUuid.get(uuid);
    if (!e) return [];
    const out: McfJob[] = [];
    for (let step = 1; step < this.entries.length && out.length < count; step++) {
      const other: Entry = this.entries[(e.facets.k + step) % this.entries.length]!;
      if (other !== e && !other.closed && !other.corruption)
        out.push(this.render(other, urls) as McfJob);
    }
    return out;
  }

  /** The job object of an entry, with its changes applied. */
  render(e: Entry, urls?: Urls): unknown {
    const job: McfJob = this.generator.job(e.facets.k, urls, e.facets);
    if (e.title !== undefined) job.title = e.title;
    if (e.updatedAtMs !== undefined) job.metadata.updatedAt = new Date(e.updatedAtMs).toISOString();
    if (e.editCount !== undefined)
      job.metadata.editCount = (job.metadata.editCount ?? 0) + e.editCount;
    if (e.closed) job.status = { id: 104, jobStatus: 'Closed' };
    return e.corruption ? corruptJob(job, e.corruption) : job;
  }

  /** Jobs matching a query, in the query's order; totals as MCF reports them. */
  query(q: JobQuery): QueryResult {
    const key = JSON.stringify(q);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const tokens = (q.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const open = this.entries.filter((e) => !e.closed);
    const searched = tokens.length
      ? open.filter((e) => tokens.every((t) => e.text.includes(t)))
      : open;
    const filtered = searched.filter((e) => matchesFilters(e, q));
    const sortBy = q.sortBy ?? 'relevance';
    const sorted =
      sortBy === 'min_monthly_salary'
        ? [...filtered].sort(
            (a, b) =>
              (b.facets.salary?.min ?? -1) - (a.facets.salary?.min ?? -1) ||
              b.facets.k - a.facets.k,
          )
        : sortBy === 'relevance' && tokens.length
          ? [...filtered].sort(
              (a, b) => relevance(b, tokens) - relevance(a, tokens) || b.facets.k - a.facets.k,
            )
          : [...filtered].reverse();
    const result = { entries: sorted, total: sorted.length, countWithoutFilters: searched.length };
    if (this.cache.size > 500) this.cache.clear();
    this.cache.set(key, result);
    return result;
  }

  /** The filter values the corpus knows (anything else is a 400). */
  static readonly known = {
    categories: new Set<string>(CATEGORIES),
    employmentTypes: new Set<string>(EMPLOYMENT_TYPES),
    positionLevels: new Set<string>(POSITION_LEVELS),
    flexibleWorkArrangements: new Set(FLEXIBLE_WORK_ARRANGEMENTS.map((_, i) => i + 1)),
  };
}

function relevance(e: Entry, tokens: string[]): number {
  const title = e.facets.title.toLowerCase();
  return tokens.filter((t) => title.includes(t)).length;
}

function anyOf(have: readonly string[], want: readonly string[] | undefined): boolean {
  return !want?.length || want.some((w) => have.includes(w));
}

function matchesFilters(e: Entry, q: JobQuery): boolean {
  const f = e.facets;
  if (!anyOf(f.categories, q.categories)) return false;
  if (!anyOf(f.employmentTypes, q.employmentTypes)) return false;
  if (!anyOf([f.positionLevel], q.positionLevels)) return false;
  if (q.salary !== undefined && (!f.salary || f.salary.max < q.salary)) return false;
  if (q.uen !== undefined && e.uen !== q.uen) return false;
  if (
    q.postingCompany?.length &&
    !q.postingCompany.includes(f.thirdParty ? 'Third Party' : 'Direct')
  )
    return false;
  if (
    q.flexibleWorkArrangements?.length &&
    !q.flexibleWorkArrangements.some((id) => f.flexibleWorkArrangements.includes(id))
  )
    return false;
  if (q.skillIds?.length && !q.skillIds.some((id) => e.skillIds.has(id))) return false;
  return true;
}

function corruptJob(job: McfJob, how: Corruption): unknown {
  const broken = structuredClone(job) as unknown as Record<string, unknown>;
  switch (how) {
    case 'missing-title':
      broken.title = null;
      break;
    case 'wrong-type':
      broken.numberOfVacancies = 'two';
      broken.categories = 'Information Technology';
      break;
    case 'no-metadata':
      broken.metadata = null;
      break;
    case 'bad-date':
      (broken.metadata as Record<string, unknown>).newPostingDate = '2026-02-30';
      break;
    case 'not-an-object':
      return ['not', 'a', 'job'];
  }
  return broken;
}
