/**
 * What every deploy-stack step needs: the shared step context
 * (actions/lib/step-context.ts), the CloudFormation client, the S3 client
 * (loaded on first use: only templates over the inline limit need it), the
 * pace of status polls, and the identity of this run (for change-set names
 * and request tokens). Tests build one with mocked clients and a virtual clock.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import { createClient } from '../../../core/aws.js';
import { lazyClient, type StepContext, stepContext } from '../../lib/step-context.js';
import type { DeployInputs } from './inputs.js';

export interface Context extends StepContext {
  cfn: CloudFormationClient;
  /** Created on first use: only templates over the inline limit need S3. */
  s3: () => Promise<S3Client>;
  /** Time between status polls of a stack operation. */
  pollMs: number;
  /** Identifies this run in change-set names and request tokens, e.g. "4242-1". */
  runId: string;
}

export function makeContext(inputs: Pick<DeployInputs, 'region'>): Context {
  const step = stepContext(inputs.region);
  const { region } = step;
  return {
    ...step,
    cfn: createClient(CloudFormationClient, 'CloudFormation', { region }),
    s3: lazyClient(region, 'S3', () => import('@aws-sdk/client-s3').then((m) => m.S3Client)),
    pollMs: 5000,
    runId: runIdFrom(process.env, step.clock.now()),
  };
}

/**
 * Identifies this run for change-set names: `<run id>-<attempt>-<step>` on
 * GitHub (the step from GITHUB_ACTION, so a plan step and a deploy step of one
 * job never share a name), `local-<time>` elsewhere.
 */
export function runIdFrom(env: NodeJS.ProcessEnv, now: number): string {
  const run = env.GITHUB_RUN_ID?.trim();
  if (!run || !/^\d+$/.test(run)) return `local-${now.toString(36)}`;
  const attempt = env.GITHUB_RUN_ATTEMPT?.trim();
  const step = (env.GITHUB_ACTION ?? '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return [run, attempt && /^\d+$/.test(attempt) ? attempt : '1', step].filter(Boolean).join('-');
}

/** A change-set name (also used as request token) unique to this run and try. */
export function operationName(ctx: Context, tryNumber: number): string {
  return `mcfpipe-${ctx.runId}${tryNumber > 1 ? `-${tryNumber}` : ''}`;
}
