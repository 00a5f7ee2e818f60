/**
 * Emptying an S3 bucket completely, fast: every object version and every
 * delete marker, listed with ListObjectVersions (pages of up to 1,000) and
 * deleted with one DeleteObjects call per page (at most 1,000 keys, S3's
 * limit). No call per object: a bucket of n versions costs ceil(n/1000) list
 * calls and as many DeleteObjects calls. Deleting a page runs while the next
 * page is listed (a few deletes in flight), which is safe: the list markers
 * are positions in key order, not affected by deleting what came before.
 *
 * S3-compatible servers that do not implement versions (ListObjectVersions
 * answered with NotImplemented or MethodNotAllowed) are listed with
 * ListObjects instead (version 1, the listing every such server implements,
 * paged by key marker), which holds every object there is on such a server.
 */
import {
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type Clock, systemClock } from '../../core/clock.js';
import { forEachLimit } from '../../core/concurrency.js';
import { ActionError, errorCode } from '../../core/errors.js';
import { resend } from '../../core/retry.js';

/** S3's limit of keys per DeleteObjects call, and of keys per list page. */
export const BATCH = 1000;

export interface ObjectRef {
  Key: string;
  VersionId?: string;
  size: number;
  deleteMarker: boolean;
}

export interface ListOptions {
  /** Keys per list page (default and maximum 1,000). */
  pageSize?: number;
  /**
   * The account that must own the bucket (ExpectedBucketOwner on every call):
   * S3 answers 403 instead of listing or deleting in someone else's bucket.
   */
  expectedOwner?: string;
  /** Told once when the server has no ListObjectVersions and plain listing is used. */
  onUnversionedListing?: () => void;
}

const NOT_IMPLEMENTED = new Set(['NotImplemented', 'MethodNotAllowed']);

/** Every version and delete marker of a bucket, one page at a time. */
export async function* listAllVersions(
  s3: S3Client,
  bucket: string,
  opts: ListOptions = {},
): AsyncGenerator<ObjectRef[]> {
  const MaxKeys = Math.min(opts.pageSize ?? BATCH, BATCH);
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (let first = true; ; first = false) {
    let page: ListObjectVersionsCommandOutput;
    try {
      page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          MaxKeys,
          ...owner(opts.expectedOwner),
          ...(KeyMarker !== undefined && { KeyMarker }),
          ...(VersionIdMarker !== undefined && { VersionIdMarker }),
        }),
      );
    } catch (err) {
      if (first && NOT_IMPLEMENTED.has(errorCode(err) ?? '')) {
        opts.onUnversionedListing?.();
        yield* listAllObjects(s3, bucket, MaxKeys, opts.expectedOwner);
        return;
      }
      throw err;
    }
    const refs: ObjectRef[] = [];
    for (const v of page.Versions ?? []) {
      if (v.Key === undefined) continue;
      refs.push({ Key: v.Key, ...version(v.VersionId), size: v.Size ?? 0, deleteMarker: false });
    }
    for (const m of page.DeleteMarkers ?? []) {
      if (m.Key === undefined) continue;
      refs.push({ Key: m.Key, ...version(m.VersionId), size: 0, deleteMarker: true });
    }
    if (refs.length) yield refs;
    if (!page.IsTruncated) return;
    KeyMarker = page.NextKeyMarker;
    VersionIdMarker = page.NextVersionIdMarker;
    if (KeyMarker === undefined && VersionIdMarker === undefined) return;
  }
}

/** ExpectedBucketOwner, when an owner is expected. */
export function owner(account: string | undefined): { ExpectedBucketOwner?: string } {
  return account ? { ExpectedBucketOwner: account } : {};
}

/** Objects written before versioning was enabled have the version id "null": it must be sent as is. */
function version(id: string | undefined): { VersionId?: string } {
  return id === undefined ? {} : { VersionId: id };
}

