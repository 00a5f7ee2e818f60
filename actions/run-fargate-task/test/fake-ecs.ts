/**
 * A scripted ECS + CloudWatch Logs for the action's tests, answering the way
 * AWS does: RunTask returns a PROVISIONING task; each DescribeTasks call
 * moves every task one step along its script (the states AWS reports over
 * time); log lines are written to the task's stream when its script reaches
 * them; StopTask makes the task STOPPED (UserInitiated) on the next describe.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  type Container,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ECSServiceException,
  type Failure,
  ListClustersCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { serviceError } from '../../lib/testing/aws-errors.js';
import { ACCOUNT, fakeClock, REGION } from '../../lib/testing/cfn-fixtures.js';
import { FakeLogStream, missingStream } from '../../lib/testing/fake-log-stream.js';
import type { Context } from '../src/context.js';

export { ACCOUNT, REGION };
export const CLUSTER = 'mcfpipe-dev';
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
export const FAMILY = 'mcfpipe-dev-tester';
export const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/mcfpipe-tester:1f2e3d4`;
export const LOG_GROUP = '/ecs/mcfpipe-dev-tester';
export const SUBNETS = ['subnet-0a1b2c3d4e5f60718', 'subnet-0b1c2d3e4f5a60719'];
export const SG = 'sg-0c1d2e3f4a5b60710';
export const NETWORK_CONFIG_URL = 's3://mcfpipe-config-123/mcfpipe/aws/network/network_config.json';

export const ecsMock = mockClient(ECSClient);
export const logsMock = mockClient(CloudWatchLogsClient);
export const s3Mock = mockClient(S3Client);

export function ecsError(name: string, message: string, httpStatusCode = 400): Error {
  return serviceError(ECSServiceException, name, message, httpStatusCode);
}

/** A task definition as DescribeTaskDefinition returns it (AWS's defaults filled in). */
export function taskDefinition(revision = 3, extra: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${FAMILY}:${revision}`,
    family: FAMILY,
    revision,
    status: 'ACTIVE',
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/mcfpipe-dev-tester-task`,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/mcfpipe-dev-tester-execution`,
    networkMode: 'awsvpc',
    containerDefinitions: [
      {
        name: 'tester',
        image: IMAGE,
        cpu: 0,
        essential: true,
        portMappings: [],
        environment: [{ name: 'LOG_LEVEL', value: 'info' }],
        mountPoints: [],
        volumesFrom: [],
        systemControls: [],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': LOG_GROUP,
            'awslogs-region': REGION,
            'awslogs-stream-prefix': 'tester',
          },
          secretOptions: [],
        },
      },
    ],
    volumes: [],
    placementConstraints: [],
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
    compatibilities: ['EC2', 'FARGATE'],
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    registeredAt: new Date('2024-05-01T10:00:00Z'),
    registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/mcfpipe-deploy/GitHubActions`,
    ...extra,
  };
}

/** One step of a task's life, as DescribeTasks shows it. */
export interface Step {
  status:
    | 'PROVISIONING'
    | 'PENDING'
    | 'ACTIVATING'
    | 'RUNNING'
    | 'DEACTIVATING'
    | 'STOPPING'
    | 'DEPROVISIONING'
    | 'STOPPED';
  /** Lines written to the log stream when this step is reached. */
  logs?: string[];
  /** Exit codes by container name, for STOPPED (none: the container never ran). */
  exits?: Record<string, number>;
  stopCode?: Task['stopCode'];
  stoppedReason?: string;
  /** Container reasons by name (OutOfMemoryError, CannotPullContainerError, ...). */
  containerReasons?: Record<string, string>;
}

export const SUCCESS: Step[] = [
  { status: 'PROVISIONING' },
  { status: 'PENDING' },
  { status: 'RUNNING', logs: ['Running 18 cases against https://api.example.com'] },
  { status: 'RUNNING' },
  { status: 'RUNNING', logs: ['PASS create', 'PASS read'] },
  {
    status: 'STOPPED',
    exits: { tester: 0 },
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    logs: ['18 passed, 0 failed'],
  },
];

