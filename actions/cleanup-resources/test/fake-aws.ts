/**
 * The AWS cleanup-resources talks to, in memory, answering as AWS does:
 *
 * - CloudFormation: stacks with tags, outputs and exports, termination
 *   protection, templates and resources. DeleteStack starts a deletion that
 *   advances one step per DescribeStacks call (DELETE_IN_PROGRESS, resource
 *   events, DELETE_COMPLETE), or ends in DELETE_FAILED with a resource's
 *   reason for as many attempts as scripted; a deleted stack is still found
 *   by its id (DELETE_COMPLETE) but no longer by its name; DescribeStacks
 *   without a name pages through the live stacks.
 * - S3 (FakeS3), ECR repositories with tags and images, log groups, STS.
 *
 * `timeline` records when each deletion started and ended, to check order.
 */
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListImportsCommand,
  ListStackResourcesCommand,
  type Stack,
  type StackEvent,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { serviceError } from '../../lib/testing/aws-errors.js';
import {
  cfnError,
  eventPages,
  fakeClock,
  missingStack,
  stackEvent,
  stackId,
} from '../../lib/testing/cfn-fixtures.js';
import { FakeS3, OWNER } from '../../lib/testing/fake-s3.js';
import { runStepInProcess } from '../../lib/testing/run-step.js';
import { main } from '../src/action.js';
import type { Context } from '../src/context.js';

export const cfnMock = mockClient(CloudFormationClient);
export const s3Mock = mockClient(S3Client);
export const ecrMock = mockClient(ECRClient);
export const logsMock = mockClient(CloudWatchLogsClient);
export const stsMock = mockClient(STSClient);

/** Every call made so far that could change something (anything but Describe, List, Get, Head). */
export function mutatingCalls(): string[] {
  const commands: object[] = [cfnMock, s3Mock, ecrMock, logsMock, stsMock].flatMap((m) =>
    m.calls().map((c) => c.args[0] as object),
  );
  return commands
    .map((command) => command.constructor.name.replace(/Command$/, ''))
    .filter((name) => !/^(Describe|List|Get|Head)/.test(name));
}

export const OWNED = [
  { Key: 'mcfpipe:managed-by', Value: 'mcfpipe' },
  { Key: 'mcfpipe:env', Value: 'dev' },
];

export interface FakeResource {
  logicalId: string;
  type: string;
  physicalId: string;
  retain?: boolean;
}

export interface FakeStack {
  name: string;
  id: string;
  status: string;
  tags: Array<{ Key: string; Value: string }>;
  outputs: Array<{ OutputKey: string; OutputValue: string; ExportName?: string }>;
  imports: string[];
  terminationProtection: boolean;
  resources: FakeResource[];
  events: StackEvent[];
  /** DeleteStack attempts that end in DELETE_FAILED, with this resource and reason. */
  failDeletes: number;
  blocker?: { logicalId: string; type: string; reason: string };
  /** Steps left of a deletion in progress (advanced by DescribeStacks). */
  pending: string[];
  deleted: boolean;
  /** Template body override (otherwise built from resources). */
  template?: string;
}

let uuid = 0;

export class FakeAws {
  readonly s3 = new FakeS3(OWNER, 'us-east-1');
  readonly stacks: FakeStack[] = [];
  readonly repositories = new Map<
    string,
    { tags: Array<{ Key: string; Value: string }>; images: number[] }
  >();
  readonly logGroups = new Map<string, number>();
  private readonly ecrClient = new ECRClient({ region: 'us-east-1' });
  private readonly logsClient = new CloudWatchLogsClient({ region: 'us-east-1' });
  readonly clock = fakeClock();
  readonly log: string[] = [];
  readonly warnings: string[] = [];
  /** "delete <name>" when DeleteStack is called, "gone <name>" when it reaches DELETE_COMPLETE. */
  readonly timeline: string[] = [];
  private at = 0;

