/**
 * Where moto (the AWS emulator of the rehearsal) differs from AWS in a way
 * the workflows meet, and what the rehearsal does about it, next to each
 * other. Every workaround lives here, around the step it concerns; none is
 * in the workflows, the actions or the templates. docs/testing.md lists the
 * differences for people.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteRouteTableCommand,
  DescribeRouteTablesCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { parseTemplate } from '../../core/cfn-template.js';
import type { MotoServer } from '../../core/testing/moto.js';
import { templateForMoto } from '../../core/testing/moto-template.js';
import type { DbApiOverMoto } from './local-services.js';
import { cfnErrorReply, type QueryAnswerer } from './query-proxy.js';
import type { Hook, StepContext } from './runner.js';

/**
 * moto's ECS advances a task one state per DescribeTasks call; this makes
 * every task go straight to STOPPED on its first DescribeTasks, so a
 * run-fargate-task step takes one poll instead of seven.
 */
export async function immediateEcsTasks(moto: MotoServer): Promise<void> {
  const res = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'ecs::task', transition: { progression: 'immediate' } }),
  });
  if (!res.ok) throw new Error(`moto set-transition: HTTP ${res.status}`);
}

/**
 * moto does not implement CloudFormation ListImports (it answers HTTP 500),
 * which cleanup-resources calls for every export of a stack it deletes (the
 * network stack exports its seven outputs). The rehearsal's endpoint
 * (query-proxy.ts) answers it as AWS does for an export no stack imports
 * (400 ValidationError "Export '<name>' is not imported by any stack."):
 * true here, since no template of ours uses Fn::ImportValue (the templates
 * test checks that layers couple through the config bucket instead).
 */
export const listImports: QueryAnswerer = (form) =>
  form.get('Action') === 'ListImports'
    ? cfnErrorReply(
        400,
        'ValidationError',
        `Export '${form.get('ExportName') ?? ''}' is not imported by any stack.`,
      )
    : undefined;

/** A fake container log line per shard: what `mcfpipe scrape` prints last. */
export function scrapeSummaryLine(shard: number, count: number): string {
  return JSON.stringify({
    mcfpipe_scrape_summary: {
      status: 'complete',
      day: '2026-05-04',
      shard: { index: shard, count },
      resumed: false,
      searches: { total: 4, mine: 1, done: 1, failed: [] },
      counters: {
        pages: 3,
        listed: 250 + shard,
        new: 40 + shard,
        updated: 2,
        unchanged: 208,
        stored: 42 + shard,
        failed: 0,
        quarantined: shard,
      },
      pending: 0,
      durationS: 300,
      jobsPerMin: 8.4,
    },
  });
}

/**
 * The webscraper workflow's stages whose task command the rehearsal runs (moto runs no
 * container): the jobs, named like the commands.
 */
export const STAGE_COMMANDS = ['score', 'report'] as const;

export interface MotoHookOptions {
  /** The repository checkout the stages' commands run from. */
  workspace: string;
  /** The DB API where the db-api stack's URL answers nothing (local-services.ts). */
  dbApi: DbApiOverMoto;
}

