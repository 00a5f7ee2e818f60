/**
 * A resource outside the stacks (bucket, ECR repository, log group) that the
 * step was asked to delete, found and checked during planning.
 */
import { ownership } from '../../lib/ownership.js';
import type { ResourceKind } from './outcome.js';

export interface Target {
  kind: ResourceKind;
  name: string;
  /** Set when a safety rule says no: the reason. */
  refused?: string;
  /** Said next to the deletion, e.g. "not tagged ..., deleted because force: true". */
  note?: string;
  /** What deleting it would remove, for a dry run ("1,234 object versions, 5.6 MiB"). */
  measure(): Promise<string>;
  /** Deletes it; returns what was deleted, in words. Already gone is success. */
  remove(): Promise<string>;
}

export interface TargetPlan {
  targets: Target[];
  /** Names given exactly that do not exist (already deleted: success). */
  gone: Array<{ kind: ResourceKind; name: string }>;
  /** Selectors that matched nothing, in words. */
  unmatched: string[];
}

export function emptyPlan(): TargetPlan {
  return { targets: [], gone: [], unmatched: [] };
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of results. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

export interface OwnershipRules {
  env?: string;
  force: boolean;
}

/** Refuses a target whose tags do not say mcfpipe owns it, unless forced (then notes it). */
export function applyOwnership(
  target: Target,
  tags: Record<string, string>,
  rules: OwnershipRules,
): Target {
  const owned = ownership(tags, rules.env);
  if (!owned.owned) {
    if (rules.force) target.note = `${owned.reason}; deleted because force: true`;
    else target.refused = `${owned.reason}; set force: true to delete it anyway`;
  }
  return target;
}