export const failedWith = (code: number): Step[] => [
  ...SUCCESS.slice(0, 4),
  {
    status: 'STOPPED',
    exits: { tester: code },
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    logs: ['FAIL patch: expected 200, got 500', '17 passed, 1 failed'],
  },
];

interface FakeTask {
  arn: string;
  id: string;
  script: Step[];
  at: number;
  task: Task;
  stream: string;
  stopReason?: string;
  input: RunTaskCommandInput;
}

let idCounter = 0;

export class FakeAws {
  readonly clock = fakeClock(Date.UTC(2024, 4, 1, 12, 0, 0));
  readonly tasks: FakeTask[] = [];
  readonly streams = new Map<string, FakeLogStream>();
  /** Scripts for the tasks RunTask starts, in order; the last one repeats. */
  scripts: Step[][] = [SUCCESS];
  /** Answers for the next RunTask calls before one starts a task: failures or thrown errors. */
  runTaskProblems: Array<Failure | Error> = [];
  /** Client tokens ECS answered with failures, and the failure. */
  private readonly failedTokens = new Map<string, Failure>();
  definitions: TaskDefinition[] = [taskDefinition(3)];
  clusters = [CLUSTER];
  capacityProviders = ['FARGATE', 'FARGATE_SPOT'];
  networkConfig: Array<{ OutputKey: string; OutputValue: string }> = [
    { OutputKey: 'VpcId', OutputValue: 'vpc-0123456789abcdef0' },
    { OutputKey: 'PublicSubnet1Id', OutputValue: SUBNETS[0]! },
    { OutputKey: 'PublicSubnet2Id', OutputValue: SUBNETS[1]! },
    { OutputKey: 'PrivateSubnetId', OutputValue: 'subnet-0f0e0d0c0b0a09080' },
    { OutputKey: 'SGPrivate', OutputValue: SG },
    { OutputKey: 'SGHTTP', OutputValue: 'sg-0aaaaaaaaaaaaaaaa' },
  ];
  /** Errors thrown by the next DescribeTasks calls. */
  describeProblems: Error[] = [];
  /** Called for each log stream when it is created (to add empty pages, failures). */
  onStream?: (stream: FakeLogStream, shard: number) => void;
  readonly log: string[] = [];
  readonly warnings: string[] = [];
  readonly printed: string[] = [];

