/**
 * Time as every waiting loop sees it. Code that waits (retries, polls, rate
 * limits, pauses) takes a {@link Clock} instead of calling Date.now and
 * setTimeout itself, so tests run it on virtual time
 * (core/testing/virtual-clock.ts) without real waiting.
 */

export interface Clock {
  /** Milliseconds since the epoch (or since the start of a virtual clock). */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Resolves after `ms` of real time; rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Real time. */
export const systemClock: Clock = { now: () => Date.now(), sleep };
