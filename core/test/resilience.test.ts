import { describe, expect, it } from 'vitest';
import { sleep } from '../clock.js';
import { forEachLimit, mapLimit, Semaphore } from '../concurrency.js';
import { done, notYet, PollTimeoutError, poll } from '../poll.js';
import { backoffDelay, resend, retry, retryAfterMs } from '../retry.js';
import { VirtualClock } from '../testing/virtual-clock.js';

const max = () => 0.9999;

describe('virtual clock', () => {
  it('wakes concurrent sleepers in time order and moves time to each wake-up', async () => {
    const clock = new VirtualClock(0);
    const woke: Array<[string, number]> = [];
    await Promise.all([
      clock.sleep(300).then(() => woke.push(['c', clock.now()])),
      clock.sleep(100).then(() => woke.push(['a', clock.now()])),
      clock.sleep(200).then(() => woke.push(['b', clock.now()])),
    ]);
    expect(woke).toEqual([
      ['a', 100],
      ['b', 200],
      ['c', 300],
    ]);
    expect(clock.sleeps).toEqual([300, 100, 200]);
  });

  it('lets a woken sleeper sleep again before a later one wakes', async () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(100);
        order.push(`tick@${clock.now()}`);
      }
    })();
    const late = clock.sleep(250).then(() => order.push(`late@${clock.now()}`));
    await Promise.all([loop, late]);
    expect(order).toEqual(['tick@100', 'tick@200', 'late@250', 'tick@300']);
  });

  it('rejects a sleep when its signal aborts, and forgets it', async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const p = clock.sleep(1000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(p).rejects.toThrow('cancelled');
    expect(clock.pending).toBe(0);
    expect(clock.now()).toBe(0);
  });

  it('real sleep rejects on abort', async () => {
    const controller = new AbortController();
    const p = sleep(60_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(p).rejects.toThrow('cancelled');
  });
});

describe('backoff', () => {
  it('grows exponentially within bounds, never below half the base', () => {
    expect(backoffDelay(1, { baseMs: 100, maxMs: 10_000, random: max })).toBe(99);
    expect(backoffDelay(4, { baseMs: 100, maxMs: 10_000, random: max })).toBe(799);
    expect(backoffDelay(20, { baseMs: 100, maxMs: 10_000, random: max })).toBe(9999);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 10_000, random: () => 0 })).toBe(50);
  });
});

describe('retry', () => {
  it('retries retryable errors with backoff and returns the first success', async () => {
    const clock = new VirtualClock(0);
    const retries: Array<[number, number]> = [];
    let calls = 0;
    const value = await retry(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw new Error('busy');
        return 'ok';
      },
      {
        attempts: 5,
        baseMs: 100,
        maxMs: 1000,
        random: max,
        retryable: () => true,
        onRetry: (_e, attempt, delay) => retries.push([attempt, delay]),
        clock,
      },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(retries).toEqual([
      [1, 99],
      [2, 199],
    ]);
    expect(clock.now()).toBe(298);
  });

  it('throws at once an error that is not retryable', async () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('fatal');
        },
        { attempts: 5, baseMs: 10, maxMs: 100, retryable: () => false, clock },
      ),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('throws the last error when the attempts run out', async () => {
    const clock = new VirtualClock(0);
    let n = 0;
    await expect(
      retry(async () => Promise.reject(new Error(`try ${++n}`)), {
        attempts: 3,
        baseMs: 10,
        maxMs: 100,
        retryable: () => true,
        clock,
      }),
    ).rejects.toThrow('try 3');
    expect(clock.sleeps).toHaveLength(2);
  });

  it('stops before a wait that would cross the time budget', async () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          clock.advance(400); // each attempt takes 0.4 s
          throw new Error('slow and failing');
        },
        {
          attempts: 100,
          budgetMs: 2000,
          baseMs: 200,
          maxMs: 200,
          random: max,
          retryable: () => true,
          clock,
        },
      ),
    ).rejects.toThrow('slow and failing');
    // 0.4 s + 0.2 s per round: the fourth round ends at 2.2 s... the third wait would end at 1.8 s.
    expect(calls).toBe(4);
    expect(clock.now()).toBeLessThanOrEqual(2000 + 400);
  });

  it('waits what the error says when it says (Retry-After)', async () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    await retry(
      async () => {
        if (++calls === 1) throw Object.assign(new Error('429'), { retryAfter: 7000 });
      },
      {
        attempts: 2,
        baseMs: 10,
        maxMs: 100,
        retryable: () => true,
        delayFor: (err) => (err as { retryAfter?: number }).retryAfter,
        clock,
      },
    );
    expect(clock.sleeps).toEqual([7000]);
  });

  it('ends the wait when the signal aborts', async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const p = retry(
      async () => {
        controller.abort(new Error('stop'));
        throw new Error('busy');
      },
      {
        attempts: 5,
        baseMs: 10,
        maxMs: 100,
        retryable: () => true,
        clock,
        signal: controller.signal,
      },
    );
    await expect(p).rejects.toThrow('stop');
  });
});

