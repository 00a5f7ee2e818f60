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
import { templateForMoto } from '../../core/testing/moto-template.js';
import { OUTPUT_CONTRACT, templateFile } from '../checks/templates.js';

const available = motoAvailable();
const VPC_CIDR = '10.20.0.0/16';

/** The template as sent to moto (Fn::Cidr resolved for VPC_CIDR: a moto gap; AWS can). */
function motoTemplateBody(): string {
  const { template } = readTemplate(templateFile('network'));
  return JSON.stringify(templateForMoto(template, { parameters: { VpcCidr: VPC_CIDR } }).template);
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
      extra: { credentials },
    });
    ec2 = createClient(EC2Client, 'EC2', { env: moto.env, extra: { credentials } });
    await cfn.send(
      new CreateStackCommand({
        StackName: 'mcfpipe-dev-network',
        TemplateBody: motoTemplateBody(),
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
