import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { runStepInProcess } from '../../lib/testing/run-step.js';
import { main } from '../src/action.js';
import { differences, revisionOf } from '../src/task-definition.js';
import {
  CLUSTER,
  ecsMock,
  FAMILY,
  FakeAws,
  IMAGE,
  LOG_GROUP,
  NETWORK_CONFIG_URL,
  taskDefinition,
} from './fake-ecs.js';

const BASE = { cluster: CLUSTER, 'network-config': NETWORK_CONFIG_URL };

/** The task definition file a team keeps in its repository: no AWS defaults, numbers for sizes. */
const FILE_DEFINITION = {
  family: FAMILY,
  taskRoleArn: 'arn:aws:iam::123456789012:role/mcfpipe-dev-tester-task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/mcfpipe-dev-tester-execution',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: 256,
  memory: 512,
  containerDefinitions: [
    {
      name: 'tester',
      image: IMAGE,
      environment: [{ name: 'LOG_LEVEL', value: 'info' }],
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': LOG_GROUP,
          'awslogs-region': 'us-east-1',
          'awslogs-stream-prefix': 'tester',
        },
      },
    },
  ],
};

function writeDefinition(def: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'run-fargate-task-td-'));
  const path = join(dir, 'tester.json');
  writeFileSync(path, JSON.stringify(def, null, 2));
  return path;
}

const run = (aws: FakeAws, inputs: Record<string, string>) =>
  runStepInProcess(() => main(() => aws.context()), { inputs: { ...BASE, ...inputs } });

const registrations = () => ecsMock.commandCalls(RegisterTaskDefinitionCommand);
const ranWith = () =>
  ecsMock.commandCalls(RunTaskCommand).map((c) => c.args[0].input.taskDefinition);

describe('a task definition file', () => {
  it('equal in meaning to the latest revision: runs that revision, registers nothing', async () => {
    const aws = new FakeAws();
    const path = writeDefinition(FILE_DEFINITION);
    const step = await run(aws, { 'task-definition': path });
    expect(step.error).toBeUndefined();
    expect(registrations()).toHaveLength(0);
    expect(ranWith()).toEqual([taskDefinition(3).taskDefinitionArn]);
    expect(aws.log).toContain(
      `Task definition ${FAMILY}:3 already is ${path}; no new revision registered.`,
    );
  });

  it('the output of describe-task-definition is accepted as it is', async () => {
    const aws = new FakeAws();
    const step = await run(aws, {
      'task-definition': writeDefinition({ taskDefinition: taskDefinition(3), tags: [] }),
    });
    expect(step.error).toBeUndefined();
    expect(registrations()).toHaveLength(0);
  });

  it('different: registers a new revision once, then reuses it on the next run', async () => {
    const aws = new FakeAws();
    const changed = {
      ...FILE_DEFINITION,
      containerDefinitions: [
        {
          ...FILE_DEFINITION.containerDefinitions[0]!,
          environment: [{ name: 'LOG_LEVEL', value: 'debug' }],
        },
      ],
    };
    const path = writeDefinition(changed);
    const first = await run(aws, { 'task-definition': path });
    expect(first.error).toBeUndefined();
    expect(registrations()).toHaveLength(1);
    const registered = registrations()[0]!.args[0].input;
    expect(registered).toMatchObject({ family: FAMILY, cpu: '256', memory: '512' });
    expect(registered.tags).toContainEqual({
      key: 'mcfpipe:registered-by',
      value: 'mcfpipe-gh-9876543210-2',
    });
    expect(ranWith()).toEqual([`${taskDefinition(4).taskDefinitionArn}`]);
    expect(aws.log).toContain(
      `${path} differs from ${FAMILY}:3 in containerDefinitions.tester.environment.LOG_LEVEL.value.`,
    );
    expect(first.summary).toContain('registered by this step');

    ecsMock.resetHistory();
    const second = await run(aws, { 'task-definition': path });
    expect(second.error).toBeUndefined();
    expect(registrations()).toHaveLength(0);
    expect(ranWith()).toEqual([taskDefinition(4).taskDefinitionArn]);
  });

  it('a new family: registers revision 1', async () => {
    const aws = new FakeAws();
    const step = await run(aws, {
      'task-definition': writeDefinition({ ...FILE_DEFINITION, family: 'mcfpipe-dev-etl' }),
    });
    expect(step.error).toBeUndefined();
    expect(ranWith()).toEqual([
      'arn:aws:ecs:us-east-1:123456789012:task-definition/mcfpipe-dev-etl:1',
    ]);
  });
});