  constructor() {
    ecsMock.reset();
    logsMock.reset();
    s3Mock.reset();
    ecsMock.on(ListClustersCommand).callsFake(() => ({
      clusterArns: this.clusters.map((c) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${c}`),
    }));
    ecsMock.on(DescribeClustersCommand).callsFake(({ clusters }) => {
      const name = String(clusters?.[0]).split('/').pop()!;
      if (!this.clusters.includes(name)) {
        return {
          clusters: [],
          failures: [
            { arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`, reason: 'MISSING' },
          ],
        };
      }
      return {
        clusters: [
          {
            clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`,
            clusterName: name,
            status: 'ACTIVE',
            capacityProviders: this.capacityProviders,
          },
        ],
        failures: [],
      };
    });
    ecsMock.on(DescribeTaskDefinitionCommand).callsFake(({ taskDefinition: name }) => {
      const found = this.findDefinition(String(name));
      if (!found) throw ecsError('ClientException', 'Unable to describe task definition.');
      return { taskDefinition: found, tags: [{ key: 'team', value: 'data' }] };
    });
    ecsMock.on(ListTaskDefinitionFamiliesCommand).callsFake(() => ({
      families: [...new Set(this.definitions.map((d) => d.family!))],
    }));
    ecsMock.on(ListTaskDefinitionsCommand).callsFake(({ familyPrefix }) => ({
      taskDefinitionArns: this.definitions
        .filter((d) => d.family!.startsWith(familyPrefix ?? ''))
        .map((d) => d.taskDefinitionArn!),
    }));
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .callsFake((input: RegisterTaskDefinitionCommandInput) => {
        const revision =
          Math.max(
            0,
            ...this.definitions.filter((d) => d.family === input.family).map((d) => d.revision!),
          ) + 1;
        const { tags: _tags, ...rest } = input;
        const registered = {
          ...taskDefinition(revision),
          ...rest,
          family: input.family!,
          revision,
          taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${input.family}:${revision}`,
          // AWS fills in defaults, as DescribeTaskDefinition then shows.
          containerDefinitions: input.containerDefinitions!.map((c) => ({
            cpu: 0,
            essential: true,
            portMappings: [],
            mountPoints: [],
            volumesFrom: [],
            environment: [],
            ...c,
          })),
        };
        this.definitions.push(registered);
        return { taskDefinition: registered };
      });
    ecsMock.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => this.runTask(input));
    ecsMock.on(DescribeTasksCommand).callsFake(({ tasks }) => this.describeTasks(tasks ?? []));
    ecsMock.on(StopTaskCommand).callsFake(({ task, reason }) => {
      const t = this.tasks.find((x) => x.arn === task);
      if (!t) throw ecsError('InvalidParameterException', 'The referenced task was not found.');
      t.stopReason = reason ?? 'Task stopped by user';
      return { task: t.task };
    });
    logsMock.on(GetLogEventsCommand).callsFake((input) => {
      const stream = this.streams.get(`${input.logGroupName}|${input.logStreamName}`);
      if (!stream) throw missingStream();
      return stream.getLogEvents(input);
    });
    s3Mock.on(GetObjectCommand).callsFake(
      () =>
        ({
          Body: { transformToString: async () => JSON.stringify(this.networkConfig) },
        }) as never,
    );
  }

  private findDefinition(name: string): TaskDefinition | undefined {
    const last = name.slice(name.lastIndexOf('/') + 1);
    const [family, revision] = last.split(':');
    const active = this.definitions.filter((d) => d.family === family && d.status === 'ACTIVE');
    if (revision) return active.find((d) => d.revision === Number(revision));
    return active.sort((a, b) => b.revision! - a.revision!)[0];
  }

  private runTask(input: RunTaskCommandInput) {
    // ECS keeps the answer to a client token: a call with a token it has
    // answered gets that answer again (the same task, or the same failures).
    const answered = input.clientToken ? this.failedTokens.get(input.clientToken) : undefined;
    if (answered) return { tasks: [], failures: [answered] };
    const same = this.tasks.find(
      (t) => t.input.clientToken && t.input.clientToken === input.clientToken,
    );
    if (same) return { tasks: [same.task], failures: [] };
    const problem = this.runTaskProblems.shift();
    if (problem instanceof Error) throw problem;
    if (problem) {
      if (input.clientToken) this.failedTokens.set(input.clientToken, problem);
      return { tasks: [], failures: [problem] };
    }
    idCounter++;
    const id = `${String(idCounter).padStart(8, '0')}a1b2c3d4e5f6a7b8c9d0e1f2`;
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id}`;
    const script = this.scripts[Math.min(this.tasks.length, this.scripts.length - 1)]!;
    const def = this.findDefinition(String(input.taskDefinition))!;
    const container = def.containerDefinitions![0]!;
    const prefix = container.logConfiguration?.options?.['awslogs-stream-prefix'] ?? 'tester';
    const fake: FakeTask = {
      arn,
      id,
      script,
      at: 0,
      task: {},
      stream: `${prefix}/${container.name}/${id}`,
      input,
    };
    fake.task = this.snapshot(fake, script[0]!);
    this.tasks.push(fake);
    return { tasks: [fake.task], failures: [] };
  }

  private describeTasks(arns: string[]) {
    const problem = this.describeProblems.shift();
    if (problem) throw problem;
    const tasks: Task[] = [];
    for (const arn of arns) {
      const t = this.tasks.find((x) => x.arn === arn);
      if (!t) continue;
      if (t.stopReason !== undefined && t.task.lastStatus !== 'STOPPED') {
        const wasRunning = t.task.lastStatus === 'RUNNING';
        t.task = this.snapshot(t, {
          status: 'STOPPED',
          stopCode: 'UserInitiated',
          stoppedReason: t.stopReason,
          exits: wasRunning ? { [this.containerNames(t)[0]!]: 143 } : {},
        });
      } else if (t.at < t.script.length - 1) {
        t.at++;
        t.task = this.snapshot(t, t.script[t.at]!);
      }
      tasks.push(t.task);
    }
    return { tasks, failures: [] };
  }

  private containerNames(t: FakeTask): string[] {
    const def = this.findDefinition(String(t.input.taskDefinition))!;
    return def.containerDefinitions!.map((c) => c.name!);
  }

  /** The stream of a task (created when the script first writes to it). */
  stream(t: FakeTask): FakeLogStream {
    const key = `${LOG_GROUP}|${t.stream}`;
    let s = this.streams.get(key);
    if (!s) {
      s = new FakeLogStream({ created: false, now: () => this.clock.now() });
      this.streams.set(key, s);
      this.onStream?.(s, this.tasks.indexOf(t));
    }
    return s;
  }

  private snapshot(t: FakeTask, step: Step): Task {
    const created = new Date(this.clock.now());
    const previous = t.task;
    const stopped = step.status === 'STOPPED';
    const running = ['RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING'].includes(step.status);
    if (step.logs?.length) this.stream(t).write(...step.logs);
    const containers: Container[] = this.containerNames(t).map((name) => {
      const exit = step.exits?.[name];
      return {
        containerArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container/${CLUSTER}/${t.id}/${name}`,
        taskArn: t.arn,
        name,
        image: IMAGE,
        lastStatus: stopped ? 'STOPPED' : running ? 'RUNNING' : 'PENDING',
        ...(exit !== undefined && { exitCode: exit }),
        ...(step.containerReasons?.[name] && { reason: step.containerReasons[name] }),
      };
    });
    return {
      taskArn: t.arn,
      clusterArn: CLUSTER_ARN,
      taskDefinitionArn: String(t.input.taskDefinition),
      lastStatus: step.status,
      desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
      launchType: 'FARGATE',
      cpu: '256',
      memory: '512',
      containers,
      createdAt: previous.createdAt ?? created,
      ...((running || stopped) && { startedAt: previous.startedAt ?? created }),
      ...(stopped && {
        stoppingAt: new Date(this.clock.now()),
        stoppedAt: new Date(this.clock.now()),
        ...(step.stopCode && { stopCode: step.stopCode }),
        ...(step.stoppedReason && { stoppedReason: step.stoppedReason }),
      }),
      startedBy: t.input.startedBy,
      tags: t.input.tags,
    };
  }

  /** Commands sent to ECS, by name. */
  ecsCalls(): string[] {
    return ecsMock
      .calls()
      .map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
  }

  context(extra: Partial<Context> = {}): Context {
    return {
      ecs: new ECSClient({ region: REGION }),
      logs: () => new CloudWatchLogsClient({ region: REGION }),
      s3: () => new S3Client({ region: REGION }),
      region: REGION,
      clock: this.clock,
      log: (line) => this.log.push(line),
      warn: (line) => this.warnings.push(line),
      printLog: (lines) => this.printed.push(...lines),
      run: {
        runId: '9876543210',
        attempt: '2',
        repository: 'octo/jobs',
        workflow: 'Test DB API',
        job: 'tester',
        serverUrl: 'https://github.com',
      },
      retryBaseMs: 1,
      flushQuietMs: 2000,
      ...extra,
    };
  }
}
