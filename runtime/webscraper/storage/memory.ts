/**
 * Storage in memory, with the DB API's semantics (schema validation, keyed
 * upserts, preserved fields), for tests and benchmarks. `writes` counts what
 * was written per table, so a test can prove a rerun writes nothing.
 */
import { projectSchema } from '../../schema/schema.js';
import type { JobInput, JobSearchInput, TableName } from '../../schema/types.generated.js';
import { validateItem } from '../../schema/validate.js';
import { JOB_SEARCH_PRESERVED, type ScrapeStorage, type Track } from './types.js';

export class MemoryStorage implements ScrapeStorage {
  readonly description = 'memory';
  readonly jobs = new Map<string, JobInput>();
  readonly jobSearches = new Map<string, JobSearchInput>();
  readonly tracks: Track[];
  /** Rows written per table, rewrites included. */
  readonly writes = { job: 0, job_search: 0 };
  /** Every write call, in order (table and keys). */
  readonly log: Array<{ table: 'job' | 'job_search'; ids: string[] }> = [];

  constructor(tracks: Track[] = []) {
    this.tracks = tracks;
  }

  async listTracks(filter: { userId?: string } = {}): Promise<Track[]> {
    return this.tracks.filter(
      (t) => t.active !== false && (!filter.userId || t.user_id === filter.userId),
    );
  }

  async jobStates(jobIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of jobIds) {
      const row = this.jobs.get(id);
      if (row) out.set(id, row.mcf_updated_at ?? '');
    }
    return out;
  }

  async seenStates(jobSIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of jobSIds) {
      const row = this.jobSearches.get(id);
      if (row) out.set(id, row.last_seen);
    }
    return out;
  }

  private validate(table: TableName, rows: object[], key: string): void {
    const schema = projectSchema();
    const seen = new Set<string>();
    rows.forEach((row, i) => {
      const v = validateItem(schema, schema.tables[table]!, row, 'full', `items[${i}].`);
      if (v.problems.length) throw new Error(`${table} row invalid: ${JSON.stringify(v.problems)}`);
      const id = (row as Record<string, string>)[key]!;
      if (seen.has(id)) throw new Error(`${table} batch repeats ${id}`);
      seen.add(id);
    });
  }

  async writeJobs(rows: JobInput[]): Promise<void> {
    this.validate('job', rows, 'job_id');
    for (const row of rows) this.jobs.set(row.job_id, { ...row });
    this.writes.job += rows.length;
    this.log.push({ table: 'job', ids: rows.map((r) => r.job_id) });
  }

  async writeJobSearches(rows: JobSearchInput[]): Promise<void> {
    this.validate('job_search', rows, 'job_s_id');
    for (const row of rows) {
      const stored = this.jobSearches.get(row.job_s_id);
      const next: Record<string, unknown> = { ...row };
      if (stored)
        for (const f of JOB_SEARCH_PRESERVED) if (stored[f] !== undefined) next[f] = stored[f];
      this.jobSearches.set(row.job_s_id, next as unknown as JobSearchInput);
    }
    this.writes.job_search += rows.length;
    this.log.push({ table: 'job_search', ids: rows.map((r) => r.job_s_id) });
  }
}
