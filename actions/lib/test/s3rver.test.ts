/**
 * Config writing and bucket emptying against a real S3-compatible server
 * (s3rver on 127.0.0.1): real HTTP, XML, checksums and metadata headers.
 * s3rver has no versioning, so emptying runs on its ListObjects path; the
 * versioned path is covered by the FakeS3 tests (s3-empty.test.ts) and moto.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../config-store.js';
import { serializeConfig, sha256Hex, writeConfig } from '../config-write.js';
import { emptyBucket, inventoryBucket } from '../s3-empty.js';
import { type S3rverServer, startS3rver } from '../testing/s3rver.js';

let server: S3rverServer;
let s3: S3Client;
beforeAll(async () => {
  server = await startS3rver();
  s3 = server.client();
});
afterAll(async () => {
  s3?.destroy();
  await server?.stop();
});

/** Puts `count` small objects; returns their total size. */
async function putMany(bucket: string, count: number): Promise<number> {
  const keys = Array.from(
    { length: count },
    (_, i) => `raw/2024-05-01/job-${String(i).padStart(5, '0')}.json`,
  );
  let bytes = 0;
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(
      keys.slice(i, i + 50).map((Key) => {
        const Body = `{"n":"${Key}"}`;
        bytes += Body.length;
        return s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
      }),
    );
  }
  return bytes;
}

describe('against s3rver', () => {
  it('writes a config with its content type and sha256, skips an unchanged one, and reads it back', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'config-bucket' }));
    const location = { bucket: 'config-bucket', key: 'mcfpipe/aws/network/network_config.json' };
    const text = serializeConfig({ VpcId: 'vpc-1', SGPrivate: 'sg-2' });
    const first = await writeConfig(s3, location, text, { metadata: { 'mcfpipe-source': 'test' } });
    expect(first).toMatchObject({ changed: true, sha256: sha256Hex(text) });
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }),
    );
    expect(head.ContentType).toBe('application/json');
    expect(head.Metadata).toEqual({ sha256: sha256Hex(text), 'mcfpipe-source': 'test' });
    const second = await writeConfig(s3, location, text);
    expect(second).toEqual({ ...first, changed: false });
    expect((await readConfig(s3, location)).pairs).toEqual({ VpcId: 'vpc-1', SGPrivate: 'sg-2' });
    const changed = await writeConfig(s3, location, serializeConfig({ VpcId: 'vpc-9' }));
    expect(changed.changed).toBe(true);
    expect((await readConfig(s3, location)).pairs).toEqual({ VpcId: 'vpc-9' });
  });

  it('empties a bucket of 1,050 objects in 2 DeleteObjects calls, after which it can be deleted', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'raw-archive' }));
    const bytes = await putMany('raw-archive', 1_050);
    let unversioned = 0;
    const inventory = await inventoryBucket(s3, 'raw-archive', {
      onUnversionedListing: () => unversioned++,
    });
    expect(inventory).toEqual({ versions: 1_050, deleteMarkers: 0, bytes });
    const progress: number[] = [];
    const result = await emptyBucket(s3, 'raw-archive', {
      onUnversionedListing: () => unversioned++,
      onProgress: (deleted) => progress.push(deleted),
    });
    expect(unversioned).toBe(2);
    expect(result).toEqual({ ...inventory, deleted: 1_050, deleteMarkers: 0 });
    expect(progress.sort((a, b) => a - b).at(-1)).toBe(1_050);
    expect(progress).toHaveLength(2);
    const left = await s3.send(new ListObjectsCommand({ Bucket: 'raw-archive' }));
    expect(left.Contents ?? []).toEqual([]);
    await s3.send(new DeleteBucketCommand({ Bucket: 'raw-archive' }));
  });
});
