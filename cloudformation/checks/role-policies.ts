/**
 * Every IAM role of a template with the policy statements that apply to it,
 * resolved for one scenario (resolve.ts): its inline policies, the managed
 * policies of the template attached to it (ManagedPolicyArns, or the
 * policy's Roles), AWS::IAM::Policy and AWS::IAM::RolePolicy resources, and
 * its permissions boundary (its ARN, and its statements when the boundary is
 * a managed policy of the same template).
 */
import type { Template } from '../../core/cfn-template.js';
import type { PolicyStatement } from './policy-eval.js';
import { isObject } from './problems.js';
import type { Resolved } from './resolve.js';

export interface RolePolicies {
  logicalId: string;
  arn: string;
  /** Trusted by a federated (OIDC) principal: a role people or workflows assume. */
  federated: boolean;
  statements: PolicyStatement[];
  boundaryArn?: string;
  /** The boundary's statements, when it is a managed policy of this template. */
  boundary?: PolicyStatement[];
}

function statementsOf(document: unknown): PolicyStatement[] {
  if (!isObject(document)) return [];
  return [document.Statement].flat().filter(isObject) as unknown as PolicyStatement[];
}

function list(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function rolePolicies(template: Template, resolved: Resolved): RolePolicies[] {
  const resources = Object.entries(template.Resources ?? {}).filter(([id]) => resolved.created(id));
  const managed = new Map<
    string,
    { id: string; statements: PolicyStatement[]; roles: unknown[] }
  >();
  const attached: Array<{ roles: unknown[]; statements: PolicyStatement[] }> = [];
  for (const [id, res] of resources) {
    if (res.Type === 'AWS::IAM::ManagedPolicy') {
      const p = resolved.properties(id);
      managed.set(resolved.arn(id), {
        id,
        statements: statementsOf(p.PolicyDocument),
        roles: list(p.Roles),
      });
    } else if (res.Type === 'AWS::IAM::Policy' || res.Type === 'AWS::IAM::RolePolicy') {
      const p = resolved.properties(id);
      attached.push({
        roles: res.Type === 'AWS::IAM::Policy' ? list(p.Roles) : [p.RoleName],
        statements: statementsOf(p.PolicyDocument),
      });
    }
  }

  const out: RolePolicies[] = [];
  for (const [id, res] of resources) {
    if (res.Type !== 'AWS::IAM::Role') continue;
    const p = resolved.properties(id);
    const arn = resolved.arn(id);
    const name = arn.replace(/^.*:role\/(.*\/)?/, '');
    const statements: PolicyStatement[] = [];
    for (const policy of list(p.Policies)) {
      if (isObject(policy)) statements.push(...statementsOf(policy.PolicyDocument));
    }
    for (const policyArn of list(p.ManagedPolicyArns)) {
      const m = managed.get(String(policyArn));
      if (m) statements.push(...m.statements);
    }
    for (const m of managed.values()) if (m.roles.includes(name)) statements.push(...m.statements);
    for (const a of attached) if (a.roles.includes(name)) statements.push(...a.statements);
    const trust = statementsOf(p.AssumeRolePolicyDocument) as unknown as Array<{
      Principal?: unknown;
    }>;
    const federated = trust.some((s) => isObject(s.Principal) && 'Federated' in s.Principal);
    const boundaryArn =
      p.PermissionsBoundary === undefined ? undefined : String(p.PermissionsBoundary);
    out.push({
      logicalId: id,
      arn,
      federated,
      statements,
      boundaryArn,
      boundary: boundaryArn ? managed.get(boundaryArn)?.statements : undefined,
    });
  }
  return out;
}

/** The statements of one managed policy of the template, by logical id. */
export function managedPolicyStatements(resolved: Resolved, logicalId: string): PolicyStatement[] {
  return statementsOf(resolved.properties(logicalId).PolicyDocument);
}
