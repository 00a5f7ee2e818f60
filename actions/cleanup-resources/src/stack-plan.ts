/**
 * Which stacks to delete, and what deleting each one means: its resources,
 * those CloudFormation will keep (DeletionPolicy Retain), the buckets that
 * must be emptied first, and the stacks that import its exports.
 */
import {
  GetTemplateCommand,
  paginateDescribeStacks,
  paginateListImports,
  paginateListStackResources,
  type Stack,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { errorCode } from '../../../core/errors.js';
import { ENV_KEY, tagRecord } from '../../../core/ownership.js';
import { describeStack } from '../../lib/stack-wait.js';
import type { Context } from './context.js';
import type { Inputs } from './inputs.js';
import { matches, showPattern } from './patterns.js';

export interface Selection {
  stacks: Stack[];
  /** Stacks named exactly that do not exist (already deleted). */
  gone: string[];
  /** Selectors that matched no stack, in words. */
  unmatched: string[];
  /** Stacks the selectors matched that exclude-stacks keeps. */
  excluded: string[];
}

/** Every stack that is not deleted, with tags and outputs (DescribeStacks pages). */
async function listStacks(ctx: Context): Promise<Stack[]> {
  const stacks: Stack[] = [];
  for await (const page of paginateDescribeStacks({ client: ctx.cfn }, {})) {
    stacks.push(...(page.Stacks ?? []).filter((s) => s.StackStatus !== 'DELETE_COMPLETE'));
  }
  return stacks;
}

export async function selectStacks(ctx: Context, inputs: Inputs): Promise<Selection> {
  const selection: Selection = { stacks: [], gone: [], unmatched: [], excluded: [] };
  const exact = inputs.stacks
    .filter((p) => p.kind === 'exact')
    .map((p) => (p as { name: string }).name);
  const wildcards = inputs.stacks.filter((p) => p.kind === 'prefix');
  const needList =
    wildcards.length > 0 || inputs.stackPrefix !== undefined || inputs.env !== undefined;
  const chosen = new Map<string, Stack>();
  if (needList) {
    const all = await listStacks(ctx);
    const byName = new Map(all.map((s) => [s.StackName!, s]));
    for (const name of exact) {
      const stack = byName.get(name);
      if (stack) chosen.set(name, stack);
      else selection.gone.push(name);
    }
    for (const pattern of wildcards) {
      const hits = all.filter((s) => matches(pattern, s.StackName!));
      for (const s of hits) chosen.set(s.StackName!, s);
      if (!hits.length) selection.unmatched.push(`stacks pattern ${showPattern(pattern)}`);
    }
    const prefix = inputs.stackPrefix;
    if (prefix !== undefined) {
      const hits = all.filter(
        (s) => s.StackName === prefix || s.StackName!.startsWith(`${prefix}-`),
      );
      for (const s of hits) chosen.set(s.StackName!, s);
      if (!hits.length) selection.unmatched.push(`stack-prefix ${prefix}`);
    }
    if (inputs.env !== undefined) {
      const hits = all.filter((s) => tagRecord(s.Tags)[ENV_KEY] === inputs.env);
      for (const s of hits) chosen.set(s.StackName!, s);
      if (!hits.length)
        selection.unmatched.push(`env ${inputs.env} (no stack tagged ${ENV_KEY}=${inputs.env})`);
    }
  } else {
    const found = await Promise.all(exact.map((name) => describeStack(ctx.cfn, name)));
    exact.forEach((name, i) => {
      const stack = found[i];
      if (stack && stack.StackStatus !== 'DELETE_COMPLETE') chosen.set(name, stack);
      else selection.gone.push(name);
    });
  }
  const isExcluded = (name: string) => inputs.excludeStacks.some((p) => matches(p, name));
  for (const name of [...chosen.keys()]) {
    if (isExcluded(name)) {
      chosen.delete(name);
      selection.excluded.push(name);
    }
  }
  selection.gone = selection.gone.filter((name) => !isExcluded(name));
  selection.stacks = [...chosen.values()];
  return selection;
}

export interface ResourceRef {
  logicalId: string;
  type: string;
  physicalId?: string;
}

export interface StackPlan {
  name: string;
  /** The stack id: still valid once the stack is deleted. */
  id: string;
  status: string;
  terminationProtected: boolean;
  /** Live resources (not yet deleted). */
  resources: ResourceRef[];
  /** Resources with DeletionPolicy Retain (or RetainExceptOnCreate, or one set by a condition): left in place. */
  retained: Array<ResourceRef & { policy: string }>;
  /** Buckets of the stack that CloudFormation will delete: emptied first. */
  buckets: string[];
  exports: string[];
  /** Stacks that import one of its exports. */
  importers: string[];
  /** Things the plan could not find out (the template could not be read, ...). */
  notes: string[];
}

const RETAIN = new Set(['Retain', 'RetainExceptOnCreate']);
/** The policy of a resource whose DeletionPolicy is not a plain word. */
export const CONDITIONAL = 'conditional';

async function stackResources(ctx: Context, stackId: string): Promise<StackResourceSummary[]> {
  const out: StackResourceSummary[] = [];
  for await (const page of paginateListStackResources(
    { client: ctx.cfn },
    { StackName: stackId },
  )) {
    out.push(...(page.StackResourceSummaries ?? []));
  }
  return out;
}

/**
 * Logical ids whose DeletionPolicy keeps them, or may: a policy that is not a
 * plain word (an intrinsic function the processed template still carries)
 * counts as kept, so its data is never emptied away. Undefined when the
 * template cannot be read.
 */
async function retainedIds(
  ctx: Context,
  stackId: string,
): Promise<Map<string, string> | undefined> {
  try {
    const out = await ctx.cfn.send(
      new GetTemplateCommand({ StackName: stackId, TemplateStage: 'Processed' }),
    );
    // The template parser (and its YAML library) is loaded only when a stack
    // is planned, after the first AWS calls: a chunk of the bundle.
    const { parseTemplate } = await import('../../../core/cfn-template.js');
    const template = parseTemplate(out.TemplateBody ?? '{}', stackId);
    const ids = new Map<string, string>();
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      const policy: unknown = resource.DeletionPolicy;
      if (typeof policy === 'string') {
        if (RETAIN.has(policy)) ids.set(id, policy);
      } else if (policy !== undefined && policy !== null) {
        ids.set(id, CONDITIONAL);
      }
    }
    return ids;
  } catch (err) {
    if (errorCode(err) === 'ValidationError') throw err;
    return undefined;
  }
}

