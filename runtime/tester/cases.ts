/**
 * The tester's cases: what a deployed DB API must do, positive and negative.
 * Every item belongs to the run's namespace user (ctx.ns) and is deleted
 * after its case; no case touches the user-independent job table's data.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DbApiError, type RawResponse } from '../db-api/client.js';
import { type ErrorBody, MAX_BATCH_GET_IDS, MAX_BODY_BYTES } from '../db-api/contract.js';
import type { TrackInput } from '../schema/types.generated.js';
import type { TestCase, TestContext } from './suite.js';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/;

function track(ctx: TestContext, name: string, extra: Partial<TrackInput> = {}): TrackInput {
  return {
    track_id: ctx.id(name),
    user_id: ctx.ns,
    name: `Tester track ${name}`,
    search_terms: ['data engineer'],
    max_pages: 2,
    ...extra,
  };
}

async function createTrack(ctx: TestContext, name: string, extra: Partial<TrackInput> = {}) {
  const t = track(ctx, name, extra);
  ctx.created('track', t.track_id);
  return (await ctx.client.put('track', t.track_id, t)).item;
}

function itemPath(table: string, id: string): string {
  return `${table}/${encodeURIComponent(id)}`;
}

/** A raw request; the answer must have `status` and, for errors, the API's error body with `code`. */
async function expectStatus(
  ctx: TestContext,
  method: string,
  path: string,
  status: number,
  code?: string,
  opts: { body?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const res = await ctx.client.request(method, path, {
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
  });
  assert.equal(
    res.status,
    status,
    `${method} /${path}: expected HTTP ${status}, got ${res.status}: ${res.text.slice(0, 300)}`,
  );
  if (code) {
    const body = res.json as ErrorBody | undefined;
    assert.equal(
      body?.error?.code,
      code,
      `${method} /${path}: expected error code ${code}: ${res.text.slice(0, 300)}`,
    );
    assert.equal(typeof body?.error?.request_id, 'string', 'the error names the request id');
    assert.doesNotMatch(res.text, /\bat .+:\d+:\d+/, 'the error body holds no stack trace');
  }
  return res;
}

async function expectRejected(
  promise: Promise<unknown>,
  status: number,
  code: string,
): Promise<DbApiError> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof DbApiError)) throw err;
    assert.equal(err.status, status, `expected HTTP ${status}, got ${err.status}: ${err.message}`);
    assert.equal(err.code, code, `expected error code ${code}: ${err.message}`);
    return err;
  }
  assert.fail(`expected HTTP ${status} ${code}, but the request succeeded`);
}

function detailsOf(res: RawResponse): Array<{ field: string; rule: string; value: unknown }> {
  return ((res.json as ErrorBody).error.details ?? []).map(({ field, rule, value }) => ({
    field,
    rule,
    value,
  }));
}

const hex32 = () => randomBytes(16).toString('hex');

