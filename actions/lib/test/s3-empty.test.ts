import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  type DeleteObjectsCommandInput,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../core/testing/virtual-clock.js';
import { emptyBucket, inventoryBucket } from '../s3-empty.js';
import { FakeS3, s3Error } from '../testing/fake-s3.js';

const s3 = new S3Client({ region: 'us-east-1' });
const mock = mockClient(s3);
afterEach(() => mock.reset());

function fake(): FakeS3 {
  const f = new FakeS3();
  f.install(mock);
  return f;
}

const deleteInputs = (): DeleteObjectsCommandInput[] =>
  mock.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input);

describe('emptyBucket', () => {
  it('empties 10,000 versions in 10 list pages and 10 DeleteObjects calls, none per object', async () => {
    const f = fake();
    f.addBucket('big', { versioning: 'Enabled' });
    f.fill('big', 10_000, 3, 250); // pages end in the middle of a key's versions
    const result = await emptyBucket(s3, 'big');
    expect(result).toEqual({
      deleted: 10_000,
      versions: 10_000,
      deleteMarkers: 0,
      bytes: 2_500_000,
    });
    expect(f.buckets.get('big')!.versions).toHaveLength(0);
    expect(mock.commandCalls(ListObjectVersionsCommand)).toHaveLength(10);
    expect(mock.commandCalls(DeleteObjectsCommand)).toHaveLength(10);
    expect(mock.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(mock.calls()).toHaveLength(20);
    for (const input of deleteInputs()) {
      expect(input.Delete!.Objects).toHaveLength(1000);
      expect(input.Delete!.Quiet).toBe(true);
      // Every entry names its version: nothing is merely hidden behind a delete marker.
      expect(input.Delete!.Objects!.every((o) => o.VersionId)).toBe(true);
    }
  });

  it('deletes delete markers and "null" versions too, and a partial last page', async () => {
    const f = fake();
    f.addBucket('mixed');
    f.put('mixed', 'old.json', '{"a":1}'); // before versioning: version "null"
    f.buckets.get('mixed')!.versioning = 'Enabled';
    f.fill('mixed', 2_345, 1, 10);
    f.put('mixed', 'gone.json', '', { deleteMarker: true, size: 0 });
    const result = await emptyBucket(s3, 'mixed');
    expect(result.deleted).toBe(2_347);
    expect(result.deleteMarkers).toBe(1);
    expect(f.buckets.get('mixed')!.versions).toEqual([]);
    expect(mock.commandCalls(DeleteObjectsCommand)).toHaveLength(3);
    const objects = deleteInputs().flatMap((i) => i.Delete!.Objects!);
    expect(objects).toContainEqual({ Key: 'old.json', VersionId: 'null' });
    expect(objects).toHaveLength(2_347);
  });

  it('an empty bucket costs one list call and no delete', async () => {
    const f = fake();
    f.addBucket('empty', { versioning: 'Enabled' });
    expect(await emptyBucket(s3, 'empty')).toMatchObject({ deleted: 0 });
    expect(mock.calls()).toHaveLength(1);
  });

  it('retries keys S3 reports as InternalError once, and names keys it will not delete', async () => {
    const f = fake();
    f.addBucket('locked', { versioning: 'Enabled' });
    f.fill('locked', 1_500);
    f.put('locked', 'legal/hold.pdf', 'x');
    f.buckets.get('locked')!.undeletable = new Map([['legal/hold.pdf', 'AccessDenied']]);
    await expect(emptyBucket(s3, 'locked')).rejects.toThrow(
      /Bucket locked could not be emptied: 1 object version\(s\) were not deleted \(1500 were\): legal\/hold\.pdf \(version v\d+\): AccessDenied: Access Denied\. AccessDenied on single objects usually means S3 Object Lock/,
    );
  });

  it('retries a transient per-key error once and succeeds', async () => {
    const f = fake();
    const b = f.addBucket('flaky', { versioning: 'Enabled' });
    f.fill('flaky', 10);
    b.transient = new Map([['data/part-000003.json', 1]]);
    const clock = new VirtualClock();
    const result = await emptyBucket(s3, 'flaky', { clock });
    expect(result.deleted).toBe(10);
    expect(clock.sleeps).toEqual([1000]); // a pause before the retry, not a retry at once
    expect(b.versions).toEqual([]);
    expect(mock.commandCalls(DeleteObjectsCommand)).toHaveLength(2);
    expect(deleteInputs()[1]!.Delete!.Objects).toEqual([
      { Key: 'data/part-000003.json', VersionId: expect.stringMatching(/^v\d+$/) },
    ]);
  });

  it('a key that keeps failing with InternalError is reported after its one retry', async () => {
    const f = fake();
    const b = f.addBucket('broken', { versioning: 'Enabled' });
    f.fill('broken', 5);
    b.transient = new Map([['data/part-000001.json', 5]]);
    await expect(emptyBucket(s3, 'broken', { clock: new VirtualClock() })).rejects.toThrow(
      /1 object version\(s\) were not deleted \(4 were\): data\/part-000001\.json \(version v\d+\): InternalError/,
    );
    expect(mock.commandCalls(DeleteObjectsCommand)).toHaveLength(2);
  });

  it('an error entry that does not echo the version id, or names no key sent, still fails the emptying', async () => {
    // Some S3-compatible servers answer 200 with Errors entries that leave out
    // VersionId (or spell the key differently); such an entry is a failure too,
    // never a key counted as deleted.
    mock.on(ListObjectVersionsCommand).resolves({
      IsTruncated: false,
      Versions: [
        { Key: 'a.json', VersionId: 'v1', Size: 1 },
        { Key: 'b.json', VersionId: 'v2', Size: 1 },
      ],
    });
    mock.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: 'a.json', Code: 'AccessDenied', Message: 'Access Denied' }],
    });
    await expect(emptyBucket(s3, 'odd')).rejects.toThrow(
      /Bucket odd could not be emptied: 1 object version\(s\) were not deleted \(1 were\): a\.json \(version v1\): AccessDenied/,
    );
    mock.reset();
    mock.on(ListObjectVersionsCommand).resolves({
      IsTruncated: false,
      Versions: [{ Key: 'c.json', VersionId: 'v3', Size: 1 }],
    });
    mock.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: 'C.JSON', Code: 'InternalError', Message: 'odd' }],
    });
    await expect(emptyBucket(s3, 'odd')).rejects.toThrow(
      /Bucket odd could not be emptied: 1 object version\(s\) were not deleted \(0 were\): C\.JSON: InternalError: odd/,
    );
  });

  it('fails with the S3 error when a DeleteObjects call fails outright', async () => {
    const f = fake();
    f.addBucket('denied', { versioning: 'Enabled' });
    f.fill('denied', 3_000);
    f.failNext('DeleteObjects', s3Error('AccessDenied', 'Access Denied', 403));
    await expect(emptyBucket(s3, 'denied')).rejects.toThrow('Access Denied');
  });

  it('lists with ListObjects on a server without ListObjectVersions', async () => {
    const f = fake();
    f.addBucket('plain');
    f.fill('plain', 1_200);
    f.failNext(
      'ListObjectVersions',
      s3Error(
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
        405,
      ),
    );
    let told = 0;
    const result = await emptyBucket(s3, 'plain', { onUnversionedListing: () => told++ });
    expect(told).toBe(1);
    expect(result.deleted).toBe(1_200);
    expect(mock.commandCalls(ListObjectsCommand)).toHaveLength(2);
    expect(deleteInputs().flatMap((i) => i.Delete!.Objects!)[0]).toEqual({
      Key: 'data/part-000000.json',
    });
  });

  it('keeps at most `concurrency` DeleteObjects calls in flight', async () => {
    const f = fake();
    f.addBucket('wide', { versioning: 'Enabled' });
    f.fill('wide', 8_000);
    let inFlight = 0;
    let most = 0;
    mock.on(DeleteObjectsCommand).callsFake(async (input: DeleteObjectsCommandInput) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      const b = f.buckets.get('wide')!;
      const ids = new Set(input.Delete!.Objects!.map((o) => o.VersionId));
      b.versions = b.versions.filter((v) => !ids.has(v.versionId));
      return {};
    });
    await emptyBucket(s3, 'wide', { concurrency: 3 });
    expect(most).toBe(3);
    expect(f.buckets.get('wide')!.versions).toEqual([]);
  });
});

describe('inventoryBucket', () => {
  it('counts versions, delete markers and bytes without deleting anything', async () => {
    const f = fake();
    f.addBucket('inv', { versioning: 'Enabled' });
    f.fill('inv', 2_500, 5, 40);
    f.put('inv', 'x', '', { deleteMarker: true, size: 0 });
    expect(await inventoryBucket(s3, 'inv')).toEqual({
      versions: 2_500,
      deleteMarkers: 1,
      bytes: 100_000,
    });
    expect(mock.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expect(mock.commandCalls(ListObjectVersionsCommand)).toHaveLength(3);
  });
});
