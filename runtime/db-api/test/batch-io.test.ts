/**
 * Batch reads and writes against DynamoDB's real partial answers
 * (UnprocessedItems / UnprocessedKeys under throttling), replayed with
 * aws-sdk-client-mock: dynalite never throttles.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../core/testing/virtual-clock.js';
import { createHandler, type RequestLog } from '../http/handler.js';
import { batchGet, batchWrite } from '../store/batch-io.js';
import { StoreUnavailableError } from '../store/errors.js';
import { TableStore } from '../store/table-store.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const TABLE = 'mcfpipe-dev-keyword';
const items = (n: number) =>
  Array.from({ length: n }, (_, i) => marshall({ keyword_id: `me:l:k${i}`, user_id: 'me' }));

beforeEach(() => ddb.reset());

describe('batchWrite', () => {
  it('writes in chunks of 25 and retries unprocessed items with backoff', async () => {
    const all = items(60);
    const clock = new VirtualClock(0);
    let call = 0;
    ddb.on(BatchWriteItemCommand).callsFake((input) => {
      call++;
      const requests = input.RequestItems[TABLE];
      // The first answer leaves 5 items unprocessed, as DynamoDB does when a partition throttles.
      return call === 1
        ? { UnprocessedItems: { [TABLE]: requests.slice(20) } }
        : { UnprocessedItems: {} };
    });
    const written = await batchWrite(client, TABLE, all, {
      concurrency: 1,
      clock,
      random: () => 0.5,
    });
    expect(written).toBe(60);
    const calls = ddb
      .commandCalls(BatchWriteItemCommand)
      .map((c) => c.args[0].input.RequestItems![TABLE]!.length);
    expect(calls).toEqual([25, 5, 25, 10]);
    expect(clock.sleeps).toEqual([25]);
    const retried = ddb.commandCalls(BatchWriteItemCommand)[1]!.args[0].input.RequestItems![TABLE]!;
    expect(retried.map((r) => r.PutRequest!.Item!.keyword_id!.S)).toEqual(
      ['k20', 'k21', 'k22', 'k23', 'k24'].map((k) => `me:l:${k}`),
    );
  });

  it('gives up after the configured rounds, saying how many items were written', async () => {
    ddb.on(BatchWriteItemCommand).callsFake((input) => ({
      UnprocessedItems: { [TABLE]: input.RequestItems[TABLE].slice(-1) },
    }));
    const err = (await batchWrite(client, TABLE, items(3), {
      attempts: 3,
      clock: new VirtualClock(0),
    }).catch((e) => e)) as StoreUnavailableError;
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err.written).toBe(2);
    expect(err.message).toMatch(
      /left 1 item\(s\) of table mcfpipe-dev-keyword unwritten after 3 BatchWriteItem rounds/,
    );
  });
});

describe('batchGet', () => {
  it('reads in chunks of 100 and retries unprocessed keys', async () => {
    let call = 0;
    ddb.on(BatchGetItemCommand).callsFake((input) => {
      call++;
      const keys = input.RequestItems[TABLE].Keys;
      if (call === 1) {
        return {
          Responses: { [TABLE]: keys.slice(0, 90) },
          UnprocessedKeys: { [TABLE]: { Keys: keys.slice(90) } },
        };
      }
      return { Responses: { [TABLE]: keys } };
    });
    const found = await batchGet(
      client,
      TABLE,
      { keys: items(150), projection: ['keyword_id', 'version'] },
      {
        concurrency: 1,
        clock: new VirtualClock(0),
      },
    );
    expect(found).toHaveLength(150);
    const sent = ddb
      .commandCalls(BatchGetItemCommand)
      .map((c) => c.args[0].input.RequestItems![TABLE]!);
    expect(sent.map((s) => s.Keys!.length)).toEqual([100, 10, 50]);
    expect(sent[0]).toMatchObject({
      ConsistentRead: true,
      ProjectionExpression: '#p0, #p1',
      ExpressionAttributeNames: { '#p0': 'keyword_id', '#p1': 'version' },
    });
  });
});

describe('the handler under DynamoDB failures', () => {
  const store = () =>
    new TableStore({
      dynamo: client,
      tablePrefix: 'mcfpipe-dev-',
      batch: { attempts: 2, clock: new VirtualClock(0) },
    });
  const request = (method: string, path: string, body?: unknown) => ({
    method,
    path,
    query: new URLSearchParams(),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    requestId: 'req-42',
  });

  it('answers 503 with Retry-After when DynamoDB keeps throttling, and logs the cause', async () => {
    ddb.rejects(
      new ProvisionedThroughputExceededException({
        message: 'Rate of requests exceeds the allowed throughput',
        $metadata: {},
      }),
    );
    const logs: RequestLog[] = [];
    const handle = createHandler({ store: store(), log: (l) => logs.push(l) });
    const res = await handle(request('GET', '/keyword/me:l:k1'));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(JSON.parse(res.body!)).toEqual({
      error: {
        code: 'service_unavailable',
        message:
          'DynamoDB is throttling; retry with backoff (the request is safe to repeat: a read changes nothing, and a write is keyed, so items a batch already stored are stored again as sent)',
        request_id: 'req-42',
      },
    });
    expect(logs[0]).toMatchObject({
      level: 'error',
      status: 503,
      error: expect.stringContaining('ProvisionedThroughputExceeded'),
    });
  });

  it('answers 503 when a batch stays unprocessed, having validated and read first', async () => {
    ddb.on(BatchGetItemCommand).resolves({ Responses: { 'mcfpipe-dev-keyword': [] } });
    ddb.on(BatchWriteItemCommand).callsFake((input) => ({ UnprocessedItems: input.RequestItems }));
    const handle = createHandler({ store: store(), log: () => {} });
    const res = await handle(
      request('POST', '/keyword/batch', {
        items: [{ keyword_id: 'me:l:a', user_id: 'me', library: 'l', keyword: 'a' }],
      }),
    );
    expect(res.status).toBe(503);
  });

  it('answers a batch read 503 when DynamoDB keeps leaving its keys unprocessed', async () => {
    ddb.on(BatchGetItemCommand).callsFake((input) => ({
      Responses: { 'mcfpipe-dev-keyword': [] },
      UnprocessedKeys: input.RequestItems,
    }));
    const logs: RequestLog[] = [];
    const handle = createHandler({ store: store(), log: (l) => logs.push(l) });
    const res = await handle(request('POST', '/keyword/batch-get', { ids: ['me:l:a', 'me:l:b'] }));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(JSON.parse(res.body!).error.code).toBe('service_unavailable');
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(2); // the store's bound: 2 rounds
    expect(logs[0]).toMatchObject({
      route: '/{table}/batch-get',
      status: 503,
      error: expect.stringContaining('left 2 key(s) of table mcfpipe-dev-keyword unread after 2'),
    });
  });

  it('answers 400 cursor when DynamoDB refuses the start key of a well-formed cursor', async () => {
    ddb.on(ScanCommand).rejects(
      Object.assign(new Error('The provided starting key is invalid'), {
        name: 'ValidationException',
      }),
    );
    const cursor = Buffer.from(
      JSON.stringify({ i: '', k: { keyword_id: { S: 'me:l:k1' } } }),
    ).toString('base64url');
    const handle = createHandler({ store: store(), log: () => {} });
    const res = await handle({
      ...request('GET', '/keyword'),
      query: new URLSearchParams({ cursor }),
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body!).error.details[0]).toMatchObject({
      field: 'cursor',
      rule: 'cursor',
    });
    // Without a cursor the same DynamoDB error is the server's fault: 500.
    const plain = await handle(request('GET', '/keyword'));
    expect(plain.status).toBe(500);
  });

  it('answers 500 without internals for an unexpected error, logging the stack', async () => {
    ddb.rejects(new TypeError('Cannot read properties of undefined (reading "S")'));
    const logs: RequestLog[] = [];
    const handle = createHandler({ store: store(), log: (l) => logs.push(l) });
    const res = await handle(request('GET', '/keyword/me:l:k1'));
    expect(res.status).toBe(500);
    expect(res.body).not.toContain('Cannot read');
    expect(res.body).not.toContain('.ts:');
    expect(JSON.parse(res.body!).error).toMatchObject({
      code: 'internal_error',
      request_id: 'req-42',
    });
    expect(logs[0]!.stack).toContain('TypeError');
  });
});