/** Runs `mcfpipe <args>` from the checkout (through tsx, as `npm run mcfpipe` does). */
function runMcfpipe(
  workspace: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(workspace, 'node_modules/.bin/tsx'), ['runtime/cli.ts', ...args], {
      cwd: workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

export function motoHooks(moto: MotoServer, opts: MotoHookOptions): Hook[] {
  const client = <T>(C: new (c: object) => T, region: string): T =>
    new C({ ...moto.clientConfig, region });
  const region = (ctx: StepContext) => ctx.env.AWS_REGION ?? moto.clientConfig.region;
  const stack = async (ctx: StepContext): Promise<Stack> => {
    const cfn = client(CloudFormationClient, region(ctx));
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: ctx.with.name }));
    cfn.destroy();
    return Stacks![0]!;
  };
  const output = (s: Stack, key: string) =>
    s.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;

  return [
    {
      match: { uses: './actions/deploy-stack' },
      when: 'before',
      difference:
        'moto cannot evaluate Fn::Cidr, and fails a stack whose Outputs or Fn::Sub name a resource type it does not model (API Gateway v2, EventBridge Scheduler): the template is deployed as core/testing/moto-template.ts rewrites it.',
      async run(ctx) {
        if (ctx.with.mode === 'drift' || !ctx.with.template) return;
        const path = isAbsolute(ctx.with.template)
          ? ctx.with.template
          : join(ctx.env.GITHUB_WORKSPACE ?? process.cwd(), ctx.with.template);
        const parameters = Object.fromEntries(
          (ctx.with.parameters ?? '')
            .split('\n')
            .filter((l) => l.includes('='))
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
        const { template } = templateForMoto(parseTemplate(readFileSync(path, 'utf8'), path), {
          parameters,
          region: region(ctx),
        });
        const adapted = join(ctx.runnerTemp, `moto-${basename(path).replace(/\.ya?ml$/, '')}.json`);
        writeFileSync(adapted, JSON.stringify(template, null, 1));
        ctx.with.template = adapted;
      },
    },
    {
      match: { uses: './actions/deploy-stack' },
      when: 'after',
      difference:
        "moto ignores the VPC's EnableDnsHostnames from a template, and its RunTask answers HTTP 500 in a VPC without DNS hostnames: they are turned on as the template asks.",
      async run(ctx) {
        if (ctx.with.mode === 'drift' || !ctx.with.name?.endsWith('-network')) return;
        const vpc = output(await stack(ctx), 'VpcId');
        const ec2 = client(EC2Client, region(ctx));
        await ec2.send(
          new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }),
        );
        ec2.destroy();
      },
    },
    {
      match: { uses: './actions/deploy-stack' },
      when: 'after',
      difference:
        'moto drops Cpu, NetworkMode, RequiresCompatibilities and ExecutionRoleArn of a task definition CloudFormation creates, and its RunTask fails without container-level memory: a revision with what the template declares (and the memory on the container) is registered, as AWS would have made it.',
      async run(ctx) {
        if (ctx.with.mode === 'drift') return;
        const s = await stack(ctx);
        // Each task definition the stack outputs as <LogicalId>Family (TaskDefinitionFamily,
        // StagesTaskDefinitionFamily).
        const families = (s.Outputs ?? [])
          .filter((o) => o.OutputKey?.endsWith('TaskDefinitionFamily'))
          .map((o) => ({ logicalId: o.OutputKey!.replace(/Family$/, ''), family: o.OutputValue! }));
        if (!families.length) return;
        const template = JSON.parse(readFileSync(ctx.with.template!, 'utf8')) as {
          Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
        };
        const parameter = (key: string) =>
          s.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
        const ref = (v: unknown) =>
          v && typeof v === 'object' && 'Ref' in v ? parameter(String(v.Ref)) : String(v);
        const ecs = client(ECSClient, region(ctx));
        for (const { logicalId, family } of families) {
          const { taskDefinition: current } = await ecs.send(
            new DescribeTaskDefinitionCommand({ taskDefinition: family }),
          );
          if (current?.requiresCompatibilities?.includes('FARGATE')) continue;
          const declared = template.Resources[logicalId]!.Properties;
          const memory = ref(declared.Memory)!;
          await ecs.send(
            new RegisterTaskDefinitionCommand({
              family,
              taskRoleArn: current!.taskRoleArn,
              executionRoleArn: output(s, 'ExecutionRoleArn'),
              networkMode: String(declared.NetworkMode).toLowerCase() as 'awsvpc',
              requiresCompatibilities: declared.RequiresCompatibilities as ['FARGATE'],
              cpu: ref(declared.Cpu),
              memory,
              containerDefinitions: current!.containerDefinitions!.map((c) => ({
                ...c,
                memory: Number(memory),
              })),
            }),
          );
        }
        ecs.destroy();
      },
    },
    {
      match: { uses: './actions/run-fargate-task', workflow: 'webscraper.yml' },
      when: 'after',
      difference:
        'moto starts no container, so no scraper prints its summary: each task\'s log stream gets the line `mcfpipe scrape` prints last ({"mcfpipe_scrape_summary": ...}), with the task\'s SHARD_INDEX and SHARD_COUNT, as the container would have written it.',
      async run(ctx) {
        const arns = (ctx.outputs['task-arns'] ?? '').split('\n').filter(Boolean);
        const streams = (ctx.outputs['log-stream'] ?? '').split('\n').filter(Boolean);
        const group = ctx.outputs['log-group']!;
        const ecs = client(ECSClient, region(ctx));
        const logs = client(CloudWatchLogsClient, region(ctx));
        const { tasks = [] } = await ecs.send(
          new DescribeTasksCommand({ cluster: ctx.with.cluster, tasks: arns }),
        );
        for (const [i, arn] of arns.entries()) {
          const task = tasks.find((t) => t.taskArn === arn);
          const env = task?.overrides?.containerOverrides?.[0]?.environment ?? [];
          const value = (n: string) => Number(env.find((e) => e.name === n)?.value);
          await logs.send(
            new CreateLogStreamCommand({ logGroupName: group, logStreamName: streams[i] }),
          );
          await logs.send(
            new PutLogEventsCommand({
              logGroupName: group,
              logStreamName: streams[i],
              logEvents: [
                {
                  timestamp: Date.now(),
                  message: scrapeSummaryLine(value('SHARD_INDEX'), value('SHARD_COUNT')),
                },
              ],
            }),
          );
        }
        ecs.destroy();
        logs.destroy();
      },
    },
    {
      match: { uses: './actions/cleanup-resources' },
      when: 'before',
      difference:
        "moto's DeleteStack cannot delete an AWS::EC2::RouteTable (its CloudFormation model has no delete), so the VPC keeps dependencies and DeleteStack of the network stack fails with DependencyViolation: the stack's route tables are disassociated and deleted first, which AWS's DeleteStack does itself.",
      async run(ctx) {
        if (ctx.with['dry-run'] === 'true' || !ctx.with['stack-prefix']) return;
        const cfn = client(CloudFormationClient, region(ctx));
        const ec2 = client(EC2Client, region(ctx));
        try {
          const { StackResourceSummaries = [] } = await cfn.send(
            new ListStackResourcesCommand({ StackName: `${ctx.with['stack-prefix']}-network` }),
          );
          const tables = StackResourceSummaries.filter(
            (r) => r.ResourceType === 'AWS::EC2::RouteTable',
          )
            .map((r) => r.PhysicalResourceId!)
            .filter(Boolean);
          if (!tables.length) return;
          const { RouteTables = [] } = await ec2.send(
            new DescribeRouteTablesCommand({ RouteTableIds: tables }),
          );
          for (const table of RouteTables) {
            for (const a of table.Associations ?? []) {
              if (!a.Main)
                await ec2.send(
                  new DisassociateRouteTableCommand({ AssociationId: a.RouteTableAssociationId }),
                );
            }
            await ec2.send(new DeleteRouteTableCommand({ RouteTableId: table.RouteTableId }));
          }
        } catch (err) {
          // No network stack (already deleted): nothing to make up for.
          if (!/does not exist/.test((err as Error).message)) throw err;
        } finally {
          cfn.destroy();
          ec2.destroy();
        }
      },
    },
    {
      match: { workflow: 'webscraper.yml', job: 'sync', id: 'sync' },
      when: 'before',
      difference:
        "moto models neither API Gateway v2 nor Lambda's runtime, so the db-api stack's ApiUrl answers nothing: the sync's DB_API_URL points at the Lambda's own handler serving the environment's tables in moto, on 127.0.0.1 (rehearsal/local-services.ts).",
      async run(ctx) {
        ctx.env.DB_API_URL = await opts.dbApi.url();
      },
    },
    ...STAGE_COMMANDS.map(
      (job): Hook => ({
        match: { uses: './actions/run-fargate-task', workflow: 'webscraper.yml', job },
        when: 'after',
        difference: `moto starts no container: the ${job} task's command (the step's command override, on the task definition's environment) runs here as the container would, with the emulator's credentials standing for the task role and DB_API_URL on the local DB API; what it prints goes to the task's log stream, where the container's output would be.`,
        async run(ctx) {
          const ecs = client(ECSClient, region(ctx));
          const logs = client(CloudWatchLogsClient, region(ctx));
          try {
            const arn = (ctx.outputs['task-arns'] ?? '').split('\n')[0];
            const { tasks = [] } = await ecs.send(
              new DescribeTasksCommand({ cluster: ctx.with.cluster, tasks: [arn!] }),
            );
            const task = tasks[0]!;
            const { taskDefinition } = await ecs.send(
              new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn }),
            );
            const container = taskDefinition!.containerDefinitions!.find(
              (c) => c.name === ctx.with.container,
            )!;
            const override = task.overrides?.containerOverrides?.find(
              (c) => c.name === container.name,
            );
            const command = override?.command ?? container.command ?? [];
            const environment = Object.fromEntries(
              [...(container.environment ?? []), ...(override?.environment ?? [])].map((e) => [
                e.name!,
                e.value!,
              ]),
            );
            if (environment.DB_API_URL) environment.DB_API_URL = await opts.dbApi.url();
            const { code, output } = await runMcfpipe(opts.workspace, command, {
              PATH: process.env.PATH ?? '',
              HOME: process.env.HOME ?? '/tmp',
              ...moto.env,
              AWS_REGION: region(ctx),
              AWS_ENDPOINT_URL: moto.endpoint,
              ...environment,
            });
            const group = ctx.outputs['log-group']!;
            const stream = (ctx.outputs['log-stream'] ?? '').split('\n')[0]!;
            // run-fargate-task's log reading may have made it already.
            await logs
              .send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }))
              .catch((err: Error) => {
                if (err.name !== 'ResourceAlreadyExistsException') throw err;
              });
            const lines = output.split('\n').filter((l) => l.trim());
            const now = Date.now();
            if (lines.length)
              await logs.send(
                new PutLogEventsCommand({
                  logGroupName: group,
                  logStreamName: stream,
                  logEvents: lines.map((message, i) => ({ timestamp: now + i, message })),
                }),
              );
            if (code !== 0)
              throw new Error(
                `mcfpipe ${command.join(' ')} (the ${job} task) exited ${code}:\n${output.slice(-3000)}`,
              );
          } finally {
            ecs.destroy();
            logs.destroy();
          }
        },
      }),
    ),
  ];
}
