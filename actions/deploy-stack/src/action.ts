/**
 * deploy-stack, the whole step: creates or updates a CloudFormation stack through a change
 * set (mode: deploy), shows what would change (mode: plan), or reports drift
 * (mode: drift). Inputs, template and parameters are checked before any AWS
 * call; see action.yml and the README for the inputs and outputs.
 */
import * as core from '@actions/core';
import { ActionError } from '../../../core/errors.js';
import { writeSummary } from '../../../core/summary.js';
import { type Context, makeContext } from './context.js';
import { type DeployResult, deploy } from './deploy.js';
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

export async function main(
  makeCtx: (inputs: DeployInputs) => Context = makeContext,
): Promise<void> {
  const prepared = prepare();
  const ctx = makeCtx(prepared.inputs);
  if (prepared.inputs.mode === 'drift') await driftMode(ctx, prepared.inputs);
  else await deployMode(ctx, prepared);
}

type Prepared = ReturnType<typeof prepare>;

/** mode: drift — detect, report, fail on drift unless told not to. */
async function driftMode(ctx: Context, inputs: DeployInputs): Promise<void> {
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
}

/** mode: deploy or plan — the template (read from S3 when given by URL), the deploy, the report. */
async function deployMode(ctx: Context, prepared: Prepared): Promise<void> {
  const { inputs, given } = prepared;
  const template = prepared.template ?? (await urlTemplate(ctx, inputs, given));
  const result = await deployReportingFailure(ctx, inputs, template, given);
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

/** A template given by URL: its parameters are known only once CloudFormation has read it. */
async function urlTemplate(
  ctx: Context,
  inputs: DeployInputs,
  given: Record<string, string>,
): Promise<PreparedTemplate> {
  if (inputs.template?.kind !== 'url') throw new Error('deploy-stack: no template to deploy');
  const template = await prepareUrlTemplate(ctx, inputs.template);
  checkParameters(given, template.declared, template.where);
  return template;
}

/** The deploy; when it fails, the outputs it can still give and a summary of the failure. */
async function deployReportingFailure(
  ctx: Context,
  inputs: DeployInputs,
  template: PreparedTemplate,
  given: Record<string, string>,
): Promise<DeployResult> {
  try {
    return await deploy(ctx, inputs, template, given);
  } catch (err) {
    const stackId = err instanceof DeployFailure ? err.stackId : undefined;
    if (err instanceof DeployFailure) {
      core.setOutput('stack-status', err.status ?? '');
      if (stackId) core.setOutput('stack-id', stackId);
    }
    await writeSummary((s) => s.addRaw(failureSummary(inputs.name, err, ctx.region, stackId)));
    throw err;
  }
}
