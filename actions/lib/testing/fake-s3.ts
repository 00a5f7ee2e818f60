/**
 * Test support: an in-memory S3 that answers the SDK's commands the way S3
 * does, for the bucket and object calls mcfpipe makes: buckets with an owner
 * and a region, their settings (public access block, encryption, versioning,
 * ownership controls, policy, tags), object versions and delete markers,
 * ListObjectVersions and ListObjects pages with markers, DeleteObjects (at most 1,000 keys,
 * per-key errors), and AWS's error codes (NoSuchBucket, BucketNotEmpty,
 * BucketAlreadyExists, 403 for ExpectedBucketOwner, ...). Injected failures
 * replace the next answers of one command.
 *
 * Plug it into aws-sdk-client-mock with {@link FakeS3.install}; count calls
 * with the mock's `commandCalls`.
 */
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  type CreateBucketCommandInput,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  type DeleteObjectsCommandInput,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandInput,
  type PublicAccessBlockConfiguration,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  PutPublicAccessBlockCommand,
  type S3ClientResolvedConfig,
  S3ServiceException,
  type ServerSideEncryptionRule,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type Tag,
} from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';
import { serviceError } from './aws-errors.js';

/** The stub aws-sdk-client-mock makes of an S3 client. */
export type S3Stub = AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>;

export const OWNER = '123456789012';
export const OTHER_ACCOUNT = '999988887777';

export interface FakeVersion {
  key: string;
  versionId: string;
  deleteMarker: boolean;
  body: string;
  size: number;
  contentType?: string;
  metadata: Record<string, string>;
  etag: string;
}

export interface FakeBucket {
  owner: string;
  region: string;
  versioning?: 'Enabled' | 'Suspended';
  publicAccessBlock?: PublicAccessBlockConfiguration;
  encryption?: ServerSideEncryptionRule[];
  ownership?: string;
  policy?: string;
  tags?: Tag[];
  /** Every version and delete marker, oldest first. */
  versions: FakeVersion[];
  /** Per-key DeleteObjects errors: key -> error code. */
  undeletable?: Map<string, string>;
  /** Keys whose next DeleteObjects attempts (the count) fail with InternalError. */
  transient?: Map<string, number>;
}

export function s3Error(name: string, message: string, httpStatusCode = 400): Error {
  return serviceError(S3ServiceException, name, message, httpStatusCode);
}

const noSuchBucket = (bucket: string) =>
  s3Error('NoSuchBucket', `The specified bucket does not exist: ${bucket}`, 404);

/** Minimal stream body with the method readConfig uses. */
function body(text: string) {
  return { transformToString: async () => text };
}

let versionCounter = 0;

export class FakeS3 {
  readonly buckets = new Map<string, FakeBucket>();
  /** Simulated latency per command name (e.g. DeleteObjects: 400), for benchmarks. */
  readonly latencyMs: Record<string, number> = {};
  private readonly failures = new Map<string, Error[]>();

  constructor(
    /** The caller's account. */
    readonly account = OWNER,
    readonly region = 'us-east-1',
  ) {}

  /** Adds a bucket directly (as if it had been made before the test). */
  addBucket(name: string, init: Partial<FakeBucket> = {}): FakeBucket {
    const bucket: FakeBucket = { owner: this.account, region: this.region, versions: [], ...init };
    this.buckets.set(name, bucket);
    return bucket;
  }

  /** Stores an object version (or a delete marker) directly. */
  put(bucket: string, key: string, text: string, opts: Partial<FakeVersion> = {}): FakeVersion {
    const b = this.mustGet(bucket);
    const version: FakeVersion = {
      key,
      versionId: b.versioning === 'Enabled' ? `v${versionCounter + 1}` : 'null',
      deleteMarker: false,
      body: text,
      size: Buffer.byteLength(text),
      metadata: {},
      etag: `"${createHash('md5').update(text).digest('hex')}"`,
      ...opts,
    };
    if (version.versionId === 'null') {
      b.versions = b.versions.filter((v) => !(v.key === key && v.versionId === 'null'));
    }
    return this.record(b, version);
  }

  /** Fills a bucket with `count` versions in total: `perKey` versions of each key. */
  fill(bucket: string, count: number, perKey = 1, size = 100): void {
    const b = this.mustGet(bucket);
    for (let i = 0; i < count; i++) {
      const key = `data/part-${String(Math.floor(i / perKey)).padStart(6, '0')}.json`;
      this.record(b, {
        key,
        versionId: `v${versionCounter + 1}`,
        deleteMarker: false,
        body: '',
        size,
        metadata: {},
        etag: '"0"',
      });
    }
  }

