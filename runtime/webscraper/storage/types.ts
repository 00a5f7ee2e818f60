/**
 * Where the scraper reads tracks and writes jobs: one interface, with an
 * implementation over the DB API's HTTP routes (anywhere), one over
 * DynamoDB directly (inside AWS, through the DB API's table store, so the
 * items are identical), and one in memory (tests, benchmarks).
 *
 * Writes are idempotent keyed upserts: writing the same rows twice changes
 * nothing a reader relies on, and `job_search` rows keep their first
 * `first_seen`, `track_id` and `search_term`.
 */
import type { BadRow } from '../../rows/check.js';
import type { JobInput, JobSearchInput, TrackInput } from '../../schema/types.generated.js';

/** A track as the scraper uses it (the `track` table's fields). */
export type Track = TrackInput;

/** Fields of a stored `job_search` row an upsert never overwrites. */
export const JOB_SEARCH_PRESERVED = ['first_seen', 'track_id', 'search_term'] as const;

export interface ScrapeStorage {
  /** For logs: `db-api https://...`, `dynamodb mcfpipe-dev-`, `memory`. */
  readonly description: string;
  /** Also tell `listener` about rows refused on reading (they are skipped); returns the remover. */
  onBadRow?(listener: (bad: BadRow) => void): () => void;
  /** The identity of the tables rows go to, when the storage can tell (see ScrapeOptions.storeId). */
  storeId?(): Promise<string | undefined>;
  /** Active tracks, of one user or of all; rows that break the schema are skipped. */
  listTracks(filter?: { userId?: string }): Promise<Track[]>;
  /** `mcf_updated_at` of the stored jobs among `jobIds` ('' when a job was stored without one); absent = not stored. */
  jobStates(jobIds: string[]): Promise<Map<string, string>>;
  /** `last_seen` of the stored `job_search` rows among `jobSIds`; absent = not stored. */
  seenStates(jobSIds: string[]): Promise<Map<string, string>>;
  /** Upserts whole job rows. */
  writeJobs(rows: JobInput[]): Promise<void>;
  /** Upserts job_search rows, keeping {@link JOB_SEARCH_PRESERVED} of stored ones. */
  writeJobSearches(rows: JobSearchInput[]): Promise<void>;
}
