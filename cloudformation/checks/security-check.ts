/**
 * The security review every template must pass:
 *
 * - no security group open to the internet (0.0.0.0/0, ::/0) except the
 *   group named SGHTTP, on ports 80 and 443 only;
 * - every bucket encrypted by default, with all four public-access blocks on;
 * - every DynamoDB table with point-in-time recovery, encryption settings,
 *   and DeletionPolicy and UpdateReplacePolicy Retain;
 * - every log group with a retention and an explicit DeletionPolicy and
 *   UpdateReplacePolicy (cfn-lint I3011), and nothing that writes to a log group
 *   the template does not declare (Lambda functions without a LoggingConfig
 *   log group, awslogs options naming an undeclared group) since such groups
 *   are created with no retention;
 * - a CIDR given as a parameter counts as open when the parameter's
 *   Default, AllowedValues or AllowedPattern (or the lack of both) lets it be
 *   0.0.0.0/0 or ::/0;
 * - every role assumable only by AWS services or a federated provider, never
 *   by "*"; a federated (OIDC) trust must condition on the token's audience
 *   and subject (`<provider>:aud`, `<provider>:sub`), without a wildcard
 *   subject, else any repository or workload of that provider can assume it;
 * - every taggable resource tagged mcfpipe:env and mcfpipe:managed-by (the
 *   ownership tags cleanup-resources relies on).
 */
import type { Template } from '../../core/cfn-template.js';
import { ENV_KEY, MANAGED_BY_KEY } from '../../core/ownership.js';
import { branches, intrinsicName, isObject, type Problem } from './problems.js';
import type { SpecChecker } from './spec-check.js';

const OPEN = new Set(['0.0.0.0/0', '::/0']);
const WEB_PORTS = new Set([80, 443]);

type Add = (path: string, message: string) => void;
type Parameters = NonNullable<Template['Parameters']>;

/** An open CIDR a parameter can take at deploy time, or undefined when it cannot be open. */
function openParameterValue(param: Parameters[string] | undefined): string | undefined {
  if (!param) return undefined;
  const def = param.Default;
  if (typeof def === 'string' && OPEN.has(def)) return def;
  const allowed = param.AllowedValues;
  if (Array.isArray(allowed)) {
    return allowed.find((v): v is string => typeof v === 'string' && OPEN.has(v));
  }
  const pattern = param.AllowedPattern;
  if (typeof pattern !== 'string') return [...OPEN][0];
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return [...OPEN][0];
  }
  // CloudFormation matches the pattern against the whole value.
  return [...OPEN].find((cidr) => re.exec(cidr)?.[0] === cidr);
}

function checkIngress(
  groupId: string,
  rule: unknown,
  path: string,
  add: Add,
  params: Parameters,
): void {
  for (const r of branches(rule)) {
    if (!isObject(r)) continue;
    const raw = r.CidrIp ?? r.CidrIpv6;
    let cidr: string | undefined;
    let via = '';
    if (typeof raw === 'string') cidr = OPEN.has(raw) ? raw : undefined;
    else if (refTarget(raw) && Object.hasOwn(params, refTarget(raw)!)) {
      const name = refTarget(raw)!;
      cidr = openParameterValue(params[name]);
      via = ` (parameter ${name} allows it: give it an AllowedPattern or AllowedValues that exclude ${[...OPEN].join(' and ')}, and no such Default)`;
    }
    if (cidr === undefined) continue;
    const from = Number(r.FromPort);
    const to = Number(r.ToPort);
    const webOnly =
      groupId === 'SGHTTP' && String(r.IpProtocol) === 'tcp' && from === to && WEB_PORTS.has(from);
    if (!webOnly) {
      add(
        path,
        `ingress from ${cidr} on ${r.IpProtocol} ${r.FromPort ?? ''}-${r.ToPort ?? ''}: only SGHTTP may be open to the internet, on 80 and 443${via}`,
      );
    }
  }
}

/** What a federated trust statement lacks: conditions on the token's audience and subject. */
function federatedTrustProblem(statement: Record<string, unknown>): string | undefined {
  const cond = isObject(statement.Condition) ? statement.Condition : {};
  const keys = (op: string) => (isObject(cond[op]) ? Object.keys(cond[op]) : []);
  const exact = keys('StringEquals');
  const like = keys('StringLike');
  const has = (suffix: string) => [...exact, ...like].some((k) => k.endsWith(suffix));
  const missing = [':aud', ':sub'].filter((k) => !has(k));
  if (missing.length) {
    return `a federated trust needs conditions on the token's ${missing.map((m) => m.slice(1)).join(' and ')} (StringEquals "<provider>${missing[0]}"); without them any workload of the provider can assume the role`;
  }
  const likeSubs = like.filter((k) => k.endsWith(':sub'));
  for (const k of likeSubs) {
    const value = JSON.stringify((cond.StringLike as Record<string, unknown>)[k]);
    if (value.includes('*')) {
      return `a federated trust's subject ${k} has a wildcard (${value}); name the repository and its branch or environment exactly (StringEquals)`;
    }
  }
  return undefined;
}

function refTarget(v: unknown): string | undefined {
  return isObject(v) && typeof v.Ref === 'string' ? v.Ref : undefined;
}

function hasTrue(obj: unknown, key: string): boolean {
  return isObject(obj) && (obj[key] === true || obj[key] === 'true');
}

