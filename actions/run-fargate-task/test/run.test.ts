import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTasksCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../lib/testing/cfn-fixtures.js';
import { type FakeLogStream, logsThrottled } from '../../lib/testing/fake-log-stream.js';
import { runStepInProcess } from '../../lib/testing/run-step.js';
import { CANCEL_REASON, main } from '../src/action.js';
import type { Context } from '../src/context.js';
import {
  CLUSTER,
  CLUSTER_ARN,
  ecsError,
  ecsMock,
  FAMILY,
  FakeAws,
  failedWith,
  IMAGE,
  LOG_GROUP,
  logsMock,
  NETWORK_CONFIG_URL,
  SG,
  type Step,
  SUBNETS,
  SUCCESS,
  taskDefinition,
} from './fake-ecs.js';

const BASE = { 'task-definition': FAMILY, cluster: CLUSTER, 'network-config': NETWORK_CONFIG_URL };

function run(aws: FakeAws, inputs: Record<string, string> = {}, extra: Partial<Context> = {}) {
  return runStepInProcess(() => main(() => aws.context(extra)), {
    inputs: { ...BASE, ...inputs },
  });
}

const runInputs = (): RunTaskCommandInput[] =>
  ecsMock.commandCalls(RunTaskCommand).map((c) => c.args[0].input);

