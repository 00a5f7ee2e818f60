/**
 * How a started task names the workflow run that started it: `startedBy`
 * (searchable with `aws ecs list-tasks --started-by`), tags, and the RunTask
 * idempotency token that makes a retried call start no second task.
 */
import { randomBytes } from 'node:crypto';
import type { Tag } from '@aws-sdk/client-ecs';
import { ActionError } from '../../../core/errors.js';
import type { WorkflowRun } from '../../lib/workflow-run.js';

/** ECS allows 50 tags on a task. */
const MAX_TAGS = 50;

/** startedBy: at most 128 letters, digits, hyphens and underscores. */
export function startedByFor(run: WorkflowRun, now: number): string {
  const id = run.runId ? `gh-${run.runId}-${run.attempt}` : `local-${now.toString(36)}`;
  return `mcfpipe-${id}`.slice(0, 128);
}

/** Tag values allow letters, digits, spaces and _ . : / = + - @ (at most 256). */
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

/** The tags naming the run, then the user's; the user's win on the same key. */
export function runTags(
  run: WorkflowRun,
  startedBy: string,
  user: Record<string, string>,
  shard: { index: number; count: number },
): Tag[] {
  const tags: Record<string, string> = { 'mcfpipe:started-by': startedBy };
  if (run.repository) tags['mcfpipe:repository'] = run.repository;
  if (run.workflow) tags['mcfpipe:workflow'] = run.workflow;
  if (run.runId) {
    tags['mcfpipe:run-id'] = run.runId;
    tags['mcfpipe:run-attempt'] = run.attempt;
  }
  if (run.job) tags['mcfpipe:job'] = run.job;
  if (shard.count > 1) tags['mcfpipe:shard'] = `${shard.index}/${shard.count}`;
  const all = { ...tags, ...user };
  const keys = Object.keys(all);
  if (keys.length > MAX_TAGS) {
    throw new ActionError(
      `Input "tags": ${Object.keys(user).length} tags plus the ${Object.keys(tags).length} this action adds make ${keys.length}; ECS allows ${MAX_TAGS} on a task.`,
    );
  }
  return keys.map((key) => ({ key, value: tagValue(all[key]!) }));
}

/**
 * RunTask's clientToken (at most 64 characters): unique to this step and
 * shard, and kept while a retried call may have started a task (a thrown
 * error: 5xx, network, throttling), so a retry never starts a second one.
 * `generation` counts the answers in which ECS started nothing (`failures`,
 * such as no capacity): ECS keeps a token's answer and returns it again for
 * the same token (see "Ensuring idempotency" in the ECS API reference), so
 * only a new token gets another try at placement.
 */
export function clientTokenFor(
  nonce: string,
  startedBy: string,
  shard: number,
  generation = 0,
): string {
  const id = generation === 0 ? `${shard}` : `${shard}.${generation}`;
  return `${nonce}-${id}-${startedBy}`.slice(0, 64);
}

/** A fresh nonce for this step's client tokens. */
export function newNonce(): string {
  return randomBytes(6).toString('hex');
}
