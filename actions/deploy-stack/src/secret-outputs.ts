/**
 * Stack outputs that carry a NoEcho parameter's value. CloudFormation hides
 * NoEcho parameters (DescribeStacks shows ****) but not outputs: an output
 * whose Value references one (`Ref`, or `${Name}` in `Fn::Sub`, at any
 * depth) comes back in clear. Such outputs are masked (core.setSecret)
 * before they become step outputs, and the summary does not show them.
 *
 * Which outputs they are comes from the template: the local one as parsed,
 * else (a URL template, drift mode) the stack's own, read with GetTemplate
 * when the stack has outputs. An output equal to a NoEcho value given in the
 * `parameters` input counts too. When the template cannot be read, every
 * output is treated as secret, with a warning.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { parseTemplate, type Template } from '../../../core/cfn-template.js';
import { maskSecret } from '../../lib/run.js';
import type { Context } from './context.js';
import { deployedTemplate } from './noop.js';
import { type Declared, declaredFromTemplate } from './parameters.js';
import type { PreparedTemplate } from './template.js';

/** Names of parameters and resources an expression refers to. */
function references(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) references(item, out);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string') out.add(value);
      else if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(value) ? value : [value, undefined];
        const local = vars && typeof vars === 'object' ? Object.keys(vars) : [];
        if (typeof text === 'string') {
          // ${Name} or ${Name.Attribute}; ${!Literal} is not a reference.
          for (const m of text.matchAll(/\$\{(?!!)([^}.]+)[^}]*\}/g)) {
            const name = m[1]!.trim();
            if (!local.includes(name)) out.add(name);
          }
        }
        references(vars, out);
      } else references(value, out);
    }
  }
  return out;
}

/** Outputs of `template` whose Value references a NoEcho parameter of `declared`. */
export function noEchoOutputs(template: Template, declared: Declared): string[] {
  const secret = new Set(Object.keys(declared).filter((name) => declared[name]!.noEcho));
  if (secret.size === 0) return [];
  return Object.entries(template.Outputs ?? {})
    .filter(([, output]) => [...references(output?.Value, new Set())].some((n) => secret.has(n)))
    .map(([name]) => name);
}

/** The stack's template as deployed: its NoEcho outputs, or undefined when it cannot be read. */
async function fromDeployed(ctx: Context, stackId: string): Promise<string[] | undefined> {
  try {
    const body = await deployedTemplate(ctx, stackId);
    if (body === undefined) return undefined;
    const template = parseTemplate(body, `the template of ${stackId}`);
    return noEchoOutputs(
      template,
      declaredFromTemplate(template.Parameters as Record<string, Record<string, unknown>>),
    );
  } catch {
    return undefined;
  }
}

/**
 * The names of the stack's outputs that hold NoEcho values, each value
 * masked before this returns.
 */
export async function maskSecretOutputs(
  ctx: Context,
  stack: Stack | undefined,
  template: PreparedTemplate | undefined,
  given: Record<string, string> = {},
): Promise<Set<string>> {
  const outputs = (stack?.Outputs ?? []).filter((o) => o.OutputKey);
  const secret = new Set<string>();
  if (outputs.length === 0) return secret;
  const declared = template?.declared ?? {};
  const noEchoValues = new Set(
    Object.entries(given)
      .filter(([name, value]) => declared[name]?.noEcho && value !== '')
      .map(([, value]) => value),
  );
  let names = template?.secretOutputs;
  if (!names && stack?.StackId) names = await fromDeployed(ctx, stack.StackId);
  if (!names) {
    ctx.warn(
      `Could not read the template of stack ${stack?.StackName ?? ''} to tell which outputs hold NoEcho values; every output is masked.`,
    );
    names = outputs.map((o) => o.OutputKey!);
  }
  for (const o of outputs) {
    if (names.includes(o.OutputKey!) || noEchoValues.has(o.OutputValue ?? '')) {
      secret.add(o.OutputKey!);
      maskSecret(o.OutputValue);
    }
  }
  return secret;
}