describe('a task that runs and exits', () => {
  it('streams its logs live and in order, and succeeds with exit code 0', async () => {
    const aws = new FakeAws();
    const step = await run(aws);
    expect(step.error).toBeUndefined();
    const t = aws.tasks[0]!;
    expect(aws.printed).toEqual([
      'Running 18 cases against https://api.example.com',
      'PASS create',
      'PASS read',
      '18 passed, 0 failed',
    ]);
    expect(step.outputs).toEqual({
      'task-arns': t.arn,
      'log-group': LOG_GROUP,
      'log-stream': `tester/tester/${t.id}`,
      'exit-code': '0',
      'stopped-reason': 'Essential container in task exited',
      'duration-seconds': '24',
    });
    expect(aws.log).toEqual(
      expect.arrayContaining([
        `Started task ${t.id}: PROVISIONING.`,
        `Task ${t.id}: PROVISIONING -> PENDING`,
        `Task ${t.id}: PENDING -> RUNNING`,
        `Task ${t.id}: RUNNING -> STOPPED (Essential container in task exited; tester exit code 0)`,
        `Task ${t.id}: tester exited with code 0.`,
      ]),
    );
    // One status poll per interval (the default 6 s), then a quiet period for late log lines.
    expect(aws.clock.sleeps).toEqual([6000, 6000, 6000, 6000, 2000]);
    expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(5);
    // The step is settled: the post step has nothing to stop.
    expect(step.state.settled).toBe('true');
    expect(JSON.parse(step.state.tasks!)).toEqual({
      region: 'us-east-1',
      cluster: CLUSTER_ARN,
      tasks: [t.arn],
    });
  });

  it('starts the task named after the workflow run, in the configured network', async () => {
    const aws = new FakeAws();
    await run(aws, {
      environment: 'DB_API_URL=https://api.example.com\nTOKEN=s3cr3t-value',
      'secret-environment': 'TOKEN',
      command: `npm run tester -- --only 'create item'`,
      tags: 'team=data\nenv=dev',
      cpu: '0.5 vCPU',
      memory: '1GB',
    });
    const input = runInputs()[0]!;
    expect(input).toMatchObject({
      cluster: CLUSTER_ARN,
      taskDefinition: taskDefinition(3).taskDefinitionArn,
      count: 1,
      launchType: 'FARGATE',
      startedBy: 'mcfpipe-gh-9876543210-2',
      enableECSManagedTags: true,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: SUBNETS, securityGroups: [SG], assignPublicIp: 'ENABLED' },
      },
      overrides: {
        cpu: '512',
        memory: '1024',
        containerOverrides: [
          {
            name: 'tester',
            command: ['npm', 'run', 'tester', '--', '--only', 'create item'],
            environment: [
              { name: 'DB_API_URL', value: 'https://api.example.com' },
              { name: 'TOKEN', value: 's3cr3t-value' },
              { name: 'SHARD_INDEX', value: '0' },
              { name: 'SHARD_COUNT', value: '1' },
            ],
          },
        ],
      },
    });
    expect(input.tags).toEqual(
      expect.arrayContaining([
        { key: 'mcfpipe:started-by', value: 'mcfpipe-gh-9876543210-2' },
        { key: 'mcfpipe:repository', value: 'octo/jobs' },
        { key: 'mcfpipe:workflow', value: 'Test DB API' },
        { key: 'mcfpipe:run-id', value: '9876543210' },
        { key: 'mcfpipe:run-attempt', value: '2' },
        { key: 'team', value: 'data' },
      ]),
    );
    expect(input.clientToken).toMatch(/^[0-9a-f]{12}-0-mcfpipe-gh-9876543210-2$/);
  });

  it('masks secret environment values', async () => {
    const aws = new FakeAws();
    const step = await run(aws, {
      environment: 'TOKEN=s3cr3t-value\nPLAIN=visible',
      'secret-environment': 'TOKEN',
    });
    expect(step.stdout).toContain('::add-mask::s3cr3t-value');
    expect(step.stdout).not.toContain('::add-mask::visible');
  });

  it('keeps secret environment values out of the printed log lines and the job summary', async () => {
    const aws = new FakeAws();
    aws.scripts = [
      [
        { status: 'PROVISIONING' },
        { status: 'RUNNING', logs: ['connecting with token s3cr3t-value', 'PLAIN=visible'] },
        {
          status: 'STOPPED',
          exits: { tester: 1 },
          logs: ['auth failed for s3cr3t-value-2 (s3cr3t-value)'],
        },
      ],
    ];
    const step = await run(aws, {
      environment: 'TOKEN=s3cr3t-value\nTOKEN2=s3cr3t-value-2\nPLAIN=visible',
      'secret-environment': 'TOKEN,TOKEN2',
    });
    expect(aws.printed).toEqual([
      'connecting with token ***',
      'PLAIN=visible',
      'auth failed for *** (***)',
    ]);
    expect(step.summary).toContain('auth failed for *** (***)');
    expect(step.summary).not.toContain('s3cr3t');
    expect(step.error).not.toContain('s3cr3t');
  });

  it('writes a job summary with the task, its exit code, stop reason, logs and console links', async () => {
    const aws = new FakeAws();
    const step = await run(aws);
    const t = aws.tasks[0]!;
    expect(step.summary).toContain(`## run-fargate-task: <code>${FAMILY}:3</code>: succeeded`);
    expect(step.summary).toContain(
      `<a href="https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/mcfpipe-dev/tasks/${t.id}/configuration?region=us-east-1">${t.id}</a>`,
    );
    expect(step.summary).toContain(
      `#logsV2:log-groups/log-group/$252Fecs$252Fmcfpipe-dev-tester/log-events/tester$252Ftester$252F${t.id}`,
    );
    expect(step.summary).toContain(
      '| STOPPED | 0 | 18s | tester exited with code 0 (Essential container in task exited) |',
    );
    expect(step.summary).toContain('### Last 4 log lines of task');
    expect(step.summary).toContain('PASS read\n18 passed, 0 failed\n```');
  });

  it('keeps only the last 50 log lines for the summary, and prints them all', async () => {
    const aws = new FakeAws();
    const lines = Array.from({ length: 120 }, (_, i) => `line ${i + 1}`);
    aws.scripts = [
      [
        { status: 'PROVISIONING' },
        { status: 'RUNNING', logs: lines.slice(0, 70) },
        { status: 'STOPPED', exits: { tester: 0 }, logs: lines.slice(70) },
      ],
    ];
    const step = await run(aws);
    expect(aws.printed).toEqual(lines);
    expect(step.summary).toContain('### Last 50 log lines');
    expect(step.summary).toContain('```text\nline 71\n');
    expect(step.summary).not.toContain('line 70\n');
  });

  it('fails with the exit code when the container exits non-zero', async () => {
    const aws = new FakeAws();
    aws.scripts = [failedWith(3)];
    const step = await run(aws);
    const t = aws.tasks[0]!;
    expect(step.error).toBe(
      `Task ${t.id} failed: tester exited with code 3.\nThe program itself failed: its last log lines are above and in the job summary.`,
    );
    expect(step.outputs['exit-code']).toBe('3');
    expect(aws.printed).toContain('17 passed, 1 failed');
    expect(step.summary).toContain(': failed (1 of 1 task)');
    expect(step.summary).toContain('> [!CAUTION]');
    expect(step.summary).toContain('| STOPPED | 3 |');
  });

  it('explains a kill by signal', async () => {
    const aws = new FakeAws();
    aws.scripts = [failedWith(139)];
    const step = await run(aws);
    expect(step.error).toContain('tester exited with code 139, crashed (SIGSEGV).');
  });
});

