/**
 * The deploy and plan modes: look at the stack, wait for another operation
 * to finish, then create, recreate or update it through a change set (or
 * find that nothing changes), and report what happened.
 *
 * Two runs on one stack: each run's change set is named after the run
 * (mcfpipe-<run id>-<attempt>), and when another operation gets in between
 * (the stack became busy, our change set went stale) the run waits for it
 * and starts over, up to three times, before failing with what happened.
 */
import {
  CreateStackCommand,
  DeleteStackCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  type Output,
  type Parameter,
  type Stack,
  type StackEvent,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { ActionError, errorCode } from '../../../core/errors.js';
import { formatDuration } from '../../../core/values.js';
import { StackEventStream } from '../../lib/stack-events.js';
import { describeStack, StackWaitTimeoutError, waitForStack } from '../../lib/stack-wait.js';
import {
  type ChangeRow,
  changeLines,
  changeRows,
  createChangeSet,
  deleteChangeSet,
  isEmptyChangeSet,
  waitForChangeSet,
} from './change-set.js';
import { type Context, operationName } from './context.js';
import type { DeployInputs, Mode } from './inputs.js';
import { isExactNoop } from './noop.js';
import { DeployFailure, runOperation } from './operation.js';
import { buildParameters } from './parameters.js';
import { blockedError, lastFailure, stackAction } from './stack-state.js';
import { type PreparedTemplate, templateArgument } from './template.js';

export interface DeployResult {
  mode: Mode;
  stackName: string;
  stack: Stack | undefined;
  status: string;
  /** Whether the stack changed (deploy) or would change (plan). */
  changed: boolean;
  changeSetId: string | undefined;
  changes: ChangeRow[];
  /** What was done: created, updated, recreated, nothing, planned. */
  outcome: 'created' | 'updated' | 'recreated' | 'unchanged' | 'planned';
  /** One sentence for the log and the summary. */
  note: string;
  outputs: Output[];
  events: readonly StackEvent[];
  elapsedMs: number;
}

const MAX_TRIES = 3;
/** Waiting for someone else's operation when no timeout-minutes is given. */
const DEFAULT_BUSY_WAIT_MS = 60 * 60_000;

/** An error saying another operation got in between: wait and start over. */
export function isRace(err: unknown): boolean {
  const code = errorCode(err) ?? '';
  const message = err instanceof Error ? err.message : '';
  if (/^InvalidChangeSetStatus/.test(code)) return true;
  if (/^(AlreadyExists|OperationInProgress|TokenAlreadyExists)/.test(code)) return true;
  return (
    code === 'ValidationError' &&
    /is in [A-Z_]+_IN_PROGRESS state|can ?not be (updated|executed)|OBSOLETE/i.test(message)
  );
}

interface Job {
  ctx: Context;
  inputs: DeployInputs;
  template: PreparedTemplate;
  given: Record<string, string>;
  started: number;
  tryNumber: number;
}

export async function deploy(
  ctx: Context,
  inputs: DeployInputs,
  template: PreparedTemplate,
  given: Record<string, string>,
): Promise<DeployResult> {
  const started = ctx.clock.now();
  for (let tryNumber = 1; ; tryNumber++) {
    const job: Job = { ctx, inputs, template, given, started, tryNumber };
    try {
      return await deployOnce(job);
    } catch (err) {
      if (!isRace(err)) throw err;
      if (tryNumber >= MAX_TRIES) {
        throw new ActionError(
          `Stack ${inputs.name}: another operation got in between ${MAX_TRIES} times, so nothing was deployed. Last answer from CloudFormation: ${(err as Error).message}`,
          'Another workflow run or a person keeps changing this stack. Give the deploy jobs of a stack one concurrency group (concurrency: deploy-<env>), then run again.',
          { cause: err },
        );
      }
      ctx.warn(
        `Another operation on stack ${inputs.name} got in between (${(err as Error).message}). Waiting for it, then starting over.`,
      );
    }
  }
}

async function deployOnce(job: Job): Promise<DeployResult> {
  const { ctx, inputs } = job;
  let stack = await describeStack(ctx.cfn, inputs.name);
  if (stackAction(stack) === 'wait') stack = await waitForOther(job, stack!);
  switch (stackAction(stack)) {
    case 'create':
      return create(job);
    case 'create-in-review':
      return createInReview(job, stack!);
    case 'recreate':
      if (!inputs.recreateFailed) throw await blockedError(ctx, stack!, true);
      if (inputs.mode === 'plan') return planRecreate(job, stack!);
      await deleteFailedStack(job, stack!);
      return { ...(await create(job)), outcome: 'recreated' };
    case 'update':
      return update(job, stack!);
    default:
      throw await blockedError(ctx, stack!);
  }
}

/** Waits for another operation (another run, the console) to finish. */
async function waitForOther(job: Job, stack: Stack): Promise<Stack | undefined> {
  const { ctx, inputs } = job;
  const limitMs = inputs.timeoutMinutes ? inputs.timeoutMinutes * 60_000 : DEFAULT_BUSY_WAIT_MS;
  ctx.log(
    `Stack ${inputs.name} is busy (${stack.StackStatus}): another workflow run or someone in the console is changing it. Waiting for that to finish (at most ${formatDuration(limitMs)}) before deploying.`,
  );
  const stream = new StackEventStream(ctx.cfn, {
    stack: stack.StackId ?? inputs.name,
    log: ctx.log,
  });
  await stream.prime();
  try {
    const result = await waitForStack(ctx.cfn, {
      stack: stack.StackId ?? inputs.name,
      events: stream,
      pollMs: ctx.pollMs,
      clock: ctx.clock,
      log: ctx.log,
      timeoutMs: limitMs,
    });
    ctx.log(`Stack ${inputs.name} is now ${result.status}.`);
    return result.status === 'DELETE_COMPLETE' ? undefined : result.stack;
  } catch (err) {
    if (!(err instanceof StackWaitTimeoutError)) throw err;
    throw new DeployFailure(
      `Stack ${inputs.name} is still ${err.status} after ${formatDuration(err.elapsedMs)}: another operation holds it, and nothing was deployed.`,
      'Run again when it has finished. To keep workflow runs from overlapping, give the deploy job a concurrency group (concurrency: deploy-${{ inputs.env }}).',
      inputs.name,
      err.status,
      undefined,
      [],
      stack.StackId,
    );
  }
}

function result(
  job: Job,
  fields: Omit<
    DeployResult,
    'mode' | 'stackName' | 'outputs' | 'elapsedMs' | 'status' | 'events'
  > & {
    status?: string;
    events?: readonly StackEvent[];
  },
): DeployResult {
  return {
    mode: job.inputs.mode,
    stackName: job.inputs.name,
    outputs: fields.stack?.Outputs ?? [],
    elapsedMs: job.ctx.clock.now() - job.started,
    events: [],
    ...fields,
    status: fields.status ?? fields.stack?.StackStatus ?? 'NONE',
  };
}

function parametersFor(job: Job, previous: Parameter[] | undefined): Parameter[] {
  return buildParameters(job.given, job.template.declared, previous, job.template.where);
}

/** A new stack: CreateStack in deploy mode (it alone carries TimeoutInMinutes), a CREATE change set in plan mode. */
async function create(job: Job): Promise<DeployResult> {
  const { ctx, inputs } = job;
  const parameters = parametersFor(job, undefined);
  const templateArg = await templateArgument(job.template, inputs, ctx);
  if (inputs.mode === 'plan')
    return planChangeSet(job, undefined, { type: 'CREATE', parameters, templateArg });
  const token = operationName(ctx, job.tryNumber);
  ctx.log(`Creating stack ${inputs.name} from ${job.template.where}.`);
  const op = await runOperation(ctx, {
    kind: 'create',
    stackName: inputs.name,
    ...(inputs.timeoutMinutes && { timeoutMinutes: inputs.timeoutMinutes }),
    cloudFormationTimeout: true,
    start: async () => {
      const out = await ctx.cfn.send(
        new CreateStackCommand({
          StackName: inputs.name,
          ...templateArg,
          Parameters: parameters,
          Capabilities: inputs.capabilities,
          ...(inputs.tags && { Tags: inputs.tags }),
          ...(inputs.roleArn && { RoleARN: inputs.roleArn }),
          ...(inputs.notificationArns && { NotificationARNs: inputs.notificationArns }),
          ...(inputs.timeoutMinutes && { TimeoutInMinutes: inputs.timeoutMinutes }),
          DisableRollback: inputs.disableRollback,
          EnableTerminationProtection: inputs.terminationProtection ?? false,
          ClientRequestToken: token,
        }),
      );
      return out.StackId!;
    },
  });
  const created = op.events
    .filter((e) => e.ResourceStatus === 'CREATE_COMPLETE' && e.PhysicalResourceId !== e.StackId)
    .map<ChangeRow>((e) => ({
      action: 'Add',
      logicalId: e.LogicalResourceId ?? '',
      type: e.ResourceType ?? '',
      replacement: '',
      properties: [],
    }));
  return result(job, {
    stack: op.stack,
    status: op.status,
    changed: true,
    changeSetId: undefined,
    changes: created.length ? created : addRows(job.template),
    outcome: 'created',
    note: `Created stack ${inputs.name} in ${formatDuration(op.elapsedMs)}.`,
    events: op.events,
  });
}

function addRows(template: PreparedTemplate): ChangeRow[] {
  return template.resources.map((r) => ({
    action: 'Add',
    logicalId: r.logicalId,
    type: r.type,
    replacement: '',
    properties: [],
  }));
}

/** REVIEW_IN_PROGRESS: a create through a change set on the existing empty stack. */
async function createInReview(job: Job, stack: Stack): Promise<DeployResult> {
  const { ctx, inputs } = job;
  ctx.log(
    `Stack ${inputs.name} is REVIEW_IN_PROGRESS (created by a change set that was never executed): creating it through a change set.`,
  );
  const parameters = parametersFor(job, undefined);
  const templateArg = await templateArgument(job.template, inputs, ctx);
  if (inputs.mode === 'plan')
    return planChangeSet(job, stack, { type: 'CREATE', parameters, templateArg });
  if (inputs.timeoutMinutes) {
    ctx.log(
      `A create through a change set cannot carry TimeoutInMinutes; this action enforces timeout-minutes (${inputs.timeoutMinutes}) itself.`,
    );
  }
  return executeChangeSet(job, stack, { type: 'CREATE', parameters, templateArg });
}

async function update(job: Job, stack: Stack): Promise<DeployResult> {
  const { ctx, inputs } = job;
  const parameters = parametersFor(job, stack.Parameters ?? []);
  if (await isExactNoop(ctx, stack, inputs, job.given, job.template)) {
    const protectionChanged = await ensureTerminationProtection(job, stack);
    return unchanged(
      job,
      stack,
      protectionChanged,
      'the deployed template, parameters and settings are the same',
    );
  }
  const templateArg = await templateArgument(job.template, inputs, ctx);
  if (inputs.mode === 'plan')
    return planChangeSet(job, stack, { type: 'UPDATE', parameters, templateArg });
  return executeChangeSet(job, stack, { type: 'UPDATE', parameters, templateArg });
}

function unchanged(
  job: Job,
  stack: Stack | undefined,
  protectionChanged: boolean,
  why: string,
): DeployResult {
  const onOff = job.inputs.terminationProtection ? 'on' : 'off';
  const protection = !protectionChanged
    ? ''
    : job.inputs.mode === 'plan'
      ? ` A deploy would turn termination protection ${onOff}.`
      : ` Termination protection is now ${onOff}.`;
  return result(job, {
    stack,
    changed: protectionChanged,
    changeSetId: undefined,
    changes: [],
    outcome: 'unchanged',
    note: `No changes to stack ${job.inputs.name}: ${why}.${protection}`,
  });
}

/**
 * Sets termination protection when the input asks for a value the stack does
 * not have; in plan mode only says whether a deploy would.
 */
async function ensureTerminationProtection(job: Job, stack: Stack): Promise<boolean> {
  const want = job.inputs.terminationProtection;
  if (want === undefined) return false;
  if ((stack.EnableTerminationProtection ?? false) === want) return false;
  if (job.inputs.mode === 'plan') return true;
  await job.ctx.cfn.send(
    new UpdateTerminationProtectionCommand({
      StackName: stack.StackId ?? job.inputs.name,
      EnableTerminationProtection: want,
    }),
  );
  job.ctx.log(`Termination protection of ${job.inputs.name} turned ${want ? 'on' : 'off'}.`);
  return true;
}

/** What a change set is made of. */
interface ChangeSetInput {
  type: 'CREATE' | 'UPDATE';
  parameters: Parameter[];
  templateArg: { TemplateBody: string } | { TemplateURL: string };
}

interface ComputedChangeSet {
  id: string;
  stackId: string;
  rows: ChangeRow[];
  empty: boolean;
}

/** Creates the change set and waits for it; an empty one is deleted, a failed one deleted and reported. */
async function computeChangeSet(job: Job, what: ChangeSetInput): Promise<ComputedChangeSet> {
  const { ctx, inputs } = job;
  const name = operationName(ctx, job.tryNumber);
  const created = await createChangeSet(ctx, {
    stackName: inputs.name,
    changeSetName: name,
    type: what.type,
    template: what.templateArg,
    parameters: what.parameters,
    capabilities: inputs.capabilities,
    ...(inputs.tags && { tags: inputs.tags }),
    ...(inputs.roleArn && { roleArn: inputs.roleArn }),
    ...(inputs.notificationArns && { notificationArns: inputs.notificationArns }),
    // A create's rollback behaviour belongs to its change set (OnStackFailure);
    // an update's to ExecuteChangeSet (DisableRollback).
    ...(what.type === 'CREATE' && {
      onStackFailure: inputs.disableRollback ? 'DO_NOTHING' : 'ROLLBACK',
    }),
  });
  ctx.log(`Change set ${name} created; waiting for CloudFormation to compute it.`);
  let described: Awaited<ReturnType<typeof waitForChangeSet>>;
  try {
    described = await waitForChangeSet(ctx, created.stackId, created.id);
  } catch (err) {
    await deleteChangeSet(ctx, created.stackId, created.id);
    throw err;
  }
  if (isEmptyChangeSet(described)) {
    await deleteChangeSet(ctx, created.stackId, created.id);
    return { id: created.id, stackId: created.stackId, rows: [], empty: true };
  }
  if (described.Status === 'FAILED') {
    await deleteChangeSet(ctx, created.stackId, created.id);
    throw new ActionError(
      `CloudFormation rejected the change set for stack ${inputs.name}: ${described.StatusReason ?? 'no reason given'}`,
      'Nothing was changed; the failed change set was deleted. Fix the template or inputs and run again.',
    );
  }
  const rows = changeRows(described.Changes);
  ctx.log(`Change set ${name}: ${rows.length} change${rows.length === 1 ? '' : 's'}.`);
  for (const line of changeLines(rows)) ctx.log(line);
  return { id: created.id, stackId: created.stackId, rows, empty: false };
}

async function planChangeSet(
  job: Job,
  stack: Stack | undefined,
  what: ChangeSetInput,
): Promise<DeployResult> {
  const { ctx, inputs } = job;
  const cs = await computeChangeSet(job, what);
  const shellWeMade = stack === undefined;
  if (cs.empty) {
    if (shellWeMade) await deleteShell(job, cs.stackId, cs.id);
    const protectionChanges = stack ? await ensureTerminationProtection(job, stack) : false;
    return unchanged(job, stack, protectionChanges, 'CloudFormation found no changes');
  }
  if (inputs.keepChangeSet) {
    ctx.log(`Keeping change set ${cs.id} for review (keep-change-set).`);
  } else {
    await deleteChangeSet(ctx, cs.stackId, cs.id);
    if (shellWeMade) await deleteShell(job, cs.stackId, cs.id);
  }
  return result(job, {
    stack,
    status: stack?.StackStatus ?? 'NONE',
    changed: true,
    changeSetId: inputs.keepChangeSet ? cs.id : undefined,
    changes: cs.rows,
    outcome: 'planned',
    note: `Plan for stack ${inputs.name}: ${cs.rows.length} change${cs.rows.length === 1 ? '' : 's'}${
      stack ? '' : ' (the stack does not exist yet)'
    }; nothing was executed.`,
  });
}

/**
 * Deletes the empty REVIEW_IN_PROGRESS stack a plan of a new stack leaves
 * behind, unless another run has started using it meanwhile (a deploy that
 * found it REVIEW_IN_PROGRESS creates its own change set on it, then
 * executes it): then the stack is theirs and is left alone.
 */
async function deleteShell(job: Job, stackId: string, ourChangeSet: string): Promise<void> {
  const { ctx, inputs } = job;
  try {
    const now = await describeStack(ctx.cfn, stackId);
    if (now?.StackStatus !== 'REVIEW_IN_PROGRESS') {
      if (now && now.StackStatus !== 'DELETE_COMPLETE')
        ctx.log(`Leaving stack ${inputs.name}: another run is creating it (${now.StackStatus}).`);
      return;
    }
    const listed = await ctx.cfn.send(new ListChangeSetsCommand({ StackName: stackId }));
    const others = (listed.Summaries ?? []).filter(
      (c) => c.ChangeSetId !== ourChangeSet && c.Status !== 'DELETE_COMPLETE',
    );
    if (others.length) {
      ctx.log(
        `Leaving the empty stack ${inputs.name}: another run's change set is on it (${others.map((c) => c.ChangeSetName).join(', ')}).`,
      );
      return;
    }
    await ctx.cfn.send(new DeleteStackCommand({ StackName: stackId }));
  } catch (err) {
    ctx.warn(`Could not delete the empty stack the plan created: ${(err as Error).message}`);
  }
}

async function planRecreate(job: Job, stack: Stack): Promise<DeployResult> {
  return result(job, {
    stack,
    changed: true,
    changeSetId: undefined,
    changes: addRows(job.template),
    outcome: 'planned',
    note: `Stack ${job.inputs.name} is ROLLBACK_COMPLETE (its first create failed): a deploy deletes it and creates it anew${
      job.template.resources.length ? ' with the resources below' : ''
    }. Nothing was changed.`,
  });
}

async function executeChangeSet(
  job: Job,
  stack: Stack,
  what: ChangeSetInput,
): Promise<DeployResult> {
  const { ctx, inputs } = job;
  const { type } = what;
  const cs = await computeChangeSet(job, what);
  if (cs.empty) {
    const protectionChanged = await ensureTerminationProtection(job, stack);
    return unchanged(job, stack, protectionChanged, 'CloudFormation found no changes');
  }
  if (type === 'UPDATE') await ensureTerminationProtection(job, stack);
  const token = operationName(ctx, job.tryNumber);
  let op: Awaited<ReturnType<typeof runOperation>>;
  try {
    op = await runOperation(ctx, {
      kind: type === 'CREATE' ? 'create' : 'update',
      stackName: inputs.name,
      existingStackId: cs.stackId,
      ...(inputs.timeoutMinutes && { timeoutMinutes: inputs.timeoutMinutes }),
      start: async () => {
        ctx.log(`Executing change set ${token}.`);
        await ctx.cfn.send(
          new ExecuteChangeSetCommand({
            ChangeSetName: cs.id,
            StackName: cs.stackId,
            ClientRequestToken: token,
            ...(type === 'UPDATE' && { DisableRollback: inputs.disableRollback }),
          }),
        );
        return cs.stackId;
      },
    });
  } catch (err) {
    // Not executed (another operation got in between): do not leave it behind.
    if (isRace(err)) await deleteChangeSet(ctx, cs.stackId, cs.id);
    throw err;
  }
  const after = op.stack ?? stack;
  if (type === 'CREATE') await ensureTerminationProtection(job, after);
  return result(job, {
    stack: after,
    status: op.status,
    changed: true,
    changeSetId: cs.id,
    changes: cs.rows,
    outcome: type === 'CREATE' ? 'created' : 'updated',
    note: `${type === 'CREATE' ? 'Created' : 'Updated'} stack ${inputs.name} in ${formatDuration(op.elapsedMs)}.`,
    events: op.events,
  });
}

/** ROLLBACK_COMPLETE: a failed first create holds no resources; delete it so it can be created again. */
async function deleteFailedStack(job: Job, stack: Stack): Promise<void> {
  const { ctx, inputs } = job;
  const stackId = stack.StackId ?? inputs.name;
  const previous = await lastFailure(ctx, stack);
  ctx.warn(
    `Stack ${inputs.name} is ROLLBACK_COMPLETE: its first create failed.${previous ? ` ${previous}` : ''} Deleting it to create it again (recreate-failed).`,
  );
  if (stack.EnableTerminationProtection) {
    await ctx.cfn.send(
      new UpdateTerminationProtectionCommand({
        StackName: stackId,
        EnableTerminationProtection: false,
      }),
    );
  }
  await runOperation(ctx, {
    kind: 'delete',
    stackName: inputs.name,
    existingStackId: stackId,
    start: async () => {
      await ctx.cfn.send(
        new DeleteStackCommand({
          StackName: stackId,
          ClientRequestToken: `${operationName(ctx, job.tryNumber)}-delete`,
        }),
      );
      return stackId;
    },
  });
}
