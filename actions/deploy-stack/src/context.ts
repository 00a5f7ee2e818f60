/**
 * What every deploy-stack step needs: the clients, the clock, the log, and
 * the identity of this run (for change-set names and request tokens).
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Clock } from '../../../core/clock.js';

export interface Context {
  cfn: CloudFormationClient;
  /** Created on first use: only templates over the inline limit need S3. */
  s3: () => Promise<S3Client>;
  region: string;
  clock: Clock;
  /** Time between status polls of a stack operation. */
  pollMs: number;
  log: (line: string) => void;
  warn: (line: string) => void;
  /** Identifies this run in change-set names and request tokens, e.g. "4242-1". */
  runId: string;
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