describe('log streaming', () => {
  it('delivers lines arriving while the task runs, across empty pages and repeated tokens, once each', async () => {
    const aws = new FakeAws();
    const numbered = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `event ${from + i}`);
    aws.scripts = [
      [
        { status: 'PROVISIONING' },
        { status: 'PENDING' },
        { status: 'RUNNING', logs: numbered(1, 3) },
        { status: 'RUNNING' },
        { status: 'RUNNING' },
        { status: 'RUNNING', logs: numbered(4, 2) },
        { status: 'RUNNING', logs: numbered(6, 4) },
        { status: 'RUNNING' },
        { status: 'STOPPED', exits: { tester: 0 }, logs: numbered(10, 2) },
      ],
    ];
    aws.onStream = (stream) => {
      stream.emptyPagesAt(0, 2);
      stream.emptyPagesAt(3, 1);
      stream.emptyPagesAt(9, 3);
    };
    const step = await run(aws);
    expect(step.error).toBeUndefined();
    expect(aws.printed).toEqual(numbered(1, 11));
    const tokens = logsMock.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input.nextToken);
    // Polls with nothing new sent the token the previous answer repeated.
    const repeats = tokens.filter((tok, i) => tok !== undefined && tok === tokens[i - 1]);
    expect(repeats.length).toBeGreaterThan(2);
  });

  it('reads the lines of a task that ran and stopped between two polls', async () => {
    const aws = new FakeAws();
    aws.scripts = [
      [
        { status: 'PROVISIONING' },
        { status: 'STOPPED', exits: { tester: 0 }, logs: ['short and sweet', 'done'] },
      ],
    ];
    const step = await run(aws);
    expect(step.error).toBeUndefined();
    expect(aws.printed).toEqual(['short and sweet', 'done']);
  });

  it('waits for lines ingested after the task stopped', async () => {
    const aws = new FakeAws();
    aws.scripts = [
      [
        { status: 'PROVISIONING' },
        { status: 'RUNNING', logs: ['a'] },
        { status: 'STOPPED', exits: { tester: 0 } },
      ],
    ];
    const clock = fakeClock(aws.clock.now());
    let late = false;
    const ctx: Partial<Context> = {
      clock: {
        now: clock.now,
        sleep: async (ms) => {
          await clock.sleep(ms);
          // The quiet-period wait after the stop: the last line arrives meanwhile.
          if (ms === 2000 && !late) {
            late = true;
            aws.streams.values().next().value!.write('written at exit');
          }
        },
      },
    };
    const step = await run(aws, {}, ctx);
    expect(step.error).toBeUndefined();
    expect(aws.printed).toEqual(['a', 'written at exit']);
  });

  it('goes on when reading logs is throttled, without losing or repeating a line', async () => {
    const aws = new FakeAws();
    aws.scripts = [
      [
        { status: 'PROVISIONING' },
        { status: 'RUNNING', logs: ['1'] },
        { status: 'RUNNING', logs: ['2'] },
        { status: 'RUNNING', logs: ['3'] },
        { status: 'STOPPED', exits: { tester: 0 }, logs: ['4'] },
      ],
    ];
    aws.onStream = (stream) => stream.failNext(logsThrottled(), logsThrottled());
    const step = await run(aws);
    expect(step.error).toBeUndefined();
    expect(aws.printed).toEqual(['1', '2', '3', '4']);
  });

  it('warns and still judges the task when the logs cannot be read', async () => {
    const aws = new FakeAws();
    aws.onStream = (stream) =>
      stream.failNext(
        ecsError('AccessDeniedException', 'not authorized to perform: logs:GetLogEvents'),
      );
    const step = await run(aws);
    expect(step.error).toBeUndefined();
    expect(aws.warnings.join('\n')).toContain('cannot read its logs, so they are not streamed');
    expect(step.outputs['exit-code']).toBe('0');
  });

  it('does not read logs with stream-logs: false', async () => {
    const aws = new FakeAws();
    await run(aws, { 'stream-logs': 'false' });
    expect(logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(0);
    expect(aws.printed).toEqual([]);
  });

  it('says why when the container has no awslogs configuration', async () => {
    const aws = new FakeAws();
    const def = taskDefinition(3);
    delete def.containerDefinitions![0]!.logConfiguration;
    aws.definitions = [def];
    const step = await run(aws);
    expect(step.error).toBeUndefined();
    expect(aws.warnings.join('\n')).toContain('container tester has no logConfiguration');
    expect(step.outputs['log-group']).toBe('');
  });
});

