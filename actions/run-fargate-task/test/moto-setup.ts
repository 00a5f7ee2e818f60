/**
 * Builds in moto what the action runs against: a VPC with DNS hostnames on
 * (moto's RunTask fails without them), two public subnets, a security group,
 * the published network config in a bucket, a cluster and a Fargate task
 * definition with awslogs (and memory: moto's RunTask fails without it).
 */
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { MotoServer } from '../../../core/testing/moto.js';

export interface MotoWorld {
  cluster: string;
  family: string;
  subnets: string[];
  securityGroup: string;
  networkConfigUrl: string;
  ecs: ECSClient;
  destroy(): void;
}

export async function buildMotoWorld(moto: MotoServer): Promise<MotoWorld> {
  const config = {
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const ec2 = new EC2Client(config);
  const ecs = new ECSClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });

  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  await ec2.send(
    new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }),
  );
  const subnets: string[] = [];
  for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.20.${i}.0/24`, AvailabilityZone: az }),
    );
    subnets.push(subnet.Subnet!.SubnetId!);
  }
  const securityGroup = (
    await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'mcfpipe-test-private',
        Description: 'no inbound',
        VpcId: vpc,
      }),
    )
  ).GroupId!;

  const bucket = 'mcfpipe-test-config';
  const key = 'mcfpipe/aws/network/network_config.json';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify([
        { OutputKey: 'VpcId', OutputValue: vpc },
        { OutputKey: 'PublicSubnet1Id', OutputValue: subnets[0] },
        { OutputKey: 'PublicSubnet2Id', OutputValue: subnets[1] },
        { OutputKey: 'SGPrivate', OutputValue: securityGroup },
      ]),
    }),
  );

  const cluster = 'mcfpipe-test';
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const family = 'mcfpipe-test-tester';
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'tester',
          image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/mcfpipe-tester:test',
          memory: 512,
          essential: true,
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': '/ecs/mcfpipe-test-tester',
              'awslogs-region': 'us-east-1',
              'awslogs-stream-prefix': 'tester',
            },
          },
        },
      ],
    }),
  );
  return {
    cluster,
    family,
    subnets,
    securityGroup,
    networkConfigUrl: `s3://${bucket}/${key}`,
    ecs,
    destroy() {
      ec2.destroy();
      ecs.destroy();
      s3.destroy();
    },
  };
}
