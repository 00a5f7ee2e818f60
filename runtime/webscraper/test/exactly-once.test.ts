/**
 * "Every new or changed job lands in the database exactly once": the edges of
 * that promise — records that disagree with the listing, hand-offs between
 * shards (memory, resumed senders), side files that cannot be written, the
 * order of quarantine lines and checkpoints, a browser that cannot start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayServer } from '../../mcf-replay/server.js';
import { jobShard, searchShard } from '../plan.js';
import { MemoryBlobStore } from '../state/blob-store.js';
import { checkpointKey } from '../state/checkpoint.js';
import { JsonlParts } from '../state/jsonl-parts.js';
import { MemoryStorage } from '../storage/memory.js';
import { DAY2, detailFetches, expectedUuids, harness, startReplay, track } from './helpers.js';

let server: ReplayServer;
afterEach(async () => {
  await server?.stop();
});

const TRACKS = [track('me', 'eng', ['engineer'])];
const CP = checkpointKey('2026-03-02', { index: 0, count: 1 });

/** A fetch that rewrites the JSON body of job details. */
function rewriteDetails(
  edit: (uuid: string, job: Record<string, unknown>) => unknown,
): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const m = /\/v2\/jobs\/([0-9a-f]{32})$/.exec(new URL(String(input)).pathname);
    if (!m || res.status !== 200) return res;
    const body = edit(m[1]!, (await res.json()) as Record<string, unknown>);
    return new Response(JSON.stringify(body), { status: 200, headers: res.headers });
  };
}

/** A blob store whose puts fail (after `okPuts` successful ones). */
class FailingStore extends MemoryBlobStore {
  puts = 0;
  constructor(private readonly okPuts = 0) {
    super();
  }
  override async put(key: string, body: Buffer | string) {
    if (++this.puts > this.okPuts) throw new Error('SlowDown: please reduce your request rate');
    await super.put(key, body);
  }
}

describe('details that disagree with the listing', () => {
  it('a detail without metadata.updatedAt takes the listing’s: the next day does not fetch it again', async () => {
    server = await startReplay();
    const h = harness(server, TRACKS, {
      fetch: rewriteDetails((_u, job) => {
        delete (job.metadata as Record<string, unknown>).updatedAt;
        return job;
      }),
    });
    const first = await h.run();
    expect(first.status).toBe('complete');
    const expected = expectedUuids(server.corpus, ['engineer']);
    expect(h.storage.jobs.size).toBe(expected.size);
    expect(
      [...h.storage.jobs.values()].every((j) =>
        /^\d{4}-\d\d-\d\d \d\d:\d\d$/.test(j.mcf_updated_at ?? ''),
      ),
    ).toBe(true);

    server.requests.length = 0;
    const second = await h.run({ now: () => DAY2 });
    expect(second.status).toBe('complete');
    expect(second.counters.updated).toBe(0);
    expect(detailFetches(server).size).toBe(0);
  });

  it('a detail whose uuid is another job’s is quarantined, not stored under that job, and the day completes', async () => {
    server = await startReplay();
    const ids = [...expectedUuids(server.corpus, ['engineer'])];
    const [asked, other] = [ids[0]!, ids[1]!];
    const h = harness(server, TRACKS, {
      fetch: rewriteDetails((uuid, job) => (uuid === asked ? { ...job, uuid: other } : job)),
    });
    const summary = await h.run();
    expect(summary.status).toBe('complete');
    expect(summary.pending).toBe(0);
    expect(summary.counters.quarantined).toBe(1);
    expect(h.storage.jobs.has(asked)).toBe(false);
    expect(h.storage.jobs.size).toBe(ids.length - 1);
    const line = JSON.parse(h.state.objects.get(summary.quarantineParts[0]!)!.toString().trim());
    expect(line.uuid).toBe(asked);
    expect(line.reason).toMatch(/is not the uuid asked for/);
  });
});

describe('hand-offs between shards', () => {
  /** Shard 1 of 2 has listed and left `files` hand-off files of jobs for shard 0; shard 0 has no searches. */
  async function inbox(state: MemoryBlobStore, files: number, perFile: number) {
    const owned = [...expectedUuids(server.corpus, ['pte'], 100)].filter(
      (u) => jobShard(u, 2) === 0,
    );
    const jobs = owned.slice(0, files * perFile);
    for (let f = 0; f < files; f++) {
      const items = jobs.slice(f * perFile, (f + 1) * perFile).map((uuid) => ({ uuid }));
      await state.put(
        `handoff/2026-03-02/to-0/from-1-old-${String(f + 1).padStart(6, '0')}.json`,
        JSON.stringify(items),
      );
    }
    await state.put('handoff/2026-03-02/done/shard-1', 'x');
    return jobs;
  }

  it('takes in handed-over jobs only while the detail queue has room: pending stays bounded', async () => {
    server = await startReplay({ corpus: { seed: 11, jobs: 1000 }, latencyMs: 1 });
    const state = new MemoryBlobStore();
    const jobs = await inbox(state, 12, 25);
    expect(jobs.length).toBe(300);
    let most = 0;
    const put = state.put.bind(state);
    state.put = async (key, body) => {
      if (key.startsWith('checkpoints/'))
        most = Math.max(most, Object.keys(JSON.parse(String(body)).pending).length);
      return put(key, body);
    };
    // A track whose one search is shard 1's: shard 0 lists nothing and only takes in the hand-offs.
    const term = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'].find(
      (t) => searchShard(JSON.stringify([t, [], [], [], null]), 2) === 1,
    )!;
    const h = harness(server, [track('me', 'other', [term])], {
      state,
      shard: { index: 0, count: 2 },
      handoffPollMs: 5,
    });
    const summary = await h.run({ maxQueued: 10, writeBatch: 5 });
    expect(summary.status).toBe('complete');
    expect(summary.counters.received).toBe(300);
    expect(new Set(h.storage.jobs.keys())).toEqual(new Set(jobs));
    // The queue (10) plus one file (25), a batch of rows (5) and the jobs in flight (4).
    expect(most).toBeLessThanOrEqual(10 + 25 + 5 + 4);
  });

  it('a sender resumed after a kill writes new hand-off files, never over ones the receiver may have read', async () => {
    server = await startReplay({ corpus: { seed: 21, jobs: 300 } });
    const state = new MemoryBlobStore();
    const storage = new MemoryStorage([
      track('me', 'eng', ['engineer', 'manager', 'analyst', 'senior', 'data', 'lead']),
    ]);
    const runShard1 = (runId: string) =>
      harness(server, [], {
        state,
        shard: { index: 1, count: 2 },
        handoffWaitMs: 0,
        handoffPollMs: 1,
        runId,
      }).run({ storage });
    // Shard 1 lists its share of the searches and hands the jobs of shard 0 over.
    const first = await runShard1('run-a');
    expect(first.counters.handed_off).toBeGreaterThan(0);
    const sentFirst = await state.list('handoff/2026-03-02/to-0/');
    // Killed before its checkpoint was saved: it starts the day over.
    state.objects.delete(checkpointKey('2026-03-02', { index: 1, count: 2 }));
    await runShard1('run-b');
    const sentAll = await state.list('handoff/2026-03-02/to-0/');
    expect(sentAll.length).toBe(sentFirst.length * 2);
    for (const k of sentFirst) expect(sentAll).toContain(k);
  });
});