describe('tasks that fail, explained', () => {
  const stoppedWith = (step: Omit<Step, 'status'>): Step[] => [
    { status: 'PROVISIONING' },
    { status: 'PENDING' },
    { status: 'STOPPED', ...step },
  ];

  it('a task stopped before its container ran (image not found)', async () => {
    const aws = new FakeAws();
    aws.scripts = [
      stoppedWith({
        stopCode: 'TaskFailedToStart',
        stoppedReason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${IMAGE}: ${IMAGE}: not found`,
      }),
    ];
    const step = await run(aws);
    expect(step.error).toContain(
      `failed: ECS could not pull the image ${IMAGE}: CannotPullContainerError`,
    );
    expect(step.error).toContain('does not exist: check the repository, the tag');
    expect(step.outputs['exit-code']).toBe('');
    expect(step.outputs['stopped-reason']).toMatch(/^CannotPullContainerError/);
    // It never ran: no quiet-period wait for its logs.
    expect(aws.clock.sleeps).not.toContain(2000);
  });

  it.each([
    [
      'no route to ECR: a pull timeout',
      `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${IMAGE}: failed to do request: Head "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/": dial tcp 52.1.2.3:443: i/o timeout`,
      ['The task has no route to ECR', 'assign-public-ip: ENABLED'],
    ],
    [
      'the execution role may not pull',
      `CannotPullContainerError: pull access denied for ${IMAGE}: 403 Forbidden`,
      ['AmazonECSTaskExecutionRolePolicy'],
    ],
    [
      'ResourceInitializationError: secrets unreachable',
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:db-abc from secrets manager: RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task network configuration.',
      [
        'could not be set up before its containers started',
        'needs a public IP in a public subnet',
        'VPC endpoints',
      ],
    ],
    [
      'ResourceInitializationError: the log group is missing',
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
      ['The log group of the awslogs configuration does not exist'],
    ],
    [
      'ResourceInitializationError: secrets the role may not read',
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User is not authorized to perform: ssm:GetParameters',
      ['allow secretsmanager:GetSecretValue / ssm:GetParameters'],
    ],
    [
      'an executable the image does not have',
      'CannotStartContainerError: ResourceInitializationError: failed to create new container runtime task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "pyhton": executable file not found in $PATH: unknown',
      [
        'The task failed to start: CannotStartContainerError',
        'names a program the image does not have',
      ],
    ],
  ])('%s', async (_name, stoppedReason, messages) => {
    const aws = new FakeAws();
    aws.scripts = [stoppedWith({ stopCode: 'TaskFailedToStart', stoppedReason })];
    const step = await run(aws);
    for (const message of messages) expect(step.error).toContain(message);
    expect(step.outputs['stopped-reason']).toBe(stoppedReason);
  });

  it('out of memory', async () => {
    const aws = new FakeAws();
    aws.scripts = [
      [
        ...SUCCESS.slice(0, 3),
        {
          status: 'STOPPED',
          exits: { tester: 137 },
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          containerReasons: { tester: 'OutOfMemoryError: Container killed due to memory usage' },
        },
      ],
    ];
    const step = await run(aws);
    expect(step.error).toContain(
      'tester ran out of memory and was killed (OutOfMemoryError, exit code 137); the task has 512 MiB.',
    );
    expect(step.error).toContain('Give the task more memory');
    expect(step.outputs['exit-code']).toBe('137');
  });

  it('an essential sidecar that exits non-zero fails the step even when the chosen container exits 0', async () => {
    const aws = new FakeAws();
    const def = taskDefinition(3);
    def.containerDefinitions!.push({ name: 'proxy', image: 'envoy:v1', essential: true });
    def.containerDefinitions!.push({ name: 'metrics', image: 'otel:v1', essential: false });
    aws.definitions = [def];
    aws.scripts = [
      [
        ...SUCCESS.slice(0, 3),
        {
          status: 'STOPPED',
          exits: { tester: 0, proxy: 1, metrics: 2 },
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
        },
      ],
    ];
    const step = await run(aws);
    expect(step.error).toContain(
      'failed: proxy exited with code 1. The container is essential, so ECS stopped the whole task when it exited.',
    );
    expect(step.outputs['exit-code']).toBe('0');
  });

  it('a non-essential container exiting non-zero does not fail the step', async () => {
    const aws = new FakeAws();
    const def = taskDefinition(3);
    def.containerDefinitions!.push({ name: 'metrics', image: 'otel:v1', essential: false });
    aws.definitions = [def];
    aws.scripts = [
      [...SUCCESS.slice(0, 3), { status: 'STOPPED', exits: { tester: 0, metrics: 2 } }],
    ];
    const step = await run(aws);
    expect(step.error).toBeUndefined();
  });

  it('a task stopped by someone else', async () => {
    const aws = new FakeAws();
    aws.scripts = [
      [
        ...SUCCESS.slice(0, 3),
        {
          status: 'STOPPED',
          exits: { tester: 143 },
          stopCode: 'UserInitiated',
          stoppedReason: 'Task stopped by user',
        },
      ],
    ];
    const step = await run(aws);
    expect(step.error).toContain(
      'The task was stopped from outside this step (StopTask: Task stopped by user) before it finished.',
    );
  });

  it('Fargate Spot interruption', async () => {
    const aws = new FakeAws();
    aws.scripts = [
      [
        ...SUCCESS.slice(0, 3),
        {
          status: 'STOPPED',
          exits: { tester: 143 },
          stopCode: 'SpotInterruption',
          stoppedReason: 'Your Spot Task was interrupted.',
        },
      ],
    ];
    const step = await run(aws, { 'launch-type': 'FARGATE_SPOT' });
    expect(runInputs()[0]).toMatchObject({
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    });
    expect(runInputs()[0]!.launchType).toBeUndefined();
    expect(step.error).toContain('Fargate Spot took the capacity back');
  });
});

describe('throttling and capacity', () => {
  it('retries RunTask when Fargate has no capacity, under a new client token each time', async () => {
    const aws = new FakeAws();
    const noCapacity = {
      arn: taskDefinition(3).taskDefinitionArn,
      reason:
        'Capacity is unavailable at this time. Please try again later or in a different availability zone',
    };
    aws.runTaskProblems = [noCapacity, noCapacity];
    const step = await run(aws);
    expect(step.error).toBeUndefined();
    const inputs = runInputs();
    expect(inputs).toHaveLength(3);
    // ECS answers a client token it has seen with its first answer: after
    // "no capacity" only a new token is another try.
    const [first, second, third] = inputs.map((i) => i.clientToken!);
    expect(first).toMatch(/^[0-9a-f]{12}-0-mcfpipe-gh-9876543210-2$/);
    expect(second).toMatch(/^[0-9a-f]{12}-0\.1-mcfpipe-gh-9876543210-2$/);
    expect(third).toMatch(/^[0-9a-f]{12}-0\.2-mcfpipe-gh-9876543210-2$/);
    expect(second!.slice(0, 12)).toBe(first!.slice(0, 12));
    expect(aws.log.join('\n')).toContain(
      'Shard 0: RunTask attempt 1 of 6 did not start the task (Capacity is unavailable at this time.',
    );
    expect(aws.tasks).toHaveLength(1);
  });

  it('does not send RunTask again after an error its client already retried (throttling, 5xx)', async () => {
    const aws = new FakeAws();
    aws.runTaskProblems = [ecsError('ThrottlingException', 'Rate exceeded')];
    const step = await run(aws);
    expect(runInputs()).toHaveLength(1);
    expect(step.error).toContain('RunTask could not start the task: AWS kept throttling');
    expect(step.error).not.toContain('no capacity');
    expect(aws.tasks).toHaveLength(0);
  });

  it('reports the reason when capacity never comes', async () => {
    const aws = new FakeAws();
    aws.runTaskProblems = Array.from({ length: 6 }, () => ({
      reason:
        'Capacity is unavailable at this time. Please try again later or in a different availability zone',
    }));
    const step = await run(aws);
    expect(step.error).toContain(
      'ECS did not start the task (after 6 attempts): Capacity is unavailable at this time.',
    );
    expect(step.error).toContain('add subnets in other availability zones');
    expect(step.state.tasks).toBeUndefined();
  });

  it('does not retry a failure that another try cannot fix', async () => {
    const aws = new FakeAws();
    aws.runTaskProblems = [
      ecsError(
        'AccessDeniedException',
        'User: arn:aws:sts::123456789012:assumed-role/gh/x is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/mcfpipe-dev-tester-execution',
      ),
    ];
    const step = await run(aws);
    expect(runInputs()).toHaveLength(1);
    expect(step.error).toContain('RunTask could not start the task: Access denied');
    expect(step.error).toContain('is not authorized to perform: iam:PassRole');
    expect(step.error).toContain('iam:PassRole on the task');
  });

  it('slows polling down while DescribeTasks is throttled, then carries on', async () => {
    const aws = new FakeAws();
    aws.describeProblems = [
      ecsError('ThrottlingException', 'Rate exceeded'),
      ecsError('ThrottlingException', 'Rate exceeded'),
    ];
    const step = await run(aws);
    expect(step.error).toBeUndefined();
    expect(aws.clock.sleeps.slice(0, 3)).toEqual([12_000, 24_000, 6000]);
    expect(aws.log).toContain('DescribeTasks: AWS is throttling; polling again in 12s.');
  });

  it('fails on a DescribeTasks error a retry cannot fix, leaving the task for the post step', async () => {
    const aws = new FakeAws();
    aws.describeProblems = [
      ecsError('AccessDeniedException', 'not authorized to perform: ecs:DescribeTasks'),
    ];
    const step = await run(aws);
    expect(step.error).toContain('ecs:DescribeTasks');
    // The post step is told which task to stop.
    expect(JSON.parse(step.state.tasks!)).toEqual({
      region: 'us-east-1',
      cluster: CLUSTER_ARN,
      tasks: aws.tasks.map((t) => t.arn),
    });
    expect(aws.tasks).toHaveLength(1);
    expect(step.state.settled).toBeUndefined();
  });
});

describe('timeout and cancellation', () => {
  const forever: Step[] = [
    { status: 'PROVISIONING' },
    { status: 'PENDING' },
    { status: 'RUNNING', logs: ['working'] },
  ];

  it('stops the task at timeout-minutes and fails with a clear message', async () => {
    const aws = new FakeAws();
    aws.scripts = [forever];
    const step = await run(aws, { 'timeout-minutes': '1' });
    const stops = ecsMock.commandCalls(StopTaskCommand);
    expect(stops).toHaveLength(1);
    expect(stops[0]!.args[0].input).toMatchObject({
      cluster: CLUSTER_ARN,
      task: aws.tasks[0]!.arn,
      reason: 'mcfpipe run-fargate-task: timeout-minutes (1) reached',
    });
    expect(step.error).toBe(
      'The task did not finish within timeout-minutes (1), so this step stopped it.\nRaise timeout-minutes if the work needs longer; the last log lines are in the job summary.',
    );
    expect(step.summary).toContain(
      'Stopped by this step: it did not finish within timeout-minutes (1).',
    );
    expect(step.outputs['exit-code']).toBe('143');
    expect(step.state.settled).toBe('true');
    // The deadline is one minute after the start; polls stop soon after it.
    expect(aws.clock.now() - Date.UTC(2024, 4, 1, 12, 0, 0)).toBeLessThan(80_000);
  });

  it('stops the tasks at once when the step is cancelled', async () => {
    const aws = new FakeAws();
    aws.scripts = [forever];
    const cancel = new AbortController();
    let sleeps = 0;
    const step = await run(
      aws,
      { count: '2' },
      {
        signal: cancel.signal,
        clock: {
          now: aws.clock.now,
          sleep: async (ms, signal) => {
            if (++sleeps === 3) cancel.abort(new Error('received SIGINT'));
            if (signal?.aborted) throw signal.reason;
            await aws.clock.sleep(ms);
          },
        },
      },
    );
    const stops = ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
    expect(stops.map((s) => s.task).sort()).toEqual(aws.tasks.map((t) => t.arn).sort());
    expect(stops.every((s) => s.reason === CANCEL_REASON)).toBe(true);
    expect(step.error).toBe('The step was cancelled; this step stopped its 2 tasks.');
    // The post step still checks that they stopped.
    expect(step.state.settled).toBeUndefined();
    expect(JSON.parse(step.state.tasks!).tasks).toHaveLength(2);
  });
});

describe('several tasks (count)', () => {
  it('gives each its shard, polls them in one DescribeTasks call, and reports the first non-zero exit', async () => {
    const aws = new FakeAws();
    aws.scripts = [SUCCESS, failedWith(4), SUCCESS];
    const step = await run(aws, { count: '3' });
    const shards = runInputs().map((i) =>
      i.overrides!.containerOverrides![0]!.environment!.filter((e) => e.name!.startsWith('SHARD_')),
    );
    expect(shards).toEqual(
      [0, 1, 2].map((i) => [
        { name: 'SHARD_INDEX', value: String(i) },
        { name: 'SHARD_COUNT', value: '3' },
      ]),
    );
    const describes = ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks);
    expect(describes[0]).toHaveLength(3);
    expect(describes).toHaveLength(5);
    const [t0, t1, t2] = aws.tasks;
    expect(step.outputs['task-arns']).toBe([t0!.arn, t1!.arn, t2!.arn].join('\n'));
    expect(step.outputs['exit-code']).toBe('4');
    expect(step.outputs['log-stream']!.split('\n')).toHaveLength(3);
    expect(step.error).toContain(
      `1 of 3 tasks failed: shard 1 (${t1!.id}): tester exited with code 4.`,
    );
    expect(aws.printed).toContain('[shard 1] 17 passed, 1 failed');
    expect(aws.printed.filter((l) => l.startsWith('[shard 2] '))).toHaveLength(4);
    // The failed task's lines come first.
    expect(step.summary).toMatch(
      /<details><summary>Last 3 log lines of task \w+ \(shard 1\)<\/summary>[\s\S]*\(shard 0\)/,
    );
    expect(runInputs()[1]!.tags).toContainEqual({ key: 'mcfpipe:shard', value: '1/3' });
  });

  it('reads the logs of more tasks than one poll may in turns, and still prints every line', async () => {
    const aws = new FakeAws();
    const running: Step[] = [
      { status: 'PROVISIONING' },
      { status: 'RUNNING', logs: ['started'] },
      ...Array.from({ length: 6 }, (_, i): Step => ({ status: 'RUNNING', logs: [`tick ${i}`] })),
      { status: 'STOPPED', exits: { tester: 0 }, logs: ['bye'] },
    ];
    aws.scripts = [running];
    // 1 s between polls: 5 log reads a poll (LOG_CALLS_PER_SECOND) for 12 running tasks.
    const step = await run(aws, { count: '12', 'poll-interval': '1s' });
    expect(step.error).toBeUndefined();
    const readsAt = new Map<number, Set<FakeLogStream>>();
    for (const stream of aws.streams.values()) {
      for (const call of stream.calls) {
        const streams = readsAt.get(call.at) ?? new Set();
        streams.add(stream);
        readsAt.set(call.at, streams);
      }
    }
    const live = [...readsAt.entries()].filter(([at]) => at < aws.clock.now() - 3000);
    expect(Math.max(...live.map(([, streams]) => streams.size))).toBe(5);
    for (const [i] of aws.tasks.entries()) {
      const lines = aws.printed.filter((l) => l.startsWith(`[shard ${i}] `));
      expect(lines).toEqual(
        ['started', ...Array.from({ length: 6 }, (_, k) => `tick ${k}`), 'bye'].map(
          (l) => `[shard ${i}] ${l}`,
        ),
      );
    }
  });

  it("shows a shard's last lines when it stops, not when the last shard ends", async () => {
    const aws = new FakeAws();
    const early: Step[] = [
      { status: 'PROVISIONING' },
      { status: 'RUNNING', logs: ['shard 0 starts'] },
      {
        status: 'STOPPED',
        exits: { tester: 1 },
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        logs: ['fatal: no such table job_search'],
      },
    ];
    const long: Step[] = [
      { status: 'PROVISIONING' },
      ...Array.from({ length: 10 }, (_, i): Step => ({ status: 'RUNNING', logs: [`tick ${i}`] })),
      { status: 'STOPPED', exits: { tester: 0 }, logs: ['done'] },
    ];
    aws.scripts = [early, long];
    const step = await run(aws, { count: '2' });
    expect(step.error).toContain('1 of 2 tasks failed: shard 0');
    const fatal = aws.printed.indexOf('[shard 0] fatal: no such table job_search');
    expect(fatal).toBeGreaterThanOrEqual(0);
    // Printed in the poll that saw shard 0 stop, while shard 1 was at its second line.
    expect(fatal).toBeLessThan(aws.printed.indexOf('[shard 1] tick 2'));
    // Every line once, in order.
    expect(aws.printed.filter((l) => l.startsWith('[shard 0] '))).toEqual([
      '[shard 0] shard 0 starts',
      '[shard 0] fatal: no such table job_search',
    ]);
    expect(aws.printed.filter((l) => l.startsWith('[shard 1] '))).toEqual(
      [...Array.from({ length: 10 }, (_, i) => `tick ${i}`), 'done'].map((l) => `[shard 1] ${l}`),
    );
    // Shard 0's stream is read on for one interval after its stop, then left until the final read.
    const shard0 = aws.streams.get(`${LOG_GROUP}|${aws.tasks[0]!.stream}`)!;
    const stoppedAt = aws.tasks[0]!.task.stoppedAt!.getTime();
    const end = aws.tasks[1]!.task.stoppedAt!.getTime();
    expect(shard0.calls.filter((c) => c.at > stoppedAt + 6000 && c.at < end)).toEqual([]);
  });

  it('stops the started shards when a later one cannot start', async () => {
    const aws = new FakeAws();
    aws.scripts = [SUCCESS];
    ecsMock.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => {
      const shard = input.overrides!.containerOverrides![0]!.environment!.find(
        (e) => e.name === 'SHARD_INDEX',
      )!.value;
      if (shard === '1') return { tasks: [], failures: [{ reason: 'MISSING' }] };
      return (aws as unknown as { runTask(i: RunTaskCommandInput): unknown }).runTask(input);
    });
    const step = await run(aws, { count: '2' });
    expect(step.error).toBe(
      'ECS did not start shard 1 of 2: MISSING.\nCheck the reason above; the task definition, the cluster and the network settings are the usual suspects.',
    );
    expect(ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual([
      aws.tasks[0]!.arn,
    ]);
    expect(step.state.settled).toBe('true');
  });
});

describe('wait: false', () => {
  it('starts the task, sets the outputs it can, and leaves it running', async () => {
    const aws = new FakeAws();
    const step = await run(aws, { wait: 'false' });
    expect(step.error).toBeUndefined();
    expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(step.outputs['task-arns']).toBe(aws.tasks[0]!.arn);
    expect(step.outputs['exit-code']).toBeUndefined();
    expect(step.state.settled).toBe('true');
    expect(step.state.tasks).toBeUndefined();
    expect(step.summary).toContain('started 1 task (not waiting)');
  });
});
