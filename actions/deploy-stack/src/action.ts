/**
 * deploy-stack, the whole step: creates or updates a CloudFormation stack through a change
 * set (mode: deploy), shows what would change (mode: plan), or reports drift
 * (mode: drift). Inputs, template and parameters are checked before any AWS
 * call; see action.yml and the README for the inputs and outputs.
 */
import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { createClient, resolveRegion } from '../../../core/aws.js';
import { systemClock } from '../../../core/clock.js';
import { ActionError } from '../../../core/errors.js';
import { writeSummary } from '../../../core/summary.js';
import { logLine } from '../../lib/log.js';
import { once } from '../../lib/once.js';
import { type Context, runIdFrom } from './context.js';
import { deploy } from './deploy.js';
import { detectDrift } from './drift.js';
import { type DeployInputs, readInputs } from './inputs.js';
import { DeployFailure } from './operation.js';
import { checkParameters, parseParameters } from './parameters.js';
import {
  deploySummary,
  driftSummary,
  failureSummary,
  setDeployOutputs,
  setDriftOutputs,
} from './report.js';
import { maskSecretOutputs } from './secret-outputs.js';
import {
  checkSize,
  type PreparedTemplate,
  prepareLocalTemplate,
  prepareUrlTemplate,
} from './template.js';

/** Everything that can be checked without AWS: inputs, template, parameters. */
export function prepare(): {
  inputs: DeployInputs;
  template: PreparedTemplate | undefined;
  given: Record<string, string>;
} {
  const inputs = readInputs();
  if (inputs.mode === 'drift') return { inputs, template: undefined, given: {} };
  const given = parseParameters(inputs.parameters);
  if (inputs.template?.kind !== 'file') return { inputs, template: undefined, given };
  const template = prepareLocalTemplate(inputs.template.path);
  checkParameters(given, template.declared, template.where);
  checkSize(template, inputs);
  return { inputs, template, given };
}

export function makeContext(inputs: DeployInputs): Context {
  const region = resolveRegion(inputs.region);
  return {
    cfn: createClient(CloudFormationClient, 'CloudFormation', { region }),
    // Loaded on first use: only templates over the inline limit need S3.
    s3: once(() =>
      import('@aws-sdk/client-s3').then(({ S3Client }) => createClient(S3Client, 'S3', { region })),
    ),
    region,
    clock: systemClock,
    pollMs: 5000,
    log: logLine,
    warn: (line) => core.warning(line),
    runId: runIdFrom(process.env, Date.now()),
  };
}

export async function main(
  makeCtx: (inputs: DeployInputs) => Context = makeContext,
): Promise<void> {
  const prepared = prepare();
  const { inputs, given } = prepared;
  const ctx = makeCtx(inputs);

  if (inputs.mode === 'drift') {
    const drift = await detectDrift(ctx, inputs.name);
    await maskSecretOutputs(ctx, drift.stack, undefined);
    setDriftOutputs(drift);
    await writeSummary((s) => s.addRaw(driftSummary(drift, ctx.region)));
    if (drift.driftStatus === 'DRIFTED' && inputs.failOnDrift) {
      throw new ActionError(
        `Stack ${inputs.name} has drifted: ${drift.drifts.length} resource${drift.drifts.length === 1 ? '' : 's'} differ from the template (${drift.drifts.map((d) => d.LogicalResourceId).join(', ')}).`,
        'Deploy the template again to put them back, or bring the template in line with the changes. Set fail-on-drift: false to report drift without failing.',
      );
    }
    ctx.log(`Drift: ${drift.driftStatus}.`);
    return;
  }

  let template = prepared.template;
  if (!template && inputs.template?.kind === 'url') {
    template = await prepareUrlTemplate(ctx, inputs.template);
    checkParameters(given, template.declared, template.where);
  }
  let result: Awaited<ReturnType<typeof deploy>>;
  try {
    result = await deploy(ctx, inputs, template!, given);
  } catch (err) {
    const stackId = err instanceof DeployFailure ? err.stackId : undefined;
    if (err instanceof DeployFailure) {
      core.setOutput('stack-status', err.status ?? '');
      if (stackId) core.setOutput('stack-id', stackId);
    }
    await writeSummary((s) => s.addRaw(failureSummary(inputs.name, err, ctx.region, stackId)));
    throw err;
  }
  // A plan leaves the deployed template in place: its outputs are that template's.
  const secret = await maskSecretOutputs(
    ctx,
    result.stack,
    result.mode === 'plan' ? undefined : template,
    given,
  );
  setDeployOutputs(result);
  await writeSummary((s) => s.addRaw(deploySummary(result, ctx.region, secret)));
  ctx.log(result.note);
  if (!result.changed && inputs.failOnEmpty) {
    throw new ActionError(
      `${result.note} The step fails because fail-on-empty is true.`,
      'Set fail-on-empty: false (the default) to treat an unchanged stack as success.',
    );
  }
}