/** The stacks importing an export (ListImports pages); none when it is not imported. */
async function importersOf(ctx: Context, exportName: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const page of paginateListImports({ client: ctx.cfn }, { ExportName: exportName })) {
      names.push(...(page.Imports ?? []));
    }
  } catch (err) {
    // "Export 'x' is not imported by any stack."
    if (errorCode(err) === 'ValidationError' && /not imported/i.test((err as Error).message)) {
      return [];
    }
    throw err;
  }
  return names;
}

export async function planStack(ctx: Context, stack: Stack): Promise<StackPlan> {
  const id = stack.StackId ?? stack.StackName!;
  const [summaries, retainIds] = await Promise.all([stackResources(ctx, id), retainedIds(ctx, id)]);
  const live = summaries.filter((r) => r.ResourceStatus !== 'DELETE_COMPLETE');
  const resources = live.map((r) => ({
    logicalId: r.LogicalResourceId ?? '?',
    type: r.ResourceType ?? '?',
    ...(r.PhysicalResourceId && { physicalId: r.PhysicalResourceId }),
  }));
  const exports = (stack.Outputs ?? [])
    .map((o) => o.ExportName)
    .filter((n): n is string => Boolean(n));
  const importers = [
    ...new Set((await Promise.all(exports.map((e) => importersOf(ctx, e)))).flat()),
  ];
  const plan: StackPlan = {
    name: stack.StackName!,
    id,
    status: stack.StackStatus ?? 'UNKNOWN',
    terminationProtected: stack.EnableTerminationProtection === true,
    resources,
    retained: resources
      .filter((r) => retainIds?.has(r.logicalId))
      .map((r) => ({ ...r, policy: retainIds!.get(r.logicalId)! })),
    // Without the template, no bucket is emptied: it might be one that is kept.
    buckets: retainIds
      ? resources
          .filter(
            (r) => r.type === 'AWS::S3::Bucket' && r.physicalId && !retainIds.has(r.logicalId),
          )
          .map((r) => r.physicalId!)
      : [],
    exports,
    importers: importers.filter((n) => n !== stack.StackName),
    notes: [],
  };
  if (!retainIds) {
    plan.notes.push(
      'its template could not be read, so resources kept by DeletionPolicy are not listed (CloudFormation still keeps them) and its buckets are not emptied first',
    );
  }
  return plan;
}