describe('resend', () => {
  it('sends what each answer left over until nothing is left', async () => {
    const clock = new VirtualClock(0);
    const sent: number[][] = [];
    const r = await resend(
      [1, 2, 3, 4],
      async (items) => {
        sent.push(items);
        return items.slice(1); // one item done per round
      },
      { attempts: 10, baseMs: 50, maxMs: 1000, random: max, clock },
    );
    expect(r).toEqual({ left: [], attempts: 4 });
    expect(sent).toEqual([[1, 2, 3, 4], [2, 3, 4], [3, 4], [4]]);
    expect(clock.sleeps).toEqual([49, 99, 199]);
  });

  it('returns what is still left when the attempts run out', async () => {
    const clock = new VirtualClock(0);
    const told: Array<[number, number]> = [];
    const r = await resend(['a', 'b'], async (items) => items, {
      attempts: 3,
      baseMs: 10,
      maxMs: 10,
      clock,
      onResend: (left, attempt) => told.push([left, attempt]),
    });
    expect(r).toEqual({ left: ['a', 'b'], attempts: 3 });
    expect(told).toEqual([
      [2, 1],
      [2, 2],
    ]);
  });

  it('lets an error of the send through at once', async () => {
    const clock = new VirtualClock(0);
    await expect(
      resend([1], async () => Promise.reject(new Error('denied')), {
        attempts: 5,
        baseMs: 10,
        maxMs: 10,
        clock,
      }),
    ).rejects.toThrow('denied');
    expect(clock.sleeps).toEqual([]);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, caps them, and ignores what it cannot read', () => {
    const now = Date.UTC(2024, 0, 1, 0, 0, 0);
    expect(retryAfterMs('3', 60_000, now)).toBe(3000);
    expect(retryAfterMs('0.5', 60_000, now)).toBe(500);
    expect(retryAfterMs('600', 60_000, now)).toBe(60_000);
    expect(retryAfterMs('Mon, 01 Jan 2024 00:00:10 GMT', 60_000, now)).toBe(10_000);
    expect(retryAfterMs('Sun, 31 Dec 2023 00:00:00 GMT', 60_000, now)).toBe(0);
    expect(retryAfterMs('soon', 60_000, now)).toBeUndefined();
    expect(retryAfterMs(' ', 60_000, now)).toBeUndefined();
    expect(retryAfterMs('-1', 60_000, now)).toBeUndefined();
    expect(retryAfterMs(null, 60_000, now)).toBeUndefined();
  });
});

