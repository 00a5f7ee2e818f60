/**
 * Every bad input fails with a message that names the input, the bad value
 * and what is accepted (or lists what exists), and no task is started.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStepInProcess } from '../../lib/testing/run-step.js';
import { main } from '../src/action.js';
import { CLUSTER, FAMILY, FakeAws, NETWORK_CONFIG_URL, taskDefinition } from './fake-ecs.js';

const BASE = { 'task-definition': FAMILY, cluster: CLUSTER, 'network-config': NETWORK_CONFIG_URL };

async function refused(inputs: Record<string, string>, setup: (aws: FakeAws) => void = () => {}) {
  const aws = new FakeAws();
  setup(aws);
  const step = await runStepInProcess(() => main(() => aws.context()), {
    inputs: { ...BASE, ...inputs },
  });
  expect(step.error).toBeDefined();
  expect(aws.ecsCalls()).not.toContain('RunTask');
  expect(aws.ecsCalls()).not.toContain('RegisterTaskDefinition');
  expect(step.state.tasks).toBeUndefined();
  return { error: step.error!, calls: aws.ecsCalls() };
}

describe('inputs checked before any AWS call', () => {
  it.each([
    [{ count: '0' }, 'Input "count": "0" is not valid. Accepted: a whole number from 1 to 50.'],
    [{ count: '51' }, 'Input "count": "51" is not valid. Accepted: a whole number from 1 to 50.'],
    [{ count: 'many' }, 'Input "count": "many" is not valid.'],
    [{ 'task-definition': '' }, 'Input "task-definition" is required and was not supplied.'],
    [
      { 'task-definition': 'my task!' },
      'Input "task-definition": "my task!" is not valid. Accepted: a family',
    ],
    [{ 'task-definition': 'defs/missing.json' }, 'missing.json does not exist'],
    [{ command: `python -c "print(1)` }, 'a " quote is not closed'],
    [{ command: `echo 'it` }, "a ' quote is not closed"],
    [{ command: '["python", 3]' }, 'Accepted: a JSON array of strings'],
    [{ command: '["python", ' }, 'Accepted: valid JSON'],
    [{ command: 'cat data.csv | wc -l' }, 'pipes, redirects, && and variables do nothing'],
    [{ command: 'echo $HOME' }, 'give ["sh", "-c", "your | command"]'],
    [
      { environment: 'A=1\nNO_EQUALS_SIGN' },
      'Input "environment (line 2)": "NO_EQUALS_SIGN" is not valid.',
    ],
    [{ environment: 'bad-name=1' }, 'KEY=value lines where KEY matches'],
    [{ environment: 'A=1\nA=2' }, 'each KEY at most once'],
    [{ environment: 'SHARD_INDEX=3' }, 'variables other than SHARD_INDEX and SHARD_COUNT'],
    [
      { environment: 'A=1', 'secret-environment': 'TOKEN' },
      'Input "secret-environment": "TOKEN" is not valid. Accepted: names of variables set in the environment input (A).',
    ],
    [{ subnets: 'subnet-xyz' }, 'Input "subnets": "subnet-xyz" is not valid.'],
    [{ 'security-groups': 'default' }, 'Input "security-groups": "default" is not valid.'],
    [
      { 'network-config': 'https://bucket/key' },
      'Input "network-config": "https://bucket/key" is not valid. Accepted: s3://BUCKET/KEY',
    ],
    [
      { 'assign-public-ip': 'yes' },
      'Input "assign-public-ip": "yes" is not valid. Accepted: one of ENABLED, DISABLED.',
    ],
    [{ 'launch-type': 'EC2' }, 'Accepted: one of FARGATE, FARGATE_SPOT.'],
    [
      { 'launch-type': 'FARGATE', 'capacity-provider': 'FARGATE_SPOT' },
      'either launch-type or capacity-provider, not both',
    ],
    [{ 'capacity-provider': 'FARGATE_SPOT:x' }, 'NAME, NAME:WEIGHT or NAME:WEIGHT:BASE'],
    [{ cpu: 'lots' }, 'Input "cpu": "lots" is not valid. Accepted: CPU units (256, 512, 1024'],
    [{ cpu: '300' }, 'Input "cpu": "300" is not valid.'],
    [{ memory: '100' }, 'Input "memory": "100" is not valid. Accepted: MiB'],
    [
      { 'timeout-minutes': '0' },
      'Input "timeout-minutes": "0" is not valid. Accepted: a whole number from 1 to 7200.',
    ],
    [{ 'poll-interval': '100ms' }, 'Input "poll-interval": "100ms" is not valid.'],
    [{ 'platform-version': 'newest' }, 'Accepted: LATEST or a version such as 1.4.0.'],
    [{ tags: 'aws:owner=me' }, 'Input "tags": "aws:owner=me" is not valid.'],
    [{ tags: 'owner=a|b' }, 'values of at most 256 letters'],
    [{ wait: 'maybe' }, 'Input "wait": "maybe" is not valid.'],
  ])('%j', async (inputs, message) => {
    const { error, calls } = await refused(inputs);
    expect(error).toContain(message);
    expect(calls).toEqual([]);
  });

  it('masks secret values even in the error about another line', async () => {
    const aws = new FakeAws();
    const step = await runStepInProcess(() => main(() => aws.context()), {
      inputs: { ...BASE, environment: 'TOKEN=hunter2\noops', 'secret-environment': 'TOKEN' },
    });
    expect(step.stdout.indexOf('::add-mask::hunter2')).toBeGreaterThanOrEqual(0);
    expect(step.error).toContain('"oops"');
  });
});

describe('resources that do not exist', () => {
  it('an unknown cluster, listing the clusters there are', async () => {
    const { error } = await refused({ cluster: 'mcfpipe-prod' }, (aws) => {
      aws.clusters = ['mcfpipe-dev', 'mcfpipe-staging'];
    });
    expect(error).toBe(
      'Input "cluster": ECS cluster "mcfpipe-prod" does not exist in us-east-1. Clusters there: mcfpipe-dev, mcfpipe-staging.\nCheck the name and the region (input "region" or AWS_REGION).',
    );
  });

  it('no cluster input and several clusters', async () => {
    const { error } = await refused({ cluster: '' }, (aws) => {
      aws.clusters = ['b-cluster', 'a-cluster'];
    });
    expect(error).toBe(
      'Input "cluster" is empty and us-east-1 has 2 ECS clusters: a-cluster, b-cluster.\nSet the cluster input to one of them.',
    );
  });

  it('no cluster input and no cluster at all', async () => {
    const { error } = await refused({ cluster: '' }, (aws) => {
      aws.clusters = [];
    });
    expect(error).toContain('There is no ECS cluster in us-east-1.');
  });

  it('uses the only cluster when the input is empty', async () => {
    const aws = new FakeAws();
    const step = await runStepInProcess(() => main(() => aws.context()), {
      inputs: { ...BASE, cluster: '' },
    });
    expect(step.error).toBeUndefined();
    expect(aws.log).toContain('Cluster: mcfpipe-dev (the only one in us-east-1).');
  });

  it('an unknown family, listing the families', async () => {
    const { error } = await refused({ 'task-definition': 'mcfpipe-dev-scraper' }, (aws) => {
      aws.definitions.push({ ...taskDefinition(1), family: 'mcfpipe-dev-etl' });
    });
    expect(error).toContain(
      'Input "task-definition": mcfpipe-dev-scraper does not exist (or is not ACTIVE) in us-east-1. Task definition families in us-east-1: mcfpipe-dev-etl, mcfpipe-dev-tester.',
    );
  });

  it('an unknown revision, listing the revisions of the family', async () => {
    const { error } = await refused({ 'task-definition': `${FAMILY}:9` }, (aws) => {
      aws.definitions = [taskDefinition(2), taskDefinition(3)];
    });
    expect(error).toContain(`Active revisions of ${FAMILY}: ${FAMILY}:3, ${FAMILY}:2.`);
  });

  it('a container the task definition does not have, listing its containers', async () => {
    const { error } = await refused({ container: 'scraper' });
    expect(error).toBe(
      `Input "container": task definition ${FAMILY}:3 has no container "scraper". Its containers: tester (essential).`,
    );
  });

  it('a capacity provider the cluster does not have', async () => {
    const { error } = await refused({ 'launch-type': 'FARGATE_SPOT' }, (aws) => {
      aws.capacityProviders = [];
    });
    expect(error).toContain(
      'Cluster mcfpipe-dev has no capacity provider FARGATE_SPOT (it has: (none)).',
    );
  });

  it('a task definition that cannot run on Fargate', async () => {
    const { error } = await refused({}, (aws) => {
      aws.definitions = [taskDefinition(3, { compatibilities: ['EC2'], networkMode: 'bridge' })];
    });
    expect(error).toContain('cannot run on Fargate (compatibilities: EC2)');
  });

  it('cpu and memory that are no Fargate size', async () => {
    const { error } = await refused({ cpu: '256', memory: '4GB' });
    expect(error).toBe(
      'Fargate has no task size with 256 CPU units and 4096 MiB of memory (cpu input, memory input).\nWith 256 CPU units, memory must be one of: 512, 1024, 2048 MiB.',
    );
  });

  it('a memory override that does not fit the task definition cpu', async () => {
    const { error } = await refused({ memory: '16GB' });
    expect(error).toContain(`(cpu of ${FAMILY}:3, memory input)`);
  });

  it('overrides larger than RunTask accepts', async () => {
    const { error } = await refused({ environment: `BIG=${'x'.repeat(9000)}` });
    expect(error).toMatch(/make \d+ characters of RunTask overrides; ECS allows 8192/);
  });
});

describe('network', () => {
  it('no subnets from any source', async () => {
    const { error } = await refused({ 'network-config': '' });
    expect(error).toBe(
      'No subnets to run the task in: the subnets input is empty and no network-config was given.\nSet network-config to the published network config (s3://BUCKET/mcfpipe/aws/network/network_config.json), or list subnet ids in the subnets input.',
    );
  });

  it('a network config without the requested keys, listing the keys it has', async () => {
    const { error } = await refused({ 'subnet-keys': 'PrivateSubnet1Id,PrivateSubnet2Id' });
    expect(error).toBe(
      `The config at ${NETWORK_CONFIG_URL} has no "PrivateSubnet1Id", "PrivateSubnet2Id". Keys present: PrivateSubnetId, PublicSubnet1Id, PublicSubnet2Id, SGHTTP, SGPrivate, VpcId.`,
    );
  });

  it('a config key that does not hold a subnet id', async () => {
    const { error } = await refused({ 'subnet-keys': 'VpcId' });
    expect(error).toContain('has VpcId="vpc-0123456789abcdef0", which is not a subnet id.');
  });

  it('explicit subnets win; the config still gives the security groups', async () => {
    const aws = new FakeAws();
    const step = await runStepInProcess(() => main(() => aws.context()), {
      inputs: { ...BASE, subnets: 'subnet-0123456789abcdef0', 'assign-public-ip': 'DISABLED' },
    });
    expect(step.error).toBeUndefined();
    expect(aws.tasks[0]!.input.networkConfiguration).toEqual({
      awsvpcConfiguration: {
        subnets: ['subnet-0123456789abcdef0'],
        securityGroups: ['sg-0c1d2e3f4a5b60710'],
        assignPublicIp: 'DISABLED',
      },
    });
    expect(aws.log.join('\n')).toContain('only through a NAT gateway or VPC endpoints');
  });
});

describe('task definition files', () => {
  const file = (content: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'run-fargate-task-'));
    const path = join(dir, 'task-definition.json');
    writeFileSync(path, content);
    return path;
  };

  it.each([
    ['{ not json', 'is not valid JSON'],
    ['[1, 2]', 'must hold a JSON object with family and containerDefinitions'],
    [
      '{"family": "x", "containerDefinition": []}',
      'has fields RegisterTaskDefinition does not take: containerDefinition.',
    ],
    ['{"containerDefinitions": [{"name": "a", "image": "b"}]}', 'needs "family"'],
    [
      '{"family": "x", "containerDefinitions": [{"name": "a"}]}',
      'each with a "name" and an "image"',
    ],
  ])('%s', async (content, message) => {
    const { error } = await refused({ 'task-definition': file(content) });
    expect(error).toContain(message);
  });
});
