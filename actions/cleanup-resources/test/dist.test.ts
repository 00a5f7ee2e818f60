/**
 * The bundled action (dist/index.js) run as the runner runs it, against
 * moto: tagged resources of every kind are created, listed by a dry run
 * (nothing changes), then deleted for real, and a rerun finds them gone.
 * Paths moto cannot show (DELETE_FAILED, per-resource events, Retain) are
 * covered by the mocked sequences in stacks.test.ts.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
} from '@aws-sdk/client-ecr';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownershipTags } from '../../../core/ownership.js';
import { type MotoServer, motoAvailable, startMoto } from '../../../core/testing/moto.js';
import { runBundledAction, runWithoutAws } from '../../lib/testing/run-action.js';

const MAIN = 'actions/cleanup-resources/dist/index.js';

it('the bundle refuses a wildcard beyond the scope with exit code 1, before any AWS call', async () => {
  const run = await runWithoutAws(MAIN, { env: 'dev', buckets: 'mcfpipe-*' });
  expect([run.exitCode, run.reachedAws]).toEqual([1, false]);
  expect(run.stdout).toMatch(/::error::Input "buckets": "mcfpipe-\*" is not valid\./);
});

// Not from fake-aws.ts: importing it would mock every AWS client in this file.
const OWNED = ownershipTags('dev');

const TEMPLATE = JSON.stringify({
  Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'mcfpipe-dev-jobs' } } },
});

describe.skipIf(!motoAvailable())('bundled action against moto', () => {
  let moto: MotoServer;
  const clients = {} as {
    s3: S3Client;
    cfn: CloudFormationClient;
    ecr: ECRClient;
    logs: CloudWatchLogsClient;
  };
  beforeAll(async () => {
    moto = await startMoto();
    const config = moto.clientConfig;
    clients.s3 = new S3Client({ ...config, forcePathStyle: true });
    clients.cfn = new CloudFormationClient(config);
    clients.ecr = new ECRClient(config);
    clients.logs = new CloudWatchLogsClient(config);
    const { s3, cfn, ecr, logs } = clients;
    await cfn.send(
      new CreateStackCommand({
        StackName: 'mcfpipe-dev-tester',
        TemplateBody: TEMPLATE,
        Tags: OWNED,
      }),
    );
    for (const Bucket of ['mcfpipe-dev-raw', 'untagged-bucket']) {
      await s3.send(new CreateBucketCommand({ Bucket }));
      await s3.send(
        new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
      );
    }
    await s3.send(
      new PutBucketTaggingCommand({ Bucket: 'mcfpipe-dev-raw', Tagging: { TagSet: OWNED } }),
    );
    // 1,200 objects, 300 of them with a second version and 100 deleted (a delete marker each).
    for (let i = 0; i < 1_200; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          s3.send(
            new PutObjectCommand({
              Bucket: 'mcfpipe-dev-raw',
              Key: `raw/${i + j}.json`,
              Body: `{"i":${i + j}}`,
            }),
          ),
        ),
      );
    }
    await Promise.all(
      Array.from({ length: 300 }, (_, j) =>
        s3.send(
          new PutObjectCommand({
            Bucket: 'mcfpipe-dev-raw',
            Key: `raw/${j}.json`,
            Body: '{"v":2}',
          }),
        ),
      ),
    );
    await Promise.all(
      Array.from({ length: 100 }, (_, j) =>
        s3.send(
          new DeleteObjectCommand({ Bucket: 'mcfpipe-dev-raw', Key: `raw/${1_000 + j}.json` }),
        ),
      ),
    );
    await ecr.send(
      new CreateRepositoryCommand({ repositoryName: 'mcfpipe-dev/webscraper', tags: OWNED }),
    );
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/mcfpipe-dev-tester' }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/other-app' }));
  }, 60_000);
  afterAll(async () => {
    for (const c of Object.values(clients)) c?.destroy();
    await moto?.stop();
  });

  const inputs = {
    env: 'dev',
    buckets: 'mcfpipe-dev-*\nuntagged-bucket',
    'ecr-repositories': 'mcfpipe-dev/*',
    'log-groups': '/ecs/mcfpipe-dev-*',
  };
  const versions = async () =>
    await clients.s3.send(new ListObjectVersionsCommand({ Bucket: 'mcfpipe-dev-raw' }));

  it('a dry run lists everything with counts and sizes, and changes nothing', async () => {
    const run = await runBundledAction({
      script: MAIN,
      inputs: { ...inputs, 'dry-run': 'true' },
      env: moto.env,
    });
    // The untagged bucket is refused, so the dry run fails as the real run would.
    expect(run.exitCode, run.stdout).toBe(1);
    const would = JSON.parse(run.outputs['would-delete']!);
    expect(would).toEqual(
      expect.arrayContaining([
        { kind: 'stack', name: 'mcfpipe-dev-tester', reason: 'CREATE_COMPLETE, 1 resource' },
        {
          kind: 'bucket',
          name: 'mcfpipe-dev-raw',
          reason: expect.stringMatching(/^1,500 object versions, 100 delete markers, [\d.]+ KiB$/),
        },
        { kind: 'repository', name: 'mcfpipe-dev/webscraper', reason: '0 images, 0 bytes' },
        {
          kind: 'log group',
          name: '/ecs/mcfpipe-dev-tester',
          reason: expect.stringMatching(/ stored$/),
        },
      ]),
    );
    expect(would).toHaveLength(4);
    expect(JSON.parse(run.outputs.refused!)).toEqual([
      {
        kind: 'bucket',
        name: 'untagged-bucket',
        reason: 'not tagged mcfpipe:managed-by=mcfpipe; set force: true to delete it anyway',
      },
    ]);
    expect(run.summary).toContain('## cleanup-resources: dry run (nothing changed)');
    const page = await versions();
    expect((page.Versions?.length ?? 0) + (page.DeleteMarkers?.length ?? 0)).toBe(1_000);
    expect(page.IsTruncated).toBe(true);
    const stacks = await clients.cfn.send(
      new DescribeStacksCommand({ StackName: 'mcfpipe-dev-tester' }),
    );
    expect(stacks.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
  });

  it("deletes everything that is mcfpipe's, refuses the untagged bucket, and a rerun finds it all gone", async () => {
    const run = await runBundledAction({ script: MAIN, inputs, env: moto.env });
    expect(run.exitCode, run.stdout).toBe(1);
    expect(run.stdout).toContain('::error::Cleanup incomplete: 0 failures, 1 refused (4 deleted).');
    const deleted = JSON.parse(run.outputs.deleted!);
    expect(deleted.map((o: { name: string }) => o.name).sort()).toEqual([
      '/ecs/mcfpipe-dev-tester',
      'mcfpipe-dev-raw',
      'mcfpipe-dev-tester',
      'mcfpipe-dev/webscraper',
    ]);
    expect(deleted.find((o: { name: string }) => o.name === 'mcfpipe-dev-raw').reason).toMatch(
      /^emptied \(1,500 object versions, 100 delete markers, [\d.]+ KiB\) and deleted$/,
    );
    const buckets = await clients.s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual(['untagged-bucket']);
    const repos = await clients.ecr.send(new DescribeRepositoriesCommand({}));
    expect(repos.repositories).toEqual([]);
    const groups = await clients.logs.send(new DescribeLogGroupsCommand({}));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['/ecs/other-app']);
    await expect(
      clients.cfn.send(new DescribeStacksCommand({ StackName: 'mcfpipe-dev-tester' })),
    ).rejects.toThrow(/does not exist/);

    const again = await runBundledAction({
      script: MAIN,
      inputs: {
        stacks: 'mcfpipe-dev-tester',
        buckets: 'mcfpipe-dev-raw',
        'log-groups': '/ecs/mcfpipe-dev-tester',
      },
      env: moto.env,
    });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(JSON.parse(again.outputs.deleted!).map((o: { reason: string }) => o.reason)).toEqual([
      'already gone',
      'already gone',
      'already gone',
    ]);
  });
});
