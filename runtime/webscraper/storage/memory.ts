/**
 * Storage in memory, with the DB API's semantics (schema validation, keyed
 * upserts, preserved fields), for tests and benchmarks. `writes` counts what
 * was written per table, so a test can prove a rerun writes nothing.
 */
import { MemorySource } from '../../rows/memory-source.js';
import { RowStore, type RowStoreOptions } from '../../rows/store.js';
import type { JobInput, JobSearchInput } from '../../schema/types.generated.js';
import { RowScrapeStorage } from './rows.js';
import type { Track } from './types.js';

export class MemoryStorage extends RowScrapeStorage {
  override readonly description = 'memory';
  readonly source: MemorySource;
  readonly jobs: Map<string, JobInput>;
  readonly jobSearches: Map<string, JobSearchInput>;
  /** Rows written per table, rewrites included. */
  readonly writes = { job: 0, job_search: 0 };
  /** Every write call, in order (table and keys). */
  readonly log: Array<{ table: 'job' | 'job_search'; ids: string[] }> = [];

  /** `tracks` are stored as they are, unchecked, as rows can reach DynamoDB without the API. */
  constructor(tracks: unknown[] = [], opts: RowStoreOptions = {}) {
    const source = new MemorySource();
    super(new RowStore(source, opts));
    this.source = source;
    source.put('track', tracks);
    this.jobs = source.table('job') as unknown as Map<string, JobInput>;
    this.jobSearches = source.table('job_search') as unknown as Map<string, JobSearchInput>;
  }

  get tracks(): Track[] {
    return [...this.source.table('track').values()] as unknown as Track[];
  }

  override async writeJobs(rows: JobInput[]): Promise<void> {
    await super.writeJobs(rows);
    this.writes.job += rows.length;
    this.log.push({ table: 'job', ids: rows.map((r) => r.job_id) });
  }

  override async writeJobSearches(rows: JobSearchInput[]): Promise<void> {
    await super.writeJobSearches(rows);
    this.writes.job_search += rows.length;
    this.log.push({ table: 'job_search', ids: rows.map((r) => r.job_s_id) });
  }
}
