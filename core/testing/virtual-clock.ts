/**
 * Test support: a {@link Clock} on virtual time. A sleep does not wait: once
 * everything else that can run has run (the next turn of the event loop),
 * the earliest sleeper wakes and the clock jumps to its wake-up time. So
 * concurrent sleepers wake in the order real time would wake them, a
 * sequence of waits of an hour takes microseconds, and `sleeps` records each
 * pause asked for.
 */
import type { Clock } from '../clock.js';

interface Sleeper {
  at: number;
  seq: number;
  wake: () => void;
}

export class VirtualClock implements Clock {
  /** Every pause asked for, in order, ms. */
  readonly sleeps: number[] = [];
  private t: number;
  private seq = 0;
  private readonly sleepers: Sleeper[] = [];
  private ticking = false;

  constructor(start = Date.UTC(2024, 4, 1, 12, 0, 0)) {
    this.t = start;
  }

  /** (Bound, like {@link sleep}: the methods may be passed around or wrapped on their own.) */
  readonly now = (): number => this.t;

  /** Moves time forward without anyone sleeping (time spent "working"). */
  advance(ms: number): void {
    this.t += ms;
  }

  /** Sleepers not woken yet. */
  get pending(): number {
    return this.sleepers.length;
  }

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      this.sleeps.push(ms);
      const sleeper: Sleeper = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.sleepers.indexOf(sleeper);
        if (i >= 0) this.sleepers.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      this.schedule();
    });

  private schedule(): void {
    if (this.ticking) return;
    this.ticking = true;
    setImmediate(() => this.tick());
  }

  /** Wakes the earliest sleeper; the next one waits for another turn, so the woken can sleep again first. */
  private tick(): void {
    this.ticking = false;
    if (this.sleepers.length === 0) return;
    let next = 0;
    for (let i = 1; i < this.sleepers.length; i++) {
      const s = this.sleepers[i]!;
      const best = this.sleepers[next]!;
      if (s.at < best.at || (s.at === best.at && s.seq < best.seq)) next = i;
    }
    const [sleeper] = this.sleepers.splice(next, 1);
    this.t = Math.max(this.t, sleeper!.at);
    sleeper!.wake();
    if (this.sleepers.length > 0) this.schedule();
  }
}