export function checkSecurity(name: string, template: Template, spec: SpecChecker): Problem[] {
  const problems: Problem[] = [];
  const resources = template.Resources ?? {};
  const params: Parameters = template.Parameters ?? {};
  const logGroups = new Set(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Logs::LogGroup')
      .map(([id]) => id),
  );
  for (const [id, res] of Object.entries(resources)) {
    const path = `Resources.${id}`;
    const add: Add = (p, message) => problems.push({ template: name, path: p, message });
    const props = res.Properties ?? {};
    switch (res.Type) {
      case 'AWS::EC2::SecurityGroup':
        for (const rules of branches(props.SecurityGroupIngress)) {
          if (Array.isArray(rules)) {
            for (const [i, r] of rules.entries()) {
              checkIngress(id, r, `${path}.Properties.SecurityGroupIngress[${i}]`, add, params);
            }
          }
        }
        break;
      case 'AWS::EC2::SecurityGroupIngress':
        checkIngress(refTarget(props.GroupId) ?? id, props, `${path}.Properties`, add, params);
        break;
      case 'AWS::S3::Bucket': {
        const rules = isObject(props.BucketEncryption)
          ? props.BucketEncryption.ServerSideEncryptionConfiguration
          : undefined;
        if (!Array.isArray(rules) || rules.length === 0) {
          add(path, 'a bucket needs BucketEncryption (SSE-S3 or SSE-KMS by default)');
        }
        const block = props.PublicAccessBlockConfiguration;
        for (const key of [
          'BlockPublicAcls',
          'BlockPublicPolicy',
          'IgnorePublicAcls',
          'RestrictPublicBuckets',
        ]) {
          if (!hasTrue(block, key))
            add(path, `a bucket needs PublicAccessBlockConfiguration.${key}: true`);
        }
        break;
      }
      case 'AWS::DynamoDB::Table':
        if (!hasTrue(props.PointInTimeRecoverySpecification, 'PointInTimeRecoveryEnabled')) {
          add(
            path,
            'a table needs PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true',
          );
        }
        if (!isObject(props.SSESpecification)) add(path, 'a table needs SSESpecification');
        for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy']) {
          if (res[policy] !== 'Retain')
            add(path, `a table needs ${policy}: Retain (the data outlives the stack)`);
        }
        break;
      case 'AWS::Logs::LogGroup':
        if (props.RetentionInDays === undefined) add(path, 'a log group needs RetentionInDays');
        for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy']) {
          if (res[policy] === undefined) {
            add(
              path,
              `a log group needs an explicit ${policy} (Delete or Retain: what happens to its logs)`,
            );
          }
        }
        break;
      case 'AWS::Lambda::Function': {
        const target = isObject(props.LoggingConfig)
          ? refTarget(props.LoggingConfig.LogGroup)
          : undefined;
        if (!target || !logGroups.has(target)) {
          add(
            path,
            'a function needs LoggingConfig.LogGroup: a log group of this template (with retention); else Lambda creates one that keeps logs forever',
          );
        }
        break;
      }
      case 'AWS::ECS::TaskDefinition':
        for (const defs of branches(props.ContainerDefinitions)) {
          if (!Array.isArray(defs)) continue;
          defs.forEach((c, i) => {
            const log = isObject(c) ? c.LogConfiguration : undefined;
            const options = isObject(log) ? log.Options : undefined;
            const group = isObject(options) ? refTarget(options['awslogs-group']) : undefined;
            if (!isObject(log) || log.LogDriver !== 'awslogs' || !group || !logGroups.has(group)) {
              add(
                `${path}.Properties.ContainerDefinitions[${i}]`,
                'a container needs the awslogs driver with awslogs-group a log group of this template (with retention)',
              );
            } else if (isObject(options) && !options['awslogs-stream-prefix']) {
              add(
                `${path}.Properties.ContainerDefinitions[${i}]`,
                'awslogs needs an awslogs-stream-prefix (Fargate)',
              );
            }
          });
        }
        break;
      case 'AWS::IAM::Role': {
        const doc = props.AssumeRolePolicyDocument;
        const statements = isObject(doc) ? [doc.Statement].flat() : [];
        for (const s of statements) {
          const principal = isObject(s) ? s.Principal : undefined;
          const open =
            principal === '*' ||
            (isObject(principal) && [principal.AWS].flat().some((p) => p === '*'));
          const known = isObject(principal) && ('Service' in principal || 'Federated' in principal);
          if (open || !known) {
            add(
              `${path}.Properties.AssumeRolePolicyDocument`,
              `a role is assumed by AWS services or a federated provider, not ${JSON.stringify(principal)}`,
            );
          } else if (isObject(s) && isObject(principal) && 'Federated' in principal) {
            const why = federatedTrustProblem(s);
            if (why) add(`${path}.Properties.AssumeRolePolicyDocument`, why);
          }
        }
        break;
      }
    }
    const tagging = spec.tagInformation(res.Type);
    if (tagging) {
      const keys = tagKeys(props[tagging.tagPropertyName], tagging.variant);
      for (const key of [ENV_KEY, MANAGED_BY_KEY]) {
        if (!keys.has(key))
          add(path, `a taggable resource needs the ${key} tag (${tagging.tagPropertyName})`);
      }
    }
  }
  return problems;
}

function tagKeys(tags: unknown, variant: string): Set<string> {
  const keys = new Set<string>();
  for (const t of branches(tags)) {
    if (intrinsicName(t)) continue;
    if (variant === 'map' && isObject(t)) for (const k of Object.keys(t)) keys.add(k);
    if (Array.isArray(t)) {
      for (const e of t) if (isObject(e) && typeof e.Key === 'string') keys.add(e.Key);
    }
  }
  return keys;
}