export const CASES: TestCase[] = [
  {
    name: 'create: PUT creates an item and sets created, last_modified and version 1',
    async run(ctx) {
      const t = track(ctx, 'create');
      ctx.created('track', t.track_id);
      const res = await expectStatus(ctx, 'PUT', itemPath('track', t.track_id), 201, undefined, {
        body: JSON.stringify(t),
      });
      const item = res.json as Record<string, unknown>;
      assert.equal(item.version, 1);
      assert.match(String(item.created), ISO_TIMESTAMP);
      assert.equal(item.last_modified, item.created);
      assert.equal(item.active, true, 'the schema default is applied');
      assert.equal(res.headers.get('etag'), '"1"');
    },
  },
  {
    name: 'read: GET returns the stored item with its version as ETag',
    async run(ctx) {
      const stored = await createTrack(ctx, 'read');
      const res = await expectStatus(ctx, 'GET', itemPath('track', stored.track_id), 200);
      assert.deepEqual(res.json, stored);
      assert.equal(res.headers.get('etag'), '"1"');
    },
  },
  {
    name: 'update: PUT replaces the whole item, keeps created and bumps the version',
    async run(ctx) {
      const first = await createTrack(ctx, 'update', { min_salary: 5000 });
      const { item, created } = await ctx.client.put(
        'track',
        first.track_id,
        track(ctx, 'update', { name: 'Renamed' }),
      );
      assert.equal(created, false, 'a replace answers 200, not 201');
      assert.equal(item.name, 'Renamed');
      assert.equal(item.version, 2);
      assert.equal(item.created, first.created);
      assert.equal(item.min_salary, undefined, 'fields left out of a PUT are removed');
    },
  },
  {
    name: 'partial update: PATCH changes only the given fields; null removes an optional field',
    async run(ctx) {
      const first = await createTrack(ctx, 'patch');
      const item = await ctx.client.patch(
        'track',
        first.track_id,
        { name: 'Patched', max_pages: null },
        { ifMatch: 1 },
      );
      assert.equal(item.name, 'Patched');
      assert.equal(item.max_pages, undefined);
      assert.deepEqual(item.search_terms, first.search_terms);
      assert.equal(item.version, 2);
      await expectRejected(
        ctx.client.patch('track', ctx.id('patch-missing'), { name: 'x' }),
        404,
        'not_found',
      );
    },
  },
  {
    name: 'delete: DELETE removes the item; reading or deleting it again is 404',
    async run(ctx) {
      const first = await createTrack(ctx, 'delete');
      await expectStatus(ctx, 'DELETE', itemPath('track', first.track_id), 204);
      await expectStatus(ctx, 'GET', itemPath('track', first.track_id), 404, 'not_found');
      await expectStatus(ctx, 'DELETE', itemPath('track', first.track_id), 404, 'not_found');
    },
  },
  {
    name: 'list: pages through an index with limit and cursor, each item once',
    async run(ctx) {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = ctx.id(`list:k${i}`);
        ids.push(id);
        ctx.created('keyword', id);
        await ctx.client.put('keyword', id, {
          keyword_id: id,
          user_id: ctx.ns,
          library: 'tester',
          keyword: `k${i}`,
        });
      }
      const sizes: number[] = [];
      const seen: string[] = [];
      for await (const page of ctx.client.listPages('keyword', {
        where: { user_id: ctx.ns },
        limit: 2,
      })) {
        sizes.push(page.items.length);
        seen.push(...page.items.map((k) => k.keyword_id));
        assert.ok(sizes.length <= 4, 'the cursor must end');
      }
      assert.deepEqual([...seen].sort(), [...ids].sort());
      assert.ok(
        sizes.every((n) => n <= 2),
        `pages hold at most the limit: ${sizes.join(', ')}`,
      );
      const res = await expectStatus(
        ctx,
        'GET',
        `keyword?user_id=${ctx.ns}&keyword=k1`,
        400,
        'validation_failed',
      );
      assert.equal(detailsOf(res)[0]?.rule, 'not_indexed');
    },
  },
  {
    name: 'batch: upserts more than 25 items in one request, then keeps created and bumps version',
    async run(ctx) {
      const items = Array.from({ length: 30 }, () => {
        const jobId = hex32();
        return {
          job_s_id: `${ctx.ns}:${jobId}`,
          user_id: ctx.ns,
          job_id: jobId,
          track_id: ctx.id('batch'),
          first_seen: '2026-01-01 09:00',
          last_seen: '2026-01-01 09:00',
        };
      });
      for (const i of items) ctx.created('job_search', i.job_s_id);
      assert.deepEqual(await ctx.client.batch('job_search', items), {
        written: 30,
        created: 30,
        updated: 0,
      });
      const first = await ctx.client.get('job_search', items[29]!.job_s_id);
      const later = items.map((i) => ({ job_s_id: i.job_s_id, last_seen: '2026-01-02 09:00' }));
      assert.deepEqual(await ctx.client.batch('job_search', later, { mode: 'merge' }), {
        written: 30,
        created: 0,
        updated: 30,
      });
      const again = await ctx.client.get('job_search', items[29]!.job_s_id);
      assert.equal(again.version, 2);
      assert.equal(again.created, first.created);
      assert.equal(again.first_seen, '2026-01-01 09:00', 'merge keeps fields it was not given');
      assert.equal(again.last_seen, '2026-01-02 09:00');
    },
  },
  {
    name: 'batch: one invalid item rejects the whole batch (400 naming the item), nothing written',
    async run(ctx) {
      const good = {
        keyword_id: ctx.id('batch-good'),
        user_id: ctx.ns,
        library: 'tester',
        keyword: 'good',
      };
      const bad = {
        keyword_id: ctx.id('batch-bad'),
        user_id: ctx.ns,
        library: 'tester',
        keyword: 'bad',
        kind: 'sometimes',
      };
      ctx.created('keyword', good.keyword_id);
      const res = await expectStatus(ctx, 'POST', 'keyword/batch', 400, 'validation_failed', {
        body: JSON.stringify({ items: [good, bad] }),
      });
      assert.deepEqual(detailsOf(res), [
        { field: 'items[1].kind', rule: 'enum', value: 'sometimes' },
      ]);
      assert.equal(
        await ctx.client.find('keyword', good.keyword_id),
        undefined,
        'the valid item was not written',
      );
    },
  },
  {
    name: 'batch read: POST /{table}/batch-get returns found items once, in order, the missing ids, and only the fields asked for',
    async run(ctx) {
      const a = await createTrack(ctx, 'read-many-a');
      const b = await createTrack(ctx, 'read-many-b');
      const absent = ctx.id('read-many-absent');
      const whole = await ctx.client.getMany('track', [b.track_id, absent, a.track_id, b.track_id]);
      assert.deepEqual(whole, { items: [b, a], missing: [absent] });
      const res = await expectStatus(ctx, 'POST', 'track/batch-get', 200, undefined, {
        body: JSON.stringify({ ids: [a.track_id], fields: ['name', 'version'] }),
      });
      assert.deepEqual(res.json, {
        items: [{ track_id: a.track_id, name: a.name, version: 1 }],
        missing: [],
        unprocessed: [],
      });
    },
  },
  {
    name: 'batch read: too many ids, a malformed id or an unknown field is a 400 naming it',
    async run(ctx) {
      const tooMany = Array.from({ length: MAX_BATCH_GET_IDS + 1 }, (_, i) => ctx.id(`n${i}`));
      const res = await expectStatus(ctx, 'POST', 'track/batch-get', 400, 'validation_failed', {
        body: JSON.stringify({ ids: tooMany }),
      });
      assert.deepEqual(detailsOf(res), [
        { field: 'ids', rule: 'maxItems', value: MAX_BATCH_GET_IDS + 1 },
      ]);
      const bad = await expectStatus(ctx, 'POST', 'track/batch-get', 400, 'validation_failed', {
        body: JSON.stringify({ ids: [ctx.id('ok'), 'no spaces allowed'], fields: ['salary'] }),
      });
      assert.deepEqual(detailsOf(bad), [
        { field: 'ids[1]', rule: 'format', value: 'no spaces allowed' },
        { field: 'fields', rule: 'unknown_field', value: 'salary' },
      ]);
    },
  },
  {
    name: '400: one detail per invalid field, with field, rule and value; nothing written',
    async run(ctx) {
      const id = ctx.id('invalid');
      ctx.created('track', id);
      const res = await expectStatus(ctx, 'PUT', itemPath('track', id), 400, 'validation_failed', {
        body: JSON.stringify({
          user_id: ctx.ns,
          search_terms: 'data',
          max_pages: 0,
          colour: 'red',
        }),
      });
      assert.deepEqual(detailsOf(res), [
        { field: 'search_terms', rule: 'type', value: 'data' },
        { field: 'max_pages', rule: 'minimum', value: 0 },
        { field: 'colour', rule: 'unknown_field', value: 'red' },
        { field: 'name', rule: 'required', value: null },
      ]);
      await expectStatus(ctx, 'GET', itemPath('track', id), 404, 'not_found');
    },
  },
  {
    name: 'schema: field types are enforced (integer, number, boolean, list of strings)',
    async run(ctx) {
      const id = ctx.id('types');
      ctx.created('keyword', id);
      const res = await expectStatus(
        ctx,
        'PUT',
        itemPath('keyword', id),
        400,
        'validation_failed',
        {
          body: JSON.stringify({
            user_id: ctx.ns,
            library: 'tester',
            keyword: 'k',
            weight: 'heavy',
            synonyms: ['a', 1],
          }),
        },
      );
      assert.deepEqual(detailsOf(res), [
        { field: 'weight', rule: 'type', value: 'heavy' },
        { field: 'synonyms', rule: 'type', value: ['a', 1] },
      ]);
      const first = await createTrack(ctx, 'types');
      const patch = await expectStatus(
        ctx,
        'PATCH',
        itemPath('track', first.track_id),
        400,
        'validation_failed',
        {
          body: JSON.stringify({ max_pages: 2.5, active: 'yes' }),
        },
      );
      assert.deepEqual(detailsOf(patch), [
        { field: 'max_pages', rule: 'type', value: 2.5 },
        { field: 'active', rule: 'type', value: 'yes' },
      ]);
    },
  },
  {
    name: 'schema: enums are enforced',
    async run(ctx) {
      const jobId = hex32();
      const id = `${ctx.ns}:${jobId}`;
      ctx.created('crm', id);
      const res = await expectStatus(ctx, 'PUT', itemPath('crm', id), 400, 'validation_failed', {
        body: JSON.stringify({
          user_id: ctx.ns,
          job_id: jobId,
          status: 'maybe',
          response: 'ghosted',
        }),
      });
      assert.deepEqual(detailsOf(res), [
        { field: 'status', rule: 'enum', value: 'maybe' },
        { field: 'response', rule: 'enum', value: 'ghosted' },
      ]);
      ctx.created('crm', id);
      const ok = await ctx.client.put('crm', id, {
        job_s_id: id,
        user_id: ctx.ns,
        job_id: jobId,
        status: 'applied',
      });
      assert.equal(ok.item.apply_status, 'not_applied', 'the schema default is applied');
    },
  },
  {
    name: 'schema: formats are enforced (ISO_TIMESTAMP, calendar-checked ISO_DATE, ids)',
    async run(ctx) {
      const jobId = hex32();
      const id = `${ctx.ns}:${jobId}`;
      ctx.created('job_search', id);
      const res = await expectStatus(
        ctx,
        'PUT',
        itemPath('job_search', id),
        400,
        'validation_failed',
        {
          body: JSON.stringify({
            user_id: ctx.ns,
            job_id: jobId.toUpperCase(),
            track_id: ctx.id('t'),
            first_seen: '2026-01-01T09:00:00Z',
            last_seen: '2026-01-01 09:00',
          }),
        },
      );
      assert.deepEqual(detailsOf(res), [
        { field: 'job_id', rule: 'format', value: jobId.toUpperCase() },
        { field: 'first_seen', rule: 'format', value: '2026-01-01T09:00:00Z' },
      ]);
      ctx.created('crm', id);
      const date = await expectStatus(ctx, 'PUT', itemPath('crm', id), 400, 'validation_failed', {
        body: JSON.stringify({ user_id: ctx.ns, job_id: jobId, applied_date: '2026-02-30' }),
      });
      assert.deepEqual(detailsOf(date), [
        { field: 'applied_date', rule: 'format', value: '2026-02-30' },
      ]);
      const key = await expectStatus(
        ctx,
        'GET',
        itemPath('job', 'not-a-job-uuid'),
        400,
        'validation_failed',
      );
      assert.equal(detailsOf(key)[0]?.field, 'job_id');
    },
  },
  {
    name: '404: unknown table and unknown id',
    async run(ctx) {
      await expectStatus(ctx, 'GET', itemPath('no_such_table', 'x'), 404, 'unknown_table');
      await expectStatus(ctx, 'GET', 'no_such_table', 404, 'unknown_table');
      await expectStatus(ctx, 'GET', itemPath('track', ctx.id('never-created')), 404, 'not_found');
    },
  },
  {
    name: '405: a method the route does not have is refused, with Allow',
    async run(ctx) {
      const res = await expectStatus(
        ctx,
        'POST',
        itemPath('track', ctx.id('x')),
        405,
        'method_not_allowed',
        { body: '{}' },
      );
      assert.match(res.headers.get('allow') ?? '', /GET, PUT, PATCH, DELETE/);
      await expectStatus(ctx, 'DELETE', 'track', 405, 'method_not_allowed');
    },
  },
  {
    name: '409: a stale If-Match or If-None-Match: * on an existing item changes nothing',
    async run(ctx) {
      const first = await createTrack(ctx, 'conflict');
      await ctx.client.patch('track', first.track_id, { name: 'Second writer' });
      const err = await expectRejected(
        ctx.client.patch('track', first.track_id, { name: 'Lost update' }, { ifMatch: 1 }),
        409,
        'conflict',
      );
      assert.equal(err.body?.error.current_version, 2);
      await expectRejected(
        ctx.client.put('track', first.track_id, track(ctx, 'conflict'), { ifNoneMatch: '*' }),
        409,
        'conflict',
      );
      await expectRejected(
        ctx.client.delete('track', first.track_id, { ifMatch: 1 }),
        409,
        'conflict',
      );
      const now = await ctx.client.get('track', first.track_id);
      assert.equal(now.name, 'Second writer');
      assert.equal(now.version, 2);
    },
  },
  {
    name: '409: concurrent writers with the same If-Match: exactly one wins, the others get 409',
    async run(ctx) {
      const first = await createTrack(ctx, 'race');
      const writers = 5;
      const results = await Promise.allSettled(
        Array.from({ length: writers }, (_, i) =>
          ctx.client.patch('track', first.track_id, { name: `Writer ${i}` }, { ifMatch: 1 }),
        ),
      );
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      assert.equal(
        won.length,
        1,
        `${won.length} of ${writers} writers with If-Match: "1" succeeded; the version check must be atomic with the write`,
      );
      for (const err of lost) {
        if (!(err instanceof DbApiError)) throw err;
        assert.equal(err.status, 409, `a losing writer got ${err.status}: ${err.message}`);
      }
      const now = await ctx.client.get('track', first.track_id);
      assert.equal(now.version, 2);
      assert.equal(now.name, won[0]!.name);
    },
  },
  {
    name: '413: a body over the size limit is refused',
    async run(ctx) {
      const id = ctx.id('big');
      ctx.created('track', id);
      const body = JSON.stringify({ ...track(ctx, 'big'), name: 'x'.repeat(MAX_BODY_BYTES) });
      await expectStatus(ctx, 'PUT', itemPath('track', id), 413, 'payload_too_large', { body });
    },
  },
  {
    name: '415: a body that is not JSON is refused',
    async run(ctx) {
      const id = ctx.id('text');
      ctx.created('track', id);
      await expectStatus(ctx, 'PUT', itemPath('track', id), 415, 'unsupported_media_type', {
        body: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    },
  },
  {
    name: '400: a body that is not valid JSON is refused',
    async run(ctx) {
      const id = ctx.id('json');
      ctx.created('track', id);
      await expectStatus(ctx, 'PUT', itemPath('track', id), 400, 'invalid_json', {
        body: '{"name": ',
      });
    },
  },
];
