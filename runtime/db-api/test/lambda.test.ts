import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type HttpApiEventV2,
  handler,
  type RestApiEventV1,
  requestFromEvent,
  storeFromEnv,
} from '../lambda.js';

const ddb = mockClient(DynamoDBClient);
beforeEach(() => ddb.reset());

const STORED = {
  track_id: 'me:data',
  user_id: 'me',
  name: 'Data',
  search_terms: ['data'],
  active: true,
  created: '2026-01-01 09:00',
  last_modified: '2026-01-01 09:00',
  version: 4,
};

function v2(method: string, rawPath: string, extra: Partial<HttpApiEventV2> = {}): HttpApiEventV2 {
  return {
    version: '2.0',
    rawPath,
    rawQueryString: '',
    headers: {},
    requestContext: { requestId: 'apigw-req-1', stage: '$default', http: { method } },
    ...extra,
  };
}

describe('requestFromEvent', () => {
  it('reads payload 2.0 events: named stage removed, query kept raw, base64 bodies decoded', () => {
    const req = requestFromEvent(
      v2('PUT', '/dev/track/me%3Adata', {
        rawQueryString: 'user_id=me&user_id=you',
        headers: { 'content-type': 'application/json', 'if-match': '"4"' },
        body: Buffer.from('{"name":"x"}').toString('base64'),
        isBase64Encoded: true,
        requestContext: { requestId: 'r2', stage: 'dev', http: { method: 'PUT' } },
      }),
    );
    expect(req).toMatchObject({
      method: 'PUT',
      path: '/track/me%3Adata',
      body: '{"name":"x"}',
      requestId: 'r2',
    });
    expect(req.query.getAll('user_id')).toEqual(['me', 'you']);
    expect(req.headers['if-match']).toBe('"4"');
  });

  it('reads REST API (1.0) proxy events: lower-cased headers and repeated query parameters', () => {
    const event: RestApiEventV1 = {
      httpMethod: 'get',
      path: '/keyword',
      headers: { 'Content-Type': 'application/json', 'If-Match': '*' },
      multiValueQueryStringParameters: { user_id: ['me'], limit: ['5'] },
      queryStringParameters: { user_id: 'me', limit: '5' },
      body: null,
      requestContext: { requestId: 'r1' },
    };
    const req = requestFromEvent(event);
    expect(req).toMatchObject({ method: 'GET', path: '/keyword', requestId: 'r1' });
    expect(req.body).toBeUndefined();
    expect(req.headers['if-match']).toBe('*');
    expect(Object.fromEntries(req.query)).toEqual({ user_id: 'me', limit: '5' });
  });
});

describe('handler', () => {
  it('serves a 2.0 event against DynamoDB named by TABLE_NAME_PREFIX, with the ETag', async () => {
    vi.stubEnv('TABLE_NAME_PREFIX', 'mcfpipe-dev-');
    vi.stubEnv('AWS_REGION', 'ap-southeast-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    ddb.on(GetItemCommand).resolves({ Item: marshall(STORED) });
    const res = await handler(v2('GET', '/track/me%3Adata'));
    expect(res).toMatchObject({ statusCode: 200, isBase64Encoded: false });
    expect(res.headers).toMatchObject({ etag: '"4"', 'x-request-id': 'apigw-req-1' });
    expect(JSON.parse(res.body)).toEqual(STORED);
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'mcfpipe-dev-track',
      Key: { track_id: { S: 'me:data' } },
      ConsistentRead: true,
    });

    // A PATCH with If-Match is one conditional UpdateItem.
    ddb
      .on(UpdateItemCommand)
      .resolves({ Attributes: marshall({ ...STORED, name: 'New', version: 5 }) });
    const patched = await handler({
      httpMethod: 'PATCH',
      path: '/track/me%3Adata',
      headers: { 'Content-Type': 'application/json', 'If-Match': '"4"' },
      body: '{"name":"New"}',
      requestContext: { requestId: 'r-v1' },
    });
    expect(patched.statusCode).toBe(200);
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    const resolve = (expr: string) =>
      expr
        .replace(/#n\d+/g, (n) => input.ExpressionAttributeNames![n]!)
        .replace(/:v\d+/g, (v) =>
          JSON.stringify(Object.values(input.ExpressionAttributeValues![v]!)[0]),
        );
    expect(resolve(input.ConditionExpression!)).toBe(
      'attribute_exists(track_id) AND version = "4"',
    );
    expect(resolve(input.UpdateExpression!)).toMatch(
      /^SET name = "New", created = if_not_exists\(created, "\d{4}-\d\d-\d\d \d\d:\d\d"\), last_modified = "[^"]+" ADD version "1"$/,
    );
  });

  it('answers a body nested 10,000 deep with a 400 and a request log, not an invocation error', async () => {
    vi.stubEnv('TABLE_NAME_PREFIX', 'mcfpipe-dev-');
    vi.stubEnv('AWS_REGION', 'ap-southeast-1');
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const res = await handler(
      v2('PUT', '/track/me%3Adata', {
        headers: { 'content-type': 'application/json' },
        body: `{"user_id":"me","name":"x","search_terms":${deep}}`,
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({
      code: 'invalid_json',
      details: [{ field: '(body)', rule: 'maxDepth' }],
    });
    expect(ddb.calls()).toHaveLength(0);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ msg: 'request', status: 400, error_code: 'invalid_json' }),
    ]);
  });

  it('explains a missing TABLE_NAME_PREFIX', () => {
    expect(() => storeFromEnv({})).toThrow(/TABLE_NAME_PREFIX is not set/);
  });
});
