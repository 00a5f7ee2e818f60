/**
 * Config writing and bucket emptying against moto's S3 on 127.0.0.1: real
 * HTTP, XML, checksums, metadata headers and versions.
 *
 * Emptying is tested here within one list page: moto (5.x) ends a
 * ListObjectVersions listing whose VersionIdMarker names a version deleted
 * since, where S3 goes on with the next version in line, and emptyBucket
 * deletes each page while listing the next. Many pages, and the ListObjects
 * path of servers without ListObjectVersions, are tested with the in-memory
 * S3 in s3-empty.test.ts and cleanup-resources' resources.test.ts.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, motoAvailable, startMoto } from '../../../core/testing/moto.js';
import { readConfig } from '../config-store.js';
import { serializeConfig, sha256Hex, writeConfig } from '../config-write.js';
import { emptyBucket, inventoryBucket } from '../s3-empty.js';

/** Puts `count` small objects; returns their total size. */
async function putMany(s3: S3Client, bucket: string, count: number): Promise<number> {
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

describe.skipIf(!motoAvailable())('against moto S3 (skipped without moto)', () => {
  let moto: MotoServer;
  let s3: S3Client;
  beforeAll(async () => {
    moto = await startMoto();
    s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
  });
  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
  });

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

  it('empties a versioned bucket (versions, older versions, delete markers) in one DeleteObjects call per list page, after which it can be deleted', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'raw-archive' }));
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: 'raw-archive',
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    let bytes = await putMany(s3, 'raw-archive', 120);
    // 25 keys written again (their first versions stay), 5 deleted (a delete marker each).
    bytes += await putMany(s3, 'raw-archive', 25);
    for (let i = 115; i < 120; i++) {
      const Key = `raw/2024-05-01/job-${String(i).padStart(5, '0')}.json`;
      await s3.send(new DeleteObjectCommand({ Bucket: 'raw-archive', Key }));
    }
    const calls: string[] = [];
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    let unversioned = 0;
    const opts = { onUnversionedListing: () => unversioned++ };
    const inventory = await inventoryBucket(s3, 'raw-archive', opts);
    expect(inventory).toEqual({ versions: 145, deleteMarkers: 5, bytes });
    calls.length = 0;
    const progress: number[] = [];
    const result = await emptyBucket(s3, 'raw-archive', {
      ...opts,
      onProgress: (deleted) => progress.push(deleted),
    });
    // moto lists versions: the ListObjects fallback is not needed.
    expect(unversioned).toBe(0);
    expect(result).toEqual({ ...inventory, deleted: 150 });
    expect(calls).toEqual(['ListObjectVersionsCommand', 'DeleteObjectsCommand']);
    expect(progress).toEqual([150]);
    const left = await s3.send(new ListObjectVersionsCommand({ Bucket: 'raw-archive' }));
    expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])]).toEqual([]);
    await s3.send(new DeleteBucketCommand({ Bucket: 'raw-archive' }));
  });
});
