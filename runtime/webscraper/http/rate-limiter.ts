/**
 * The global request rate: requests are spaced evenly at `ratePerSec` (no
 * bursts), every request of the run through one limiter. A 429 halves the
 * rate (down to an eighth) and pauses everyone for the server's Retry-After;
 * a 403 block pauses everyone; the rate creeps back up after successes.
 */
import type { Clock } from '../../../core/clock.js';

export interface RateLimiterOptions {
  /** Requests per second; 0 = no limit. */
  ratePerSec: number;
  clock: Clock;
  /** Lowest share of the configured rate a run of 429s can push it to (default 1/8). */
  minFactor?: number;
  /** Successes after which a slowed rate rises by a quarter (default 20). */
  recoverAfter?: number;
}

export class RateLimiter {
  private nextAt = 0;
  private pausedUntil = 0;
  private factor = 1;
  private successes = 0;

  constructor(private readonly opts: RateLimiterOptions) {}

  /** The rate in force now, requests per second (0 = unlimited). */
  get currentRate(): number {
    return this.opts.ratePerSec * this.factor;
  }

  private get intervalMs(): number {
    return this.opts.ratePerSec > 0 ? 1000 / (this.opts.ratePerSec * this.factor) : 0;
  }

  /** Waits for the next free slot (and for any pause to end). */
  async acquire(signal?: AbortSignal): Promise<void> {
    const { clock } = this.opts;
    for (;;) {
      const now = clock.now();
      const at = Math.max(now, this.nextAt, this.pausedUntil);
      this.nextAt = at + this.intervalMs;
      if (at > now) await clock.sleep(at - now, signal);
      if (this.pausedUntil <= clock.now()) return;
    }
  }

  /** Holds every request until `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.opts.clock.now() + ms);
  }

  /** The server said "too many requests": halve the rate. */
  slowDown(): void {
    this.factor = Math.max(this.opts.minFactor ?? 1 / 8, this.factor / 2);
    this.successes = 0;
  }

  success(): void {
    if (this.factor >= 1) return;
    if (++this.successes >= (this.opts.recoverAfter ?? 20)) {
      this.factor = Math.min(1, this.factor * 1.25);
      this.successes = 0;
    }
  }
}