  /** The next calls of `command` (e.g. 'HeadBucket') fail with these errors. */
  failNext(command: string, ...errors: Error[]): void {
    this.failures.set(command, [...(this.failures.get(command) ?? []), ...errors]);
  }

  private failure(command: string): void {
    const next = this.failures.get(command)?.shift();
    if (next) throw next;
  }

  private mustGet(name: string): FakeBucket {
    const b = this.buckets.get(name);
    if (!b) throw noSuchBucket(name);
    return b;
  }

  /** The bucket as the caller may see it: NoSuchBucket, or 403 when another account owns it. */
  private access(name: string | undefined, expectedOwner?: string): FakeBucket {
    const b = this.mustGet(name ?? '');
    if (b.owner !== this.account || (expectedOwner && expectedOwner !== b.owner)) {
      throw s3Error('AccessDenied', 'Access Denied', 403);
    }
    return b;
  }

  /** The current (latest) version of a key, if it is not a delete marker. */
  latest(bucket: string, key: string): FakeVersion | undefined {
    const versions = this.mustGet(bucket).versions.filter((v) => v.key === key);
    const last = versions[versions.length - 1];
    return last && !last.deleteMarker ? last : undefined;
  }

  install(mock: S3Stub): void {
    const on = <I, O>(
      command: new (input: I) => unknown,
      name: string,
      handler: (input: I) => O | Promise<O>,
    ) => {
      mock.on(command as never).callsFake(async (input: I) => {
        const delay = this.latencyMs[name];
        if (delay) await new Promise((r) => setTimeout(r, delay));
        this.failure(name);
        return handler(input);
      });
    };

    // ListBucketsCommand takes an optional input, which `on` does not model.
    on(ListBucketsCommand as new (input: { Prefix?: string }) => unknown, 'ListBuckets', (i) => ({
      // Every bucket of the account, whatever its region, as S3 lists them.
      Buckets: [...this.buckets.entries()]
        .filter(([name, b]) => b.owner === this.account && name.startsWith(i.Prefix ?? ''))
        .sort(([a], [c]) => (a < c ? -1 : 1))
        .map(([Name, b]) => ({ Name, BucketRegion: b.region })),
    }));
    on(HeadBucketCommand, 'HeadBucket', (i) => {
      const b = this.buckets.get(i.Bucket ?? '');
      if (!b) throw s3Error('NotFound', 'UnknownError', 404);
      this.access(i.Bucket, i.ExpectedBucketOwner);
      return { BucketRegion: b.region };
    });
    on(CreateBucketCommand, 'CreateBucket', (i: CreateBucketCommandInput) => {
      const existing = this.buckets.get(i.Bucket ?? '');
      if (existing && existing.owner !== this.account) {
        throw s3Error('BucketAlreadyExists', 'The requested bucket name is not available.', 409);
      }
      // us-east-1 (legacy) answers 200 to the owner; other regions 409.
      if (existing && this.region !== 'us-east-1') {
        throw s3Error(
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
          409,
        );
      }
      const constraint = i.CreateBucketConfiguration?.LocationConstraint;
      if (this.region === 'us-east-1' && constraint) {
        throw s3Error(
          'InvalidLocationConstraint',
          'The specified location-constraint is not valid',
          400,
        );
      }
      if (this.region !== 'us-east-1' && constraint !== this.region) {
        throw s3Error(
          'IllegalLocationConstraintException',
          `The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.`,
          400,
        );
      }
      if (!existing) {
        this.addBucket(i.Bucket!, { ownership: i.ObjectOwnership ?? 'BucketOwnerEnforced' });
      }
      return { Location: `/${i.Bucket}` };
    });
    on(PutPublicAccessBlockCommand, 'PutPublicAccessBlock', (i) => {
      this.access(i.Bucket, i.ExpectedBucketOwner).publicAccessBlock =
        i.PublicAccessBlockConfiguration;
      return {};
    });
    on(GetPublicAccessBlockCommand, 'GetPublicAccessBlock', (i) => {
      const b = this.access(i.Bucket, i.ExpectedBucketOwner);
      if (!b.publicAccessBlock) {
        throw s3Error(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
          404,
        );
      }
      return { PublicAccessBlockConfiguration: b.publicAccessBlock };
    });
    on(PutBucketEncryptionCommand, 'PutBucketEncryption', (i) => {
      this.access(i.Bucket, i.ExpectedBucketOwner).encryption =
        i.ServerSideEncryptionConfiguration?.Rules;
      return {};
    });
    on(GetBucketEncryptionCommand, 'GetBucketEncryption', (i) => {
      const b = this.access(i.Bucket, i.ExpectedBucketOwner);
      if (!b.encryption) {
        throw s3Error(
          'ServerSideEncryptionConfigurationNotFoundError',
          'The server side encryption configuration was not found',
          404,
        );
      }
      return { ServerSideEncryptionConfiguration: { Rules: b.encryption } };
    });
    on(PutBucketVersioningCommand, 'PutBucketVersioning', (i) => {
      this.access(i.Bucket, i.ExpectedBucketOwner).versioning = i.VersioningConfiguration
        ?.Status as FakeBucket['versioning'];
      return {};
    });
    on(GetBucketVersioningCommand, 'GetBucketVersioning', (i) => {
      const b = this.access(i.Bucket, i.ExpectedBucketOwner);
      return b.versioning ? { Status: b.versioning } : {};
    });
    on(PutBucketOwnershipControlsCommand, 'PutBucketOwnershipControls', (i) => {
      this.access(i.Bucket, i.ExpectedBucketOwner).ownership =
        i.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
      return {};
    });
    on(GetBucketOwnershipControlsCommand, 'GetBucketOwnershipControls', (i) => {
      const b = this.access(i.Bucket, i.ExpectedBucketOwner);
      if (!b.ownership) {
        throw s3Error(
          'OwnershipControlsNotFoundError',
          'The bucket ownership controls were not found',
          404,
        );
      }
      return { OwnershipControls: { Rules: [{ ObjectOwnership: b.ownership }] } };
    });
    on(PutBucketPolicyCommand, 'PutBucketPolicy', (i) => {
      this.access(i.Bucket, i.ExpectedBucketOwner).policy = i.Policy;
      return {};
    });
    on(GetBucketPolicyCommand, 'GetBucketPolicy', (i) => {
      const b = this.access(i.Bucket, i.ExpectedBucketOwner);
      if (!b.policy) throw s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
      return { Policy: b.policy };
    });
    on(PutBucketTaggingCommand, 'PutBucketTagging', (i) => {
      this.access(i.Bucket, i.ExpectedBucketOwner).tags = i.Tagging?.TagSet;
      return {};
    });
    on(GetBucketTaggingCommand, 'GetBucketTagging', (i) => {
      const b = this.access(i.Bucket, i.ExpectedBucketOwner);
      if (!b.tags?.length) throw s3Error('NoSuchTagSet', 'The TagSet does not exist', 404);
      return { TagSet: b.tags };
    });
    on(PutObjectCommand, 'PutObject', (i: PutObjectCommandInput) => {
      if (i.ACL) throw s3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs');
      this.access(i.Bucket, i.ExpectedBucketOwner);
      const text = String(i.Body ?? '');
      const v = this.put(i.Bucket!, i.Key!, text, {
        metadata: { ...i.Metadata },
        ...(i.ContentType && { contentType: i.ContentType }),
      });
      return { ETag: v.etag, ...(v.versionId !== 'null' && { VersionId: v.versionId }) };
    });
    on(HeadObjectCommand, 'HeadObject', (i) => {
      this.access(i.Bucket, i.ExpectedBucketOwner);
      const v = this.latest(i.Bucket!, i.Key!);
      if (!v) throw s3Error('NotFound', 'UnknownError', 404);
      return {
        ETag: v.etag,
        ContentLength: v.size,
        ContentType: v.contentType,
        Metadata: v.metadata,
        ...(v.versionId !== 'null' && { VersionId: v.versionId }),
      };
    });
    on(GetObjectCommand, 'GetObject', (i) => {
      this.access(i.Bucket, i.ExpectedBucketOwner);
      const v = this.latest(i.Bucket!, i.Key!);
      if (!v) throw s3Error('NoSuchKey', 'The specified key does not exist.', 404);
      return {
        Body: body(v.body) as never,
        ETag: v.etag,
        Metadata: v.metadata,
        ...(v.versionId !== 'null' && { VersionId: v.versionId }),
      };
    });
    on(ListObjectVersionsCommand, 'ListObjectVersions', (i: ListObjectVersionsCommandInput) =>
      this.listVersions(i),
    );
    on(ListObjectsCommand, 'ListObjects', (i) => {
      const b = this.access(i.Bucket, i.ExpectedBucketOwner);
      const after = i.Marker ?? '';
      const keys = [...new Set(b.versions.map((v) => v.key))].filter((k) => k > after).sort();
      const max = Math.min(i.MaxKeys ?? 1000, 1000);
      const page = keys.slice(0, max);
      return {
        Contents: page.map((Key) => ({ Key, Size: this.latest(i.Bucket!, Key)?.size ?? 0 })),
        IsTruncated: keys.length > max,
      };
    });
    on(DeleteObjectsCommand, 'DeleteObjects', (i: DeleteObjectsCommandInput) =>
      this.deleteObjects(i),
    );
    on(DeleteBucketCommand, 'DeleteBucket', (i) => {
      const b = this.access(i.Bucket, i.ExpectedBucketOwner);
      if (b.versions.length) {
        throw s3Error(
          'BucketNotEmpty',
          'The bucket you tried to delete is not empty. You must delete all versions in the bucket.',
          409,
        );
      }
      this.buckets.delete(i.Bucket!);
      return {};
    });
  }

