/**
 * Concurrency limits, written once: a {@link Semaphore} (at most n holders,
 * first come first served) and, on it, {@link forEachLimit} and
 * {@link mapLimit} (work over a list or an async stream, at most n at a time).
 *
 * The pool's contract: items are taken one at a time as a slot frees (a
 * stream is read only as fast as the work goes); the first failure stops new
 * work, the work already running is let finish (nothing keeps running after
 * the call returns), then that first error is thrown.
 */

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`concurrency must be at least 1, got ${limit}`);
  }

  /** Holders right now. */
  get inUse(): number {
    return this.active;
  }

  /** Resolves to a release function once a slot is free; rejects with the signal's reason when aborted first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      this.waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return this.releaser();
  }

  /** Runs `fn` holding a slot. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

/**
 * Runs `work` on every item of a list or an async stream, at most `limit` at
 * a time (see the module comment for failures). `index` counts items in the
 * order they were taken.
 */
export async function forEachLimit<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  if (!(limit >= 1)) throw new RangeError(`concurrency must be at least 1, got ${limit}`);
  const source =
    Symbol.asyncIterator in items
      ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]();
  let taken = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure) {
      let next: IteratorResult<T>;
      try {
        next = await source.next();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (next.done || failure) return;
      const index = taken++;
      try {
        await work(next.value, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  if (failure) {
    await Promise.resolve(source.return?.()).catch(() => undefined);
    throw failure.error;
  }
}

/** {@link forEachLimit} over a list, keeping each result at its item's place. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachLimit(items, limit, async (item, i) => {
    results[i] = await work(item, i);
  });
  return results;
}
