/**
 * What a person reads after the step: the job summary (Markdown) and the
 * step outputs (every stack output under its own name, plus stack-id,
 * stack-status, changed, change-set-id and outputs-json).
 */
import * as core from '@actions/core';
import type { Output, StackEvent } from '@aws-sdk/client-cloudformation';
import { ActionError, explainError } from '../../../core/errors.js';
import { cell, code, markdownTable } from '../../../core/summary.js';
import { formatDuration } from '../../../core/values.js';

/**
 * Inline code inside a table cell (the cell escaping keeps HTML out). The
 * fence is longer than any run of backticks in the value, so a value from
 * AWS cannot close it and go on as Markdown.
 */
function mono(value: string | undefined): string {
  if (!value) return '';
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${value} ${fence}` : `${fence}${value}${fence}`;
}

import type { ChangeRow } from './change-set.js';
import type { DeployResult } from './deploy.js';
import type { DriftResult } from './drift.js';
import { DeployFailure } from './operation.js';

export function consoleUrl(region: string, stackId: string): string {
  return `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacks/stackinfo?stackId=${encodeURIComponent(stackId)}`;
}

/** Shown instead of an output that holds a NoEcho value. */
const HIDDEN = '(NoEcho value, masked)';

function outputsTable(outputs: Output[], secret: ReadonlySet<string>): string {
  if (outputs.length === 0) return '';
  return `### Outputs\n\n${markdownTable(
    ['Output', 'Value', 'Description'],
    outputs.map((o) => [
      mono(o.OutputKey),
      secret.has(o.OutputKey ?? '') ? HIDDEN : o.OutputValue,
      o.Description,
    ]),
  )}`;
}

export function changesTable(rows: ChangeRow[]): string {
  return markdownTable(
    ['Action', 'Logical ID', 'Type', 'Replacement', 'Changed properties'],
    rows.map((r) => [r.action, mono(r.logicalId), r.type, r.replacement, r.properties.join(', ')]),
  );
}

const HEADLINE: Record<DeployResult['outcome'], string> = {
  created: 'created',
  updated: 'updated',
  recreated: 're-created',
  unchanged: 'no changes',
  planned: 'plan',
};

export function deploySummary(
  r: DeployResult,
  region: string,
  secret: ReadonlySet<string> = new Set(),
): string {
  const parts = [
    `## deploy-stack: ${code(r.stackName)}: ${HEADLINE[r.outcome]}\n`,
    `${cell(r.note)}\n`,
  ];
  const facts: string[] = [`Status: ${code(r.status)}`, `region ${code(region)}`];
  facts.push(`${formatDuration(r.elapsedMs)}`);
  if (r.changeSetId)
    facts.push(`change set ${code(r.changeSetId.split('/').pop() ?? r.changeSetId)}`);
  parts.push(`${facts.join(' · ')}\n`);
  if (r.changes.length) {
    const title = r.outcome === 'planned' ? 'Planned changes' : 'Changes';
    parts.push(`### ${title} (${r.changes.length})\n\n${changesTable(r.changes)}`);
  }
  const outputs = outputsTable(r.outputs, secret);
  if (outputs) parts.push(outputs);
  if (r.stack?.StackId)
    parts.push(
      `[Open the stack in the CloudFormation console](${consoleUrl(region, r.stack.StackId)})\n`,
    );
  return parts.join('\n');
}

function failedEvents(events: readonly StackEvent[]): StackEvent[] {
  return events.filter((e) => e.ResourceStatus?.endsWith('_FAILED')).slice(0, 25);
}

