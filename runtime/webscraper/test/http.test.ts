import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../core/testing/virtual-clock.js';
import { CircuitBreaker } from '../http/breaker.js';
import { CircuitOpenError, HttpError, MalformedBodyError, NetworkError } from '../http/errors.js';
import { PoliteHttp, parseJsonBody, readBody } from '../http/polite.js';
import { RateLimiter } from '../http/rate-limiter.js';

/** Virtual time (core/testing/virtual-clock.ts): sleeping advances the clock at once and is recorded. */
const virtualClock = () => new VirtualClock(0);

type Script = Array<{ status: number; body?: string; headers?: Record<string, string> } | Error>;

/** A fetch that answers from a script, one entry per call, and counts calls in flight. */
function scriptedFetch(script: Script) {
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fn = (async (input: string | URL | Request) => {
    calls.push(String(input));
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
    const next = script.shift() ?? { status: 200, body: '{}' };
    if (next instanceof Error) throw next;
    return new Response(next.body ?? '{}', { status: next.status, headers: next.headers });
  }) as typeof fetch;
  return { fn, calls, max: () => maxInFlight };
}

const parse = (url: string) => (text: string) => parseJsonBody(url, text);

function client(script: Script, extra: ConstructorParameters<typeof PoliteHttp>[0] = {}) {
  const clock = virtualClock();
  const f = scriptedFetch(script);
  const http = new PoliteHttp({
    ratePerSec: 0,
    concurrency: 2,
    attempts: 4,
    backoffBaseMs: 100,
    backoffMaxMs: 10_000,
    random: () => 0.5,
    clock,
    fetch: f.fn,
    ...extra,
  });
  return { http, clock, f };
}

describe('RateLimiter', () => {
  it('spaces requests evenly at the configured rate, and holds them through a pause', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter({ ratePerSec: 4, clock });
    const at: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.acquire();
      at.push(clock.now());
    }
    expect(at).toEqual([0, 250, 500, 750, 1000]);
    limiter.pause(5000);
    await limiter.acquire();
    expect(clock.now()).toBe(6000);
  });

  it('halves the rate on 429s down to an eighth and recovers after successes', () => {
    const limiter = new RateLimiter({ ratePerSec: 8, clock: virtualClock(), recoverAfter: 2 });
    for (let i = 0; i < 5; i++) limiter.slowDown();
    expect(limiter.currentRate).toBe(1);
    for (let i = 0; i < 20; i++) limiter.success();
    expect(limiter.currentRate).toBeGreaterThan(1);
    for (let i = 0; i < 200; i++) limiter.success();
    expect(limiter.currentRate).toBe(8);
  });
});

describe('breaker', () => {
  it('opens after consecutive errors, and a success resets the count', () => {
    const b = new CircuitBreaker({ maxConsecutiveErrors: 3, maxBlocks: 2 });
    b.error('a');
    b.error('b');
    b.success();
    b.error('c');
    b.error('d');
    expect(b.isOpen).toBe(false);
    b.error('e');
    expect(b.isOpen).toBe(true);
    expect(b.signal.reason).toBeInstanceOf(CircuitOpenError);
    const blocks = new CircuitBreaker({ maxBlocks: 2 });
    blocks.block('x');
    blocks.block('y');
    expect(String(blocks.signal.reason)).toMatch(/blocked us 2 times/);
  });
});