  /** S3's order: by key, then newest version first; pages of MaxKeys entries. */
  private listVersions(i: ListObjectVersionsCommandInput) {
    const b = this.access(i.Bucket, i.ExpectedBucketOwner);
    const ordered = [...b.versions].sort((a, c) =>
      a.key < c.key ? -1 : a.key > c.key ? 1 : this.seq(c) - this.seq(a),
    );
    let start = 0;
    if (i.KeyMarker !== undefined) {
      // Markers are positions in that order: they hold even when the marker
      // version itself has been deleted since.
      const markerSeq =
        i.VersionIdMarker === undefined
          ? undefined
          : (this.seqs.get(`${i.KeyMarker}\u0000${i.VersionIdMarker}`) ?? -1);
      start = ordered.findIndex(
        (v) =>
          v.key > i.KeyMarker! ||
          (markerSeq !== undefined && v.key === i.KeyMarker && this.seq(v) < markerSeq),
      );
      if (start < 0) start = ordered.length;
    }
    const max = Math.min(i.MaxKeys ?? 1000, 1000);
    const page = ordered.slice(start, start + max);
    const truncated = start + max < ordered.length;
    const last = page[page.length - 1];
    return {
      Versions: page
        .filter((v) => !v.deleteMarker)
        .map((v) => ({ Key: v.key, VersionId: v.versionId, Size: v.size, ETag: v.etag })),
      DeleteMarkers: page
        .filter((v) => v.deleteMarker)
        .map((v) => ({ Key: v.key, VersionId: v.versionId })),
      IsTruncated: truncated,
      ...(truncated && last && { NextKeyMarker: last.key, NextVersionIdMarker: last.versionId }),
    };
  }