async function* listAllObjects(
  s3: S3Client,
  bucket: string,
  MaxKeys: number,
  expectedOwner: string | undefined,
): AsyncGenerator<ObjectRef[]> {
  let Marker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectsCommand({
        Bucket: bucket,
        MaxKeys,
        ...(Marker !== undefined && { Marker }),
        ...owner(expectedOwner),
      }),
    );
    const refs = (page.Contents ?? [])
      .filter((o) => o.Key !== undefined)
      .map((o) => ({ Key: o.Key!, size: o.Size ?? 0, deleteMarker: false }));
    if (refs.length) yield refs;
    // Without a delimiter, NextMarker is absent: the last key is the marker.
    const next = page.NextMarker ?? refs[refs.length - 1]?.Key;
    if (!page.IsTruncated || next === undefined) return;
    Marker = next;
  }
}

export interface BucketInventory {
  /** Object versions (current and noncurrent). */
  versions: number;
  deleteMarkers: number;
  bytes: number;
}

/** Counts what emptying the bucket would delete (for a dry run). */
export async function inventoryBucket(
  s3: S3Client,
  bucket: string,
  opts: ListOptions = {},
): Promise<BucketInventory> {
  const inventory: BucketInventory = { versions: 0, deleteMarkers: 0, bytes: 0 };
  for await (const page of listAllVersions(s3, bucket, opts)) {
    for (const ref of page) {
      if (ref.deleteMarker) inventory.deleteMarkers++;
      else inventory.versions++;
      inventory.bytes += ref.size;
    }
  }
  return inventory;
}

export interface EmptyOptions extends ListOptions {
  /** DeleteObjects calls in flight at once (default 4). */
  concurrency?: number;
  /** Called after each DeleteObjects call with the running totals. */
  onProgress?: (deleted: number, bytes: number) => void;
  /**
   * Pause before the one retry of keys S3 refused with a transient error
   * (SlowDown, InternalError, ...), ms (default 1000): retrying at once would
   * answer SlowDown with more load.
   */
  retryPauseMs?: number;
  /** The clock the pause is taken on (tests pass a virtual one). */
  clock?: Clock;
}

export interface EmptyResult extends BucketInventory {
  /** Versions and delete markers deleted. */
  deleted: number;
}

/** Errors S3 reports per key that are worth one more attempt. */
const RETRY_PER_KEY = new Set([
  'InternalError',
  'SlowDown',
  'ServiceUnavailable',
  'RequestTimeout',
]);
/** DeleteObjects calls per key: the first and one retry of a key S3 refused for a transient reason. */
const PER_KEY_ATTEMPTS = 2;

interface KeyError {
  ref: ObjectRef;
  code: string;
  message: string;
}

/** Deletes every version and delete marker; throws naming the keys S3 would not delete. */
export async function emptyBucket(
  s3: S3Client,
  bucket: string,
  opts: EmptyOptions = {},
): Promise<EmptyResult> {
  const result: EmptyResult = { versions: 0, deleteMarkers: 0, bytes: 0, deleted: 0 };
  const failed: KeyError[] = [];
  const pauseMs = opts.retryPauseMs ?? 1000;

  const deleteOnce = async (refs: ObjectRef[], attempt: number): Promise<ObjectRef[]> => {
    const out = await deleteObjects(s3, bucket, refs, opts.expectedOwner);
    const { errors, unmatched } = matchErrors(refs, out.Errors ?? []);
    const again: ObjectRef[] = [];
    for (const ref of refs) {
      const error = errors.get(ref);
      if (!error) {
        result.deleted++;
        if (ref.deleteMarker) result.deleteMarkers++;
        else result.versions++;
        result.bytes += ref.size;
      } else if (attempt < PER_KEY_ATTEMPTS && RETRY_PER_KEY.has(error.code)) again.push(ref);
      else failed.push({ ref, ...error });
    }
    // An error S3 reported for no key that was sent still means something was not deleted.
    for (const u of unmatched) {
      failed.push(u);
      result.deleted = Math.max(0, result.deleted - 1);
    }
    opts.onProgress?.(result.deleted, result.bytes);
    return again;
  };

  await forEachLimit(
    inBatches(listAllVersions(s3, bucket, opts)),
    Math.max(1, opts.concurrency ?? 4),
    async (refs) => {
      await resend(refs, deleteOnce, {
        attempts: PER_KEY_ATTEMPTS,
        baseMs: pauseMs,
        maxMs: pauseMs,
        delayFor: () => pauseMs,
        clock: opts.clock ?? systemClock,
      });
    },
  );
  if (failed.length) throw undeletable(bucket, failed, result.deleted);
  return result;
}

