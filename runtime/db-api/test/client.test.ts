import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../core/testing/virtual-clock.js';
import {
  DbApiBatchError,
  DbApiClient,
  type DbApiClientOptions,
  DbApiConflictError,
  DbApiError,
  DbApiNotFoundError,
  DbApiValidationError,
} from '../client.js';
import { MAX_BODY_BYTES } from '../contract.js';
import { regionFromHost } from '../sigv4.js';
import {
  errorBody,
  type ScriptedAnswer,
  type ScriptedServer,
  scriptedServer,
} from './scripted-server.js';

const TRACK = {
  track_id: 'me:data-eng',
  user_id: 'me',
  name: 'Data engineering',
  search_terms: ['data engineer'],
  active: true,
};
const STORED = {
  ...TRACK,
  created: '2026-01-02 09:30',
  last_modified: '2026-01-02 09:30',
  version: 1,
};

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function setup(
  answer: (req: ScriptedServer['requests'][number], i: number) => ScriptedAnswer,
  opts: Partial<DbApiClientOptions> = {},
) {
  server = await scriptedServer(answer);
  const clock = new VirtualClock(0);
  const client = new DbApiClient({ url: server.url, clock, random: () => 0.5, ...opts });
  return { client, sleeps: clock.sleeps, requests: server.requests };
}

