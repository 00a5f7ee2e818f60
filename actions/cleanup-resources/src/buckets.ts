/**
 * S3 buckets to delete: found by name or prefix, checked (ours, this
 * account, this region, tagged as mcfpipe's unless forced), measured for a
 * dry run, emptied completely (every version and delete marker) and deleted.
 */
import {
  DeleteBucketCommand,
  GetBucketTaggingCommand,
  paginateListBuckets,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ActionError, errorCode } from '../../../core/errors.js';
import { tagRecord } from '../../../core/ownership.js';
import { emptyBucket, inventoryBucket, owner } from '../../lib/s3-empty.js';
import type { Context } from './context.js';
import { count, formatBytes } from './outcome.js';
import type { NamePattern } from './patterns.js';
import { type OwnershipRules, planOwned, type TargetPlan } from './targets.js';

export interface BucketRules extends OwnershipRules {
  account: string;
}

/** Bucket names that begin with `prefix`, in this region (ListBuckets pages). */
async function listBuckets(ctx: Context, prefix: string): Promise<string[]> {
  const names: string[] = [];
  const pages = paginateListBuckets({ client: ctx.s3 }, { Prefix: prefix, MaxBuckets: 1000 });
  for await (const page of pages) {
    for (const b of page.Buckets ?? []) {
      if (!b.Name?.startsWith(prefix)) continue;
      if (b.BucketRegion && b.BucketRegion !== ctx.region) continue;
      names.push(b.Name);
    }
  }
  return names;
}

/** The bucket's tags, or undefined when it is gone; a bucket of another account or region is an error. */
async function bucketTags(
  ctx: Context,
  bucket: string,
  account: string,
): Promise<Record<string, string> | undefined> {
  try {
    const out = await ctx.s3.send(
      new GetBucketTaggingCommand({ Bucket: bucket, ExpectedBucketOwner: account }),
    );
    return tagRecord(out.TagSet);
  } catch (err) {
    const code = errorCode(err);
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (code === 'NoSuchBucket') return undefined;
    if (code === 'NoSuchTagSet') return {};
    if (code === 'AccessDenied' || status === 403) {
      throw new ActionError(
        `Input "buckets": bucket ${bucket} does not belong to account ${account} (or this role may not read its tags). Nothing was deleted.`,
        'Remove it from the buckets input; if it is yours, allow s3:GetBucketTagging on it for this role.',
        { cause: err },
      );
    }
    if (code === 'PermanentRedirect' || status === 301) {
      throw new ActionError(
        `Input "buckets": bucket ${bucket} is in another region than ${ctx.region}. Nothing was deleted.`,
        "Run the cleanup in the bucket's region (the region input), in a separate step.",
        { cause: err },
      );
    }
    throw err;
  }
}

export function planBuckets(
  ctx: Context,
  patterns: NamePattern[],
  rules: BucketRules,
): Promise<TargetPlan> {
  return planOwned(
    patterns,
    {
      kind: 'bucket',
      input: 'buckets',
      list: (prefix) => listBuckets(ctx, prefix),
      tags: (name) => bucketTags(ctx, name, rules.account),
      measure: async (name) => {
        const inv = await inventoryBucket(ctx.s3, name, { expectedOwner: rules.account });
        return `${count(inv.versions, 'object version')}, ${count(inv.deleteMarkers, 'delete marker')}, ${formatBytes(inv.bytes)}`;
      },
      remove: (name) => removeBucket(ctx.s3, name, ctx.log, rules.account),
    },
    rules,
  );
}

/** Empties and deletes a bucket; writes racing the deletion get one more emptying. */
export async function removeBucket(
  s3: S3Client,
  bucket: string,
  log: (line: string) => void,
  /** Checked again by S3 on every call (ExpectedBucketOwner), not only while planning. */
  account?: string,
): Promise<string> {
  let versions = 0;
  let markers = 0;
  let bytes = 0;
  let lastLogged = 0;
  for (let round = 1; ; round++) {
    try {
      const result = await emptyBucket(s3, bucket, {
        expectedOwner: account,
        onProgress: (deleted) => {
          if (deleted - lastLogged >= 10_000) {
            lastLogged = deleted;
            log(
              `Bucket ${bucket}: ${deleted.toLocaleString('en-US')} versions and delete markers deleted so far.`,
            );
          }
        },
      });
      versions += result.versions;
      markers += result.deleteMarkers;
      bytes += result.bytes;
      await s3.send(new DeleteBucketCommand({ Bucket: bucket, ...owner(account) }));
      break;
    } catch (err) {
      const code = errorCode(err);
      if (code === 'NoSuchBucket') break;
      if (code === 'BucketNotEmpty' && round === 1) {
        log(`Bucket ${bucket} received new objects while it was emptied; emptying it again.`);
        continue;
      }
      throw err;
    }
  }
  return `emptied (${count(versions, 'object version')}, ${count(markers, 'delete marker')}, ${formatBytes(bytes)}) and deleted`;
}
