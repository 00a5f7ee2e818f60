/**
 * cleanup-resources: finds and checks everything first (stacks by name,
 * prefix or env tag; buckets; ECR repositories; log groups), so that bad
 * input or a bucket of another account fails the step with nothing deleted;
 * then, unless it is a dry run, deletes the stacks in dependency order
 * (independent ones at the same time) and after them the buckets,
 * repositories and log groups.
 */

import { mapLimit } from '../../../core/concurrency.js';
import { ActionError, explainError } from '../../../core/errors.js';
import { writeSummary } from '../../../core/summary.js';
import { callerIdentity } from '../../lib/account.js';
import { planBuckets } from './buckets.js';
import type { Context } from './context.js';
import { type Inputs, readInputs } from './inputs.js';
import { count, type Outcome, Outcomes } from './outcome.js';
import { setOutputs, summaryMarkdown } from './report.js';
import { deleteStack, retainedReason } from './stack-delete.js';
import { deletionPrerequisites, runInOrder, type StepResult } from './stack-order.js';
import { planStack, type Selection, type StackPlan, selectStacks } from './stack-plan.js';
import { emptyPlan, type Target, type TargetPlan } from './targets.js';

/** Buckets, repositories and log groups deleted at the same time. */
const TARGET_CONCURRENCY = 4;

export async function main(makeContext: (inputs: Inputs) => Context): Promise<void> {
  const inputs = readInputs();
  const ctx = makeContext(inputs);
  const outcomes = new Outcomes();
  const plan = await planCleanup(ctx, inputs, outcomes);
  await deleteStacks(ctx, inputs, plan, outcomes);
  await deleteTargets(ctx, inputs, plan, outcomes);
  await reportCleanup(ctx, inputs, outcomes);
}

/** Every stack and resource to delete, and every refusal, known before anything is deleted. */
interface CleanupPlan {
  stacks: Map<string, StackPlan>;
  /** The stacks each stack must wait for (deletionPrerequisites). */
  before: Map<string, Set<string>>;
  refusals: Map<string, string>;
  /** Buckets, repositories and log groups. */
  targets: Target[];
}

/** Step 1: plan everything; nothing is deleted until every check has passed. */
async function planCleanup(ctx: Context, inputs: Inputs, outcomes: Outcomes): Promise<CleanupPlan> {
  const wantStacks =
    inputs.stacks.length > 0 || inputs.stackPrefix !== undefined || inputs.env !== undefined;
  const account = inputs.buckets.length ? (await callerIdentity(ctx.sts)).account : '';
  const ownershipRules = { force: inputs.force, ...(inputs.env && { env: inputs.env }) };
  const [selection, buckets, repositories, logGroups] = await Promise.all([
    wantStacks
      ? selectStacks(ctx, inputs)
      : Promise.resolve<Selection>({ stacks: [], gone: [], unmatched: [], excluded: [] }),
    inputs.buckets.length
      ? planBuckets(ctx, inputs.buckets, { ...ownershipRules, account })
      : emptyPlan(),
    // ECR and CloudWatch Logs code is loaded only when asked for (chunks of the bundle).
    inputs.repositories.length
      ? import('./repositories.js').then((m) =>
          m.planRepositories(ctx, inputs.repositories, ownershipRules),
        )
      : emptyPlan(),
    inputs.logGroups.length
      ? import('./log-groups.js').then((m) => m.planLogGroups(ctx, inputs.logGroups))
      : emptyPlan(),
  ]);
  const plans = await mapLimit(selection.stacks, 4, (s) => planStack(ctx, s));
  const before = deletionPrerequisites(plans);
  const refusals = stackRefusals(plans, inputs);
  const targets = [...buckets.targets, ...repositories.targets, ...logGroups.targets];

  for (const what of [
    ...selection.unmatched,
    ...others(buckets, repositories, logGroups).unmatched,
  ]) {
    ctx.warn(`${what} matched nothing.`);
  }
  for (const name of selection.gone) outcomes.add('stack', name, 'deleted', 'already gone');
  for (const name of selection.excluded) {
    outcomes.add('stack', name, 'kept', 'excluded by exclude-stacks');
  }
  for (const g of others(buckets, repositories, logGroups).gone) {
    outcomes.add(g.kind, g.name, 'deleted', 'already gone');
  }
  logPlan(ctx, inputs, plans, before, refusals, targets);
  return { stacks: new Map(plans.map((p) => [p.name, p])), before, refusals, targets };
}

/** Step 2: the stacks, each after the stacks it must wait for; refusals and dry runs only recorded. */
async function deleteStacks(
  ctx: Context,
  inputs: Inputs,
  plan: CleanupPlan,
  outcomes: Outcomes,
): Promise<void> {
  const stackWork = async (name: string): Promise<StepResult> => {
    const stack = plan.stacks.get(name)!;
    const refused = plan.refusals.get(name);
    if (refused) {
      outcomes.add('stack', name, 'refused', refused);
      return { ok: false, reason: refused };
    }
    if (inputs.dryRun) {
      outcomes.add('stack', name, 'would delete', describeStackPlan(stack, plan.before));
      for (const r of stack.retained) {
        outcomes.add(
          'stack resource',
          r.physicalId ?? `${name}/${r.logicalId}`,
          'kept',
          retainedReason(stack, r),
        );
      }
      return { ok: true };
    }
    return deleteStack(ctx, stack, { timeoutMs: inputs.timeoutMs, outcomes });
  };
  const blockedVerdict = (by: string): Outcome['verdict'] =>
    outcomes.all.findLast((o) => o.kind === 'stack' && o.name === by)?.verdict === 'failed'
      ? 'failed'
      : 'refused';
  await runInOrder(plan.before, stackWork, (name, by, reason) => {
    outcomes.add('stack', name, blockedVerdict(by), `not deleted: ${reason}`);
  });
}