describe('DbApiClient reads and writes', () => {
  it('gets an item, encoding the id into the path', async () => {
    const { client, requests } = await setup(() => ({ status: 200, body: STORED }));
    const item = await client.get('track', 'me:data-eng');
    expect(item).toEqual(STORED);
    expect(item.search_terms).toEqual(['data engineer']);
    expect(requests[0]).toMatchObject({ method: 'GET', url: '/track/me%3Adata-eng' });
    expect(requests[0]!.headers.accept).toBe('application/json');
  });

  it('keeps a stage path of the base URL', async () => {
    server = await scriptedServer(() => ({ status: 200, body: STORED }));
    const client = new DbApiClient({ url: `${server.url}/dev` });
    await client.get('track', 'x');
    expect(server.requests[0]!.url).toBe('/dev/track/x');
  });

  it('find returns undefined for a missing item but throws for an unknown table', async () => {
    const { client } = await setup((req) =>
      req.url.startsWith('/track/')
        ? { status: 404, body: errorBody('not_found', 'track me:x does not exist') }
        : { status: 404, body: errorBody('unknown_table', 'no table nope') },
    );
    expect(await client.find('track', 'me:x')).toBeUndefined();
    await expect(client.find('nope' as 'track', 'a')).rejects.toBeInstanceOf(DbApiNotFoundError);
  });

  it('puts with If-Match and If-None-Match, and tells created from replaced', async () => {
    const { client, requests } = await setup((_req, i) => ({
      status: i === 0 ? 201 : 200,
      body: { ...STORED, version: i + 1 },
    }));
    const first = await client.put('track', TRACK.track_id, TRACK, { ifNoneMatch: '*' });
    expect(first.created).toBe(true);
    const second = await client.put('track', TRACK.track_id, TRACK, { ifMatch: 1 });
    expect(second).toMatchObject({ created: false, item: { version: 2 } });
    expect(requests[0]!.headers['if-none-match']).toBe('*');
    expect(requests[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(requests[0]!.body)).toEqual(TRACK);
    expect(requests[1]!.headers['if-match']).toBe('"1"');
  });

  it('patches and deletes, ignoring a missing item only when asked', async () => {
    const { client, requests } = await setup((req) =>
      req.method === 'PATCH'
        ? { status: 200, body: { ...STORED, name: 'New', version: 2 } }
        : req.url.endsWith('gone')
          ? { status: 404, body: errorBody('not_found', 'gone') }
          : { status: 204 },
    );
    expect(await client.patch('track', 'me:a', { name: 'New', max_pages: null })).toMatchObject({
      name: 'New',
    });
    expect(JSON.parse(requests[0]!.body)).toEqual({ name: 'New', max_pages: null });
    expect(await client.delete('track', 'me:a', { ifMatch: 2 })).toBe(true);
    expect(requests[1]!.headers['if-match']).toBe('"2"');
    expect(await client.delete('track', 'gone', { ignoreMissing: true })).toBe(false);
    await expect(client.delete('track', 'gone')).rejects.toBeInstanceOf(DbApiNotFoundError);
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(() => new DbApiClient({ url: 'not a url' })).toThrow(/is not a URL/);
    expect(() => new DbApiClient({ url: 'ftp://x' })).toThrow(/http:\/\/ or https:\/\//);
  });
});

describe('DbApiClient errors', () => {
  it('raises a validation error carrying every detail and the request id', async () => {
    const details = [
      { field: 'name', rule: 'required', value: null },
      { field: 'max_pages', rule: 'type', value: 'ten' },
    ];
    const { client } = await setup(() => ({
      status: 400,
      body: errorBody('validation_failed', '2 invalid fields', { details }),
    }));
    const err = await client.put('track', 'me:a', TRACK).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbApiValidationError);
    const e = err as DbApiValidationError;
    expect(e).toMatchObject({
      status: 400,
      code: 'validation_failed',
      requestId: 'req-1',
      details,
    });
    expect(e.message).toBe(
      'DB API PUT /track/me%3Aa failed: 400 validation_failed: 2 invalid fields [name (required), max_pages (type)] (request id req-1)',
    );
  });

  it('raises a conflict error with the stored version', async () => {
    const { client } = await setup(() => ({
      status: 409,
      body: errorBody('conflict', 'version 3 does not match If-Match 2', { current_version: 3 }),
    }));
    const err = await client.patch('track', 'me:a', { name: 'x' }, { ifMatch: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(DbApiConflictError);
    expect((err as DbApiConflictError).currentVersion).toBe(3);
  });

  it('reports a non-JSON error answer by its text', async () => {
    server = await scriptedServer(() => ({ status: 502, body: undefined }));
    const client = new DbApiClient({ url: server.url, attempts: 1 });
    const err = (await client.get('track', 'a').catch((e) => e)) as DbApiError;
    expect(err).toBeInstanceOf(DbApiError);
    expect(err).toMatchObject({ status: 502, code: 'http_502' });
  });
});

describe('DbApiClient retries', () => {
  it('retries 503 and 429 with backoff, honouring Retry-After, then succeeds', async () => {
    const retries: number[] = [];
    const { client, sleeps, requests } = await setup(
      (_req, i) =>
        i === 0
          ? { status: 503, body: errorBody('service_unavailable', 'throttled') }
          : i === 1
            ? {
                status: 429,
                body: errorBody('too_many', 'slow down'),
                headers: { 'retry-after': '2' },
              }
            : { status: 200, body: STORED },
      { onRetry: (info) => retries.push(info.status ?? 0) },
    );
    expect(await client.get('track', 'a')).toEqual(STORED);
    expect(requests).toHaveLength(3);
    expect(retries).toEqual([503, 429]);
    expect(sleeps).toEqual([100, 2000]); // backoff: max(base/2, 0.5 * 200); then Retry-After
  });

  it('gives up after the configured attempts with the last error', async () => {
    const { client, requests } = await setup(
      () => ({ status: 503, body: errorBody('service_unavailable', 'DynamoDB is throttling') }),
      { attempts: 3 },
    );
    const err = (await client.get('track', 'a').catch((e) => e)) as DbApiError;
    expect(err).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(requests).toHaveLength(3);
  });

  it('does not retry a conditional write on 500 (the write may have happened), but does on 429', async () => {
    const { client, requests } = await setup((_req, i) =>
      i === 0 ? { status: 500, body: errorBody('internal_error', 'boom') } : { status: 200 },
    );
    await expect(client.patch('track', 'a', { name: 'x' }, { ifMatch: 1 })).rejects.toMatchObject({
      status: 500,
    });
    expect(requests).toHaveLength(1);

    await server!.stop();
    const again = await setup((_req, i) =>
      i === 0
        ? { status: 429, body: errorBody('too_many', 'slow down') }
        : { status: 200, body: STORED },
    );
    expect(await again.client.patch('track', 'a', { name: 'x' }, { ifMatch: 1 })).toEqual(STORED);
    expect(again.requests).toHaveLength(2);
  });

  it('retries an unconditional write on 500', async () => {
    const { client, requests } = await setup((_req, i) =>
      i === 0
        ? { status: 500, body: errorBody('internal_error', 'boom') }
        : { status: 200, body: STORED },
    );
    expect((await client.put('track', 'a', TRACK)).item).toEqual(STORED);
    expect(requests).toHaveLength(2);
  });

  it('reports an unreachable API as a network error after retrying', async () => {
    server = await scriptedServer(() => ({ status: 200 }));
    const url = server.url;
    await server.stop();
    server = undefined;
    const clock = new VirtualClock(0);
    const client = new DbApiClient({ url, attempts: 2, clock });
    const err = (await client.get('track', 'a').catch((e) => e)) as DbApiError;
    expect(err).toBeInstanceOf(DbApiError);
    expect(err.status).toBe(0);
    expect(err.code).toBe('network_error');
    expect(err.message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(clock.sleeps).toHaveLength(1);
  });
});

describe('DbApiClient listing', () => {
  it('iterates every page, passing filters, sort conditions and limit', async () => {
    const pages: Record<string, { items: unknown[]; next_cursor: string | null }> = {
      '': { items: [{ n: 1 }, { n: 2 }], next_cursor: 'c1' },
      c1: { items: [{ n: 3 }, { n: 4 }], next_cursor: 'c2' },
      c2: { items: [{ n: 5 }], next_cursor: null },
    };
    const { client, requests } = await setup((req) => {
      const cursor = new URL(req.url, 'http://x').searchParams.get('cursor') ?? '';
      return { status: 200, body: pages[cursor] };
    });
    const seen: unknown[] = [];
    for await (const item of client.listAll('job_search', {
      where: { user_id: 'me' },
      sort: { field: 'last_seen', op: 'gte', value: '2026-01-01 00:00' },
      limit: 2,
    })) {
      seen.push(item);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
    expect(requests).toHaveLength(3);
    const first = new URL(requests[0]!.url, 'http://x');
    expect(first.pathname).toBe('/job_search');
    expect(Object.fromEntries(first.searchParams)).toEqual({
      user_id: 'me',
      'last_seen.gte': '2026-01-01 00:00',
      limit: '2',
    });
    expect(new URL(requests[2]!.url, 'http://x').searchParams.get('cursor')).toBe('c2');
  });
});

describe('DbApiClient batch', () => {
  const keyword = (i: number) => ({
    keyword_id: `me:lib:k${i}`,
    user_id: 'me',
    library: 'lib',
    keyword: `k${i}`,
  });

  it('splits into requests of at most 500 items, in order, and sums the results', async () => {
    const progress: number[] = [];
    const { client, requests } = await setup((req) => {
      const body = JSON.parse(req.body) as { items: unknown[] };
      return {
        status: 200,
        body: { written: body.items.length, created: body.items.length, updated: 0 },
      };
    });
    const items = Array.from({ length: 1201 }, (_, i) => keyword(i));
    const result = await client.batch('keyword', items, {
      mode: 'merge',
      preserve: ['library'],
      onProgress: (p) => progress.push(p.items),
    });
    expect(result).toEqual({ written: 1201, created: 1201, updated: 0 });
    expect(requests.map((r) => (JSON.parse(r.body) as { items: unknown[] }).items.length)).toEqual([
      500, 500, 201,
    ]);
    expect(JSON.parse(requests[0]!.body)).toMatchObject({ mode: 'merge', preserve: ['library'] });
    expect(requests[0]!.url).toBe('/keyword/batch');
    expect(progress).toEqual([500, 1000, 1201]);
    const ids = requests.flatMap((r) =>
      (JSON.parse(r.body) as { items: Array<{ keyword_id: string }> }).items.map(
        (k) => k.keyword_id,
      ),
    );
    expect(ids).toEqual(items.map((k) => k.keyword_id));
  });

  it('keeps every request under the body limit', async () => {
    const { client, requests } = await setup((req) => {
      const n = (JSON.parse(req.body) as { items: unknown[] }).items.length;
      return { status: 200, body: { written: n, created: 0, updated: n } };
    });
    const big = 'x'.repeat(90_000);
    const jobs = Array.from({ length: 120 }, (_, i) => ({ job_id: String(i), description: big }));
    await client.batch('job', jobs as never[]);
    expect(requests.length).toBeGreaterThan(2);
    for (const r of requests) expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(
      requests.reduce((n, r) => n + (JSON.parse(r.body) as { items: unknown[] }).items.length, 0),
    ).toBe(120);
  });

  it('names the caller positions of invalid items and what earlier requests wrote', async () => {
    const { client } = await setup((_req, i) =>
      i === 0
        ? { status: 200, body: { written: 500, created: 500, updated: 0 } }
        : {
            status: 400,
            body: errorBody('validation_failed', '1 invalid item', {
              details: [{ field: 'items[3].keyword', rule: 'required', value: null }],
            }),
          },
    );
    const items = Array.from({ length: 600 }, (_, i) => keyword(i));
    const err = (await client.batch('keyword', items).catch((e) => e)) as DbApiBatchError;
    expect(err).toBeInstanceOf(DbApiBatchError);
    expect(err.written).toBe(500);
    expect(err.status).toBe(400);
    expect(err.details).toEqual([{ field: 'items[503].keyword', rule: 'required', value: null }]);
    expect(err.message).toMatch(/500 item\(s\) of earlier requests of this batch were written/);
  });

  it('throws the plain error when the first request fails', async () => {
    const { client } = await setup(() => ({
      status: 400,
      body: errorBody('validation_failed', 'bad', {
        details: [{ field: 'items[1].keyword', rule: 'required', value: null }],
      }),
    }));
    const err = await client.batch('keyword', [keyword(1), keyword(2)]).catch((e) => e);
    expect(err).toBeInstanceOf(DbApiValidationError);
    expect((err as DbApiValidationError).details[0]!.field).toBe('items[1].keyword');
  });
});

describe('DbApiClient SigV4', () => {
  const credentials = {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    sessionToken: 'session-token',
  };

  it('signs requests so that API Gateway would compute the same signature', async () => {
    const { client, requests } = await setup(() => ({ status: 200, body: STORED }), {
      sigv4: { region: 'ap-southeast-1', credentials },
    });
    await client.put('track', 'me:data-eng', TRACK, { ifMatch: 1 });
    await client.list('track', { where: { user_id: 'me' }, limit: 5 });
    for (const seen of requests) {
      const auth = String(seen.headers.authorization);
      expect(auth).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/ap-southeast-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
      );
      expect(seen.headers['x-amz-security-token']).toBe('session-token');
      // Recompute as the server side would, from what arrived.
      const url = new URL(seen.url, server!.url);
      const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)![1]!.split(';');
      expect(signedHeaders).toContain('host');
      const headers: Record<string, string> = {};
      for (const h of signedHeaders) headers[h] = String(seen.headers[h]);
      const amzDate = String(seen.headers['x-amz-date']);
      const signingDate = new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
      );
      const expected = await new SignatureV4({
        service: 'execute-api',
        region: 'ap-southeast-1',
        credentials,
        sha256: NodeSha256,
        applyChecksum: false,
      }).sign(
        {
          method: seen.method,
          protocol: 'http:',
          hostname: url.hostname,
          port: Number(url.port),
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers,
          ...(seen.body ? { body: seen.body } : {}),
        },
        { signingDate },
      );
      expect(expected.headers.authorization).toBe(auth);
    }
  });

  it('takes the region from an execute-api host name', () => {
    expect(regionFromHost('abc123.execute-api.ap-southeast-1.amazonaws.com')).toBe(
      'ap-southeast-1',
    );
    expect(regionFromHost('127.0.0.1')).toBeUndefined();
  });
});

/** An independent SHA-256 for the verifier, so the test does not reuse the client's. */
class NodeSha256 {
  private readonly parts: Buffer[] = [];
  constructor(private readonly secret?: unknown) {}
  update(data: string | Uint8Array): void {
    this.parts.push(Buffer.from(data as Uint8Array));
  }
  async digest(): Promise<Uint8Array> {
    const { createHash, createHmac } = await import('node:crypto');
    const h =
      this.secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', Buffer.from(this.secret as Uint8Array));
    return new Uint8Array(h.update(Buffer.concat(this.parts)).digest());
  }
  reset(): void {
    this.parts.length = 0;
  }
}

describe('DbApiClient.getMany', () => {
  type Sent = { ids: string[]; fields?: string[] };
  const sent = (r: { body: string }) => JSON.parse(r.body) as Sent;
  const hex = (i: number) => i.toString(16).padStart(32, '0');

  it('reads any number of ids in requests of at most 100, each id once, in order', async () => {
    const { client, requests } = await setup((req) => {
      const { ids } = sent(req);
      const found = ids.filter((id) => !id.endsWith('7'));
      return {
        status: 200,
        body: {
          items: found.map((job_id) => ({ job_id, title: `T ${job_id}` })),
          missing: ids.filter((id) => id.endsWith('7')),
          unprocessed: [],
        },
      };
    });
    const ids = Array.from({ length: 250 }, (_, i) => hex(i));
    const asked = [...ids, ids[3]!, ids[200]!]; // repeats cost nothing
    const { items, missing } = await client.getMany('job', asked, { fields: ['title'] });
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(
      Array(3).fill('POST /job/batch-get'),
    );
    // Sent 4 at a time, so they may arrive in any order.
    expect(requests.map((r) => sent(r).ids.length).sort()).toEqual([100, 100, 50].sort());
    expect(requests.flatMap((r) => sent(r).ids).sort()).toEqual(ids);
    expect(sent(requests[0]!).fields).toEqual(['title']);
    expect(items.map((i) => i.job_id)).toEqual(ids.filter((id) => !id.endsWith('7')));
    expect(missing).toEqual(ids.filter((id) => id.endsWith('7')));
  });

  it('sends no request for no ids, and no fields unless asked', async () => {
    const { client, requests } = await setup(() => ({
      status: 200,
      body: { items: [], missing: ['me:a'], unprocessed: [] },
    }));
    expect(await client.getMany('track', [])).toEqual({ items: [], missing: [] });
    expect(requests).toHaveLength(0);
    await client.getMany('track', ['me:a']);
    expect(sent(requests[0]!)).toEqual({ ids: ['me:a'] });
  });

  it('asks again for the ids an answer left unprocessed (its size limit), and only those', async () => {
    const { client, requests } = await setup((req) => {
      const { ids } = sent(req);
      const [first, ...rest] = ids;
      return {
        status: 200,
        body: { items: [{ track_id: first }], missing: [], unprocessed: rest },
      };
    });
    const { items } = await client.getMany('track', ['me:a', 'me:b', 'me:c']);
    expect(items.map((i) => i.track_id)).toEqual(['me:a', 'me:b', 'me:c']);
    expect(requests.map((r) => sent(r).ids)).toEqual([
      ['me:a', 'me:b', 'me:c'],
      ['me:b', 'me:c'],
      ['me:c'],
    ]);
  });

  it('stops with an error when an answer reads none of its ids, instead of asking forever', async () => {
    const { client, requests } = await setup((req) => ({
      status: 200,
      body: { items: [], missing: [], unprocessed: sent(req).ids },
    }));
    await expect(client.getMany('track', ['me:a', 'me:b'])).rejects.toThrow(
      /read none of the 2 ids it was sent/,
    );
    expect(requests).toHaveLength(1);
  });

  it("names the caller's positions of invalid ids", async () => {
    const { client } = await setup((req) => {
      const { ids } = sent(req);
      const bad = ids.indexOf('NOT VALID');
      return bad < 0
        ? { status: 200, body: { items: [], missing: ids, unprocessed: [] } }
        : {
            status: 400,
            body: errorBody('validation_failed', '1 invalid field; see details', {
              details: [{ field: `ids[${bad}]`, rule: 'format', value: 'NOT VALID' }],
            }),
          };
    });
    const ids = Array.from({ length: 150 }, (_, i) => `me:t${i}`);
    ids.splice(120, 0, 'me:t3'); // a repeat before the bad id shifts nothing the server sees
    ids.push('NOT VALID');
    const err = (await client.getMany('track', ids).catch((e) => e)) as DbApiValidationError;
    expect(err).toBeInstanceOf(DbApiValidationError);
    expect(err.details).toEqual([{ field: 'ids[151]', rule: 'format', value: 'NOT VALID' }]);
  });
});