/** The listing's pages cut to DeleteObjects' limit (a server may send more than MaxKeys). */
async function* inBatches(pages: AsyncIterable<ObjectRef[]>): AsyncGenerator<ObjectRef[]> {
  for await (const page of pages) {
    for (let i = 0; i < page.length; i += BATCH) yield page.slice(i, i + BATCH);
  }
}

function refId(key: string | undefined, versionId: string | undefined): string {
  return `${key ?? ''}\u0000${versionId ?? ''}`;
}

type S3KeyError = { Key?: string; VersionId?: string; Code?: string; Message?: string };

/**
 * The DeleteObjects errors of a batch, by the ref they are about: by key and
 * version, else (an answer that leaves the version out) by key. An error that
 * names no key of the batch is `unmatched`: still a failure, never ignored.
 */
function matchErrors(
  refs: ObjectRef[],
  reported: S3KeyError[],
): { errors: Map<ObjectRef, { code: string; message: string }>; unmatched: KeyError[] } {
  const errors = new Map<ObjectRef, { code: string; message: string }>();
  const unmatched: KeyError[] = [];
  const byId = new Map(refs.map((r) => [refId(r.Key, r.VersionId), r]));
  for (const e of reported) {
    const error = { code: e.Code ?? 'Error', message: e.Message ?? '' };
    const ref =
      byId.get(refId(e.Key, e.VersionId)) ??
      (e.VersionId ? undefined : refs.find((r) => r.Key === e.Key && !errors.has(r)));
    if (ref && !errors.has(ref)) errors.set(ref, error);
    else {
      unmatched.push({
        ref: { Key: e.Key ?? '(no key)', ...version(e.VersionId), size: 0, deleteMarker: false },
        ...error,
      });
    }
  }
  return { errors, unmatched };
}

function deleteObjects(
  s3: S3Client,
  bucket: string,
  refs: ObjectRef[],
  expectedOwner: string | undefined,
): Promise<DeleteObjectsCommandOutput> {
  return s3.send(
    new DeleteObjectsCommand({
      Bucket: bucket,
      ...owner(expectedOwner),
      Delete: {
        Objects: refs.map((r) => ({ Key: r.Key, ...version(r.VersionId) })),
        // Quiet: the answer lists only the keys that failed.
        Quiet: true,
      },
    }),
  );
}

function undeletable(bucket: string, failed: KeyError[], deleted: number): ActionError {
  const shown = failed
    .slice(0, 5)
    .map(
      (f) =>
        `${f.ref.Key}${f.ref.VersionId ? ` (version ${f.ref.VersionId})` : ''}: ${f.code}${f.message ? `: ${f.message}` : ''}`,
    );
  const more = failed.length > shown.length ? `; and ${failed.length - shown.length} more` : '';
  const lock = failed.some((f) => f.code === 'AccessDenied')
    ? ' AccessDenied on single objects usually means S3 Object Lock (a retention period or legal hold) or a bucket policy that denies s3:DeleteObjectVersion.'
    : '';
  return new ActionError(
    `Bucket ${bucket} could not be emptied: ${failed.length} object version(s) were not deleted (${deleted} were): ${shown.join('; ')}${more}.${lock}`,
    'Remove the retention or legal hold, or allow s3:DeleteObject and s3:DeleteObjectVersion on the bucket for this role, then run the cleanup again.',
  );
}
