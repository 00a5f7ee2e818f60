/**
 * The Lambda bundle as Lambda runs it: the bundled index.mjs imported fresh,
 * its `handler` called with API Gateway payload 2.0 events, against DynamoDB
 * from dynalite named through TABLE_NAME_PREFIX and AWS_ENDPOINT_URL_DYNAMODB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectSchema } from '../../schema/schema.js';
import { bundle } from '../bundle.mjs';
import { type Listening, startDynalite } from '../local/server.js';
import { createDynamoClient } from '../store/dynamo-client.js';
import { ensureTables } from '../store/tables.js';

let dir: string;
let db: Listening;
let outfile: string;
let bytes: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-lambda-'));
  [{ outfile, bytes }, db] = await Promise.all([
    bundle('lambda', { outdir: dir }),
    startDynalite(),
  ]);
  const dynamo = createDynamoClient({ localEndpoint: db.url });
  await ensureTables(dynamo, projectSchema(), 'mcfpipe-bundle-');
  dynamo.destroy();
});
afterAll(async () => {
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const event = (method: string, rawPath: string, body?: unknown) => ({
  version: '2.0' as const,
  routeKey: `ANY /{table}/{id}`,
  rawPath,
  rawQueryString: '',
  headers: body === undefined ? {} : { 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  isBase64Encoded: false,
  requestContext: { requestId: `req-${method}`, stage: '$default', http: { method } },
});

describe('the bundled Lambda handler', () => {
  it('is one file under 1 MB', () => {
    expect(bytes).toBeLessThan(1024 * 1024);
  });

  it('serves payload 2.0 events against the tables named by TABLE_NAME_PREFIX', async () => {
    vi.stubEnv('TABLE_NAME_PREFIX', 'mcfpipe-bundle-');
    vi.stubEnv('AWS_REGION', 'ap-southeast-1');
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', db.url);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { handler } = (await import(pathToFileURL(outfile).href)) as {
      handler: (
        e: unknown,
      ) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
    };
    const item = { track_id: 'me:x', user_id: 'me', name: 'X', search_terms: ['data'] };
    const put = await handler(event('PUT', '/track/me%3Ax', item));
    expect(put.statusCode).toBe(201);
    const get = await handler(event('GET', '/track/me%3Ax'));
    expect(get.statusCode).toBe(200);
    expect(JSON.parse(get.body)).toMatchObject({ ...item, active: true, version: 1 });
    const bad = await handler(event('PATCH', '/track/me%3Ax', { max_pages: 'ten' }));
    expect(bad.statusCode).toBe(400);
    // One structured log line per request, with the API Gateway request id.
    const lines = write.mock.calls.map((c) => JSON.parse(String(c[0])));
    expect(lines.map((l) => [l.request_id, l.method, l.route, l.status])).toEqual([
      ['req-PUT', 'PUT', '/{table}/{id}', 201],
      ['req-GET', 'GET', '/{table}/{id}', 200],
      ['req-PATCH', 'PATCH', '/{table}/{id}', 400],
    ]);
  });
});
