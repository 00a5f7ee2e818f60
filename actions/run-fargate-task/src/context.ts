/**
 * What every part of run-fargate-task needs: the shared step context
 * (actions/lib/step-context.ts), the ECS client, a CloudWatch Logs client
 * per region (made on first use), the S3 client (made on first use: only a
 * network config in S3 needs it), and the pacing of retries and of the
 * final log read. Tests build one with mocked clients and a virtual clock.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { createClient } from '../../../core/aws.js';
import { printFenced } from '../../lib/log.js';
import { once, oncePer } from '../../lib/once.js';
import { type StepContext, stepContext } from '../../lib/step-context.js';
import type { RunInputs } from './inputs.js';

export interface Context extends StepContext {
  ecs: ECSClient;
  /** A CloudWatch Logs client for a region (a container may log to another region). */
  logs: (region: string) => CloudWatchLogsClient;
  s3: () => S3Client;
  /**
   * Prints a task's log lines. On the runner they are fenced with
   * stop-commands, so a line such as "::add-mask::" or "::error::" written by
   * the container is shown, not run as a workflow command.
   */
  printLog: (lines: string[]) => void;
  /** First delay of RunTask retries (capacity, throttling); doubles up to 30 s. */
  retryBaseMs: number;
  /** Quiet period that ends the final log read after a task stopped. */
  flushQuietMs: number;
  /** Aborted when the step is cancelled (SIGINT/SIGTERM from the runner). */
  signal?: AbortSignal;
}

export function makeContext(inputs: Pick<RunInputs, 'region'>, signal?: AbortSignal): Context {
  const step = stepContext(inputs.region);
  const { region } = step;
  return {
    ...step,
    ecs: createClient(ECSClient, 'ECS', { region }),
    logs: oncePer((r: string) =>
      createClient(CloudWatchLogsClient, 'CloudWatch Logs', { region: r }),
    ),
    s3: once(() => createClient(S3Client, 'S3', { region })),
    printLog: printFenced,
    retryBaseMs: 2000,
    flushQuietMs: 2000,
    ...(signal && { signal }),
  };
}
