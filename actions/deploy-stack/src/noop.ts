/**
 * Exact no-op detection: when the deployed template text, the parameters, the
 * tags and the role/notification settings all equal what would be sent, a
 * deploy has nothing to do, and that is known without creating a change set
 * (two read calls: DescribeStacks, already made, and GetTemplate).
 *
 * Only comparisons that are exact count: a NoEcho value (shown as ****), a
 * template read from a URL, a Transform, a nested stack or an SSM parameter
 * type send the deploy through a change set instead, which CloudFormation
 * itself evaluates.
 */
import { GetTemplateCommand, type Stack } from '@aws-sdk/client-cloudformation';
import type { Context } from './context.js';
import type { DeployInputs } from './inputs.js';
import { STABLE } from './stack-state.js';
import type { PreparedTemplate } from './template.js';

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Every reason the settings differ from the stack's (or cannot be compared
 * exactly); empty when they are the same. Settings not given keep the
 * stack's values, so they are the same by definition.
 */
export function settingsDifferences(
  stack: Stack,
  inputs: DeployInputs,
  given: Record<string, string>,
  template: PreparedTemplate,
): string[] {
  const found: string[] = [];
  if (!template.exact) found.push(template.inexactReason ?? 'the template cannot be compared');
  if (!STABLE.has(stack.StackStatus ?? '')) found.push(`the stack is ${stack.StackStatus}`);
  const current = new Map((stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  for (const [k, v] of Object.entries(given)) {
    if (template.declared[k]?.noEcho)
      found.push(`parameter ${k} is NoEcho (its value cannot be compared)`);
    else if (!current.has(k)) found.push(`parameter ${k} is new`);
    else if (current.get(k) !== v) found.push(`parameter ${k} changes`);
  }
  const declared = Object.keys(template.declared);
  const deployed = [...current.keys()].filter((k): k is string => k !== undefined);
  if (!sameSet(declared, deployed)) {
    const added = declared.filter((k) => !deployed.includes(k));
    const removed = deployed.filter((k) => !declared.includes(k));
    found.push(
      `the declared parameters change (${[
        ...added.map((k) => `+${k}`),
        ...removed.map((k) => `-${k}`),
      ].join(', ')})`,
    );
  }
  if (inputs.tags) {
    const have = (stack.Tags ?? []).map((t) => `${t.Key}\u0000${t.Value}`);
    if (
      !sameSet(
        have,
        inputs.tags.map((t) => `${t.Key}\u0000${t.Value}`),
      )
    )
      found.push('the tags change');
  }
  if (inputs.roleArn && inputs.roleArn !== stack.RoleARN) found.push('the role changes');
  if (inputs.notificationArns && !sameSet(inputs.notificationArns, stack.NotificationARNs ?? []))
    found.push('the notification topics change');
  return found;
}

/** The template CloudFormation holds for the stack, as it was submitted. */
export async function deployedTemplate(ctx: Context, stackId: string): Promise<string | undefined> {
  const out = await ctx.cfn.send(
    new GetTemplateCommand({ StackName: stackId, TemplateStage: 'Original' }),
  );
  return out.TemplateBody;
}

/** Whether deploying would change nothing: see the module comment. */
export async function isExactNoop(
  ctx: Context,
  stack: Stack,
  inputs: DeployInputs,
  given: Record<string, string>,
  template: PreparedTemplate,
): Promise<boolean> {
  const differences = settingsDifferences(stack, inputs, given, template);
  if (differences.length) {
    ctx.log(`Creating a change set: ${differences.join('; ')}.`);
    return false;
  }
  const deployed = await deployedTemplate(ctx, stack.StackId ?? inputs.name);
  if (deployed !== template.body) {
    ctx.log('Creating a change set: the template differs from the deployed one.');
    return false;
  }
  return true;
}
