/**
 * Poll with backoff: read a status until it settles. Every waiting loop of
 * the code base (a stack operation, a change set, drift detection, ECS
 * tasks, a table becoming ACTIVE) is this loop with its own check.
 *
 * - The check runs, then the loop sleeps the interval (a fixed one, or one
 *   that starts short and doubles to a ceiling, for waits that usually end
 *   in seconds), until the check says done.
 * - A failed check whose error `tolerate` accepts (throttling, 5xx, network:
 *   each call already retried by its client) slows polling down instead:
 *   the interval doubles per failure in a row, up to `maxBackoffMs`; after
 *   `maxFailures` failures in a row the error is thrown. A good check resets it.
 * - With `timeoutMs`, the loop never sleeps past the deadline and throws
 *   `timeoutError(elapsed)` (default {@link PollTimeoutError}) there.
 * - The sleep is on the injected clock and aborts with `signal`.
 */
import { type Clock, systemClock } from './clock.js';
import { formatDuration } from './values.js';

export type PollStep<T> = { done: true; value: T } | { done: false };

/** A check's answer: done with a value. */
export const done = <T>(value: T): PollStep<T> => ({ done: true, value });
/** A check's answer: not yet. */
export const notYet: PollStep<never> = { done: false };

export interface PollOptions {
  /** Time between checks, ms: fixed, or starting at `firstMs` and doubling up to `maxMs`. */
  intervalMs: number | { firstMs: number; maxMs: number };
  /** Errors that only slow polling down (default: none, every error ends the wait). */
  tolerate?: (err: unknown) => boolean;
  /** Tolerated failures in a row before the error is thrown (default 5). */
  maxFailures?: number;
  /** Longest pause after failures in a row, ms (default 60 s). */
  maxBackoffMs?: number;
  /** Told of each tolerated failure with the pause before the next check. */
  onFailure?: (err: unknown, failuresInARow: number, delayMs: number) => void;
  /** Told when a check succeeds after failures. */
  onRecovered?: () => void;
  /** The whole wait's limit, ms from the first check (default: none). */
  timeoutMs?: number;
  /** The error thrown at the deadline (default {@link PollTimeoutError}). */
  timeoutError?: (elapsedMs: number) => Error;
  clock?: Clock;
  signal?: AbortSignal;
}

/** The wait outlived its `timeoutMs`. */
export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
  constructor(readonly elapsedMs: number) {
    super(`Still waiting after ${formatDuration(elapsedMs)}, the time allowed.`);
  }
}

export async function poll<T>(
  check: (round: number) => Promise<PollStep<T>>,
  opts: PollOptions,
): Promise<T> {
  const clock = opts.clock ?? systemClock;
  const started = clock.now();
  const deadline = opts.timeoutMs === undefined ? Infinity : started + opts.timeoutMs;
  const fixed = typeof opts.intervalMs === 'number';
  const maxInterval = fixed
    ? (opts.intervalMs as number)
    : (opts.intervalMs as { maxMs: number }).maxMs;
  let interval = fixed
    ? maxInterval
    : Math.min((opts.intervalMs as { firstMs: number }).firstMs, maxInterval);
  let failures = 0;

  for (let round = 1; ; round++) {
    let delay = interval;
    try {
      const step = await check(round);
      if (failures > 0) opts.onRecovered?.();
      failures = 0;
      if (step.done) return step.value;
      interval = Math.min(interval * 2, maxInterval);
    } catch (err) {
      if (!opts.tolerate?.(err)) throw err;
      failures++;
      if (failures > (opts.maxFailures ?? 5)) throw err;
      delay = Math.min(opts.maxBackoffMs ?? 60_000, Math.max(interval, 1) * 2 ** failures);
      opts.onFailure?.(err, failures, delay);
    }
    const now = clock.now();
    if (now >= deadline) {
      throw (opts.timeoutError ?? ((ms) => new PollTimeoutError(ms)))(now - started);
    }
    await clock.sleep(Math.max(0, Math.min(delay, deadline - now)), opts.signal);
  }
}