describe('PoliteHttp', () => {
  it('keeps 16 attempts in flight without a listener-leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const { http } = client([], { concurrency: 16 });
      await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          http.fetchJson({ what: 'detail', url: `https://x/${i}`, parse: parse(`https://x/${i}`) }),
        ),
      );
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('honours Retry-After in seconds and as a date, pausing everyone', async () => {
    const { http, clock, f } = client([
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 503, headers: { 'retry-after': new Date(7000 + 3000).toUTCString() } },
      { status: 200, body: '{"ok":true}' },
    ]);
    const res = await http.fetchJson({
      what: 'listing',
      url: 'http://mcf/v2/jobs',
      parse: parse('u'),
    });
    expect(res).toMatchObject({ status: 200, value: { ok: true } });
    expect(f.calls).toHaveLength(3);
    // 7 s for the 429 (a pause of every request), then about 3 s until the date (seconds resolution).
    expect(clock.sleeps[0]).toBe(7000);
    expect(clock.sleeps.slice(1).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2000);
    expect(http.stats).toMatchObject({
      requests: 3,
      retries: 2,
      outcomes: { '429': 1, '503': 1, '200': 1 },
    });
  });

  it('caps Retry-After, backs off exponentially with jitter on 5xx and network errors', async () => {
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    const { http, clock } = client(
      [
        { status: 429, headers: { 'retry-after': '3600' } },
        { status: 500 },
        reset,
        { status: 200, body: '[]' },
      ],
      { maxRetryAfterMs: 60_000, attempts: 5 },
    );
    await http.fetchJson({ what: 'detail', url: 'http://mcf/v2/jobs/x', parse: parse('u') });
    // 60 s (capped Retry-After), then full-jitter backoff at random 0.5: 100 * 2^1 * 0.5, 100 * 2^2 * 0.5.
    expect(clock.sleeps).toEqual([60_000, 100, 200]);
    expect(http.stats.outcomes).toMatchObject({ '429': 1, '500': 1, ECONNRESET: 1, '200': 1 });
  });

  it('fails at once on other 4xx, returns 404 when allowed, retries malformed bodies then gives up', async () => {
    const bad = client([{ status: 400, body: '{"message":"Invalid value"}' }]);
    await expect(
      bad.http.fetchJson({ what: 'listing', url: 'http://mcf/x', parse: parse('u') }),
    ).rejects.toThrow(HttpError);
    expect(bad.f.calls).toHaveLength(1);

    const gone = client([
      { status: 404, body: '{"message":"UUID is not found in the database."}' },
    ]);
    expect(
      await gone.http.fetchJson({
        what: 'detail',
        url: 'http://mcf/x',
        parse: parse('u'),
        allow404: true,
      }),
    ).toEqual({ status: 404 });

    const cut = client([
      { status: 200, body: '{"res' },
      { status: 200, body: '{"res' },
      { status: 200, body: '{"res' },
      { status: 200, body: '{"res' },
    ]);
    await expect(
      cut.http.fetchJson({ what: 'detail', url: 'http://mcf/x', parse: parse('http://mcf/x') }),
    ).rejects.toThrow(MalformedBodyError);
    expect(cut.f.calls).toHaveLength(4);
  });

  it('retries an attempt that got no response at all (status 0, as a page load can)', async () => {
    const { http } = client([]);
    const answers = [
      { status: 0, text: '' },
      { status: 0, text: '' },
      { status: 200, text: '{"ok":true}' },
    ];
    const result = await http.call(
      { what: 'page', url: 'http://mcf/job', parse: parse('u') },
      async () => answers.shift()!,
    );
    expect(result).toMatchObject({ status: 200, value: { ok: true } });
    expect(http.stats.retries).toBe(2);
    expect(http.stats.outcomes.NO_RESPONSE).toBe(2);

    const never = client([], { attempts: 2 });
    await expect(
      never.http.call({ what: 'page', url: 'http://mcf/job', parse: parse('u') }, async () => ({
        status: 0,
        text: '',
      })),
    ).rejects.toThrow('No answer from MCF for http://mcf/job: NO_RESPONSE');
  });

  it('reads at most maxBodyBytes of a body, and counts a longer one as malformed', async () => {
    const big = `{"results":[${'"x",'.repeat(300)}"x"]}`; // about 1.2 KB
    const capped = client(
      [
        { status: 200, body: big },
        { status: 200, body: big },
        { status: 200, body: '{"results":[]}' },
      ],
      { maxBodyBytes: 1000 },
    );
    const answer = await capped.http.fetchJson({
      what: 'listing',
      url: 'http://mcf/x',
      parse: parse('http://mcf/x'),
    });
    expect(answer).toMatchObject({ status: 200, value: { results: [] } });
    expect(capped.f.calls).toHaveLength(3);
    expect(capped.http.stats.outcomes.malformed).toBe(2);

    // A declared length over the cap is refused before reading; a body without one is cut off
    // while streaming; one within the cap is read whole.
    const declared = new Response('x'.repeat(50), { headers: { 'content-length': '5000' } });
    expect(await readBody(declared, 100)).toEqual({ text: '', overLimit: true });
    const streamed = new Response(
      new ReadableStream({
        start(c) {
          for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('y'.repeat(40)));
          c.close();
        },
      }),
    );
    expect(await readBody(streamed, 100)).toEqual({ text: '', overLimit: true });
    expect(await readBody(new Response('héllo'), 100)).toEqual({
      text: 'héllo',
      overLimit: false,
    });
  });

  it('gives up after the last attempt with the last failure', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED' },
    });
    const { http } = client([refused, refused, refused, refused]);
    const err = await http
      .fetchJson({ what: 'detail', url: 'http://mcf/x', parse: parse('u') })
      .catch((e) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('keeps to the concurrency limit', async () => {
    const { http, f } = client([], { concurrency: 3 });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        http.fetchJson({ what: 'detail', url: `http://mcf/${i}`, parse: parse('u') }),
      ),
    );
    expect(f.max()).toBe(3);
  });

  it('rejects everything once the breaker opens', async () => {
    const { http } = client(
      Array.from({ length: 10 }, () => ({ status: 503 })),
      { breaker: { maxConsecutiveErrors: 3 }, attempts: 10 },
    );
    await expect(
      http.fetchJson({ what: 'detail', url: 'http://mcf/x', parse: parse('u') }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(
      http.fetchJson({ what: 'detail', url: 'http://mcf/y', parse: parse('u') }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(http.stats.requests).toBe(3);
  });
});