/** The summary of a failed step: the cause and fix, and the failed resources when a stack operation failed. */
export function failureSummary(
  stackName: string,
  err: unknown,
  region: string,
  stackId?: string,
): string {
  const parts = [`## deploy-stack: ${code(stackName)}: failed\n`];
  // Messages quote AWS (event reasons, change-set reasons): escaped like table cells.
  if (err instanceof ActionError) {
    parts.push(`${cell(err.message)}\n`);
    if (err.hint) parts.push(`> ${cell(err.hint)}\n`);
  } else {
    parts.push(`${cell(explainError(err))}\n`);
  }
  const failed = err instanceof DeployFailure ? failedEvents(err.events) : [];
  if (failed.length) {
    parts.push(
      `### Failed resources\n\n${markdownTable(
        ['Time (UTC)', 'Logical ID', 'Type', 'Status', 'Reason'],
        failed.map((e) => [
          e.Timestamp?.toISOString().slice(11, 19),
          mono(e.LogicalResourceId),
          e.ResourceType,
          e.ResourceStatus,
          e.ResourceStatusReason,
        ]),
      )}`,
    );
  }
  if (stackId)
    parts.push(`[Open the stack in the CloudFormation console](${consoleUrl(region, stackId)})\n`);
  return parts.join('\n');
}

export function driftSummary(r: DriftResult, region: string): string {
  const headline =
    r.driftStatus === 'DRIFTED'
      ? `drifted (${r.drifts.length} resource${r.drifts.length === 1 ? '' : 's'})`
      : r.driftStatus === 'IN_SYNC'
        ? 'in sync'
        : r.driftStatus.toLowerCase();
  const parts = [`## deploy-stack: ${code(r.stackName)}: drift ${headline}\n`];
  if (r.detectionNote)
    parts.push(`Drift detection could not check everything: ${cell(r.detectionNote)}\n`);
  if (r.drifts.length) {
    const rows: unknown[][] = [];
    for (const d of r.drifts) {
      const diffs = d.PropertyDifferences ?? [];
      if (diffs.length === 0) {
        rows.push([
          mono(d.LogicalResourceId),
          d.ResourceType,
          d.StackResourceDriftStatus,
          '',
          '',
          '',
        ]);
      }
      for (const p of diffs) {
        rows.push([
          mono(d.LogicalResourceId),
          d.ResourceType,
          `${d.StackResourceDriftStatus} (${p.DifferenceType})`,
          mono(p.PropertyPath),
          p.ExpectedValue,
          p.ActualValue,
        ]);
      }
    }
    parts.push(
      markdownTable(['Resource', 'Type', 'Drift', 'Property', 'Expected', 'Actual'], rows),
    );
  }
  if (r.stack.StackId)
    parts.push(
      `[Open the stack in the CloudFormation console](${consoleUrl(region, r.stack.StackId)})\n`,
    );
  return parts.join('\n');
}

/** Stack outputs in the AWS CLI format, as publish-config stores them. */
function outputsJson(outputs: Output[]): string {
  return JSON.stringify(
    outputs
      .filter((o) => o.OutputKey)
      .map((o) => ({ OutputKey: o.OutputKey, OutputValue: o.OutputValue ?? '' })),
  );
}

/** Sets the outputs; those in `secret` must have been masked already (maskSecretOutputs). */
function setStackOutputs(outputs: Output[]): void {
  for (const o of outputs) if (o.OutputKey) core.setOutput(o.OutputKey, o.OutputValue ?? '');
  core.setOutput('outputs-json', outputsJson(outputs));
}

export function setDeployOutputs(r: DeployResult): void {
  setStackOutputs(r.outputs);
  core.setOutput('stack-id', r.stack?.StackId ?? '');
  core.setOutput('stack-status', r.status);
  core.setOutput('changed', String(r.changed));
  core.setOutput('change-set-id', r.changeSetId ?? '');
}

export function setDriftOutputs(r: DriftResult): void {
  setStackOutputs(r.stack.Outputs ?? []);
  core.setOutput('stack-id', r.stack.StackId ?? '');
  core.setOutput('stack-status', r.stack.StackStatus ?? '');
  core.setOutput('changed', 'false');
  core.setOutput('change-set-id', '');
  core.setOutput('drift-status', r.driftStatus);
  core.setOutput('drifted-resources', String(r.drifts.length));
}