describe('side files: archive and quarantine', () => {
  it('an archive that cannot be written stops the run cleanly (no crash), with the checkpoint saved', async () => {
    server = await startReplay();
    const h = harness(server, TRACKS);
    const archive = new FailingStore();
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const summary = await h.run({ archive });
      await new Promise((r) => setTimeout(r, 20));
      expect(summary.status).toBe('stopped');
      expect(summary.reason).toMatch(/Writing the archive to memory failed: SlowDown/);
      const cp = JSON.parse(h.state.objects.get(CP)!.toString());
      expect(cp.status).toBe('stopped');
      // Whatever is stored is off the pending list; the rest is pending, for the next run.
      for (const u of Object.keys(cp.pending)) expect(h.storage.jobs.has(u)).toBe(false);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('JsonlParts: a full part that cannot be stored is reported once, never an unhandled rejection', async () => {
    const errors: unknown[] = [];
    const parts = new JsonlParts(new FailingStore(), {
      prefix: 'q',
      runId: 'r',
      maxRecords: 2,
      onError: (e) => errors.push(e),
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let i = 0; i < 6; i++) parts.add({ i });
      await new Promise((r) => setTimeout(r, 20));
      await expect(parts.flush()).rejects.toThrow(/SlowDown/);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it('a checkpoint lets go of a quarantined job only once its quarantine line is stored', async () => {
    server = await startReplay();
    const ids = [...expectedUuids(server.corpus, ['engineer'])];
    const bad = [ids[3]!, ids[40]!, ids[77]!];
    for (const u of bad) server.corpus.corrupt(u, 'missing-title');
    const quarantine = new MemoryBlobStore();
    const state = new MemoryBlobStore();
    const violations: string[] = [];
    const put = state.put.bind(state);
    state.put = async (key, body) => {
      if (key.startsWith('checkpoints/')) {
        const pending = JSON.parse(String(body)).pending as Record<string, unknown>;
        const fetched = detailFetches(server);
        const kept = [...quarantine.objects.values()].map((b) => b.toString()).join('');
        for (const u of bad)
          if (fetched.has(u) && !(u in pending) && !kept.includes(u)) violations.push(u);
      }
      return put(key, body);
    };
    const h = harness(server, TRACKS, { state, quarantine });
    const summary = await h.run({ writeBatch: 3 });
    expect(summary.status).toBe('complete');
    expect(summary.counters.quarantined).toBe(3);
    expect(violations).toEqual([]);
  });

  it('a quarantine that cannot be written keeps its jobs pending and stops the run', async () => {
    server = await startReplay();
    const ids = [...expectedUuids(server.corpus, ['engineer'])];
    server.corpus.corrupt(ids[5]!, 'missing-title');
    const h = harness(server, TRACKS, { quarantine: new FailingStore() });
    const summary = await h.run();
    expect(summary.status).toBe('stopped');
    expect(summary.reason).toMatch(/Writing the quarantine to memory failed/);
    const cp = JSON.parse(h.state.objects.get(CP)!.toString());
    expect(Object.keys(cp.pending)).toContain(ids[5]);
  });
});

describe('browser path', () => {
  it('a browser that cannot start stops the run with every job still pending (none marked failed)', async () => {
    server = await startReplay();
    const expected = expectedUuids(server.corpus, ['engineer']);
    const h = harness(server, TRACKS);
    const summary = await h.run({
      browser: 'always',
      renderer: () => Promise.reject(new Error('Cannot start Chromium at /nope: ENOENT')),
    });
    expect(summary.status).toBe('stopped');
    expect(summary.reason).toMatch(/Cannot start Chromium at \/nope/);
    expect(summary.counters.failed).toBe(0);
    expect(summary.pending).toBeGreaterThan(0);
    expect(h.storage.jobs.size).toBe(0);
    const cp = JSON.parse(h.state.objects.get(CP)!.toString());
    expect(Object.keys(cp.failed)).toEqual([]);
    expect(Object.keys(cp.pending)).toHaveLength(summary.pending);
    for (const u of Object.keys(cp.pending)) expect(expected.has(u)).toBe(true);
  });
});
