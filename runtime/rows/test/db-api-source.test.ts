/**
 * The row store over the DB API (DbApiSource on the local server): reads by
 * id go 100 ids a request through `POST /{table}/batch-get`, with only the
 * fields asked for, and are checked like rows from any other source.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_GET_IDS } from '../../db-api/contract.js';
import type { RequestLog } from '../../db-api/http/handler.js';
import { type LocalDbApi, startLocalDbApi } from '../../db-api/local/server.js';
import { DbApiSource } from '../db-api-source.js';
import { RowStore } from '../store.js';

let api: LocalDbApi;
const logs: RequestLog[] = [];
const N = 1000;
const jobId = (i: number) => i.toString(16).padStart(32, '0');

beforeAll(async () => {
  api = await startLocalDbApi({ log: (l) => logs.push(l) });
  const jobs = Array.from({ length: N }, (_, i) => ({
    job_id: jobId(i),
    job_post_id: `MCF-2026-${String(i).padStart(7, '0')}`,
    title: `Job ${i}`,
    url: `https://www.mycareersfuture.gov.sg/job/${jobId(i)}`,
    description: 'A long description the reader did not ask for.',
  }));
  for (let i = 0; i < N; i += 500) await api.store.batchUpsert('job', jobs.slice(i, i + 500));
});
afterAll(async () => {
  await api?.stop();
});

describe('RowStore over DbApiSource: reads by id', () => {
  it(`reads ${N} jobs in ceil(N / ${MAX_BATCH_GET_IDS}) requests, not one per id`, async () => {
    const rows = new RowStore(new DbApiSource({ url: api.url }));
    const ids = [...Array.from({ length: N }, (_, i) => jobId(i)), 'f'.repeat(32)];
    const before = logs.length;
    const jobs = await rows.getMany('job', ids, ['title']);
    const routes = logs.slice(before).map((l) => `${l.method} ${l.route}`);
    expect(routes).toEqual(
      Array(Math.ceil(ids.length / MAX_BATCH_GET_IDS)).fill('POST /{table}/batch-get'),
    );
    expect(jobs.size).toBe(N);
    expect(jobs.get(jobId(999))).toEqual({ job_id: jobId(999), title: 'Job 999' });
    expect(jobs.has('f'.repeat(32))).toBe(false);
  });

  it('refuses a bad stored row among the projected fields, and keeps one bad elsewhere', async () => {
    const bad = (id: string, extra: Record<string, unknown>) =>
      api.dynamo.send(
        new PutItemCommand({
          TableName: api.store.physicalName('job'),
          Item: marshall({
            job_id: id,
            job_post_id: 'MCF-2026-0000001',
            url: 'https://x',
            ...extra,
          }),
        }),
      );
    await bad('e'.repeat(32), { title: 5 });
    await bad('d'.repeat(32), { title: 'Fine title', salary_min: 'lots' });
    const refused: string[] = [];
    const rows = new RowStore(new DbApiSource({ url: api.url }), {
      onBadRow: (b) => refused.push(`${b.id} ${b.problems.map((p) => p.field).join()}`),
    });
    const jobs = await rows.getMany('job', ['e'.repeat(32), 'd'.repeat(32)], ['title']);
    expect([...jobs.keys()]).toEqual(['d'.repeat(32)]);
    expect(refused).toEqual([`${'e'.repeat(32)} title`]);
  });
});