  constructor() {
    for (const m of [cfnMock, s3Mock, ecrMock, logsMock, stsMock]) m.reset();
    this.s3.install(s3Mock);
    stsMock.on(GetCallerIdentityCommand).resolves({
      Account: OWNER,
      Arn: `arn:aws:sts::${OWNER}:assumed-role/mcfpipe-deployer/GitHubActions`,
    });
    this.installCfn();
    this.installEcr();
    this.installLogs();
  }

  addStack(name: string, init: Partial<FakeStack> = {}): FakeStack {
    const s: FakeStack = {
      name,
      id: stackId(name, `00000000-0000-0000-0000-${String(++uuid).padStart(12, '0')}`),
      status: 'CREATE_COMPLETE',
      tags: OWNED,
      outputs: [],
      imports: [],
      terminationProtection: false,
      resources: [
        { logicalId: 'Queue', type: 'AWS::SQS::Queue', physicalId: `https://sqs/${name}-Queue` },
      ],
      events: [],
      failDeletes: 0,
      pending: [],
      deleted: false,
      ...init,
    };
    this.stacks.push(s);
    return s;
  }

  private find(ref: string | undefined): FakeStack | undefined {
    // By id: any stack, deleted or not; by name: the live one.
    return (
      this.stacks.find((s) => s.id === ref) ?? this.stacks.find((s) => s.name === ref && !s.deleted)
    );
  }

  private event(s: FakeStack, logicalId: string, status: string, reason?: string, type?: string) {
    this.at += 1;
    const resource = s.resources.find((r) => r.logicalId === logicalId);
    s.events.push(
      stackEvent(s.name, this.at, logicalId, status, {
        stackId: s.id,
        ...(reason && { reason }),
        ...((type ?? resource?.type) && { type: type ?? resource?.type }),
        ...(resource && { physicalId: resource.physicalId }),
      }),
    );
  }

  private advance(s: FakeStack): void {
    const step = s.pending.shift();
    if (!step) return;
    if (step === 'resources') {
      for (const r of s.resources) {
        if (r.retain) this.event(s, r.logicalId, 'DELETE_SKIPPED');
        else this.event(s, r.logicalId, 'DELETE_COMPLETE');
      }
    } else if (step === 'fail') {
      const b = s.blocker ?? {
        logicalId: 'Queue',
        type: 'AWS::SQS::Queue',
        reason: 'Resource handler returned message: "Access Denied"',
      };
      this.event(s, b.logicalId, 'DELETE_FAILED', b.reason, b.type);
      this.event(
        s,
        s.name,
        'DELETE_FAILED',
        `The following resource(s) failed to delete: [${b.logicalId}]. `,
      );
      s.status = 'DELETE_FAILED';
    } else if (step === 'settle') {
      s.status = s.status.replace('_IN_PROGRESS', '_COMPLETE');
      this.event(s, s.name, s.status);
    } else if (step === 'complete') {
      this.event(s, s.name, 'DELETE_COMPLETE');
      s.status = 'DELETE_COMPLETE';
      s.deleted = true;
      this.timeline.push(`gone ${s.name}`);
    }
  }

  private describe(s: FakeStack): Stack {
    return {
      StackId: s.id,
      StackName: s.name,
      StackStatus: s.status as Stack['StackStatus'],
      CreationTime: new Date(Date.UTC(2024, 4, 1)),
      Tags: s.tags,
      Outputs: s.outputs,
      EnableTerminationProtection: s.terminationProtection,
      ...(s.status === 'DELETE_FAILED' && {
        StackStatusReason: 'The following resource(s) failed to delete: [Queue].',
      }),
    };
  }

