/**
 * Writing a config to the config bucket: the JSON list of
 * {"OutputKey", "OutputValue"} that config-store.ts reads, stored with
 * Content-Type application/json and its sha256 in the object's metadata.
 * When the stored object already has that sha256, nothing is written: no new
 * version, `changed` false. Objects are never given an ACL (the bucket owner
 * owns them; buckets with ACLs disabled reject ACLs).
 */
import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ActionError, errorCode } from '../../core/errors.js';
import { type S3Location, s3Url } from '../../core/s3-url.js';
import { type ConfigPairs, isS3Denied, type OutputEntry, toOutputEntries } from './config-store.js';

/** Metadata key (x-amz-meta-sha256) of the content's hex sha256. */
export const SHA256_METADATA = 'sha256';

/** Extra fields kept from stack outputs (the AWS CLI prints them too). */
export type EntryDetails = Record<string, Pick<OutputEntry, 'Description' | 'ExportName'>>;

/**
 * The document text: entries sorted by key, 2-space indented, newline at the
 * end, so equal configs are equal bytes. Entries of `secretKeys` carry
 * `"Secret": true`, so a reader masks them without being told which they are.
 */
export function serializeConfig(
  pairs: ConfigPairs,
  details: EntryDetails = {},
  secretKeys: readonly string[] = [],
): string {
  const entries = toOutputEntries(pairs).map((e) => ({
    ...e,
    ...details[e.OutputKey],
    ...(secretKeys.includes(e.OutputKey) && { Secret: true }),
  }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The same digest as S3's x-amz-checksum-sha256 wants it (base64). */
function sha256Base64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export interface WriteResult {
  changed: boolean;
  versionId?: string;
  etag?: string;
  sha256: string;
  bytes: number;
}

/** The stored object's sha256 and version, or undefined when there is no object. */
async function current(
  s3: S3Client,
  location: S3Location,
  expectedOwner: string | undefined,
): Promise<{ sha256?: string; versionId?: string; etag?: string } | undefined> {
  try {
    const head = await s3.send(
      new HeadObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        ...(expectedOwner && { ExpectedBucketOwner: expectedOwner }),
      }),
    );
    const out: { sha256?: string; versionId?: string; etag?: string } = {};
    const sha = head.Metadata?.[SHA256_METADATA];
    if (sha) out.sha256 = sha;
    if (head.VersionId) out.versionId = head.VersionId;
    if (head.ETag) out.etag = head.ETag;
    return out;
  } catch (err) {
    const code = errorCode(err);
    if (code === 'NotFound' || code === 'NoSuchKey') return undefined;
    if (code === 'NoSuchBucket') throw missingBucket(location, err);
    if (isS3Denied(err)) {
      throw new ActionError(
        `Cannot write ${s3Url(location)}: access denied (HTTP 403) reading the current object. S3 gives this answer also when the key does not exist and the role may not list bucket ${location.bucket} (s3:ListBucket)${expectedOwner ? `, and when the bucket belongs to another account than ${expectedOwner}` : ''}.`,
        deniedHint(location),
        { cause: err },
      );
    }
    throw err;
  }
}

function deniedHint(location: S3Location): string {
  return `Allow s3:GetObject and s3:PutObject on ${s3Url(location)} and s3:ListBucket on bucket ${location.bucket} for this role (and the KMS key's kms:GenerateDataKey and kms:Decrypt when the bucket uses SSE-KMS).`;
}

function missingBucket(location: S3Location, cause: unknown): ActionError {
  return new ActionError(
    `Cannot write ${s3Url(location)}: bucket ${location.bucket} does not exist in this account and region.`,
    'Let publish-config create it (create-bucket: true, the default), or check the bucket name and region.',
    { cause },
  );
}

export interface WriteOptions {
  /** Further metadata (x-amz-meta-*), e.g. where the config came from. */
  metadata?: Record<string, string>;
  /** The account that must own the bucket (ExpectedBucketOwner). */
  expectedOwner?: string;
}

/** Writes `text` unless the stored object already has its sha256. */
export async function writeConfig(
  s3: S3Client,
  location: S3Location,
  text: string,
  opts: WriteOptions = {},
): Promise<WriteResult> {
  const sha256 = sha256Hex(text);
  const bytes = Buffer.byteLength(text, 'utf8');
  const stored = await current(s3, location, opts.expectedOwner);
  if (stored?.sha256 === sha256) {
    const result: WriteResult = { changed: false, sha256, bytes };
    if (stored.versionId) result.versionId = stored.versionId;
    if (stored.etag) result.etag = stored.etag;
    return result;
  }
  try {
    const out = await s3.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        Body: text,
        ContentType: 'application/json',
        CacheControl: 'no-cache',
        Metadata: { ...opts.metadata, [SHA256_METADATA]: sha256 },
        // S3 checks the body against it and rejects a corrupted upload.
        ChecksumSHA256: sha256Base64(sha256),
        ...(opts.expectedOwner && { ExpectedBucketOwner: opts.expectedOwner }),
      }),
    );
    const result: WriteResult = { changed: true, sha256, bytes };
    if (out.VersionId) result.versionId = out.VersionId;
    if (out.ETag) result.etag = out.ETag;
    return result;
  } catch (err) {
    if (errorCode(err) === 'NoSuchBucket') throw missingBucket(location, err);
    if (isS3Denied(err)) {
      throw new ActionError(
        `Cannot write ${s3Url(location)}: access denied (HTTP 403): ${(err as Error).message.replace(/\.$/, '')}.`,
        deniedHint(location),
        { cause: err },
      );
    }
    throw err;
  }
}
