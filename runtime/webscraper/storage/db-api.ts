/**
 * Storage through the DB API's HTTP routes (runtime/db-api/API.md), with its
 * client: batch upserts (500 items a request) and reads by id. Works from
 * anywhere the API is reachable (the local pipeline, a laptop, Fargate).
 */
import { DbApiClient, type DbApiClientOptions } from '../../db-api/client.js';
import type { JobInput, JobSearchInput } from '../../schema/types.generated.js';
import { forEachLimited, JOB_SEARCH_PRESERVED, type ScrapeStorage, type Track } from './types.js';

export interface DbApiStorageOptions extends DbApiClientOptions {
  /** Reads in flight at once for the state lookups (default 16). */
  readConcurrency?: number;
}

export class DbApiStorage implements ScrapeStorage {
  readonly description: string;
  readonly client: DbApiClient;
  private readonly readConcurrency: number;

  constructor(opts: DbApiStorageOptions) {
    this.client = new DbApiClient(opts);
    this.readConcurrency = opts.readConcurrency ?? 16;
    this.description = `db-api ${this.client.url}`;
  }

  async listTracks(filter: { userId?: string } = {}): Promise<Track[]> {
    const out: Track[] = [];
    const where = filter.userId ? { where: { user_id: filter.userId } } : {};
    for await (const t of this.client.listAll('track', { ...where, limit: 1000 }))
      if (t.active !== false) out.push(t);
    return out;
  }

  private async lookup<T>(
    ids: string[],
    read: (id: string) => Promise<T | undefined>,
    pick: (row: T) => string,
  ) {
    const out = new Map<string, string>();
    await forEachLimited([...new Set(ids)], this.readConcurrency, async (id) => {
      const row = await read(id);
      if (row) out.set(id, pick(row));
    });
    return out;
  }

  jobStates(jobIds: string[]): Promise<Map<string, string>> {
    return this.lookup(
      jobIds,
      (id) => this.client.find('job', id),
      (row) => row.mcf_updated_at ?? '',
    );
  }

  seenStates(jobSIds: string[]): Promise<Map<string, string>> {
    return this.lookup(
      jobSIds,
      (id) => this.client.find('job_search', id),
      (row) => row.last_seen,
    );
  }

  async writeJobs(rows: JobInput[]): Promise<void> {
    if (rows.length) await this.client.batch('job', rows);
  }

  async writeJobSearches(rows: JobSearchInput[]): Promise<void> {
    if (rows.length)
      await this.client.batch('job_search', rows, { preserve: [...JOB_SEARCH_PRESERVED] });
  }
}