  private installCfn(): void {
    cfnMock
      .on(DescribeStacksCommand)
      .callsFake(async (input: { StackName?: string; NextToken?: string }) => {
        if (!input.StackName) {
          // Pages of 2, to exercise paging.
          const live = this.stacks.filter((s) => !s.deleted);
          const start = input.NextToken ? Number(input.NextToken) : 0;
          const page = live.slice(start, start + 2);
          return {
            Stacks: page.map((s) => this.describe(s)),
            ...(start + 2 < live.length && { NextToken: String(start + 2) }),
          };
        }
        const s = this.find(input.StackName);
        if (!s) throw missingStack(input.StackName);
        this.advance(s);
        return { Stacks: [this.describe(s)] };
      });
    cfnMock
      .on(DescribeStackEventsCommand)
      .callsFake(async (input: { StackName?: string; NextToken?: string }) => {
        const s = this.find(input.StackName);
        if (!s) throw missingStack(input.StackName ?? '');
        const pages = eventPages(s.events, 5);
        const index = input.NextToken ? Number(input.NextToken.replace('page-', '')) : 0;
        return pages[index] ?? { StackEvents: [] };
      });
    cfnMock.on(GetTemplateCommand).callsFake(async (input: { StackName?: string }) => {
      const s = this.find(input.StackName)!;
      if (s.template !== undefined) return { TemplateBody: s.template };
      const Resources = Object.fromEntries(
        s.resources.map((r) => [
          r.logicalId,
          { Type: r.type, ...(r.retain && { DeletionPolicy: 'Retain' }) },
        ]),
      );
      return { TemplateBody: JSON.stringify({ Resources }) };
    });
    cfnMock.on(ListStackResourcesCommand).callsFake(async (input: { StackName?: string }) => {
      const s = this.find(input.StackName)!;
      return {
        StackResourceSummaries: s.resources.map((r) => ({
          LogicalResourceId: r.logicalId,
          PhysicalResourceId: r.physicalId,
          ResourceType: r.type,
          ResourceStatus: 'CREATE_COMPLETE' as const,
          LastUpdatedTimestamp: new Date(),
        })),
      };
    });
    cfnMock.on(ListImportsCommand).callsFake(async (input: { ExportName?: string }) => {
      const importers = this.stacks
        .filter((s) => !s.deleted && s.imports.includes(input.ExportName!))
        .map((s) => s.name);
      if (!importers.length) {
        throw cfnError(
          'ValidationError',
          `Export '${input.ExportName}' is not imported by any stack.`,
        );
      }
      return { Imports: importers };
    });
    cfnMock
      .on(UpdateTerminationProtectionCommand)
      .callsFake(async (input: { StackName?: string; EnableTerminationProtection?: boolean }) => {
        const s = this.find(input.StackName)!;
        s.terminationProtection = input.EnableTerminationProtection ?? false;
        return { StackId: s.id };
      });
    cfnMock.on(DeleteStackCommand).callsFake(async (input: { StackName?: string }) => {
      const s = this.find(input.StackName);
      if (!s || s.deleted) return {};
      if (s.terminationProtection) {
        throw cfnError(
          'ValidationError',
          `Stack [${s.name}] cannot be deleted while TerminationProtection is enabled`,
        );
      }
      const importer = this.stacks.find(
        (o) =>
          !o.deleted && s.outputs.some((x) => x.ExportName && o.imports.includes(x.ExportName)),
      );
      if (importer) {
        throw cfnError(
          'ValidationError',
          `Export ${s.outputs[0]!.ExportName} cannot be deleted as it is in use by ${importer.name}`,
        );
      }
      this.timeline.push(`delete ${s.name}`);
      s.status = 'DELETE_IN_PROGRESS';
      this.event(s, s.name, 'DELETE_IN_PROGRESS', 'User Initiated');
      if (s.failDeletes > 0) {
        s.failDeletes--;
        s.pending = ['wait', 'fail'];
      } else {
        s.pending = ['resources', 'complete'];
      }
      return {};
    });
  }

