/**
 * The DynamoDB client of the table store: region, credentials, endpoint
 * overrides (AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL), adaptive retries
 * and error context as every mcfpipe client (core/aws.ts), or pointed
 * at a local DynamoDB (dynalite) with placeholder credentials.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { createClient } from '../../../core/aws.js';

export interface DynamoClientOptions {
  /** A local DynamoDB (e.g. dynalite's http://127.0.0.1:PORT): placeholder credentials, region us-east-1 unless given. */
  localEndpoint?: string;
  region?: string;
  maxAttempts?: number;
  env?: NodeJS.ProcessEnv;
}

export function createDynamoClient(opts: DynamoClientOptions = {}): DynamoDBClient {
  const extra: Partial<DynamoDBClientConfig> = opts.localEndpoint
    ? {
        endpoint: opts.localEndpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : {};
  const client = createClient(DynamoDBClient, 'DynamoDB', {
    ...(opts.region || opts.localEndpoint ? { region: opts.region ?? 'us-east-1' } : {}),
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    extra,
  });
  // The SDK's logger middleware copies every input and output through its
  // sensitive-data filter even when nothing logs them (a few % of the CPU of a
  // batch); the API logs its own request lines instead.
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
