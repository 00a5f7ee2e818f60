/**
 * Bodies and query strings an attacker or a careless client sends, end to end
 * on the local stack (node:http + the handler + the table store + dynalite):
 * prototype keys, deep nesting, huge names and values, numbers DynamoDB
 * cannot store. Each is a 400 naming what is wrong; nothing is stored, and
 * the error answer stays small.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSchema } from '../../schema/schema.js';
import { MAX_ERROR_DETAILS, MAX_JSON_DEPTH } from '../contract.js';
import type { RequestLog } from '../http/handler.js';
import { type LocalDbApi, startLocalDbApi } from '../local/server.js';
import { TableStore } from '../store/table-store.js';
import { ensureTables } from '../store/tables.js';

let api: LocalDbApi;
const logs: RequestLog[] = [];

beforeAll(async () => {
  api = await startLocalDbApi({ log: (l) => logs.push(l) });
});
afterAll(async () => {
  await api?.stop();
});

const JOB = '0f4b6b4c7e1d4c6c9b2a6a1d3e5f7a9b';

async function send(method: string, path: string, body?: string) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    size: text.length,
    body: text
      ? (JSON.parse(text) as {
          error?: { code: string; message: string; details?: Array<Record<string, unknown>> };
        } & Record<string, unknown>)
      : undefined,
  };
}

const rules = (r: Awaited<ReturnType<typeof send>>) =>
  (r.body?.error?.details ?? []).map((d) => `${d.field}:${d.rule}`);

describe('__proto__ and other prototype keys', () => {
  it('refuses a track whose search_terms: 5 hides in __proto__, and stores nothing', async () => {
    const body = `{"track_id":"p:t1","user_id":"p","name":"T","__proto__":{"search_terms":5}}`;
    const r = await send('PUT', '/track/p%3At1', body);
    expect(r.status).toBe(400);
    expect(r.body?.error?.code).toBe('validation_failed');
    expect(rules(r)).toEqual(['__proto__:reserved_name']);
    expect((await send('GET', '/track/p%3At1')).status).toBe(404);
  });

  it('refuses a crm row with status HACKED and applied_date 2026-02-30 inside __proto__', async () => {
    const body = JSON.stringify({
      job_s_id: `p:${JOB}`,
      user_id: 'p',
      job_id: JOB,
    }).replace(/}$/, `,"__proto__":{"status":"HACKED","applied_date":"2026-02-30"}}`);
    const put = await send('PUT', `/crm/p%3A${JOB}`, body);
    expect(put.status).toBe(400);
    expect(rules(put)).toEqual(['__proto__:reserved_name']);
    expect((await send('GET', `/crm/p%3A${JOB}`)).status).toBe(404);

    // Nor can a PATCH of an existing row, or a batch item, carry it.
    expect(
      (await send('PUT', `/crm/p%3A${JOB}`, JSON.stringify({ user_id: 'p', job_id: JOB }))).status,
    ).toBe(201);
    const patch = await send('PATCH', `/crm/p%3A${JOB}`, `{"__proto__":{"status":"HACKED"}}`);
    expect(patch.status).toBe(400);
    expect(rules(patch)).toEqual(['__proto__:reserved_name']);
    const batch = await send(
      'POST',
      '/crm/batch',
      `{"mode":"merge","items":[{"job_s_id":"p:${JOB}","__proto__":{"status":"HACKED","applied_date":"2026-02-30"}}]}`,
    );
    expect(batch.status).toBe(400);
    expect(rules(batch)).toEqual(['items[0].__proto__:reserved_name']);
    const stored = await send('GET', `/crm/p%3A${JOB}`);
    expect(stored.body).toMatchObject({ status: 'new', version: 1 });
    expect(stored.body).not.toHaveProperty('applied_date');
  });

  it('refuses constructor and prototype as keys, and toString as an unknown field', async () => {
    const base = { track_id: 'p:t2', user_id: 'p', name: 'T', search_terms: ['x'] };
    for (const [key, rule] of [
      ['constructor', 'reserved_name'],
      ['prototype', 'reserved_name'],
      ['toString', 'unknown_field'],
      ['hasOwnProperty', 'unknown_field'],
    ] as const) {
      const r = await send('PUT', '/track/p%3At2', JSON.stringify({ ...base, [key]: 'x' }));
      expect(r.status, key).toBe(400);
      expect(rules(r), key).toEqual([`${key}:${rule}`]);
    }
    expect((await send('GET', '/track/p%3At2')).status).toBe(404);
  });

  it('refuses reserved names in preserve lists', async () => {
    const r = await send(
      'POST',
      '/job_search/batch',
      JSON.stringify({ items: [], preserve: ['first_seen', '__proto__', 'constructor'] }),
    );
    expect(r.status).toBe(400);
    expect(r.body?.error?.details).toEqual([
      expect.objectContaining({ field: 'preserve', rule: 'reserved_name', value: '__proto__' }),
      expect.objectContaining({ field: 'preserve', rule: 'reserved_name', value: 'constructor' }),
    ]);
  });

  it('refuses ?__proto__=x and other reserved filter names with a 400, never a full scan', async () => {
    for (const query of ['__proto__=x', 'constructor=x', 'prototype=1', '__proto__.gt=a']) {
      const r = await send('GET', `/track?${query}`);
      expect(r.status, query).toBe(400);
      expect(rules(r), query).toEqual([`${query.split('=')[0]}:reserved_name`]);
    }
    // toString is no field: refused as unknown, not read from Object.prototype.
    const r = await send('GET', '/track?toString=x');
    expect(r.status).toBe(400);
    expect(rules(r)).toEqual(['toString:unknown_field']);
  });
});

describe('deep nesting and unbounded values', () => {
  it('refuses a body nested 10,000 deep (50 KB) with a 400 naming the limit, and logs the request', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const bodies = [
      `{"items":${deep}}`,
      `{"track_id":"p:t3","user_id":"p","name":"T","search_terms":${deep}}`,
    ];
    for (const [method, path, body] of [
      ['POST', '/track/batch', bodies[0]!],
      ['PUT', '/track/p%3At3', bodies[1]!],
      ['PATCH', '/track/p%3At3', bodies[1]!],
    ] as const) {
      logs.length = 0;
      const r = await send(method, path, body);
      expect(r.status, method).toBe(400);
      expect(r.body?.error?.code).toBe('invalid_json');
      expect(r.body?.error?.message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
      expect(rules(r)).toEqual(['(body):maxDepth']);
      expect(logs).toEqual([expect.objectContaining({ status: 400, error_code: 'invalid_json' })]);
    }
  });

  it('counts only structure: brackets inside strings are no nesting', async () => {
    const name = '[[[[{{{{\\"'.repeat(18);
    const r = await send(
      'PUT',
      '/track/p%3At4',
      JSON.stringify({ user_id: 'p', name, search_terms: ['a'] }),
    );
    expect(r.status).toBe(201);
    expect(r.body?.name).toBe(name);
  });

  it('echoes bad values bounded: a list of deep lists, a 100 KB key, 10,000 unknown fields', async () => {
    const nested = JSON.stringify({
      user_id: 'p',
      name: 'T',
      search_terms: Array.from({ length: 1000 }, () => [[['x'.repeat(1000)]]]),
    });
    const r1 = await send('PUT', '/track/p%3At5', nested);
    expect(r1.status).toBe(400);
    expect(r1.body?.error?.details?.[0]).toMatchObject({ field: 'search_terms', rule: 'type' });
    expect(r1.body?.error?.details?.[0]?.value).toEqual(Array(20).fill('[…]'));

    const longKey = 'k'.repeat(100_000);
    const r2 = await send(
      'PUT',
      '/track/p%3At5',
      JSON.stringify({ [longKey]: 'v'.repeat(100_000) }),
    );
    expect(r2.status).toBe(400);
    expect(r2.size).toBeLessThan(5000);
    expect(r2.body?.error?.details?.[0]?.field).toBe(`${'k'.repeat(100)}…`);

    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, i]));
    const r3 = await send('PUT', '/track/p%3At5', JSON.stringify(many));
    expect(r3.status).toBe(400);
    expect(r3.body?.error?.details).toHaveLength(MAX_ERROR_DETAILS);
    expect(r3.body?.error?.message).toContain(`the first ${MAX_ERROR_DETAILS} listed`);
    expect(r3.size).toBeLessThan(20_000);
  });
});

describe('numbers DynamoDB cannot store', () => {
  const keyword = (weight: unknown) =>
    `{"user_id":"p","library":"core","keyword":"sql","weight":${weight}}`;

  it('refuses magnitudes below 1e-130 with a 400 instead of a 500, and stores the smallest allowed', async () => {
    for (const weight of ['1e-131', '-5e-324', '1e-200']) {
      const r = await send('PUT', '/keyword/p%3Acore%3Asql', keyword(weight));
      expect(r.status, weight).toBe(400);
      expect(rules(r)).toEqual(['weight:storable']);
      expect(r.body?.error?.details?.[0]?.message).toMatch(/1e-130 to 9\.99e125/);
    }
    const ok = await send('PUT', '/keyword/p%3Acore%3Asql', keyword('1e-130'));
    expect(ok.status).toBe(201);
    expect(ok.body?.weight).toBe(1e-130);
  });

  it('refuses magnitudes above 9.99e125 in a batch, naming the item', async () => {
    const r = await send(
      'POST',
      '/job_score/batch',
      JSON.stringify({
        items: [
          {
            job_s_id: `p:${JOB}`,
            user_id: 'p',
            job_id: JOB,
            track_id: 'p:t',
            score: 1e200,
            scored_at: '2026-03-01 09:00',
          },
        ],
      }),
    );
    expect(r.status).toBe(400);
    expect(rules(r)).toEqual(['items[0].score:storable']);
  });
});

describe('what the store reads back', () => {
  it('stores and reads back numbers beyond 2^53 that the schema allows, as numbers', async () => {
    // A schema whose number field has no bounds: only DynamoDB's own limits apply.
    const doc = JSON.parse(
      readFileSync(new URL('../../schema/db_schema.json', import.meta.url), 'utf8'),
    );
    delete doc.tables.keyword.fields.weight.minimum;
    delete doc.tables.keyword.fields.weight.maximum;
    const schema = checkSchema(doc);
    await ensureTables(api.dynamo, schema, 'mcfpipe-numbers-');
    const store = new TableStore({ dynamo: api.dynamo, tablePrefix: 'mcfpipe-numbers-', schema });
    const kw = { user_id: 'p', library: 'l', keyword: 'k' };
    for (const [i, weight] of [2 ** 60, 1e100, -9.99e125, 1.5e-100].entries()) {
      const { item } = await store.put('keyword', `p:l:${i}`, {
        ...kw,
        keyword_id: `p:l:${i}`,
        weight,
      });
      expect(item.weight).toBe(weight);
      expect((await store.get('keyword', `p:l:${i}`))?.weight).toBe(weight);
    }
    await expect(
      store.put('keyword', 'p:l:x', { ...kw, keyword_id: 'p:l:x', weight: 1e126 }),
    ).rejects.toMatchObject({
      problems: [expect.objectContaining({ field: 'weight', rule: 'storable' })],
    });
    const batch = await store.batchUpsert('keyword', [
      { ...kw, keyword_id: 'p:l:b', weight: 1e20 },
    ]);
    expect(batch.created).toBe(1);
    const listed = await store.list('keyword', { where: { user_id: 'p' } });
    expect(listed.items.map((k) => k.weight)).toContain(1e20);
  });
});