describe('poll', () => {
  it('checks until done at a fixed interval', async () => {
    const clock = new VirtualClock(0);
    const value = await poll(async (round) => (round === 4 ? done('settled') : notYet), {
      intervalMs: 5000,
      clock,
    });
    expect(value).toBe('settled');
    expect(clock.sleeps).toEqual([5000, 5000, 5000]);
  });

  it('starts short and doubles up to the ceiling', async () => {
    const clock = new VirtualClock(0);
    await poll(async (round) => (round === 6 ? done(1) : notYet), {
      intervalMs: { firstMs: 1000, maxMs: 5000 },
      clock,
    });
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('backs off on tolerated failures, recovers, and resets the count', async () => {
    const clock = new VirtualClock(0);
    const failures: Array<[number, number]> = [];
    let recovered = 0;
    const script = ['fail', 'fail', 'ok', 'fail', 'done'];
    await poll(
      async (round) => {
        const step = script[round - 1];
        if (step === 'fail') throw Object.assign(new Error('503'), { transient: true });
        return step === 'done' ? done(true) : notYet;
      },
      {
        intervalMs: 1000,
        maxBackoffMs: 3000,
        tolerate: (e) => (e as { transient?: boolean }).transient === true,
        onFailure: (_e, n, delay) => failures.push([n, delay]),
        onRecovered: () => recovered++,
        clock,
      },
    );
    expect(failures).toEqual([
      [1, 2000],
      [2, 3000],
      [1, 2000],
    ]);
    expect(recovered).toBe(2);
    expect(clock.sleeps).toEqual([2000, 3000, 1000, 2000]);
  });

  it('throws after too many failures in a row, and at once an error it does not tolerate', async () => {
    const clock = new VirtualClock(0);
    let rounds = 0;
    await expect(
      poll(
        async () => {
          rounds++;
          throw new Error('503');
        },
        { intervalMs: 1000, tolerate: () => true, maxFailures: 3, clock },
      ),
    ).rejects.toThrow('503');
    expect(rounds).toBe(4);

    await expect(
      poll(async () => Promise.reject(new Error('AccessDenied')), { intervalMs: 1000, clock }),
    ).rejects.toThrow('AccessDenied');
  });

  it('never sleeps past the deadline and throws the timeout error there', async () => {
    const clock = new VirtualClock(0);
    const p = poll(async () => notYet, { intervalMs: 4000, timeoutMs: 10_000, clock });
    await expect(p).rejects.toBeInstanceOf(PollTimeoutError);
    expect(clock.sleeps).toEqual([4000, 4000, 2000]);
    expect(clock.now()).toBe(10_000);

    const custom = poll(async () => notYet, {
      intervalMs: 4000,
      timeoutMs: 5000,
      timeoutError: (ms) => new Error(`gave up after ${ms} ms`),
      clock: new VirtualClock(0),
    });
    await expect(custom).rejects.toThrow('gave up after 5000 ms');
  });

  it('ends with the signal', async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const p = poll(
      async (round) => {
        if (round === 2) controller.abort(new Error('cancelled'));
        return notYet;
      },
      { intervalMs: 1000, clock, signal: controller.signal },
    );
    await expect(p).rejects.toThrow('cancelled');
  });
});

describe('semaphore', () => {
  it('holds at most `limit`, first come first served, and lets an aborted waiter go', async () => {
    const s = new Semaphore(2);
    const r1 = await s.acquire();
    await s.acquire();
    expect(s.inUse).toBe(2);
    const order: string[] = [];
    const controller = new AbortController();
    const third = s.acquire().then((r) => {
      order.push('third');
      return r;
    });
    const aborted = s.acquire(controller.signal).catch((e: Error) => order.push(e.message));
    const fifth = s.acquire().then(() => order.push('fifth'));
    controller.abort(new Error('gave up'));
    await aborted;
    r1();
    r1(); // releasing twice frees one slot only
    const r3 = await third;
    r3();
    await fifth;
    expect(order).toEqual(['gave up', 'third', 'fifth']);
    expect(s.inUse).toBe(2);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe('pool', () => {
  it('runs at most `limit` at a time and keeps results in order', async () => {
    const clock = new VirtualClock(0);
    let running = 0;
    let most = 0;
    const results = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await clock.sleep(n * 100);
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
    // Lanes: [5] and [1,4,2] (ends 0.7 s), then 3 starts in the lane freed at 0.5 s: 0.8 s.
    expect(clock.now()).toBe(800);
  });

  it('takes from an async stream only as a slot frees', async () => {
    const clock = new VirtualClock(0);
    const pulled: number[] = [];
    async function* pages() {
      for (let i = 0; i < 5; i++) {
        pulled.push(clock.now());
        yield i;
      }
    }
    const seen: number[] = [];
    await forEachLimit(pages(), 2, async (page, index) => {
      expect(index).toBe(page);
      await clock.sleep(1000);
      seen.push(page);
    });
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(pulled).toEqual([0, 0, 1000, 1000, 2000]);
  });

  it('stops taking work after the first failure, lets running work finish, then throws it', async () => {
    const clock = new VirtualClock(0);
    const started: number[] = [];
    const finished: number[] = [];
    await expect(
      forEachLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
        started.push(n);
        await clock.sleep(n === 1 ? 100 : 300);
        if (n === 1) throw new Error('first failed');
        if (n === 3) throw new Error('second failed');
        finished.push(n);
      }),
    ).rejects.toThrow('first failed');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
  });

  it('throws an error of the stream itself', async () => {
    async function* broken() {
      yield 1;
      throw new Error('listing failed');
    }
    const seen: number[] = [];
    await expect(
      forEachLimit(broken(), 3, async (n) => {
        seen.push(n);
      }),
    ).rejects.toThrow('listing failed');
    expect(seen).toEqual([1]);
  });
});
