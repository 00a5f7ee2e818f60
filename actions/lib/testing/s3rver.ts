/**
 * Test support: s3rver (an S3-compatible server from npm) on 127.0.0.1 on a
 * port the OS picks, storing in a temporary directory that is removed when
 * it stops.
 *
 * What s3rver 3.7 implements (checked on Node 20 and 24): buckets
 * (create, head, delete, BucketAlreadyExists, BucketNotEmpty), objects with
 * Content-Type and x-amz-meta-* metadata, HeadObject, GetObject,
 * ListObjects pages, DeleteObjects. ListObjectsV2 works for one page only:
 * its continuation tokens use DES, which OpenSSL 3 (Node 17+) refuses, so a
 * truncated V2 listing fails with InternalError. Not implemented: versioning
 * (PutBucketVersioning is taken for a CreateBucket, ListObjectVersions
 * answers MethodNotAllowed), tagging, public access blocks, encryption,
 * ownership controls and policies (NotImplemented).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface S3rverServer {
  endpoint: string;
  /** Environment that points an action (or createClient) at the server. */
  env: Record<string, string>;
  /** A client for the test's own setup and checks. */
  client(): S3Client;
  stop(): Promise<void>;
}

export async function startS3rver(): Promise<S3rverServer> {
  const directory = await mkdtemp(join(tmpdir(), 'mcfpipe-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    // Path-style only: bucket names are never looked up as host names.
    vhostBuckets: false,
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    client: () =>
      new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials }),
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
