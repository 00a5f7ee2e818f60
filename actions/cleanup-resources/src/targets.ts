/**
 * A resource outside the stacks (bucket, ECR repository, log group) that the
 * step was asked to delete, found and checked during planning.
 */
import { mapLimit } from '../../../core/concurrency.js';
import { ownership } from '../../../core/ownership.js';
import type { ResourceKind } from './outcome.js';
import { type NamePattern, showPattern } from './patterns.js';

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

/** How to find, check and delete one kind of resource that carries ownership tags. */
export interface OwnedKind {
  kind: ResourceKind;
  /** The input that names them, for "matched nothing" warnings. */
  input: string;
  /** Names that begin with `prefix`, in this account and region. */
  list(prefix: string): Promise<string[]>;
  /** The resource's tags; undefined when it does not exist. */
  tags(name: string): Promise<Record<string, string> | undefined>;
  measure(name: string): Promise<string>;
  remove(name: string): Promise<string>;
}

/**
 * Resolves the names and wildcards of an input, reads each resource's tags
 * (a name that does not exist is already gone) and refuses what mcfpipe does
 * not own, unless forced.
 */
export async function planOwned(
  patterns: NamePattern[],
  found: OwnedKind,
  rules: OwnershipRules,
): Promise<TargetPlan> {
  const plan = emptyPlan();
  const names: string[] = [];
  for (const p of patterns) {
    const hits = p.kind === 'exact' ? [p.name] : await found.list(p.prefix);
    if (!hits.length) plan.unmatched.push(`${found.input} pattern ${showPattern(p)}`);
    for (const name of hits) if (!names.includes(name)) names.push(name);
  }
  const tagSets = await mapLimit(names, 8, (name) => found.tags(name));
  names.forEach((name, i) => {
    const tags = tagSets[i];
    if (!tags) {
      plan.gone.push({ kind: found.kind, name });
      return;
    }
    const target: Target = {
      kind: found.kind,
      name,
      measure: () => found.measure(name),
      remove: () => found.remove(name),
    };
    plan.targets.push(applyOwnership(target, tags, rules));
  });
  return plan;
}
