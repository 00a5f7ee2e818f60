/**
 * The security review every template must pass:
 *
 * - no security group open to the internet (0.0.0.0/0, ::/0) except the
 *   group named SGHTTP, on ports 80 and 443 only;
 * - every bucket encrypted by default, with all four public-access blocks on;
 * - every DynamoDB table with point-in-time recovery, encryption settings,
 *   and DeletionPolicy and UpdateReplacePolicy Retain;
 * - every log group with a retention, and nothing that writes to a log group
 *   the template does not declare (Lambda functions without a LoggingConfig
 *   log group, awslogs options naming an undeclared group) since such groups
 *   are created with no retention;
 * - every role assumable only by AWS services or a federated provider, never
 *   by "*";
 * - every taggable resource tagged mcfpipe:env and mcfpipe:managed-by (the
 *   ownership tags cleanup-resources relies on).
 */
import type { Template } from '../../actions/lib/cfn-template.js';
import { ENV_KEY, MANAGED_BY_KEY } from '../../actions/lib/ownership.js';
import { branches, intrinsicName, isObject, type Problem } from './problems.js';
import type { SpecChecker } from './spec-check.js';

const OPEN = new Set(['0.0.0.0/0', '::/0']);
const WEB_PORTS = new Set([80, 443]);

type Add = (path: string, message: string) => void;

function checkIngress(groupId: string, rule: unknown, path: string, add: Add): void {
  for (const r of branches(rule)) {
    if (!isObject(r)) continue;
    const cidr = r.CidrIp ?? r.CidrIpv6;
    if (typeof cidr !== 'string' || !OPEN.has(cidr)) continue;
    const from = Number(r.FromPort);
    const to = Number(r.ToPort);
    const webOnly =
      groupId === 'SGHTTP' && String(r.IpProtocol) === 'tcp' && from === to && WEB_PORTS.has(from);
    if (!webOnly) {
      add(
        path,
        `ingress from ${cidr} on ${r.IpProtocol} ${r.FromPort ?? ''}-${r.ToPort ?? ''}: only SGHTTP may be open to the internet, on 80 and 443`,
      );
    }
  }
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
              checkIngress(id, r, `${path}.Properties.SecurityGroupIngress[${i}]`, add);
            }
          }
        }
        break;
      case 'AWS::EC2::SecurityGroupIngress':
        checkIngress(refTarget(props.GroupId) ?? id, props, `${path}.Properties`, add);
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
