/**
 * Progress of a run: counters, and at an interval a log line with the rate
 * and an ETA; at the end, a summary (also as JSON for the workflow summary).
 */
import type { Logger } from './log.js';

export const COUNTERS = [
  'pages',
  'listed',
  'new',
  'updated',
  'unchanged',
  'stored',
  'gone',
  'failed',
  'quarantined',
  'job_search_written',
  'handed_off',
  'received',
  'browser_pages',
  'skipped_rows',
] as const;
export type Counter = (typeof COUNTERS)[number];

export type Counters = Record<Counter, number>;

export function emptyCounters(): Counters {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;
}

export interface ProgressSource {
  counters: Counters;
  /** Requests made so far. */
  requests(): number;
  /** Requests still expected: pending details plus an estimate of listing pages left. */
  remaining(): number;
}

export class ProgressReporter {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt: number;
  private last: { at: number; requests: number };

  constructor(
    private readonly source: ProgressSource,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.last = { at: this.startedAt, requests: 0 };
  }

  start(): void {
    if (this.intervalMs > 0) {
      this.timer = setInterval(() => this.report(), this.intervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The current numbers (rate over the last interval; ETA from it). */
  snapshot(): {
    elapsedS: number;
    requestsPerS: number;
    jobsPerMin: number;
    remaining: number;
    etaS: number | null;
  } {
    const at = this.now();
    const requests = this.source.requests();
    const span = Math.max(1, at - this.last.at);
    const rate = ((requests - this.last.requests) * 1000) / span;
    const overall = (requests * 1000) / Math.max(1, at - this.startedAt);
    const useRate = rate > 0 ? rate : overall;
    const remaining = this.source.remaining();
    const c = this.source.counters;
    const elapsedMin = Math.max(1e-9, (at - this.startedAt) / 60_000);
    return {
      elapsedS: Math.round((at - this.startedAt) / 100) / 10,
      requestsPerS: Math.round(useRate * 100) / 100,
      jobsPerMin: Math.round(((c.new + c.updated + c.unchanged) / elapsedMin) * 10) / 10,
      remaining,
      etaS: useRate > 0 ? Math.round(remaining / useRate) : null,
    };
  }

  report(): void {
    const s = this.snapshot();
    this.last = { at: this.now(), requests: this.source.requests() };
    const c = this.source.counters;
    this.logger.info('progress', {
      pages: c.pages,
      new: c.new,
      updated: c.updated,
      unchanged: c.unchanged,
      stored: c.stored,
      failed: c.failed,
      quarantined: c.quarantined,
      requests_per_s: s.requestsPerS,
      jobs_per_min: s.jobsPerMin,
      remaining_requests: s.remaining,
      eta: s.etaS === null ? 'unknown' : formatSeconds(s.etaS),
      ...memory(),
    });
  }
}

/** Resident and heap memory, MB: a long run's memory should stay flat. */
function memory(): { rss_mb: number; heap_mb: number; external_mb: number } {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1048576);
  return {
    rss_mb: mb(m.rss),
    heap_mb: mb(m.heapUsed),
    external_mb: mb(m.external + m.arrayBuffers),
  };
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