  /** Creation order of every version ever stored (kept after deletion, so markers stay positions). */
  private readonly seqs = new Map<string, number>();

  private seq(v: FakeVersion): number {
    return this.seqs.get(`${v.key}\u0000${v.versionId}`) ?? -1;
  }

  /** Stores a version at the end of the bucket's history. */
  private record(b: FakeBucket, v: FakeVersion): FakeVersion {
    this.seqs.set(`${v.key}\u0000${v.versionId}`, ++versionCounter);
    b.versions.push(v);
    return v;
  }

  private deleteObjects(i: DeleteObjectsCommandInput) {
    const b = this.access(i.Bucket, i.ExpectedBucketOwner);
    const objects = i.Delete?.Objects ?? [];
    if (objects.length > 1000) {
      throw s3Error('MalformedXML', 'The XML you provided was not well-formed', 400);
    }
    const errors: Array<{ Key: string; VersionId?: string; Code: string; Message: string }> = [];
    const deleted: Array<{ Key: string; VersionId?: string }> = [];
    const remove = new Set<string>();
    for (const o of objects) {
      const pending = b.transient?.get(o.Key!) ?? 0;
      if (pending > 0) b.transient!.set(o.Key!, pending - 1);
      const code = b.undeletable?.get(o.Key!) ?? (pending > 0 ? 'InternalError' : undefined);
      if (code) {
        errors.push({
          Key: o.Key!,
          ...(o.VersionId && { VersionId: o.VersionId }),
          Code: code,
          Message: code === 'AccessDenied' ? 'Access Denied' : 'We encountered an internal error.',
        });
        continue;
      }
      if (o.VersionId === undefined) {
        // No version id: on a versioned bucket this adds a delete marker.
        if (b.versioning) {
          this.record(b, {
            key: o.Key!,
            versionId: `v${versionCounter + 1}`,
            deleteMarker: true,
            body: '',
            size: 0,
            metadata: {},
            etag: '',
          });
        } else b.versions = b.versions.filter((v) => v.key !== o.Key);
      } else {
        remove.add(`${o.Key}\u0000${o.VersionId}`);
      }
      deleted.push({ Key: o.Key!, ...(o.VersionId && { VersionId: o.VersionId }) });
    }
    if (remove.size)
      b.versions = b.versions.filter((v) => !remove.has(`${v.key}\u0000${v.versionId}`));
    return {
      ...(!i.Delete?.Quiet && { Deleted: deleted }),
      ...(errors.length && { Errors: errors }),
    };
  }
}