  private installEcr(): void {
    const notFound = (name: string) =>
      serviceError(
        ECRServiceException,
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${OWNER}'`,
      );
    const arn = (name: string) => `arn:aws:ecr:us-east-1:${OWNER}:repository/${name}`;
    ecrMock
      .on(DescribeRepositoriesCommand)
      .callsFake(async (input: { repositoryNames?: string[] }) => {
        const names = input.repositoryNames ?? [...this.repositories.keys()];
        for (const n of names) if (!this.repositories.has(n)) throw notFound(n);
        return { repositories: names.map((n) => ({ repositoryName: n, repositoryArn: arn(n) })) };
      });
    ecrMock.on(ListTagsForResourceCommand).callsFake(async (input: { resourceArn?: string }) => {
      const name = input.resourceArn!.split('repository/')[1]!;
      return { tags: this.repositories.get(name)?.tags ?? [] };
    });
    ecrMock.on(DescribeImagesCommand).callsFake(async (input: { repositoryName?: string }) => {
      const repo = this.repositories.get(input.repositoryName!);
      if (!repo) throw notFound(input.repositoryName!);
      return { imageDetails: repo.images.map((size) => ({ imageSizeInBytes: size })) };
    });
    ecrMock
      .on(DeleteRepositoryCommand)
      .callsFake(async (input: { repositoryName?: string; force?: boolean }) => {
        const repo = this.repositories.get(input.repositoryName!);
        if (!repo) throw notFound(input.repositoryName!);
        if (repo.images.length && !input.force) {
          throw serviceError(
            ECRServiceException,
            'RepositoryNotEmptyException',
            'The repository cannot be deleted because it still contains images',
          );
        }
        this.repositories.delete(input.repositoryName!);
        return { repository: { repositoryName: input.repositoryName } };
      });
  }

  private installLogs(): void {
    logsMock
      .on(DescribeLogGroupsCommand)
      .callsFake(async (input: { logGroupNamePrefix?: string }) => ({
        logGroups: [...this.logGroups.entries()]
          .filter(([n]) => n.startsWith(input.logGroupNamePrefix ?? ''))
          .sort()
          .map(([logGroupName, storedBytes]) => ({ logGroupName, storedBytes })),
      }));
    logsMock.on(DeleteLogGroupCommand).callsFake(async (input: { logGroupName?: string }) => {
      if (!this.logGroups.delete(input.logGroupName!)) {
        throw serviceError(
          CloudWatchLogsServiceException,
          'ResourceNotFoundException',
          'The specified log group does not exist.',
        );
      }
      return {};
    });
  }

  context(): Context {
    return {
      cfn: new CloudFormationClient({ region: 'us-east-1' }),
      s3: new S3Client({ region: 'us-east-1' }),
      ecr: async () => this.ecrClient,
      logs: async () => this.logsClient,
      sts: new STSClient({ region: 'us-east-1' }),
      region: 'us-east-1',
      clock: this.clock,
      pollMs: 5000,
      log: (l) => this.log.push(l),
      warn: (l) => this.warnings.push(l),
      run: { runId: '4242', attempt: '1', serverUrl: 'https://github.com' },
    };
  }

  run(inputs: Record<string, string>) {
    return runStepInProcess(() => main(() => this.context()), { inputs });
  }

  /** The four layers of one prefix, db-api importing the network's VPC export. */
  layers(prefix = 'mcfpipe-dev'): void {
    this.addStack(`${prefix}-network`, {
      outputs: [{ OutputKey: 'VpcId', OutputValue: 'vpc-1', ExportName: `${prefix}-VpcId` }],
    });
    this.addStack(`${prefix}-db-api`, {
      imports: [`${prefix}-VpcId`],
      resources: [
        { logicalId: 'Api', type: 'AWS::Lambda::Function', physicalId: `${prefix}-api` },
        {
          logicalId: 'JobTable',
          type: 'AWS::DynamoDB::Table',
          physicalId: `${prefix}-job`,
          retain: true,
        },
      ],
    });
    this.addStack(`${prefix}-tester`);
    this.addStack(`${prefix}-webscraper`);
  }
}

export { OWNER };
