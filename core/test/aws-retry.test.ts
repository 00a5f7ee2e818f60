/**
 * The AWS retry policy (core/aws-retry.ts) and the translation of answers
 * that are not AWS's (core/aws.ts, core/errors.ts), through real SDK clients
 * whose transport is scripted and whose retries wait on virtual time.
 */
import { Readable } from 'node:stream';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createClient, type ServiceId } from '../aws.js';
import { AWS_RETRY_POLICY, AwsRetryStrategy, AwsRetryToken } from '../aws-retry.js';
import { explainError, NonAwsResponseError } from '../errors.js';
import { VirtualClock } from '../testing/virtual-clock.js';

interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

const NGINX_500 =
  '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** A client of `Client` whose every attempt gets the next answer (the last repeats). */
function scripted<C>(
  Client: new (config: never) => C,
  serviceId: ServiceId,
  answers: Answer[],
): { client: C; clock: VirtualClock; requests: Array<{ method: string; at: number }> } {
  const clock = new VirtualClock(0);
  const requests: Array<{ method: string; at: number }> = [];
  const requestHandler = {
    handle: async (request: { method: string }) => {
      requests.push({ method: request.method, at: clock.now() });
      const a = answers[Math.min(requests.length - 1, answers.length - 1)]!;
      return {
        response: {
          statusCode: a.status,
          headers: a.headers ?? {},
          body: Readable.from([Buffer.from(a.body ?? '')]),
        },
      };
    },
  };
  const client = createClient(Client as never, serviceId, {
    region: 'us-east-1',
    env: {},
    clock,
    extra: { requestHandler, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
  }) as C;
  return { client, clock, requests };
}

const xmlError = (code: string, message: string) =>
  `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;

describe('AwsRetryStrategy', () => {
  const strategy = new AwsRetryStrategy(AWS_RETRY_POLICY, new VirtualClock(0), () => 0.5);
  const token = (retries: number, started = 0) => new AwsRetryToken(retries, started);

  it('gives throttling 6 attempts and 5xx or network errors 3, with growing waits', () => {
    const throttled = [0, 1, 2, 3, 4, 5].map((r) =>
      strategy.delayBeforeRetry(token(r), { errorType: 'THROTTLING' }),
    );
    expect(throttled).toEqual([500, 1000, 2000, 4000, 8000, undefined]);
    const transient = [0, 1, 2].map((r) =>
      strategy.delayBeforeRetry(token(r), { errorType: 'TRANSIENT' }),
    );
    expect(transient).toEqual([250, 500, undefined]);
    expect(strategy.delayBeforeRetry(token(0), { errorType: 'SERVER_ERROR' })).toBe(250);
  });

  it('never retries a client error', () => {
    expect(strategy.delayBeforeRetry(token(0), { errorType: 'CLIENT_ERROR' })).toBeUndefined();
  });

  it('follows a Retry-After hint up to the longest wait of its kind', () => {
    const soon = new Date(Date.now() + 3000);
    const late = new Date(Date.now() + 600_000);
    const d = strategy.delayBeforeRetry(token(0), {
      errorType: 'THROTTLING',
      retryAfterHint: soon,
    });
    expect(d).toBeGreaterThan(2900);
    expect(d).toBeLessThanOrEqual(3000);
    expect(
      strategy.delayBeforeRetry(token(0), { errorType: 'THROTTLING', retryAfterHint: late }),
    ).toBe(20_000);
  });

  it('starts no retry whose wait would end past the time budget', () => {
    const clock = new VirtualClock(0);
    const s = new AwsRetryStrategy(AWS_RETRY_POLICY, clock, () => 0.5);
    clock.advance(44_500);
    expect(s.delayBeforeRetry(token(1), { errorType: 'THROTTLING' })).toBeUndefined();
    expect(s.delayBeforeRetry(token(1, 40_000), { errorType: 'THROTTLING' })).toBe(1000);
  });
});

describe('an AWS call against an endpoint that keeps failing', () => {
  it('is sent 3 times to an endpoint that answers 500 with an HTML page, then names it', async () => {
    const { client, clock, requests } = scripted(CloudFormationClient, 'CloudFormation', [
      { status: 500, body: NGINX_500, headers: { 'content-type': 'text/html' } },
    ]);
    const err = await client
      .send(new CreateStackCommand({ StackName: 's', TemplateBody: '{}' }))
      .catch((e: unknown) => e);
    expect(requests).toHaveLength(3);
    expect(clock.now()).toBeLessThanOrEqual(500 + 1000);
    expect(err).toBeInstanceOf(NonAwsResponseError);
    const text = explainError(err);
    expect(text).toMatch(
      /^CloudFormation CreateStack: the endpoint https:\/\/cloudformation\.us-east-1\.amazonaws\.com\/ answered HTTP 500 with a non-AWS body \(first bytes: "<html> <head><title>500 Internal Server Error<\/title><\/head> <body>/,
    );
    expect(text).toMatch(/, after 3 attempts over [\d.]+m?s\. Check that AWS_ENDPOINT_URL/);
    expect(text).not.toMatch(/XML parse error|Deserialization error|Unexpected token/);
  });

  it('reads an HTML answer of a JSON service (ECS) the same way, never as "Unexpected token"', async () => {
    const { client, requests } = scripted(ECSClient, 'ECS', [
      { status: 502, body: '<html><body>Bad gateway</body></html>', headers: {} },
    ]);
    const err = await client.send(new RunTaskCommand({ taskDefinition: 't' })).catch((e) => e);
    expect(requests).toHaveLength(3);
    expect(explainError(err)).toMatch(
      /^ECS RunTask: the endpoint https:\/\/ecs\.us-east-1\.amazonaws\.com\/ answered HTTP 502 with a non-AWS body \(first bytes: "<html><body>Bad gateway<\/body><\/html>"\)/,
    );
  });

  it('says an empty 503 had an empty body, and an HTML 200 is not taken for an answer', async () => {
    const empty = scripted(ECSClient, 'ECS', [{ status: 503 }]);
    const err = await empty.client
      .send(new RunTaskCommand({ taskDefinition: 't' }))
      .catch((e) => e);
    expect((err as Error).message).toBe(
      'the endpoint https://ecs.us-east-1.amazonaws.com/ answered HTTP 503 with an empty body',
    );

    const portal = scripted(CloudFormationClient, 'CloudFormation', [
      {
        status: 200,
        body: '<html><body>Sign in to the Wi-Fi</body></html>',
        headers: { 'content-type': 'text/html' },
      },
    ]);
    const wifi = await portal.client
      .send(new DescribeStacksCommand({ StackName: 's' }))
      .then(() => 'answered')
      .catch((e) => e);
    expect(wifi).toBeInstanceOf(NonAwsResponseError);
    expect(portal.requests).toHaveLength(1);
  });

  it('quotes a hostile body escaped and cut short', async () => {
    const body = `::error::pwned\n${'x'.repeat(500)}"\\`;
    const { client } = scripted(ECSClient, 'ECS', [{ status: 500, body }]);
    const err = await client.send(new RunTaskCommand({ taskDefinition: 't' })).catch((e) => e);
    const text = explainError(err);
    expect(text).toContain('(first bytes: "::error::pwned xxx');
    expect(text).not.toMatch(/\n/);
    expect(text.length).toBeLessThan(500);
  });

  it("retries AWS's own 500 three times and throttling six, and reports how long it tried", async () => {
    const internal = scripted(CloudFormationClient, 'CloudFormation', [
      { status: 500, body: xmlError('InternalFailure', 'We encountered an internal error') },
    ]);
    const err = await internal.client
      .send(new DescribeStacksCommand({ StackName: 's' }))
      .catch((e) => e);
    expect(internal.requests).toHaveLength(3);
    expect(err).not.toBeInstanceOf(NonAwsResponseError);
    expect(explainError(err)).toMatch(
      /^CloudFormation DescribeStacks failed \(HTTP 500\), after 3 attempts over [\d.]+m?s: InternalFailure: We encountered an internal error$/,
    );

    const throttled = scripted(CloudFormationClient, 'CloudFormation', [
      { status: 400, body: xmlError('Throttling', 'Rate exceeded') },
    ]);
    const t = await throttled.client
      .send(new DescribeStacksCommand({ StackName: 's' }))
      .catch((e) => e);
    expect(throttled.requests).toHaveLength(6);
    expect(throttled.clock.now()).toBeLessThanOrEqual(1000 + 2000 + 4000 + 8000 + 16_000);
    expect(explainError(t)).toMatch(
      /^AWS kept throttling CloudFormation DescribeStacks, after 6 attempts/,
    );
  });

  it('recovers when the endpoint answers again, and never retries a client error', async () => {
    const flaky = scripted(CloudFormationClient, 'CloudFormation', [
      { status: 503, body: '' },
      {
        status: 200,
        body: '<DescribeStacksResponse><DescribeStacksResult><Stacks/></DescribeStacksResult></DescribeStacksResponse>',
        headers: { 'content-type': 'text/xml' },
      },
    ]);
    const out = await flaky.client.send(new DescribeStacksCommand({ StackName: 's' }));
    expect(out.$metadata.attempts).toBe(2);

    const denied = scripted(CloudFormationClient, 'CloudFormation', [
      { status: 403, body: xmlError('AccessDenied', 'not allowed') },
    ]);
    await expect(denied.client.send(new DescribeStacksCommand({ StackName: 's' }))).rejects.toThrow(
      'not allowed',
    );
    expect(denied.requests).toHaveLength(1);
  });

  it("leaves S3's bodiless answers to HEAD and its HTML objects alone", async () => {
    const head = scripted(S3Client, 'S3', [{ status: 404 }]);
    const err = await head.client
      .send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' }))
      .catch((e) => e);
    expect(err).not.toBeInstanceOf(NonAwsResponseError);
    expect((err as Error).name).toBe('NotFound');

    const put = scripted(S3Client, 'S3', [
      { status: 500, body: NGINX_500, headers: { 'content-type': 'text/html' } },
    ]);
    const failed = await put.client
      .send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }))
      .catch((e) => e);
    expect(explainError(failed)).toMatch(
      /^S3 PutObject: the endpoint https:\/\/[^ ]+\/k answered HTTP 500 with a non-AWS body/,
    );
  });
});

describe('answers an emulator labels text/html', () => {
  it('are read for what they hold: a HEAD 404, and JSON', async () => {
    const head = scripted(S3Client, 'S3', [
      { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' } },
    ]);
    const err = await head.client
      .send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' }))
      .catch((e) => e);
    expect(err).not.toBeInstanceOf(NonAwsResponseError);
    expect((err as Error).name).toBe('NotFound');

    const json = scripted(ECSClient, 'ECS', [
      {
        status: 200,
        body: '{"tasks": [], "failures": []}',
        headers: { 'content-type': 'text/html; charset=utf-8' },
      },
    ]);
    const out = await json.client.send(new RunTaskCommand({ taskDefinition: 't' }));
    expect(out.tasks).toEqual([]);
  });
});
