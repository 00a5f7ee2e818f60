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
import { type Context, tolerant } from './context.js';
import type { DeployInputs } from './inputs.js';
import { STABLE } from './stack-state.js';
import type { PreparedTemplate } from './template.js';

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Why the settings differ from the stack's (or cannot be compared exactly),
 * or undefined when they are the same. Settings not given keep the stack's
 * values, so they are the same by definition.
 */
export function settingsDifference(
  stack: Stack,
  inputs: DeployInputs,
  given: Record<string, string>,
  template: PreparedTemplate,
): string | undefined {
  if (!template.exact) return template.inexactReason;
  if (!STABLE.has(stack.StackStatus ?? '')) return `the stack is ${stack.StackStatus}`;
  const current = new Map((stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  for (const [k, v] of Object.entries(given)) {
    if (template.declared[k]?.noEcho)
      return `parameter ${k} is NoEcho (its value cannot be compared)`;
    if (!current.has(k)) return `parameter ${k} is new`;
    if (current.get(k) !== v) return `parameter ${k} changes`;
  }
  const declared = Object.keys(template.declared);
  if (
    !sameSet(
      declared,
      [...current.keys()].filter((k) => k !== undefined),
    )
  )
    return 'the declared parameters change';
  if (inputs.tags) {
    const have = (stack.Tags ?? []).map((t) => `${t.Key}\u0000${t.Value}`);
    if (
      !sameSet(
        have,
        inputs.tags.map((t) => `${t.Key}\u0000${t.Value}`),
      )
    )
      return 'the tags change';
  }
  if (inputs.roleArn && inputs.roleArn !== stack.RoleARN) return 'the role changes';
  if (inputs.notificationArns && !sameSet(inputs.notificationArns, stack.NotificationARNs ?? []))
    return 'the notification topics change';
  return undefined;
}

/** The template CloudFormation holds for the stack, as it was submitted. */
export async function deployedTemplate(ctx: Context, stackId: string): Promise<string | undefined> {
  const out = await tolerant(ctx, 'GetTemplate', () =>
    ctx.cfn.send(new GetTemplateCommand({ StackName: stackId, TemplateStage: 'Original' })),
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
  const difference = settingsDifference(stack, inputs, given, template);
  if (difference) {
    ctx.log(`Creating a change set: ${difference}.`);
    return false;
  }
  const deployed = await deployedTemplate(ctx, stack.StackId ?? inputs.name);
  if (deployed !== template.body) {
    ctx.log('Creating a change set: the template differs from the deployed one.');
    return false;
  }
  return true;
}
