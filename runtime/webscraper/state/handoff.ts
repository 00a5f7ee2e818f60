/**
 * Hand-off between shards. Searches are split between shards, but two
 * searches can find the same job; so each job's details belong to one shard,
 * chosen by its uuid, and a shard that finds a job owned by another writes it
 * to that shard's inbox instead of fetching it:
 *
 *   handoff/<day>/to-<j>/from-<i>-<run>-<seq>.json   jobs shard i found for shard j
 *   handoff/<day>/done/shard-<i>               shard i has listed all its searches
 *
 * After its own searches, a shard reads its inbox until every other shard has
 * marked itself done (or a time limit passes), so N shards never fetch the
 * same job twice.
 */
import type { BlobStore } from './blob-store.js';
import type { PendingJob } from './checkpoint.js';

export interface HandoffItem extends PendingJob {
  uuid: string;
}

export class Handoff {
  constructor(
    private readonly store: BlobStore,
    private readonly day: string,
    readonly shard: { index: number; count: number },
  ) {}

  private get base(): string {
    return `handoff/${this.day}`;
  }

  /**
   * Writes jobs for shard `to`. The run id and `seq` make the file name unique:
   * a run resumed after a kill counts `seq` again from its last checkpoint, and
   * must not rewrite a file the receiver may already have read (and skip).
   */
  async send(to: number, runId: string, seq: number, items: HandoffItem[]): Promise<string> {
    const key = `${this.base}/to-${to}/from-${this.shard.index}-${runId}-${String(seq).padStart(6, '0')}.json`;
    await this.store.put(key, JSON.stringify(items), 'application/json');
    return key;
  }

  async markListingDone(): Promise<void> {
    await this.store.put(
      `${this.base}/done/shard-${this.shard.index}`,
      new Date().toISOString(),
      'text/plain',
    );
  }

  /** Whether every other shard has listed all its searches. */
  async othersDone(): Promise<boolean> {
    const done = new Set(
      (await this.store.list(`${this.base}/done/`)).map((k) => k.slice(k.lastIndexOf('/') + 1)),
    );
    for (let i = 0; i < this.shard.count; i++) {
      if (i !== this.shard.index && !done.has(`shard-${i}`)) return false;
    }
    return true;
  }

  /** Keys of the inbox files not in `consumed` (read each with {@link read}, one at a time). */
  async inbox(consumed: ReadonlySet<string>): Promise<string[]> {
    return (await this.store.list(`${this.base}/to-${this.shard.index}/`)).filter(
      (k) => !consumed.has(k),
    );
  }

  /** The jobs of one inbox file. */
  async read(key: string): Promise<HandoffItem[]> {
    const raw = await this.store.get(key);
    if (!raw) return [];
    let items: unknown;
    try {
      items = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new Error(
        `The hand-off file ${key} in ${this.store.description} is not valid JSON (${(err as Error).message}); move it away and run again`,
      );
    }
    if (!Array.isArray(items)) {
      throw new Error(
        `The hand-off file ${key} in ${this.store.description} is not a list of jobs; move it away and run again`,
      );
    }
    return items as HandoffItem[];
  }
}
