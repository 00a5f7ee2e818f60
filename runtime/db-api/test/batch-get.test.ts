/**
 * `POST /{table}/batch-get` end to end on the local stack (node:http + the
 * handler + the table store + dynalite): many items by id in one request,
 * the answer's shape and size limit, and every refusal (400 naming the input,
 * the bad value and what is accepted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbApiClient } from '../client.js';
import { MAX_BATCH_GET_IDS, MAX_BATCH_GET_RESPONSE_BYTES } from '../contract.js';
import type { RequestLog } from '../http/handler.js';
import { type LocalDbApi, startLocalDbApi } from '../local/server.js';

let api: LocalDbApi;
const logs: RequestLog[] = [];

const track = (slug: string) => ({
  track_id: `bg:${slug}`,
  user_id: 'bg',
  name: `Track ${slug}`,
  search_terms: ['data engineer'],
  max_pages: 3,
});

beforeAll(async () => {
  api = await startLocalDbApi({ log: (l) => logs.push(l) });
  await api.store.batchUpsert('track', ['a', 'b', 'c'].map(track));
});
afterAll(async () => {
  await api?.stop();
});

interface Answer {
  items: Array<Record<string, unknown>>;
  missing: string[];
  unprocessed: string[];
  error?: { code: string; message: string; details: Array<Record<string, unknown>> };
}

async function post(path: string, body: unknown) {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) as Answer };
}

const problems = (r: Awaited<ReturnType<typeof post>>) =>
  (r.body.error?.details ?? []).map((d) => `${d.field}:${d.rule}:${JSON.stringify(d.value)}`);

describe('POST /{table}/batch-get reads', () => {
  it('answers the items in the order asked, each once, and the ids without an item', async () => {
    const r = await post('/track/batch-get', { ids: ['bg:c', 'bg:none', 'bg:a', 'bg:c'] });
    expect(r.status).toBe(200);
    expect(r.body.items.map((i) => i.track_id)).toEqual(['bg:c', 'bg:a']);
    expect(r.body.items[0]).toMatchObject({
      name: 'Track c',
      max_pages: 3,
      active: true,
      version: 1,
    });
    expect(r.body.missing).toEqual(['bg:none']);
    expect(r.body.unprocessed).toEqual([]);
  });

  it('reads only the fields asked for, and always the key', async () => {
    const r = await post('/track/batch-get', { ids: ['bg:b'], fields: ['name', 'version'] });
    expect(r.body.items).toEqual([{ track_id: 'bg:b', name: 'Track b', version: 1 }]);
    const keyOnly = await post('/track/batch-get', { ids: ['bg:b'], fields: [] });
    expect(keyOnly.body.items).toEqual([{ track_id: 'bg:b' }]);
  });

  it('answers no ids with empty lists', async () => {
    const r = await post('/track/batch-get', { ids: [] });
    expect(r).toMatchObject({ status: 200, body: { items: [], missing: [], unprocessed: [] } });
  });

  it('leaves what does not fit one answer unprocessed, and the client asks again for it', async () => {
    const description = 'd'.repeat(100_000); // the schema's longest description
    const jobs = Array.from({ length: 45 }, (_, i) => ({
      job_id: i.toString(16).padStart(32, 'a'),
      job_post_id: `MCF-2026-${String(i).padStart(7, '0')}`,
      title: `Job ${i}`,
      url: `https://www.mycareersfuture.gov.sg/job/${i}`,
      description,
    }));
    await api.store.batchUpsert('job', jobs);
    const ids = jobs.map((j) => j.job_id);
    const r = await post('/job/batch-get', { ids });
    expect(r.status).toBe(200);
    expect(r.bytes).toBeLessThan(MAX_BATCH_GET_RESPONSE_BYTES + 16 * 1024);
    const read = r.body.items.map((i) => i.job_id);
    expect(read.length).toBeGreaterThan(30);
    expect([...read, ...r.body.unprocessed]).toEqual(ids);
    expect(r.body.missing).toEqual([]);

    const before = logs.length;
    const client = new DbApiClient({ url: api.url, attempts: 1 });
    const all = await client.getMany('job', ids);
    expect(all.items.map((i) => i.job_id)).toEqual(ids);
    expect(all.items[44]!.description).toHaveLength(100_000);
    expect(logs.slice(before).map((l) => `${l.route} ${l.status}`)).toEqual([
      '/{table}/batch-get 200',
      '/{table}/batch-get 200',
    ]);
  });
});

describe('POST /{table}/batch-get refuses', () => {
  it(`more than ${MAX_BATCH_GET_IDS} ids, saying how to send more`, async () => {
    const ids = Array.from({ length: MAX_BATCH_GET_IDS + 1 }, (_, i) => `bg:t${i}`);
    const r = await post('/track/batch-get', { ids });
    expect(r.status).toBe(400);
    expect(problems(r)).toEqual([`ids:maxItems:${MAX_BATCH_GET_IDS + 1}`]);
    expect(r.body.error!.details[0]!.message).toMatch(/at most 100 ids per request/);
  });

  it('ids that break the key field rules, each named by its position', async () => {
    const r = await post('/job/batch-get', {
      ids: ['0f4b6b4c7e1d4c6c9b2a6a1d3e5f7a9b', 'nope', 7],
    });
    expect(r.status).toBe(400);
    expect(r.body.error!.code).toBe('validation_failed');
    expect(problems(r)).toEqual(['ids[1]:format:"nope"', 'ids[2]:type:7']);
    expect(r.body.error!.details[0]!.message).toMatch(/^the job_id must be MCF_UUID/);
    const notList = await post('/job/batch-get', { ids: 'abc' });
    expect(problems(notList)).toEqual(['ids:type:"abc"']);
  });

  it('fields that are not fields of the table, and reserved names', async () => {
    const r = await post('/track/batch-get', {
      ids: ['bg:a'],
      fields: ['name', 'salary', '__proto__', 'constructor'],
    });
    expect(r.status).toBe(400);
    expect(problems(r)).toEqual([
      'fields:unknown_field:"salary"',
      'fields:reserved_name:"__proto__"',
      'fields:reserved_name:"constructor"',
    ]);
    expect(r.body.error!.details[0]!.message).toMatch(/names fields of table track: track_id, /);
    const notNames = await post('/track/batch-get', { ids: ['bg:a'], fields: 'name' });
    expect(problems(notNames)).toEqual(['fields:type:"name"']);
  });

  it('a body that is not an object with ids, other keys, and reserved keys', async () => {
    for (const body of ['[]', '"bg:a"', 'null']) {
      const r = await post('/track/batch-get', body);
      expect(r.status, body).toBe(400);
      expect(problems(r), body).toEqual(['(body):type:null']);
    }
    expect(problems(await post('/track/batch-get', {}))).toEqual(['ids:required:null']);
    expect(problems(await post('/track/batch-get', { ids: [], limit: 5 }))).toEqual([
      'limit:unknown_field:null',
    ]);
    const proto = await post('/track/batch-get', '{"ids": [], "__proto__": {"ids": ["bg:a"]}}');
    expect(proto.status).toBe(400);
    expect(problems(proto)).toEqual(['__proto__:reserved_name:null']);
  });

  it('an unknown table (404), and other methods than POST read the item "batch-get"', async () => {
    const r = await post('/nope/batch-get', { ids: [] });
    expect(r.status).toBe(404);
    expect(r.body.error!.code).toBe('unknown_table');
    const get = await fetch(`${api.url}/track/batch-get`);
    expect(get.status).toBe(404);
    expect(((await get.json()) as Answer).error!.code).toBe('not_found');
  });
});
