/**
 * The DB API end to end on the real local stack: node:http + the Lambda's
 * handler + the table store + dynalite. No mocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbApiClient, DbApiConflictError, DbApiNotFoundError } from '../client.js';
import { MAX_BATCH_ITEMS, MAX_BODY_BYTES } from '../contract.js';
import type { RequestLog } from '../http/handler.js';
import { type LocalDbApi, startLocalDbApi } from '../local/server.js';
import {
  ItemNotFoundError,
  UnknownTableError,
  ValidationFailedError,
  VersionConflictError,
} from '../store/errors.js';

let api: LocalDbApi;
let client: DbApiClient;
const logs: RequestLog[] = [];
let clock = new Date('2026-03-01T01:00:00Z'); // 09:00 in Singapore

beforeAll(async () => {
  api = await startLocalDbApi({ log: (l) => logs.push(l), now: () => clock });
  client = new DbApiClient({ url: api.url, attempts: 1 });
});
afterAll(async () => {
  await api?.stop();
});

const track = (id: string, extra: Record<string, unknown> = {}) => ({
  track_id: `it:${id}`,
  user_id: 'it',
  name: `Track ${id}`,
  search_terms: ['data engineer'],
  ...extra,
});

async function raw(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe('items', () => {
  it('creates, reads, replaces, patches and deletes with server-managed fields', async () => {
    const created = await client.put('track', 'it:a', track('a', { max_pages: 5 }));
    expect(created.created).toBe(true);
    expect(created.item).toMatchObject({
      track_id: 'it:a',
      active: true, // schema default
      created: '2026-03-01 09:00',
      last_modified: '2026-03-01 09:00',
      version: 1,
    });
    const got = await raw('GET', '/track/it%3Aa');
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    clock = new Date('2026-03-01T02:30:00Z');
    const replaced = await client.put('track', 'it:a', track('a', { name: 'Renamed' }), {
      ifMatch: 1,
    });
    expect(replaced.created).toBe(false);
    expect(replaced.item).toMatchObject({
      name: 'Renamed',
      created: '2026-03-01 09:00',
      last_modified: '2026-03-01 10:30',
      version: 2,
    });
    expect(replaced.item).not.toHaveProperty('max_pages'); // PUT replaces the whole item

    const patched = await client.patch('track', 'it:a', { max_pages: 9, active: false });
    expect(patched).toMatchObject({ name: 'Renamed', max_pages: 9, active: false, version: 3 });
    const removed = await client.patch('track', 'it:a', { max_pages: null }, { ifMatch: 3 });
    expect(removed).not.toHaveProperty('max_pages');
    expect(removed.version).toBe(4);

    expect(await client.delete('track', 'it:a', { ifMatch: 4 })).toBe(true);
    expect(await client.find('track', 'it:a')).toBeUndefined();
    await expect(client.delete('track', 'it:a')).rejects.toBeInstanceOf(DbApiNotFoundError);
  });

  it('ignores managed fields sent back by a client (read-modify-write round trips)', async () => {
    const { item } = await client.put('track', 'it:rt', track('rt'));
    const again = await client.put('track', 'it:rt', {
      ...item,
      name: 'x',
      version: 99,
      created: '2000-01-01 00:00',
    } as never);
    expect(again.item).toMatchObject({ version: 2, created: item.created, name: 'x' });
  });

  it('refuses stale If-Match and If-None-Match on an existing item with 409, changing nothing', async () => {
    await client.put('track', 'it:c', track('c'));
    await client.patch('track', 'it:c', { name: 'v2' });
    const err = await client
      .patch('track', 'it:c', { name: 'lost' }, { ifMatch: 1 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(DbApiConflictError);
    expect((err as DbApiConflictError).currentVersion).toBe(2);
    await expect(
      client.put('track', 'it:c', track('c'), { ifNoneMatch: '*' }),
    ).rejects.toBeInstanceOf(DbApiConflictError);
    await expect(client.delete('track', 'it:c', { ifMatch: 1 })).rejects.toBeInstanceOf(
      DbApiConflictError,
    );
    expect(await client.get('track', 'it:c')).toMatchObject({ name: 'v2', version: 2 });
    // If-Match on a missing item: PATCH/DELETE say 404, PUT says 409 (the precondition failed).
    await expect(
      client.patch('track', 'it:none', { name: 'x' }, { ifMatch: 1 }),
    ).rejects.toBeInstanceOf(DbApiNotFoundError);
    await expect(
      client.put('track', 'it:none', track('none'), { ifMatch: '*' }),
    ).rejects.toBeInstanceOf(DbApiConflictError);
    expect(await client.find('track', 'it:none')).toBeUndefined();
  });

  it('serialises concurrent conditional writers: exactly one wins', async () => {
    await client.put('track', 'it:race', track('race'));
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        client.patch('track', 'it:race', { name: `w${i}` }, { ifMatch: 1 }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'rejected' && r.reason instanceof DbApiConflictError),
    ).toHaveLength(7);
    expect((await client.get('track', 'it:race')).version).toBe(2);
  });
});

describe('the table store, used directly (as the webscraper does)', () => {
  it('throws typed errors that callers catch by class', async () => {
    const { store } = api;
    await expect(store.get('nope' as 'track', 'x')).rejects.toBeInstanceOf(UnknownTableError);
    await expect(store.patch('track', 'it:store-none', { name: 'x' })).rejects.toBeInstanceOf(
      ItemNotFoundError,
    );
    const invalid = await store
      .put('track', 'it:store', { ...track('store'), max_pages: 0 })
      .catch((e) => e);
    expect(invalid).toBeInstanceOf(ValidationFailedError);
    expect((invalid as ValidationFailedError).problems).toEqual([
      expect.objectContaining({ field: 'max_pages', rule: 'minimum', value: 0 }),
    ]);
    const { item } = await store.put('track', 'it:store', track('store'));
    const conflict = await store
      .delete('track', 'it:store', { ifMatch: item.version + 1 })
      .catch((e) => e);
    expect(conflict).toBeInstanceOf(VersionConflictError);
    expect((conflict as VersionConflictError).currentVersion).toBe(1);
    expect(await store.delete('track', 'it:store')).toMatchObject({
      track_id: 'it:store',
      version: 1,
    });
  });

  it('batch-merges with preserved fields without HTTP', async () => {
    const base = {
      job_s_id: 'it-store:00000000000000000000000000000abc',
      user_id: 'it-store',
      job_id: '00000000000000000000000000000abc',
      track_id: 'it-store:t',
    };
    clock = new Date('2026-03-05T01:00:00Z');
    await api.store.batchUpsert('job_search', [
      { ...base, first_seen: '2026-03-05 09:00', last_seen: '2026-03-05 09:00' },
    ]);
    const r = await api.store.batchUpsert(
      'job_search',
      [{ ...base, first_seen: '2026-03-06 09:00', last_seen: '2026-03-06 09:00' }],
      { mode: 'merge', preserve: ['first_seen'] },
    );
    expect(r).toEqual({ written: 1, created: 0, updated: 1 });
    expect(await api.store.get('job_search', base.job_s_id)).toMatchObject({
      first_seen: '2026-03-05 09:00',
      last_seen: '2026-03-06 09:00',
      version: 2,
    });
    await expect(
      api.store.batchUpsert('job_search', [], { preserve: ['version'] }),
    ).rejects.toBeInstanceOf(ValidationFailedError);
  });
});

describe('validation (400), one detail per invalid field, nothing written', () => {
  it('reports types, enums, formats, required and unknown fields', async () => {
    const res = await raw(
      'PUT',
      '/crm/it%3A0f4b6b4c7e1d4c6c9b2a6a1d3e5f7a9b',
      JSON.stringify({
        user_id: 'it',
        job_id: 'nothex',
        status: 'maybe',
        applied_date: '2026-02-30',
        notes: 3,
        colour: 'red',
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      request_id: expect.any(String),
    });
    expect(
      res.body.error.details.map((d: { field: string; rule: string; value: unknown }) => [
        d.field,
        d.rule,
        d.value,
      ]),
    ).toEqual([
      ['job_id', 'format', 'nothex'],
      ['status', 'enum', 'maybe'],
      ['applied_date', 'format', '2026-02-30'],
      ['notes', 'type', 3],
      ['colour', 'unknown_field', 'red'],
    ]);
    expect(await client.find('crm', 'it:0f4b6b4c7e1d4c6c9b2a6a1d3e5f7a9b')).toBeUndefined();
  });

  it('checks the id against the key format and the key in the body against the path', async () => {
    const bad = await raw('GET', '/job/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]).toMatchObject({ field: 'job_id', rule: 'format' });
    const mismatch = await raw('PUT', '/track/it%3Ax', JSON.stringify(track('y')));
    expect(mismatch.body.error.details).toEqual([
      expect.objectContaining({ field: 'track_id', rule: 'key_mismatch', value: 'it:y' }),
    ]);
    // A bad id and bad fields: every one reported at once, the key once.
    for (const method of ['PUT', 'PATCH']) {
      const both = await raw(
        method,
        '/track/-bad',
        JSON.stringify({ ...track('z'), track_id: undefined, name: 5, active: 'yes' }),
      );
      expect(both.status, method).toBe(400);
      expect(
        both.body.error.details.map((d: { field: string; rule: string }) => [d.field, d.rule]),
        method,
      ).toEqual([
        ['track_id', 'format'],
        ['name', 'type'],
        ['active', 'type'],
      ]);
    }
  });

  it('answers 400 for invalid JSON and for bad headers', async () => {
    const res = await raw('PUT', '/track/it%3Aj', '{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    const header = await raw('PATCH', '/track/it%3Aj', '{}', { 'if-match': 'abc' });
    expect(header.status).toBe(400);
    expect(header.body.error.details[0]).toMatchObject({
      field: 'If-Match',
      rule: 'format',
      value: 'abc',
    });
  });
});

describe('errors by class', () => {
  it('404 for an unknown table, an unknown id and an unknown route', async () => {
    expect((await raw('GET', '/nope/x')).body.error.code).toBe('unknown_table');
    expect((await raw('GET', '/nope')).status).toBe(404);
    const missing = await raw('GET', '/track/it%3Amissing');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect((await raw('GET', '/track/a/b')).status).toBe(404);
  });

  it('405 with Allow for a method a route does not have', async () => {
    const post = await raw('POST', '/track/it%3Aa', '{}');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, PUT, PATCH, DELETE');
    const del = await raw('DELETE', '/track');
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET');
  });

  it('413 for a body over the limit, 415 for a body that is not JSON', async () => {
    const big = await raw('POST', '/keyword/batch', `{"items": ["${'x'.repeat(MAX_BODY_BYTES)}"]}`);
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const text = await raw('PUT', '/track/it%3At', 'name=x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media_type');
  });

  it('never sends a stack trace, and logs one line per request', async () => {
    const before = logs.length;
    const res = await raw('GET', '/track/it%3Amissing');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    const line = logs.slice(before).find((l) => l.request_id === res.body.error.request_id);
    expect(line).toMatchObject({
      level: 'warn',
      method: 'GET',
      route: '/{table}/{id}',
      table: 'track',
      status: 404,
      error_code: 'not_found',
    });
    expect(line!.duration_ms).toBeGreaterThanOrEqual(0);
  });
});

describe('listing', () => {
  it('pages through an index with a cursor, without repeats', async () => {
    for (let i = 0; i < 7; i++) {
      await client.put('keyword', `it-list:lib:k${i}`, {
        keyword_id: `it-list:lib:k${i}`,
        user_id: 'it-list',
        library: i < 4 ? 'core' : 'extra',
        keyword: `k${i}`,
      });
    }
    const pages = [];
    for await (const page of client.listPages('keyword', {
      where: { user_id: 'it-list' },
      limit: 3,
    }))
      pages.push(page);
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
    const ids = pages.flatMap((p) => p.items.map((k) => k.keyword_id));
    expect(new Set(ids).size).toBe(7);
    const core = await client.list('keyword', { where: { user_id: 'it-list', library: 'core' } });
    expect(core.items).toHaveLength(4);
    const prefix = await client.list('keyword', {
      where: { user_id: 'it-list' },
      sort: { field: 'library', op: 'begins_with', value: 'ex' },
    });
    expect(prefix.items.map((k) => k.library)).toEqual(['extra', 'extra', 'extra']);
  });

  it('refuses a cursor reused with other filter values or edited, with 400 cursor (never 500)', async () => {
    for (const user of ['it-cur-a', 'it-cur-b']) {
      for (let i = 0; i < 3; i++) {
        await client.put('keyword', `${user}:lib:k${i}`, {
          keyword_id: `${user}:lib:k${i}`,
          user_id: user,
          library: i < 2 ? 'core' : 'extra',
          keyword: `k${i}`,
        });
      }
    }
    const first = await raw('GET', '/keyword?user_id=it-cur-a&limit=1');
    const cursor: string = first.body.next_cursor;
    expect(cursor).toEqual(expect.any(String));
    const decode = (c: string) => JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    const encode = (doc: unknown) => Buffer.from(JSON.stringify(doc)).toString('base64url');

    // The same cursor, unchanged with the same filters, still works.
    const next = await raw('GET', `/keyword?user_id=it-cur-a&limit=1&cursor=${cursor}`);
    expect(next.status).toBe(200);
    const core = await raw('GET', '/keyword?user_id=it-cur-a&library=core&limit=1');
    const coreNext = await raw(
      'GET',
      `/keyword?user_id=it-cur-a&library=core&limit=1&cursor=${core.body.next_cursor}`,
    );
    expect(coreNext.status).toBe(200);
    expect(coreNext.body.items).toEqual([expect.objectContaining({ library: 'core' })]);

    const refused = async (query: string, c: string) => {
      const res = await raw('GET', `/keyword?${query}&cursor=${c}`);
      expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({ field: 'cursor', rule: 'cursor' });
    };
    // Another user's listing (same index, other partition value).
    await refused('user_id=it-cur-b&limit=1', cursor);
    // A sort condition the cursor's position lies outside of.
    await refused('user_id=it-cur-a&library=extra&limit=1', cursor);
    await refused('user_id=it-cur-a&library.begins_with=ex&limit=1', cursor);
    // Edited: a number where the schema has a string; an empty key.
    const doc = decode(cursor);
    await refused(
      'user_id=it-cur-a&limit=1',
      encode({ ...doc, k: { ...doc.k, keyword_id: { N: '1' } } }),
    );
    const scan = await raw('GET', '/keyword?limit=1');
    const scanDoc = decode(scan.body.next_cursor);
    await refused('limit=1', encode({ ...scanDoc, k: { keyword_id: { S: '' } } }));
    expect(logs.filter((l) => l.status >= 500)).toEqual([]);
  });

  it('reads full items through a keys-only index', async () => {
    const jobId = '0f4b6b4c7e1d4c6c9b2a6a1d3e5f7a9b';
    await client.put('job', jobId, {
      job_id: jobId,
      job_post_id: 'MCF-2026-0123456',
      title: 'Data Engineer',
      url: 'https://www.mycareersfuture.gov.sg/job/x',
    });
    const page = await client.list('job', { where: { job_post_id: 'MCF-2026-0123456' } });
    expect(page.items).toEqual([
      expect.objectContaining({ job_id: jobId, title: 'Data Engineer' }),
    ]);
  });

  it('scans without filters, and refuses filters on fields without an index', async () => {
    const all = await client.list('keyword', { limit: 1000 });
    expect(all.items.length).toBeGreaterThanOrEqual(7);
    const res = await raw('GET', '/keyword?keyword=k1');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ rule: 'not_indexed' });
    expect(res.body.error.details[0].message).toContain('user_id (optionally with library)');
    const badCursor = await raw('GET', '/keyword?user_id=it-list&cursor=garbage');
    expect(badCursor.body.error.details[0]).toMatchObject({ field: 'cursor', rule: 'cursor' });
    const badLimit = await raw('GET', '/keyword?limit=0');
    expect(badLimit.body.error.details[0]).toMatchObject({ field: 'limit', rule: 'range' });
  });
});

describe('batch', () => {
  const jobSearch = (n: number, seen: string) => ({
    job_s_id: `it-batch:${n.toString(16).padStart(32, '0')}`,
    user_id: 'it-batch',
    job_id: n.toString(16).padStart(32, '0'),
    track_id: 'it-batch:t',
    first_seen: seen,
    last_seen: seen,
  });

  it('upserts more than 25 items, keeping created and bumping version on the second pass', async () => {
    clock = new Date('2026-03-02T01:00:00Z');
    const items = Array.from({ length: 60 }, (_, i) => jobSearch(i, '2026-03-02 09:00'));
    expect(await client.batch('job_search', items)).toEqual({
      written: 60,
      created: 60,
      updated: 0,
    });
    clock = new Date('2026-03-03T01:00:00Z');
    const again = Array.from({ length: 60 }, (_, i) => jobSearch(i, '2026-03-03 09:00'));
    expect(await client.batch('job_search', again, { preserve: ['first_seen'] })).toEqual({
      written: 60,
      created: 0,
      updated: 60,
    });
    const one = await client.get('job_search', items[7]!.job_s_id);
    expect(one).toMatchObject({
      first_seen: '2026-03-02 09:00', // preserved
      last_seen: '2026-03-03 09:00',
      created: '2026-03-02 09:00',
      last_modified: '2026-03-03 09:00',
      version: 2,
    });
  });

  it('merges partial items onto stored ones and inserts complete new ones', async () => {
    const id = jobSearch(1000, '2026-03-02 09:00');
    await client.put('job_search', id.job_s_id, { ...id, search_term: 'kept' });
    const fresh = jobSearch(1001, '2026-03-04 09:00');
    const result = await client.batch(
      'job_search',
      [{ job_s_id: id.job_s_id, last_seen: '2026-03-04 09:00' }, fresh],
      { mode: 'merge' },
    );
    expect(result).toEqual({ written: 2, created: 1, updated: 1 });
    expect(await client.get('job_search', id.job_s_id)).toMatchObject({
      search_term: 'kept',
      last_seen: '2026-03-04 09:00',
      first_seen: '2026-03-02 09:00',
    });
    const bad = await raw(
      'POST',
      '/job_search/batch',
      JSON.stringify({
        mode: 'merge',
        items: [{ job_s_id: jobSearch(1002, 'x').job_s_id, last_seen: '2026-03-04 09:00' }],
      }),
    );
    expect(bad.status).toBe(400); // an insert must be a complete item
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toContain(
      'items[0].first_seen',
    );
  });

  it('writes nothing when any item is invalid, and names the item', async () => {
    const items = [
      jobSearch(2000, '2026-03-02 09:00'),
      { ...jobSearch(2001, '2026-03-02 09:00'), last_seen: 'yesterday' },
      jobSearch(2000, '2026-03-02 09:00'),
    ];
    const res = await raw('POST', '/job_search/batch', JSON.stringify({ items }));
    expect(res.status).toBe(400);
    expect(
      res.body.error.details.map((d: { field: string; rule: string }) => [d.field, d.rule]),
    ).toEqual([
      ['items[1].last_seen', 'format'],
      ['items[2].job_s_id', 'unique'],
    ]);
    expect(await client.find('job_search', items[0]!.job_s_id)).toBeUndefined();
    const tooMany = await raw(
      'POST',
      '/job_search/batch',
      JSON.stringify({ items: Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => ({})) }),
    );
    expect(tooMany.body.error.details[0]).toMatchObject({ field: 'items', rule: 'maxItems' });
  });
});