describe('the image input', () => {
  const NEW_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/mcfpipe-tester:9a8b7c6';

  it('equal to the image of the revision: no registration', async () => {
    const aws = new FakeAws();
    await run(aws, { 'task-definition': FAMILY, image: IMAGE });
    expect(registrations()).toHaveLength(0);
  });

  it('a new image: one registration with only the image changed (tags kept), then reused', async () => {
    const aws = new FakeAws();
    const first = await run(aws, { 'task-definition': `${FAMILY}:3`, image: NEW_IMAGE });
    expect(first.error).toBeUndefined();
    expect(registrations()).toHaveLength(1);
    const input = registrations()[0]!.args[0].input;
    expect(differences(input, taskDefinition(3))).toEqual(['containerDefinitions.tester.image']);
    expect(input.tags).toEqual([
      { key: 'team', value: 'data' },
      { key: 'mcfpipe:registered-by', value: 'mcfpipe-gh-9876543210-2' },
    ]);
    expect(ranWith()).toEqual([taskDefinition(4).taskDefinitionArn]);

    ecsMock.resetHistory();
    // Pinned to the old revision again: the latest (4) already is 3 with that image.
    await run(aws, { 'task-definition': `${FAMILY}:3`, image: NEW_IMAGE });
    expect(registrations()).toHaveLength(0);
    expect(ranWith()).toEqual([taskDefinition(4).taskDefinitionArn]);
  });

  it('overrides the image of a file before comparing', async () => {
    const aws = new FakeAws();
    await run(aws, { 'task-definition': writeDefinition(FILE_DEFINITION), image: NEW_IMAGE });
    expect(registrations()).toHaveLength(1);
    expect(registrations()[0]!.args[0].input.containerDefinitions![0]!.image).toBe(NEW_IMAGE);
  });
});

describe('differences', () => {
  it('ignores what AWS fills in and how a file writes it', () => {
    expect(differences(FILE_DEFINITION, taskDefinition(3))).toEqual([]);
  });

  it('ignores the order of environment variables but not of containers', () => {
    const two = (env: Array<{ name: string; value: string }>, order: string[]) => ({
      family: 'f',
      containerDefinitions: order.map((name) => ({ name, image: 'i', environment: env })),
    });
    const a = { name: 'A', value: '1' };
    const b = { name: 'B', value: '2' };
    expect(differences(two([a, b], ['x', 'y']), two([b, a], ['x', 'y']))).toEqual([]);
    expect(differences(two([a], ['x', 'y']), two([a], ['y', 'x']))).toEqual([
      'containerOrder[0]',
      'containerOrder[1]',
    ]);
  });

  it('sees port mappings, essential flags and sizes that really differ', () => {
    const base = {
      family: 'f',
      networkMode: 'awsvpc',
      cpu: '256',
      containerDefinitions: [
        {
          name: 'web',
          image: 'i',
          portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
        },
      ],
    };
    expect(
      differences(base, {
        ...base,
        cpu: 256,
        containerDefinitions: [
          {
            name: 'web',
            image: 'i',
            essential: true,
            cpu: 0,
            portMappings: [{ containerPort: 80 }],
          },
        ],
      }),
    ).toEqual([]);
    expect(
      differences(base, {
        ...base,
        cpu: '512',
        containerDefinitions: [
          { name: 'web', image: 'i', essential: false, portMappings: [{ containerPort: 8080 }] },
        ],
      }),
    ).toEqual([
      'containerDefinitions.web.essential',
      'containerDefinitions.web.portMappings[0].containerPort',
      'cpu',
    ]);
  });

  it('revisionOf keeps only what a registration takes', () => {
    expect(Object.keys(revisionOf(taskDefinition(3))).sort()).toEqual([
      'containerDefinitions',
      'cpu',
      'executionRoleArn',
      'family',
      'memory',
      'networkMode',
      'placementConstraints',
      'requiresCompatibilities',
      'taskRoleArn',
      'volumes',
    ]);
  });
});
