/**
 * Every action's context is built the same way: {@link stepContext} gives
 * what they all share (the region from the `region` input or AWS_REGION, the
 * step's log, the clock, the workflow run), and each action's makeContext
 * adds its clients:
 *
 * - `createClient(...)` (core/aws.ts) for a client every run uses;
 * - {@link lazyClient} for one only some runs need: built on first use, its
 *   SDK module loaded then (a chunk of the bundle), through `once`.
 *
 * Tests build the whole context with mocked clients and a virtual clock.
 */
import * as core from '@actions/core';
import { createClient, resolveRegion, type ServiceId } from '../../core/aws.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { logLine } from './log.js';
import { once } from './once.js';
import { type WorkflowRun, workflowRunFrom } from './workflow-run.js';

export interface StepContext {
  region: string;
  /** The step's log (actions/lib/log.ts: nothing printed acts as a workflow command). */
  log: (line: string) => void;
  warn: (line: string) => void;
  clock: Clock;
  /** The workflow run this step belongs to (names, tags, change-set tokens). */
  run: WorkflowRun;
}

/** The shared part of a context, for the `region` input (else AWS_REGION). */
export function stepContext(regionInput: string | undefined): StepContext {
  return {
    region: resolveRegion(regionInput),
    log: logLine,
    warn: (line) => core.warning(line),
    clock: systemClock,
    run: workflowRunFrom(),
  };
}

/**
 * A client built on first use, after `load` brought in its SDK module.
 *
 * @example ecr: lazyClient(region, 'ECR', () => import('@aws-sdk/client-ecr').then((m) => m.ECRClient))
 */
export function lazyClient<C>(
  region: string,
  serviceId: ServiceId,
  load: () => Promise<new (config: never) => C>,
): () => Promise<C> {
  return once(async () => {
    const Client = (await load()) as unknown as new (config: object) => C;
    return createClient(Client, serviceId, { region });
  });
}
