/**
 * Where the task's network interface goes: subnets and security groups from
 * the `subnets` / `security-groups` inputs, else from the published network
 * config (`network-config`, the keys named by `subnet-keys` and
 * `security-group-keys`). An explicit input wins for its kind; the config
 * fills in the other.
 *
 * mcfpipe's network has no NAT gateway, so the default is the two public
 * subnets with a public IP: that is how a task reaches ECR, CloudWatch Logs
 * and Secrets Manager without VPC endpoints.
 */
import type { AwsVpcConfiguration } from '@aws-sdk/client-ecs';
import { ActionError } from '../../../core/errors.js';
import { s3Url } from '../../../core/s3-url.js';
import { pickKeys, readConfig } from '../../lib/config-store.js';
import type { Context } from './context.js';
import type { NetworkInputs } from './inputs.js';

export interface ResolvedNetwork extends AwsVpcConfiguration {
  subnets: string[];
  securityGroups: string[];
  /** Where the ids came from, for the log. */
  source: string;
}

const PATTERNS = { subnet: /^subnet-[0-9a-f]{8,17}$/, 'security group': /^sg-[0-9a-f]{8,17}$/ };

export async function resolveNetwork(ctx: Context, net: NetworkInputs): Promise<ResolvedNetwork> {
  let subnets = net.subnets;
  let securityGroups = net.securityGroups;
  const sources: string[] = [];
  if (subnets.length) sources.push('subnets input');
  if (securityGroups.length) sources.push('security-groups input');
  if (net.config && (subnets.length === 0 || securityGroups.length === 0)) {
    const where = s3Url(net.config);
    const { pairs } = await readConfig(ctx.s3(), net.config);
    const read = (keys: string[], kind: keyof typeof PATTERNS) => {
      const picked = pickKeys(pairs, keys, where);
      return keys.flatMap((key) =>
        picked[key]!.split(',')
          .map((v) => v.trim())
          .filter(Boolean)
          .map((id) => {
            if (!PATTERNS[kind].test(id)) {
              throw new ActionError(
                `The config at ${where} has ${key}=${JSON.stringify(id)}, which is not a ${kind} id.`,
                `Check subnet-keys and security-group-keys: they name the config keys that hold ${kind} ids.`,
              );
            }
            return id;
          }),
      );
    };
    if (subnets.length === 0) subnets = read(net.subnetKeys, 'subnet');
    if (securityGroups.length === 0) securityGroups = read(net.securityGroupKeys, 'security group');
    sources.push(where);
  }
  if (subnets.length === 0) {
    throw new ActionError(
      'No subnets to run the task in: the subnets input is empty and no network-config was given.',
      'Set network-config to the published network config (s3://BUCKET/mcfpipe/aws/network/network_config.json), or list subnet ids in the subnets input.',
    );
  }
  if (securityGroups.length === 0) {
    ctx.warn('No security groups given: the task gets the default security group of the VPC.');
  }
  if (net.assignPublicIp === 'DISABLED') {
    ctx.log(
      'assign-public-ip is DISABLED: the task can reach ECR, CloudWatch Logs and Secrets Manager only through a NAT gateway or VPC endpoints in its subnets.',
    );
  }
  return {
    subnets: [...new Set(subnets)],
    securityGroups: [...new Set(securityGroups)],
    assignPublicIp: net.assignPublicIp,
    source: sources.join(' and '),
  };
}