/** Step 3: buckets, repositories and log groups, a few at a time. */
async function deleteTargets(
  ctx: Context,
  inputs: Inputs,
  plan: CleanupPlan,
  outcomes: Outcomes,
): Promise<void> {
  await mapLimit(plan.targets, TARGET_CONCURRENCY, (t) =>
    handleTarget(ctx, t, inputs.dryRun, outcomes),
  );
}

/** Step 4: outputs and job summary; the step fails on any failure or refusal. */
async function reportCleanup(ctx: Context, inputs: Inputs, outcomes: Outcomes): Promise<void> {
  setOutputs(outcomes);
  await writeSummary((s) =>
    s.addRaw(summaryMarkdown(outcomes, { dryRun: inputs.dryRun, region: ctx.region })),
  );
  // Resources inside a stack are details of the stack's failure, not counted on their own.
  const failed = outcomes.of('failed').filter((o) => o.kind !== 'stack resource');
  const refused = outcomes.of('refused');
  const done = outcomes.of(inputs.dryRun ? 'would delete' : 'deleted').length;
  if (failed.length || refused.length) {
    const first = [...failed, ...refused]
      .slice(0, 3)
      .map((o) => `${o.kind} ${o.name}: ${o.reason}`)
      .join('\n');
    throw new ActionError(
      `Cleanup ${inputs.dryRun ? 'dry run found that the cleanup would be incomplete' : 'incomplete'}: ${count(failed.length, 'failure')}, ${refused.length} refused${done ? ` (${done} ${inputs.dryRun ? 'would be deleted' : 'deleted'})` : ''}.\n${first}`,
      'The job summary lists each resource with its reason. Refusals name the input that allows them (force, allow-termination-protected); failures name the resource that blocked them. Running the cleanup again is safe: what is gone stays a success.',
    );
  }
  if (outcomes.all.length === 0) {
    ctx.warn('Nothing matched: there was nothing to delete.');
  } else {
    ctx.log(
      inputs.dryRun
        ? `Dry run: ${count(done, 'resource')} would be deleted; nothing was changed.`
        : `Cleanup complete: ${count(done, 'resource')} deleted or already gone, ${outcomes.of('kept').length} kept.`,
    );
  }
}

function others(...plans: TargetPlan[]): Pick<TargetPlan, 'gone' | 'unmatched'> {
  return { gone: plans.flatMap((p) => p.gone), unmatched: plans.flatMap((p) => p.unmatched) };
}

/** Stacks a safety rule keeps: termination protection, exports still imported by a stack that stays. */
function stackRefusals(plans: StackPlan[], inputs: Inputs): Map<string, string> {
  const selected = new Set(plans.map((p) => p.name));
  const refusals = new Map<string, string>();
  for (const p of plans) {
    if (p.terminationProtected && !inputs.allowTerminationProtected) {
      refusals.set(
        p.name,
        'termination protection is on; set allow-termination-protected: true to turn it off and delete the stack',
      );
      continue;
    }
    const staying = p.importers.filter((i) => !selected.has(i));
    if (staying.length) {
      refusals.set(
        p.name,
        `its exports (${p.exports.join(', ')}) are imported by ${staying.join(', ')}, which ${staying.length === 1 ? 'is' : 'are'} not being deleted; add ${staying.length === 1 ? 'it' : 'them'} to the cleanup or remove the imports first`,
      );
    }
  }
  return refusals;
}

function describeStackPlan(plan: StackPlan, before: Map<string, Set<string>>): string {
  const parts = [`${plan.status}, ${count(plan.resources.length, 'resource')}`];
  if (plan.buckets.length) parts.push(`buckets emptied first: ${plan.buckets.join(', ')}`);
  if (plan.retained.length) parts.push(`${plan.retained.length} kept (DeletionPolicy Retain)`);
  const after = [...(before.get(plan.name) ?? [])];
  if (after.length) parts.push(`after ${after.join(', ')}`);
  if (plan.terminationProtected) parts.push('termination protection turned off first');
  parts.push(...plan.notes);
  return parts.join('; ');
}

function logPlan(
  ctx: Context,
  inputs: Inputs,
  plans: StackPlan[],
  before: Map<string, Set<string>>,
  refusals: Map<string, string>,
  targets: Target[],
): void {
  const lines: string[] = [];
  for (const p of plans) {
    lines.push(
      `  stack ${p.name}: ${refusals.has(p.name) ? `REFUSED: ${refusals.get(p.name)}` : describeStackPlan(p, before)}`,
    );
  }
  for (const t of targets) {
    lines.push(
      `  ${t.kind} ${t.name}${t.refused ? `: REFUSED: ${t.refused}` : t.note ? ` (${t.note})` : ''}`,
    );
  }
  if (!lines.length) return;
  ctx.log(
    `${inputs.dryRun ? 'Dry run: would delete' : 'Deleting'} in ${ctx.region}:\n${lines.join('\n')}`,
  );
}

async function handleTarget(
  ctx: Context,
  target: Target,
  dryRun: boolean,
  outcomes: Outcomes,
): Promise<void> {
  if (target.refused) {
    outcomes.add(target.kind, target.name, 'refused', target.refused);
    return;
  }
  const note = target.note ? ` (${target.note})` : '';
  try {
    if (dryRun) {
      outcomes.add(target.kind, target.name, 'would delete', `${await target.measure()}${note}`);
      return;
    }
    const what = await target.remove();
    outcomes.add(target.kind, target.name, 'deleted', `${what}${note}`);
    ctx.log(`Deleted ${target.kind} ${target.name}: ${what}.`);
  } catch (err) {
    outcomes.add(target.kind, target.name, 'failed', explainError(err));
  }
}
