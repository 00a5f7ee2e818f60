/**
 * network.yaml deployed to moto (an AWS emulator on 127.0.0.1): the stack
 * creates, its outputs are the contract, and the network has the shape the
 * other layers rely on. moto accepts what it does not model (moto-notes.md),
 * so correctness of properties is the specification check's and cfn-lint's job;
 * this proves the template deploys and wires its parts together.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../core/aws.js';
import { readTemplate } from '../../core/cfn-template.js';
import { type MotoServer, motoAvailable, startMoto } from '../../core/testing/moto.js';
import { walk } from '../checks/problems.js';
import { OUTPUT_CONTRACT, templateFile } from '../checks/templates.js';

const available = motoAvailable();
const VPC_CIDR = '10.20.0.0/16';

/** Fn::Cidr's answer: `count` blocks of 2^bits addresses from the start of an IPv4 range. */
function cidrBlocks(range: string, count: number, bits: number): string[] {
  const address = range.split('/')[0]!;
  const base = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  return Array.from({ length: count }, (_, i) => {
    const n = base + i * 2 ** bits;
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256);
    return `${octets.join('.')}/${32 - bits}`;
  });
}

/**
 * The template as sent to moto: moto cannot evaluate Fn::Select over Fn::Cidr
 * (a moto gap; AWS can), so those are resolved here, for VPC_CIDR.
 */
function templateForMoto(): string {
  const { template } = readTemplate(templateFile('network'));
  walk(template, '', (value) => {
    const select = (
      value as { 'Fn::Select'?: [number, { 'Fn::Cidr'?: [unknown, number, number] }] }
    )?.['Fn::Select'];
    const cidr = select?.[1]?.['Fn::Cidr'];
    if (select && cidr) {
      const target = value as Record<string, unknown>;
      delete target['Fn::Select'];
      Object.assign(target, {
        'Fn::Join': ['', [cidrBlocks(VPC_CIDR, cidr[1], cidr[2])[select[0]]]],
      });
    }
  });
  return JSON.stringify(template);
}

describe.skipIf(!available)('network.yaml on moto', () => {
  let moto: MotoServer;
  let cfn: CloudFormationClient;
  let ec2: EC2Client;
  let outputs: Record<string, string>;

  beforeAll(async () => {
    moto = await startMoto('ap-southeast-1');
    const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
    cfn = createClient(CloudFormationClient, 'CloudFormation', {
      env: moto.env,
      maxAttempts: 1,
      extra: { credentials },
    });
    ec2 = createClient(EC2Client, 'EC2', { env: moto.env, maxAttempts: 1, extra: { credentials } });
    await cfn.send(
      new CreateStackCommand({
        StackName: 'mcfpipe-dev-network',
        TemplateBody: templateForMoto(),
        Parameters: [
          { ParameterKey: 'Env', ParameterValue: 'dev' },
          { ParameterKey: 'VpcCidr', ParameterValue: VPC_CIDR },
          { ParameterKey: 'SshCidr', ParameterValue: '203.0.113.0/24' },
        ],
      }),
    );
    const { Stacks } = await cfn.send(
      new DescribeStacksCommand({ StackName: 'mcfpipe-dev-network' }),
    );
    expect(Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
    outputs = Object.fromEntries(
      (Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]),
    );
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it('outputs exactly the contract, with values', () => {
    expect(Object.keys(outputs).sort()).toEqual([...OUTPUT_CONTRACT.network.outputs].sort());
    for (const [k, v] of Object.entries(outputs)) expect(v, k).not.toBe('');
  });

  it('two public subnets in two zones and a private one, all in the VPC', async () => {
    const { Subnets = [] } = await ec2.send(
      new DescribeSubnetsCommand({
        SubnetIds: [outputs.PublicSubnet1Id!, outputs.PublicSubnet2Id!, outputs.PrivateSubnetId!],
      }),
    );
    expect(Subnets.map((s) => s.VpcId)).toEqual([outputs.VpcId, outputs.VpcId, outputs.VpcId]);
    const zone = (id: string) => Subnets.find((s) => s.SubnetId === id)?.AvailabilityZone;
    expect(zone(outputs.PublicSubnet1Id!)).not.toBe(zone(outputs.PublicSubnet2Id!));
    expect(Subnets.map((s) => s.CidrBlock).sort()).toEqual([
      '10.20.0.0/24',
      '10.20.1.0/24',
      '10.20.2.0/24',
    ]);
  });

  it('security groups by intent: web open on 80/443, SSH from SshCidr only, private closed', async () => {
    const { SecurityGroups = [] } = await ec2.send(
      new DescribeSecurityGroupsCommand({
        GroupIds: [outputs.SGHTTP!, outputs.SGSSH!, outputs.SGPrivate!],
      }),
    );
    const rules = (id: string) =>
      (SecurityGroups.find((g) => g.GroupId === id)?.IpPermissions ?? [])
        .flatMap((p) =>
          (p.IpRanges ?? []).map((r) => `${p.IpProtocol} ${p.FromPort}-${p.ToPort} ${r.CidrIp}`),
        )
        .sort();
    expect(rules(outputs.SGHTTP!)).toEqual(['tcp 443-443 0.0.0.0/0', 'tcp 80-80 0.0.0.0/0']);
    expect(rules(outputs.SGSSH!)).toEqual(['tcp 22-22 203.0.113.0/24']);
    expect(rules(outputs.SGPrivate!)).toEqual([]);
  });

  it('gateway endpoints for S3 and DynamoDB; no interface endpoint unless asked for', async () => {
    const { VpcEndpoints = [] } = await ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [outputs.VpcId!] }] }),
    );
    expect(
      VpcEndpoints.map((e) => `${e.VpcEndpointType} ${e.ServiceName?.split('.').pop()}`).sort(),
    ).toEqual(['Gateway dynamodb', 'Gateway s3']);
  });
});
