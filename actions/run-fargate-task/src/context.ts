/**
 * What every part of run-fargate-task needs: the clients, the clock, the
 * log, the run's identity and the pacing of retries. Tests build one with
 * mocked clients and a fake clock.
 */
import * as core from '@actions/core';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { createClient, resolveRegion } from '../../../core/aws.js';
import { type Clock, systemClock } from '../../../core/clock.js';
import { logLine, printFenced } from '../../lib/log.js';
import { type WorkflowRun, workflowRunFrom } from '../../lib/workflow-run.js';

export interface Context {
  ecs: ECSClient;
  /** A CloudWatch Logs client for a region (a container may log to another region). */
  logs: (region: string) => CloudWatchLogsClient;
  s3: () => S3Client;
  region: string;
  clock: Clock;
  log: (line: string) => void;
  warn: (line: string) => void;
  /**
   * Prints a task's log lines. On the runner they are fenced with
   * stop-commands, so a line such as "::add-mask::" or "::error::" written by
   * the container is shown, not run as a workflow command.
   */
  printLog: (lines: string[]) => void;
  run: WorkflowRun;
  /** First delay of RunTask retries (capacity, throttling); doubles up to 30 s. */
  retryBaseMs: number;
  /** Quiet period that ends the final log read after a task stopped. */
  flushQuietMs: number;
  /** Aborted when the step is cancelled (SIGINT/SIGTERM from the runner). */
  signal?: AbortSignal;
}

export function makeContext(regionInput: string | undefined, signal?: AbortSignal): Context {
  const region = resolveRegion(regionInput);
  const logs = new Map<string, CloudWatchLogsClient>();
  let s3: S3Client | undefined;
  const ctx: Context = {
    ecs: createClient(ECSClient, 'ECS', { region }),
    logs: (r) => {
      let client = logs.get(r);
      if (!client) {
        client = createClient(CloudWatchLogsClient, 'CloudWatch Logs', { region: r });
        logs.set(r, client);
      }
      return client;
    },
    s3: () => {
      s3 ??= createClient(S3Client, 'S3', { region });
      return s3;
    },
    region,
    clock: systemClock,
    log: logLine,
    warn: (line) => core.warning(line),
    printLog: printFenced,
    run: workflowRunFrom(),
    retryBaseMs: 2000,
    flushQuietMs: 2000,
  };
  if (signal) ctx.signal = signal;
  return ctx;
}
