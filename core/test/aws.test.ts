import { Readable } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  clientConfig,
  createClient,
  endpointFor,
  resolveRegion,
} from '../aws.js';
import { AwsRetryStrategy } from '../aws-retry.js';
import { explainError } from '../errors.js';
import { VERSION } from '../version.js';

describe('resolveRegion', () => {
  it('prefers the input, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' };
    expect(resolveRegion('ap-southeast-1', env)).toBe('ap-southeast-1');
    expect(resolveRegion(undefined, env)).toBe('eu-west-1');
    expect(resolveRegion('', { AWS_DEFAULT_REGION: 'us-west-2' })).toBe('us-west-2');
  });

  it('says how to configure a region when none is set', () => {
    expect(() => resolveRegion(undefined, {})).toThrow(ConfigurationError);
    expect(() => resolveRegion(undefined, {})).toThrow(
      /No AWS region configured.*configure-aws-credentials/,
    );
  });

  it('rejects a malformed region naming its source', () => {
    expect(() => resolveRegion('Singapore', {})).toThrow(
      'Region "Singapore" from input "region" is not a valid AWS region',
    );
    expect(() => resolveRegion(undefined, { AWS_REGION: 'us_east_1' })).toThrow('from AWS_REGION');
    expect(resolveRegion('us-gov-west-1', {})).toBe('us-gov-west-1');
    // Every partition's region codes, including the European Sovereign Cloud's.
    for (const r of ['cn-northwest-1', 'us-isob-east-1', 'il-central-1', 'eusc-de-east-1'])
      expect(resolveRegion(r, {})).toBe(r);
  });
});

describe('endpoints', () => {
  it('honours per-service variables before AWS_ENDPOINT_URL', () => {
    const env = {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:6000',
    };
    expect(endpointFor('CloudWatch Logs', env)).toBe('http://127.0.0.1:6000');
    expect(endpointFor('S3', env)).toBe('http://127.0.0.1:5000');
    expect(endpointFor('S3', {})).toBeUndefined();
    expect(
      endpointFor('S3', { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }),
    ).toBeUndefined();
  });

  it('uses path-style S3 addressing with a custom endpoint', () => {
    const config = clientConfig('S3', {
      env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://localhost:9000' },
    });
    expect(config).toMatchObject({ endpoint: 'http://localhost:9000', forcePathStyle: true });
    expect(clientConfig('S3', { env: { AWS_REGION: 'us-east-1' } }).forcePathStyle).toBeUndefined();
  });

  it('configures the one retry policy, per-attempt timeouts and the mcfpipe user agent', () => {
    const config = clientConfig('CloudFormation', { region: 'us-east-1', env: {} });
    expect(config.retryStrategy).toBeInstanceOf(AwsRetryStrategy);
    expect(config.maxAttempts).toBe(6);
    expect(config.requestHandler).toEqual({
      connectionTimeout: 5000,
      requestTimeout: 30_000,
      throwOnRequestTimeout: true,
    });
    expect(config.customUserAgent).toEqual([['mcfpipe', VERSION]]);
  });
});

describe('createClient', () => {
  it('tags errors with the service and operation that raised them', async () => {
    // A transport that answers like CloudFormation does for a missing stack.
    const body =
      '<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id x does not exist</Message></Error><RequestId>r-1</RequestId></ErrorResponse>';
    const requestHandler = {
      handle: async () => ({
        response: {
          statusCode: 400,
          headers: { 'content-type': 'text/xml' },
          body: Readable.from([Buffer.from(body)]),
        },
      }),
    };
    const cfn = createClient(CloudFormationClient, 'CloudFormation', {
      region: 'us-east-1',
      env: {},
      extra: { requestHandler, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
    });
    const err = await cfn
      .send(new DescribeStacksCommand({ StackName: 'x' }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id x does not exist',
      $service: 'CloudFormation',
      $command: 'DescribeStacks',
    });
    expect(explainError(err)).toBe(
      'CloudFormation DescribeStacks failed (HTTP 400): ValidationError: Stack with id x does not exist',
    );
  });

  it('passes extra configuration through', async () => {
    const s3 = createClient(S3Client, 'S3', {
      region: 'us-east-1',
      env: {},
      extra: { forcePathStyle: true },
    });
    expect(await s3.config.forcePathStyle).toBe(true);
    expect(await s3.config.region()).toBe('us-east-1');
  });
});
