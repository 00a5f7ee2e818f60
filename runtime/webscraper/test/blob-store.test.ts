import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { type BlobStore, LocalBlobStore, openBlobStore, S3BlobStore } from '../state/blob-store.js';
import { Checkpoint } from '../state/checkpoint.js';
import { harness, startReplay, track } from './helpers.js';

/** An S3 mock that keeps objects in a map and pages ListObjectsV2 two keys at a time, as S3 pages. */
function fakeS3() {
  const objects = new Map<string, Buffer>();
  const s3 = mockClient(S3Client);
  s3.on(PutObjectCommand).callsFake(async (input) => {
    objects.set(`${input.Bucket}/${input.Key}`, Buffer.from(input.Body as string | Buffer));
    return {};
  });
  s3.on(GetObjectCommand).callsFake(async (input) => {
    const body = objects.get(`${input.Bucket}/${input.Key}`);
    if (!body)
      throw new NoSuchKey({
        message: 'The specified key does not exist.',
        $metadata: { httpStatusCode: 404 },
      });
    const Body = { transformToByteArray: async () => new Uint8Array(body) };
    return { Body } as unknown as GetObjectCommandOutput;
  });
  s3.on(ListObjectsV2Command).callsFake(async (input) => {
    const keys = [...objects.keys()]
      .filter((k) => k.startsWith(`${input.Bucket}/${input.Prefix ?? ''}`))
      .map((k) => k.slice(`${input.Bucket}/`.length))
      .sort();
    const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
    const page = keys.slice(start, start + 2);
    const more = start + 2 < keys.length;
    return {
      Contents: page.map((Key) => ({ Key })),
      IsTruncated: more,
      ...(more ? { NextContinuationToken: String(start + 2) } : {}),
    };
  });
  return { s3, objects };
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function roundTrip(store: BlobStore) {
  expect(await store.get('a/missing.json')).toBeUndefined();
  await store.put('checkpoints/2026-03-02/shard-0-of-1.json', '{"v":1}');
  await store.put('checkpoints/2026-03-02/shard-0-of-1.json', '{"v":2}');
  await store.put('handoff/2026-03-02/to-1/from-0-000001.json', '[]');
  await store.put('handoff/2026-03-02/to-1/from-2-000001.json', '[]');
  await store.put('handoff/2026-03-02/to-10/from-0-000001.json', '[]');
  await store.put('raw/x.jsonl.gz', Buffer.from([0x1f, 0x8b]));
  expect((await store.get('checkpoints/2026-03-02/shard-0-of-1.json'))?.toString()).toBe('{"v":2}');
  expect(await store.list('handoff/2026-03-02/to-1/')).toEqual([
    'handoff/2026-03-02/to-1/from-0-000001.json',
    'handoff/2026-03-02/to-1/from-2-000001.json',
  ]);
  expect(await store.list('nothing/')).toEqual([]);
  expect((await store.get('raw/x.jsonl.gz'))?.[0]).toBe(0x1f);
}

describe('blob stores', () => {
  it('a local folder: atomic replace, nested keys, listing by prefix, no escaping the root', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcfpipe-blobs-'));
    const store = new LocalBlobStore(dir);
    await roundTrip(store);
    expect(readdirSync(join(dir, 'checkpoints/2026-03-02'))).toEqual(['shard-0-of-1.json']); // no temporary files left
    await expect(store.put('../outside', 'x')).rejects.toThrow(/leaves/);
  });

  it('an S3 prefix: keys under the prefix, listings across pages, a missing key is undefined', async () => {
    const { s3, objects } = fakeS3();
    const store = new S3BlobStore(
      'my-bucket',
      'mcfpipe/scraper',
      new S3Client({ region: 'us-east-1' }),
    );
    await roundTrip(store);
    expect([...objects.keys()]).toContain(
      'my-bucket/mcfpipe/scraper/checkpoints/2026-03-02/shard-0-of-1.json',
    );
    expect(s3.commandCalls(ListObjectsV2Command).length).toBeGreaterThan(1);
    s3.restore();
  });

  it('opens a folder or an S3 location, and names the setting when the location is bad', () => {
    expect(openBlobStore('--state', '/tmp/x')).toBeInstanceOf(LocalBlobStore);
    const s3 = openBlobStore('--state', 's3://my-bucket/pre/fix/', {
      s3: new S3Client({ region: 'us-east-1' }),
    });
    expect(s3.description).toBe('s3://my-bucket/pre/fix/');
    expect(
      openBlobStore('--state', 's3://my-bucket', { s3: new S3Client({ region: 'us-east-1' }) })
        .description,
    ).toBe('s3://my-bucket/');
    expect(() => openBlobStore('--state / SCRAPER_STATE', 's3://Bad_Bucket/x')).toThrow(
      /Input "--state \/ SCRAPER_STATE"/,
    );
  });

  it('a checkpoint that is not JSON is refused with what to do', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcfpipe-blobs-'));
    const store = new LocalBlobStore(dir);
    await store.put('checkpoints/2026-03-02/shard-0-of-1.json', '{broken');
    await expect(
      Checkpoint.open(store, '2026-03-02', { index: 0, count: 1 }, () => new Date()),
    ).rejects.toThrow(/not valid JSON.*move it away/);
  });

  it('a scrape keeps its checkpoint and quarantine on S3', async () => {
    const { s3, objects } = fakeS3();
    const server = await startReplay({ corpus: { seed: 71, jobs: 120 } });
    try {
      const h = harness(server, [track('me', 't', ['engineer'])]);
      const state = new S3BlobStore(
        'cfg',
        'mcfpipe/scraper',
        new S3Client({ region: 'us-east-1' }),
      );
      const summary = await h.run({ state });
      expect(summary.status).toBe('complete');
      expect(summary.checkpoint).toBe(
        's3://cfg/mcfpipe/scraper/checkpoints/2026-03-02/shard-0-of-1.json',
      );
      const cp = JSON.parse(
        objects.get('cfg/mcfpipe/scraper/checkpoints/2026-03-02/shard-0-of-1.json')!.toString(),
      );
      expect(cp.status).toBe('complete');
      expect((await h.run({ state })).status).toBe('already-complete');
    } finally {
      s3.restore();
      await server.stop();
    }
  });
});
