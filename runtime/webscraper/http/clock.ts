/**
 * Time as the scraper's waits see it: injectable, so tests run the same
 * rate limits, backoffs and pauses on virtual time.
 */
import { sleep } from '../../../core/time.js';

export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, signal),
};
