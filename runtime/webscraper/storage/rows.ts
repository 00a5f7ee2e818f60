/**
 * The scraper's storage over the pipeline's one row path (runtime/rows):
 * tracks, job states and job_search states are read and checked against
 * the schema there (a bad row is reported and skipped), rows are written
 * with its validating upserts. The DB API, DynamoDB and memory storages
 * differ only in their source.
 */
import type { BadRow } from '../../rows/check.js';
import type { RowStore } from '../../rows/store.js';
import type { JobInput, JobSearchInput } from '../../schema/types.generated.js';
import { JOB_SEARCH_PRESERVED, type ScrapeStorage, type Track } from './types.js';

export class RowScrapeStorage implements ScrapeStorage {
  readonly description: string;

  constructor(readonly rows: RowStore) {
    this.description = rows.description;
  }

  onBadRow(listener: (bad: BadRow) => void): () => void {
    return this.rows.onBadRow(listener);
  }

  storeId(): Promise<string | undefined> {
    return this.rows.source.storeId?.() ?? Promise.resolve(undefined);
  }

  async listTracks(filter: { userId?: string } = {}): Promise<Track[]> {
    const where = filter.userId ? { user_id: filter.userId } : undefined;
    return (await this.rows.all('track', where)).filter((t) => t.active !== false);
  }

  async jobStates(jobIds: string[]): Promise<Map<string, string>> {
    const rows = await this.rows.getMany('job', jobIds, ['mcf_updated_at']);
    return new Map([...rows].map(([id, r]) => [id, r.mcf_updated_at ?? '']));
  }

  async seenStates(jobSIds: string[]): Promise<Map<string, string>> {
    const rows = await this.rows.getMany('job_search', jobSIds, ['last_seen']);
    return new Map([...rows].map(([id, r]) => [id, r.last_seen]));
  }

  writeJobs(rows: JobInput[]): Promise<void> {
    return this.rows.upsert('job', rows);
  }

  writeJobSearches(rows: JobSearchInput[]): Promise<void> {
    return this.rows.upsert('job_search', rows, { preserve: JOB_SEARCH_PRESERVED });
  }
}
