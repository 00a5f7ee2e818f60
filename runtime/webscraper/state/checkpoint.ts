/**
 * The scraper's checkpoint: one JSON object per day and shard
 * (`checkpoints/<day>/shard-<i>-of-<n>.json`) saying which searches are done
 * and at which page the others go on, which jobs still need their details,
 * and what the hand-off between shards has done. Saved after every listing
 * page and every batch of stored jobs, so a killed run resumes without
 * refetching completed pages; a day marked complete is not scraped again.
 */
import type { BlobStore } from './blob-store.js';

export type SearchOutcome = 'end' | 'early-stop' | 'max-pages' | 'failed';

export interface SearchProgress {
  /** The next page to fetch (pages before it are done). */
  nextPage: number;
  done: boolean;
  outcome?: SearchOutcome;
  error?: string;
  /** Jobs MCF reported for the search on the last page read. */
  total?: number;
}

export interface PendingJob {
  /** metadata.updatedAt (ISO_TIMESTAMP) the listing showed. */
  updatedAt?: string;
  /** The job's page (for the browser path). */
  url?: string;
}

export interface CheckpointState {
  version: 1;
  day: string;
  /**
   * The store the rows were written to (its tables' identity). A checkpoint
   * of another store (the database was deleted or replaced, the data folder
   * changed) says nothing about this one's rows: it is ignored.
   */
  storeId?: string;
  shard: { index: number; count: number };
  status: 'running' | 'complete' | 'stopped';
  startedAt: string;
  updatedAt: string;
  /** Runs that worked on this day and shard (1 + resumes). */
  runs: number;
  searches: Record<string, SearchProgress>;
  /** Jobs whose details are still to be fetched and stored. */
  pending: Record<string, PendingJob>;
  /** Jobs whose details could not be had (transport failures after every retry), with why. */
  failed: Record<string, string>;
  handoff: { outSeq: number; consumed: string[]; listingDone: boolean };
  /** Counters of every run of this day and shard so far. */
  counters: Record<string, number>;
}

export function checkpointKey(day: string, shard: { index: number; count: number }): string {
  return `checkpoints/${day}/shard-${shard.index}-of-${shard.count}.json`;
}

export class Checkpoint {
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;
  private inFlight = false;

  private constructor(
    private readonly store: BlobStore,
    readonly key: string,
    readonly state: CheckpointState,
    readonly resumed: boolean,
    /** Set when a checkpoint of another store was found and ignored: that store's id. */
    readonly foreign?: string,
  ) {}

  /**
   * Loads the day's checkpoint, or starts a new one. With `storeId`, a
   * checkpoint written against another store (or before stores had ids) is
   * ignored: the day starts over, and `foreign` says so.
   */
  static async open(
    store: BlobStore,
    day: string,
    shard: { index: number; count: number },
    now: () => Date,
    storeId?: string,
  ): Promise<Checkpoint> {
    const key = checkpointKey(day, shard);
    const raw = await store.get(key);
    let foreign: string | undefined;
    if (raw) {
      let state: CheckpointState;
      try {
        state = JSON.parse(raw.toString('utf8')) as CheckpointState;
      } catch (err) {
        throw new Error(
          `The checkpoint ${key} in ${store.description} is not valid JSON (${(err as Error).message}); move it away to start the day over`,
        );
      }
      if (state.version !== 1 || state.day !== day) {
        throw new Error(
          `The checkpoint ${key} in ${store.description} is not a version 1 checkpoint of ${day}; move it away to start the day over`,
        );
      }
      state.failed ??= {};
      if (storeId === undefined || state.storeId === storeId)
        return new Checkpoint(store, key, state, true);
      foreign = state.storeId ?? '(none)';
    }
    const at = now().toISOString();
    return new Checkpoint(
      store,
      key,
      {
        version: 1,
        day,
        ...(storeId !== undefined ? { storeId } : {}),
        shard,
        status: 'running',
        startedAt: at,
        updatedAt: at,
        runs: 0,
        searches: {},
        pending: {},
        failed: {},
        handoff: { outSeq: 0, consumed: [], listingDone: false },
        counters: {},
      },
      false,
      foreign,
    );
  }

  /**
   * Saves the state. Calls while a save is in flight coalesce into one more
   * save of the latest state; the promise resolves once the state as it was
   * at the call is stored.
   */
  save(): Promise<void> {
    this.dirty = true;
    if (!this.inFlight) {
      this.inFlight = true;
      this.saving = (async () => {
        try {
          while (this.dirty) {
            this.dirty = false;
            this.state.updatedAt = new Date().toISOString();
            await this.store.put(this.key, JSON.stringify(this.state), 'application/json');
          }
        } finally {
          this.inFlight = false;
        }
      })();
    }
    return this.saving;
  }
}
