/**
 * The circuit breaker: when errors persist (many failed attempts in a row
 * with no success between, or repeated 403 blocks), it opens and aborts
 * its signal; the run stops taking new work, saves what it has and ends
 * with a resumable state instead of hammering a site that is down or
 * blocking us.
 */
import { CircuitOpenError } from './errors.js';

export interface BreakerOptions {
  /** Failed attempts in a row (429, 5xx, timeouts, resets, malformed) that open it (default 20). */
  maxConsecutiveErrors?: number;
  /** 403 blocks in a row that open it (default 3). */
  maxBlocks?: number;
}

export class CircuitBreaker {
  private readonly controller = new AbortController();
  private errors = 0;
  private blocks = 0;
  private readonly maxErrors: number;
  private readonly maxBlocks: number;

  constructor(opts: BreakerOptions = {}) {
    this.maxErrors = opts.maxConsecutiveErrors ?? 20;
    this.maxBlocks = opts.maxBlocks ?? 3;
  }

  /** Aborted (with a CircuitOpenError) once the breaker opens. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isOpen(): boolean {
    return this.controller.signal.aborted;
  }

  success(): void {
    this.errors = 0;
    this.blocks = 0;
  }

  error(what: string): void {
    if (++this.errors >= this.maxErrors) {
      this.open(`${this.errors} failed requests in a row (last: ${what})`);
    }
  }

  block(what: string): void {
    if (++this.blocks >= this.maxBlocks)
      this.open(`MCF blocked us ${this.blocks} times in a row (403; last: ${what})`);
  }

  open(reason: string): void {
    if (!this.isOpen)
      this.controller.abort(new CircuitOpenError(`Circuit breaker open: ${reason}`));
  }
}
