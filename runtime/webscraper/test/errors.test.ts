import { afterEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../mcf-replay/faults.js';
import type { ReplayServer } from '../../mcf-replay/server.js';
import { checkpointKey } from '../state/checkpoint.js';
import { DAY1, detailFetches, expectedUuids, harness, startReplay, track } from './helpers.js';

let server: ReplayServer;
afterEach(async () => {
  await server?.stop();
});

const TRACKS = [track('me', 'eng', ['engineer'])];

async function runWith(
  faults: FaultRule[],
  overrides: Parameters<ReturnType<typeof harness>['run']>[0] = {},
) {
  server = await startReplay({ faults });
  const h = harness(server, TRACKS);
  const summary = await h.run(overrides);
  return { h, summary, expected: expectedUuids(server.corpus, ['engineer']) };
}

describe('scrape: every error class is retried and nothing is lost', () => {
  it('429: slows down, honours Retry-After (capped), and stores every job', async () => {
    // No request hangs here: a long attempt timeout keeps a loaded machine's slow answers from failing jobs.
    const { h, summary, expected } = await runWith(
      [{ kind: '429', routes: ['detail', 'jobs'], every: 6, retryAfterS: 2 }],
      { politeness: { timeoutMs: 15_000 } },
    );
    expect(summary.status).toBe('complete');
    expect(new Set(h.storage.jobs.keys())).toEqual(expected);
    expect(summary.http.outcomes['429']).toBeGreaterThan(0);
    const slowdowns = h.logger.lines.filter((l) => l.msg.startsWith('rate limited'));
    expect(slowdowns.length).toBe(summary.http.outcomes['429']);
    // Retry-After: 2 is 2000 ms, cut to the configured 30 ms cap.
    expect(slowdowns.every((l) => l.fields.pause_ms === 30)).toBe(true);
  });

  it('5xx, timeouts, resets and malformed bodies: retried with backoff until they succeed', async () => {
    const { h, summary, expected } = await runWith(
      [
        { kind: '5xx', routes: ['jobs'], first: 1, status: 502 },
        { kind: 'malformed', routes: ['jobs'], first: 1 },
        { kind: '5xx', routes: ['detail'], every: 5, status: 504 },
        { kind: 'timeout', routes: ['detail'], first: 2 },
        { kind: 'reset', routes: ['detail'], after: 10, first: 3 },
        { kind: 'malformed', routes: ['detail'], after: 20, every: 9 },
      ],
      // The timeout faults never answer; 1.5 s (not less) so that on a loaded machine a slow answer
      // (the 502, a 504) is not counted as a timeout instead.
      { politeness: { timeoutMs: 1500, attempts: 8 } },
    );
    expect(summary.status).toBe('complete');
    expect(new Set(h.storage.jobs.keys())).toEqual(expected);
    expect(summary.counters.failed).toBe(0);
    const o = summary.http.outcomes;
    expect(o['502']).toBe(1);
    expect(o['504']).toBeGreaterThan(0);
    expect(o.TIMEOUT).toBe(2);
    expect((o.ECONNRESET ?? 0) + (o.CONNECTION_LOST ?? 0) + (o.UND_ERR_SOCKET ?? 0)).toBe(3);
    expect(o.malformed).toBeGreaterThan(1);
    // Every failure was retried (and each then succeeded).
    const resets = (o.ECONNRESET ?? 0) + (o.CONNECTION_LOST ?? 0) + (o.UND_ERR_SOCKET ?? 0);
    expect(summary.http.retries).toBe(o['502']! + o['504']! + o.TIMEOUT! + resets + o.malformed!);
  });

  it('403: pauses every request, then goes on', async () => {
    const { h, summary, expected } = await runWith([
      { kind: '403', routes: ['detail'], after: 5, first: 1, blockMs: 20 },
    ]);
    expect(summary.status).toBe('complete');
    expect(new Set(h.storage.jobs.keys())).toEqual(expected);
    expect(summary.http.blocks).toBeGreaterThanOrEqual(1);
    expect(h.logger.lines.some((l) => l.msg.startsWith('blocked by MCF'))).toBe(true);
  });

  it('a job that is gone (404) is counted and skipped; one that keeps failing is recorded and skipped', async () => {
    server = await startReplay();
    const ids = [...expectedUuids(server.corpus, ['engineer'])];
    const gone = ids[2]!;
    const broken = ids[3]!;
    server.setFaults([{ kind: 'malformed', routes: ['detail'], uuid: broken }]);
    const h = harness(server, TRACKS);
    const summary = await h.run({
      fetch: (input, init) =>
        fetch(String(input).replace(`/v2/jobs/${gone}`, `/v2/jobs/${'0'.repeat(32)}`), init),
    });
    expect(summary.status).toBe('complete');
    expect(summary.counters.gone).toBe(1);
    expect(summary.counters.failed).toBe(1);
    expect(h.storage.jobs.size).toBe(ids.length - 2);
    const cp = JSON.parse(
      h.state.objects.get(checkpointKey('2026-03-02', { index: 0, count: 1 }))!.toString(),
    );
    expect(Object.keys(cp.failed)).toEqual([broken]);
    expect(cp.failed[broken]).toMatch(/malformed body/);
    expect(detailFetches(server).get(broken)).toBe(4); // every attempt
  });
});

describe('scrape: circuit breaker and resume', () => {
  it('opens on persistent errors, ends cleanly with a checkpoint, and a rerun finishes without refetching', async () => {
    server = await startReplay({
      faults: [{ kind: '5xx', routes: ['detail'], after: 20, status: 503 }],
    });
    const expected = expectedUuids(server.corpus, ['engineer']);
    const h = harness(server, TRACKS);
    const first = await h.run({
      politeness: { breaker: { maxConsecutiveErrors: 6 } },
      writeBatch: 5,
    });
    expect(first.status).toBe('stopped');
    expect(first.reason).toMatch(/Circuit breaker open: 6 failed requests in a row/);
    expect(first.pending).toBeGreaterThan(0);
    const storedFirst = new Set(h.storage.jobs.keys());
    expect(storedFirst.size).toBeGreaterThan(0);
    expect(storedFirst.size).toBeLessThan(expected.size);
    const cp = JSON.parse(
      h.state.objects.get(checkpointKey('2026-03-02', { index: 0, count: 1 }))!.toString(),
    );
    expect(cp.status).toBe('stopped');
    expect(Object.keys(cp.pending).length).toBe(first.pending);
    // Rows of every page read so far were written before the stop.
    expect(h.storage.jobSearches.size).toBe(expected.size);

    // Requests the stop aborted may still reach the server: let them land before counting anew.
    await new Promise((resolve) => setTimeout(resolve, 50));
    server.setFaults([]);
    server.requests.length = 0;
    const second = await h.run();
    expect(second.status).toBe('complete');
    expect(second.resumed).toBe(true);
    expect(new Set(h.storage.jobs.keys())).toEqual(expected);
    // No listing page is read again, and no stored job is fetched again.
    expect(server.requests.filter((r) => r.route === 'jobs')).toHaveLength(0);
    for (const uuid of detailFetches(server).keys()) expect(storedFirst.has(uuid)).toBe(false);
    expect([...detailFetches(server).values()].every((n) => n === 1)).toBe(true);
  });

  it('opens after repeated 403 blocks', async () => {
    const { summary } = await runWith([{ kind: '403', routes: ['detail'], after: 3 }], {
      politeness: { breaker: { maxBlocks: 3 } },
    });
    expect(summary.status).toBe('stopped');
    expect(summary.reason).toMatch(/blocked us 3 times in a row/);
  });

  it('stops on a signal with everything so far saved, and resumes where it stopped', async () => {
    server = await startReplay({ latencyMs: 2 });
    const expected = expectedUuids(server.corpus, ['engineer']);
    const h = harness(server, TRACKS);
    const stop = new AbortController();
    const timer = setInterval(() => {
      if (server.counts.detail >= 30) stop.abort(new Error('SIGTERM'));
    }, 1);
    const first = await h.run({ signal: stop.signal, writeBatch: 4 });
    clearInterval(timer);
    expect(first.status).toBe('stopped');
    const storedFirst = new Set(h.storage.jobs.keys());
    server.requests.length = 0;
    const second = await h.run({ now: () => DAY1 });
    expect(second.status).toBe('complete');
    expect(new Set(h.storage.jobs.keys())).toEqual(expected);
    for (const uuid of detailFetches(server).keys()) expect(storedFirst.has(uuid)).toBe(false);
  });
});
