/**
 * Change sets: create, wait until CloudFormation has computed them, read all
 * their changes, delete. An empty change set (FAILED because there is nothing
 * to do) is recognised and is not an error; any other failed change set is
 * an error carrying CloudFormation's reason.
 */
import {
  type Capability,
  type Change,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  type Parameter,
  type Tag,
} from '@aws-sdk/client-cloudformation';
import { ActionError, errorCode, isThrottling, isTransient } from '../../../core/errors.js';
import { done, notYet, poll } from '../../../core/poll.js';
import { formatDuration } from '../../../core/values.js';
import type { Context } from './context.js';

export interface ChangeSetRequest {
  stackName: string;
  changeSetName: string;
  type: 'CREATE' | 'UPDATE';
  template: { TemplateBody: string } | { TemplateURL: string };
  parameters: Parameter[];
  capabilities: Capability[];
  tags?: Tag[];
  roleArn?: string;
  notificationArns?: string[];
  /** CREATE change sets only: what a failed create does (DO_NOTHING keeps what succeeded). */
  onStackFailure?: 'DO_NOTHING' | 'ROLLBACK';
}

export interface CreatedChangeSet {
  id: string;
  stackId: string;
}

export async function createChangeSet(
  ctx: Context,
  req: ChangeSetRequest,
): Promise<CreatedChangeSet> {
  const out = await ctx.cfn.send(
    new CreateChangeSetCommand({
      StackName: req.stackName,
      ChangeSetName: req.changeSetName,
      ChangeSetType: req.type,
      ...req.template,
      Parameters: req.parameters,
      Capabilities: req.capabilities,
      ...(req.tags && { Tags: req.tags }),
      ...(req.roleArn && { RoleARN: req.roleArn }),
      ...(req.notificationArns && { NotificationARNs: req.notificationArns }),
      ...(req.onStackFailure && { OnStackFailure: req.onStackFailure }),
      ClientToken: req.changeSetName,
      Description: `mcfpipe deploy-stack ${req.changeSetName}`,
    }),
  );
  return { id: out.Id!, stackId: out.StackId! };
}

/** Reasons CloudFormation gives a change set that has nothing to do. */
const EMPTY = [
  /didn't contain changes/i,
  /No updates are to be performed/i,
  /doesn't contain changes/i,
];

export function isEmptyChangeSet(
  cs: Pick<DescribeChangeSetCommandOutput, 'Status' | 'StatusReason'>,
): boolean {
  return cs.Status === 'FAILED' && EMPTY.some((re) => re.test(cs.StatusReason ?? ''));
}

/** Change sets are computed in seconds; allow generously, never forever. */
const CHANGE_SET_LIMIT_MS = 30 * 60_000;

/**
 * Polls until the change set is computed (CREATE_COMPLETE) or FAILED, and
 * returns its description with every change (all pages).
 */
export async function waitForChangeSet(
  ctx: Context,
  stackName: string,
  id: string,
): Promise<DescribeChangeSetCommandOutput & { Changes: Change[] }> {
  let status: string | undefined;
  const first = await poll(
    async () => {
      const out = await ctx.cfn.send(
        new DescribeChangeSetCommand({ ChangeSetName: id, StackName: stackName }),
      );
      status = out.Status;
      return status === 'CREATE_PENDING' || status === 'CREATE_IN_PROGRESS' ? notYet : done(out);
    },
    {
      intervalMs: { firstMs: Math.min(1000, ctx.pollMs), maxMs: ctx.pollMs },
      tolerate: isTransient,
      maxBackoffMs: 30_000,
      onFailure: (err, _n, delay) =>
        ctx.log(
          `DescribeChangeSet: AWS is ${isThrottling(err) ? 'throttling' : 'unavailable'}; polling again in ${formatDuration(delay)}.`,
        ),
      timeoutMs: CHANGE_SET_LIMIT_MS,
      timeoutError: (elapsed) =>
        new ActionError(
          `Change set ${id} is still ${status ?? 'being created'} after ${formatDuration(elapsed)}.`,
          'CloudFormation is unusually slow; look at the change set in the console, or run again later.',
        ),
      clock: ctx.clock,
    },
  );
  const changes = [...(first.Changes ?? [])];
  for (let token = first.NextToken; token; ) {
    const page = await ctx.cfn.send(
      new DescribeChangeSetCommand({ ChangeSetName: id, StackName: stackName, NextToken: token }),
    );
    changes.push(...(page.Changes ?? []));
    token = page.NextToken;
  }
  return { ...first, Changes: changes };
}

/** Deletes a change set; one that is already gone is fine. */
export async function deleteChangeSet(ctx: Context, stackName: string, id: string): Promise<void> {
  try {
    await ctx.cfn.send(new DeleteChangeSetCommand({ ChangeSetName: id, StackName: stackName }));
  } catch (err) {
    if (/^ChangeSetNotFound/.test(errorCode(err) ?? '')) return;
    ctx.warn(`Could not delete change set ${id}: ${(err as Error).message}`);
  }
}

/** One change as a row: action, logical id, type, replacement, changed properties. */
export interface ChangeRow {
  action: string;
  logicalId: string;
  type: string;
  replacement: string;
  properties: string[];
  physicalId?: string;
}

export function changeRows(changes: Change[]): ChangeRow[] {
  return changes
    .map((c) => c.ResourceChange)
    .filter((r) => r !== undefined)
    .map((r) => {
      const props = new Set<string>();
      for (const d of r.Details ?? []) {
        const t = d.Target;
        if (!t) continue;
        props.add(t.Attribute === 'Properties' && t.Name ? t.Name : (t.Name ?? t.Attribute ?? ''));
      }
      props.delete('');
      return {
        action: r.Action ?? '',
        logicalId: r.LogicalResourceId ?? '',
        type: r.ResourceType ?? '',
        replacement: r.Action === 'Modify' ? (r.Replacement ?? '') : '',
        properties: [...props],
        ...(r.PhysicalResourceId && { physicalId: r.PhysicalResourceId }),
      };
    });
}

/** The changes as log lines, e.g. "  Modify  Queue  AWS::SQS::Queue  replacement: True  (VisibilityTimeout)". */
export function changeLines(rows: ChangeRow[]): string[] {
  return rows.map((r) => {
    const parts = [`  ${r.action.padEnd(7)}`, r.logicalId.padEnd(24), r.type];
    if (r.replacement) parts.push(`replacement: ${r.replacement}`);
    if (r.properties.length) parts.push(`(${r.properties.join(', ')})`);
    return parts.join('  ');
  });
}
