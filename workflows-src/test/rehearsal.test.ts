/**
 * The rehearsal: the generated workflows run end to end against moto (an AWS
 * emulator on 127.0.0.1), in the order a person runs them in a new account,
 * in one environment: setup, db-api, tester, webscraper, deploy (the four again,
 * as deploy.yml calls them, into a second environment), drift, cleanup. Each runs
 * through the local runner (rehearsal/runner.ts): GitHub's parser reads the
 * YAML, expressions are evaluated with @actions/expressions, ./actions/* run
 * from their committed bundles, run: steps in bash. The steps that need
 * GitHub or Docker are the stand-ins of rehearsal/stand-ins.ts; the moto
 * differences met on the way are handled in rehearsal/moto.ts, each next to
 * its workaround, and CloudFormation drift detection, which moto lacks, is
 * answered with replayed AWS answers (rehearsal/drift-replay.ts). After each
 * workflow the test asserts the state it leaves.
 */
import { execFileSync } from 'node:child_process';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeInternetGatewaysCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeClustersCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListTaskDefinitionFamiliesCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_CONTRACT } from '../../cloudformation/checks/templates.js';
import { DEFAULT_SCHEMA } from '../../cloudformation/tables/cli.js';
import { readSchemaFile } from '../../cloudformation/tables/schema-file.js';
import { type MotoServer, motoAvailable, startMoto } from '../../core/testing/moto.js';
import { tierAvailable } from '../../core/testing/tiers.js';
import { DbApiClient } from '../../runtime/db-api/client.js';
import { jobId, seedTables } from '../../sheets/testing/fixtures.js';
import { ROOT } from '../local-actions.js';
import {
  DriftReplay,
  type ScriptedDetection,
  type ScriptedResourceDrift,
} from '../rehearsal/drift-replay.js';
import { DbApiOverMoto, type GoogleStandIn, startGoogle } from '../rehearsal/local-services.js';
import { immediateEcsTasks, listImports, motoHooks } from '../rehearsal/moto.js';
import { type Endpoint, queryProxy } from '../rehearsal/query-proxy.js';
import { LocalRunner, type RunnerOptions, type WorkflowRun } from '../rehearsal/runner.js';
import { standIns } from '../rehearsal/stand-ins.js';

/** The run: steps call the AWS CLI, as they do on GitHub's runners (required in CI, like moto). */
function awsCliAvailable(): boolean {
  let found = true;
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    found = false;
  }
  return tierAvailable(
    'workflow rehearsal',
    found,
    'the AWS CLI is not installed (pip install awscli, or AWS CLI v2)',
    'MCFPIPE_REQUIRE_MOTO',
  );
}

const available = motoAvailable() && awsCliAvailable();
const REGION = 'ap-southeast-1';
const ACCOUNT = '123456789012';
const ENV = 'dev';
const BUCKET = `mcfpipe-config-${ENV}-${ACCOUNT}-${REGION}`;
/** The environment deploy.yml deploys to (MCFPIPE_DEPLOY_ENVIRONMENT): a new one, from nothing. */
const DEPLOY_ENV = 'staging';
const SHARDS = 3;
const SPREADSHEET = 'rehearsal_spreadsheet_0123456789';
/** Jobs in the tables before the scrape (what earlier scrapes stored). */
const JOBS = 6;
/** The network layer's contract: the outputs every later layer reads. */
const NETWORK_OUTPUTS = OUTPUT_CONTRACT.network.outputs;

/** The tables db_schema.json declares: the ones the db-api stack creates. */
function readSchemaTables(): string[] {
  return Object.keys(readSchemaFile(DEFAULT_SCHEMA).tables);
}

/** Fails with the log of every failed step, so a red rehearsal says why. */
function expectSucceeded(run: WorkflowRun): void {
  if (process.env.MCFPIPE_REHEARSAL_TIMES) {
    for (const st of run.steps) console.log(`${run.file} ${st.job} ${st.id} ${st.durationMs} ms`);
  }
  const failed = run.steps.filter((s) => s.outcome === 'failure');
  if (failed.length || !run.ok) {
    throw new Error(
      `${run.file} failed:\n${failed
        .map((s) => `--- ${s.job} / ${s.name}\n${s.log.slice(-4000)}`)
        .join('\n')}`,
    );
  }
}

describe.skipIf(!available)('rehearsal: the workflows run end to end against moto', () => {
  let moto: MotoServer;
  let endpoint: Endpoint;
  const drift = new DriftReplay();
  let runner: LocalRunner;
  let runnerOptions: RunnerOptions;
  let dbApi: DbApiOverMoto;
  let google: GoogleStandIn;
  let vpcId = '';
  let s3: S3Client;
  const clients: { destroy(): void }[] = [];
  const aws = <T extends { destroy(): void }>(C: new (c: object) => T): T => {
    const c = new C({ ...moto.clientConfig, region: REGION });
    clients.push(c);
    return c;
  };
  const config = async (key: string) => {
    const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return JSON.parse(await body.Body!.transformToString()) as {
      OutputKey: string;
      OutputValue: string;
    }[];
  };
  const value = (doc: { OutputKey: string; OutputValue: string }[], key: string) =>
    doc.find((o) => o.OutputKey === key)?.OutputValue;

  beforeAll(async () => {
    moto = await startMoto(REGION);
    await immediateEcsTasks(moto);
    // The endpoint every AWS client of the workflows uses: moto, with what it lacks answered.
    endpoint = await queryProxy(moto.endpoint, [listImports, drift.answer]);
    dbApi = new DbApiOverMoto(moto, REGION, `mcfpipe-${ENV}-`);
    google = await startGoogle(SPREADSHEET);
    s3 = new S3Client({ ...moto.clientConfig, region: REGION, forcePathStyle: true });
    clients.push(s3);
    runnerOptions = {
      workspace: ROOT,
      repository: 'octo-org/mcfpipe',
      // The runner machine's environment: no credentials (they come from the credentials
      // step), and every AWS client pointed at moto, as a self-hosted runner could be.
      machineEnv: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        LANG: 'C.UTF-8',
        AWS_ENDPOINT_URL: endpoint.endpoint,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        // Google's API on the local Sheets server, as the AWS clients are on moto.
        SHEETS_API_URL: google.sheets.url,
      },
      vars: {
        AWS_REGION: REGION,
        AWS_DEPLOY_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/mcfpipe-${ENV}-deployer`,
        AWS_SYNC_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/mcfpipe-${ENV}-sheets-sync`,
        SHEETS_SPREADSHEET_ID: SPREADSHEET,
        MCFPIPE_DEPLOY_ENVIRONMENT: DEPLOY_ENV,
      },
      secrets: { GOOGLE_SERVICE_ACCOUNT_KEY: google.keyJson },
      standIns: standIns(moto, ROOT),
      hooks: motoHooks(moto, { workspace: ROOT, dbApi }),
    };
    runner = new LocalRunner(runnerOptions);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await dbApi?.close();
    await google?.sheets.close();
    await endpoint?.close();
    await moto?.stop();
  });

  it('setup: the config bucket, global_config.json, the network stack and network_config.json with its seven outputs', async () => {
    const run = await runner.run('setup.yml', {
      event: 'workflow_dispatch',
      inputs: { environment: ENV },
    });
    expectSucceeded(run);
    expect(run.jobs.network?.environment).toBe(ENV);
    expect(run.jobs.network?.concurrency).toBe(`mcfpipe-${ENV}-network`);

    const tags = await s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }));
    expect(tags.TagSet).toEqual(
      expect.arrayContaining([
        { Key: 'mcfpipe:env', Value: ENV },
        { Key: 'mcfpipe:managed-by', Value: 'mcfpipe' },
      ]),
    );
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe(
      'Enabled',
    );

    const global = await config('mcfpipe/aws/global/global_config.json');
    expect(value(global, 'Env')).toBe(ENV);
    expect(value(global, 'AccountId')).toBe(ACCOUNT);
    expect(value(global, 'ConfigBucket')).toBe(BUCKET);

    const network = await config('mcfpipe/aws/network/network_config.json');
    expect(network.map((o) => o.OutputKey).sort()).toEqual([...NETWORK_OUTPUTS].sort());
    const stackOutputs = run.step('network').outputs;
    vpcId = stackOutputs.VpcId!;
    for (const key of NETWORK_OUTPUTS) {
      expect(value(network, key), key).toMatch(/^(vpc|subnet|sg)-[0-9a-f]+$/);
      expect(value(network, key), key).toBe(stackOutputs[key]);
    }
  }, 120_000);

  it('db-api: the tables of db_schema.json, the Lambda bundle in the bucket, db_api_config.json with ApiUrl', async () => {
    const run = await runner.run('db-api.yml', {
      event: 'workflow_dispatch',
      inputs: { environment: ENV },
    });
    expectSucceeded(run);

    const { TableNames = [] } = await aws(DynamoDBClient).send(new ListTablesCommand({}));
    const expected = readSchemaTables().map((t) => `mcfpipe-${ENV}-${t}`);
    expect(TableNames.filter((t) => t.startsWith(`mcfpipe-${ENV}-`)).sort()).toEqual(
      expected.sort(),
    );
    const job = await aws(DynamoDBClient).send(
      new DescribeTableCommand({ TableName: `mcfpipe-${ENV}-job` }),
    );
    expect(job.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');

    const code = run.step('code').outputs;
    expect(code.bucket).toBe(BUCKET);
    expect(code.key).toMatch(/^mcfpipe\/db-api\/lambda-[0-9a-f]{16}\.zip$/);
    const zip = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: code.key }));
    expect((await zip.Body!.transformToByteArray()).subarray(0, 2)).toEqual(
      new Uint8Array([0x50, 0x4b]),
    );

    const api = await config('mcfpipe/aws/db-api/db_api_config.json');
    expect(value(api, 'ApiUrl')).toMatch(
      /^https:\/\/.+\.execute-api\.ap-southeast-1\.amazonaws\.com$/,
    );
    expect(value(api, 'TableNamePrefix')).toBe(`mcfpipe-${ENV}-`);
  }, 180_000);

  it('tester: the image pushed once, the stack, and the tester task started with DB_API_URL from db_api_config.json', async () => {
    const run = await runner.run('tester.yml', {
      event: 'workflow_dispatch',
      inputs: { environment: ENV },
    });
    expectSucceeded(run);
    const image = run.step('image').outputs;
    expect(image.exists).toBe('false');
    expect(run.step('build').standIn).toMatch(/docker buildx build --push/);
    const repo = `mcfpipe-${ENV}-tester`;
    const { imageDetails = [] } = await aws(ECRClient).send(
      new DescribeImagesCommand({ repositoryName: repo }),
    );
    expect(imageDetails.flatMap((d) => d.imageTags ?? [])).toEqual([image.tag]);
    expect(image.tag).toMatch(/^src-[0-9a-f]{16}$/);

    const tasks = await startedTasks(`mcfpipe-${ENV}-tester`, run.step('run').outputs['task-arns']);
    expect(tasks).toHaveLength(1);
    const apiUrl = value(await config('mcfpipe/aws/db-api/db_api_config.json'), 'ApiUrl');
    expect(environmentOf(tasks[0]!).DB_API_URL).toBe(apiUrl);
    expect(run.step('run').outputs['exit-code']).toBe('0');
    expect(run.jobs.tester?.summary).toContain('run-fargate-task');

    // Again, unchanged: the image is found in ECR and not built, the stack is left as it is.
    const again = await runner.run('tester.yml', {
      event: 'workflow_dispatch',
      inputs: { environment: ENV },
    });
    expectSucceeded(again);
    expect(again.step('image').outputs.exists).toBe('true');
    expect(again.step('build').outcome).toBe('skipped');
    expect(again.step('stack').outputs.changed).toBe('false');
  }, 240_000);

  it(`webscraper: ${SHARDS} shards with disjoint SHARD_INDEX, and each shard's summary in the job summary`, async () => {
    // What earlier scrapes and scorings stored, in the environment's tables (moto runs no
    // scraper container): one user's profile, jobs, their job_search and job_score rows, and
    // two CRM rows.
    const seed = seedTables({ jobs: JOBS, crm: 2 });
    for (const [id, job] of seed.table('job')) {
      job.description = `We are hiring a data engineer to build Spark and SQL pipelines on AWS (${id}).`;
      job.skills = ['Spark', 'SQL', 'Python'];
      seed.table('job_search').set(`me:${id}`, {
        job_s_id: `me:${id}`,
        user_id: 'me',
        job_id: id,
        track_id: 'me:data-engineering',
        search_term: 'data engineer',
        first_seen: '2026-12-01 08:00',
        last_seen: '2026-12-01 08:00',
      });
    }
    const api = new DbApiClient({ url: await dbApi.url() });
    for (const table of [
      'track',
      'keyword',
      'config',
      'job',
      'job_search',
      'job_score',
      'crm',
    ] as const)
      await api.batch(table, [...seed.table(table).values()] as never);

    const run = await runner.run('webscraper.yml', {
      event: 'workflow_dispatch',
      inputs: { environment: ENV, shards: String(SHARDS) },
    });
    expectSucceeded(run);
    expect(run.jobs.scrape?.concurrency).toBe(`mcfpipe-${ENV}-webscraper-scrape`);
    const tasks = await startedTasks(
      `mcfpipe-${ENV}-webscraper`,
      run.step('run').outputs['task-arns'],
    );
    expect(tasks).toHaveLength(SHARDS);
    const shards = tasks.map((t) => environmentOf(t));
    expect(shards.map((e) => Number(e.SHARD_INDEX)).sort()).toEqual([0, 1, 2]);
    for (const e of shards) {
      expect(e.SHARD_COUNT).toBe(String(SHARDS));
      expect(e.SCRAPER_FORCE).toBe('false');
    }
    const summary = run.jobs.scrape!.summary;
    expect(summary).toContain(`## Scrape: ${SHARDS} shard(s)`);
    for (const shard of [0, 1, 2])
      expect(summary).toMatch(new RegExp(`\\| ${shard} \\| complete \\| 3 \\| ${250 + shard} \\|`));
    expect(summary).toContain('| all | | 9 | 753 |');
    const published = await config('mcfpipe/aws/webscraper/webscraper_config.json');
    expect(value(published, 'StateLocation')).toBe(
      `s3://${BUCKET}/mcfpipe/webscraper/mcfpipe-${ENV}/state`,
    );

    // After the shards, one after the other: score (a task), sync (skipped: no Google key
    // here), report (a task), each on the stages task definition with its command.
    for (const [job, command] of [
      ['score', 'score'],
      ['report', 'report'],
    ] as const) {
      const [task] = await startedTasks(
        `mcfpipe-${ENV}-webscraper`,
        run.step(command, job).outputs['task-arns'],
      );
      expect(task?.taskDefinitionArn, job).toMatch(
        /task-definition\/mcfpipe-dev-webscraper-stages:/,
      );
      expect(task?.overrides?.containerOverrides?.[0]?.command, job).toEqual([command]);
      expect(run.jobs[job]?.concurrency).toBe(`mcfpipe-${ENV}-webscraper-${job}`);
    }
    // Scoring ran (the command of the score task, against the environment's tables): every
    // job of the user has a score of this scoring, its statistics are in the bucket, and the
    // job summary has the user's row.
    const scores = [];
    for await (const row of api.listAll('job_score', { where: { user_id: 'me' } }))
      scores.push(row);
    expect(scores).toHaveLength(JOBS);
    for (const row of scores) expect(row.scoring_version, row.job_s_id).toMatch(/\S/);
    await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `mcfpipe/${ENV}/scoring/stats/me.json` }),
    );
    expect(run.jobs.score!.summary).toMatch(new RegExp(`\\| me \\| ${JOBS} \\| ${JOBS} \\|`));

    // The sync ran on the runner with the key from the secret: every scored job is a row of
    // the jobs tab, and the sync's report is in the job summary. The key is in no log.
    expect(run.jobs.sync?.result).toBe('success');
    expect(run.step('sync', 'sync').outcome).toBe('success');
    const jobsTab = google.sheets.book(SPREADSHEET).values('jobs');
    const keys = jobsTab.slice(1).map((row) => row[jobsTab[0]!.indexOf('job_s_id')]);
    expect(keys.sort()).toEqual(Array.from({ length: JOBS }, (_, n) => `me:${jobId(n)}`).sort());
    expect(run.jobs.sync!.summary).toMatch(/CRM sync: (?!failed)\w+/);
    const privateKey = (JSON.parse(google.keyJson) as { private_key: string }).private_key;
    const secretLine = privateKey.split('\n')[1]!;
    for (const step of run.steps) {
      expect(step.log, step.name).not.toContain(secretLine);
      expect(step.summary, step.name).not.toContain(secretLine);
    }
    // The report ran (the report task's command): the analytics file and the page are in the
    // bucket under the environment, and the job summary has its totals and the console link.
    const html = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `mcfpipe/${ENV}/report/report.html` }),
    );
    expect(await html.Body!.transformToString()).toMatch(/<svg/);
    const sqlite = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `mcfpipe/${ENV}/report/analytics.sqlite` }),
    );
    expect(
      Buffer.from(await sqlite.Body!.transformToByteArray())
        .subarray(0, 15)
        .toString(),
    ).toBe('SQLite format 3');
    expect(run.jobs.report!.summary).toMatch(new RegExp(`\\| me \\| [^|]+ \\| ${JOBS} \\| 2 \\|`));
    const report = run.jobs.report!.summary;
    expect(report).toContain(
      `[report.html](https://${REGION}.console.aws.amazon.com/s3/object/${BUCKET}?region=${REGION}&prefix=mcfpipe%2F${ENV}%2Freport%2Freport.html)`,
    );
  }, 240_000);

  const LAYERS = ['network', 'db-api', 'tester', 'webscraper'] as const;

  /** The workflow_run event deploy.yml starts on: ci completed on a push to main. */
  const ciCompleted = (conclusion: string, headSha: string) => ({
    event: 'workflow_run' as const,
    payload: {
      workflow_run: {
        name: 'ci',
        conclusion,
        event: 'push',
        head_branch: 'main',
        head_sha: headSha,
      },
    },
  });

  it(`deploy: after ci passes on a push to main, every layer is deployed to ${DEPLOY_ENV} in order (setup, db-api, then tester and webscraper, deploy only) through its reusable workflow, with the tested commit`, async () => {
    const sha = 'c0ffee'.padEnd(40, '0');
    const run = await runner.run('deploy.yml', ciCompleted('success', sha));
    expectSucceeded(run);
    const order = ['setup', 'db-api', 'tester', 'webscraper'];
    expect(Object.keys(run.jobs)).toEqual(order);
    for (const layer of order) {
      const job = run.jobs[layer]!;
      expect(job.result, layer).toBe('success');
      expect(job.workflow, layer).toBe(`${layer}.yml`);
      expect(job.inputs, layer).toMatchObject({ environment: DEPLOY_ENV, ref: sha });
    }
    // Each layer's steps ran after all of the layer it needs.
    const span = (layer: string) => {
      const own = new Set(Object.values(run.jobs[layer]!.called!).flatMap((j) => j.steps));
      const at = run.steps.flatMap((st, i) => (own.has(st) ? [i] : []));
      return { first: Math.min(...at), last: Math.max(...at) };
    };
    expect(span('setup').last).toBeLessThan(span('db-api').first);
    expect(span('db-api').last).toBeLessThan(span('tester').first);
    expect(span('db-api').last).toBeLessThan(span('webscraper').first);
    // The called jobs checked out the commit ci tested, in the environment deployed to.
    const checkouts = run.steps.filter((st) => st.uses?.startsWith('actions/checkout'));
    expect(checkouts.length).toBeGreaterThanOrEqual(order.length);
    for (const st of checkouts) expect(st.inputs.ref, `${st.job} checkout`).toBe(sha);
    expect(run.jobs.setup!.called!.network!.environment).toBe(DEPLOY_ENV);
    // Every layer's stack exists in the new environment.
    const cfn = aws(CloudFormationClient);
    const stackOf = async (layer: string) =>
      (await cfn.send(new DescribeStacksCommand({ StackName: `mcfpipe-${DEPLOY_ENV}-${layer}` })))
        .Stacks![0]!;
    for (const layer of LAYERS)
      expect((await stackOf(layer)).StackStatus, layer).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
    // What one layer publishes reaches the next: the webscraper stack runs in the network
    // layer's subnets and security group, and the tester task got the db-api layer's URL.
    const network = await stackOf('network');
    const out = (key: string) => network.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
    const scraperParameters = Object.fromEntries(
      ((await stackOf('webscraper')).Parameters ?? []).map((p) => [
        p.ParameterKey,
        p.ParameterValue,
      ]),
    );
    // (moto shows a CommaDelimitedList parameter as a Python list: compare the ids.)
    const ids = (v = '') => v.match(/\b(?:subnet|sg)-[0-9a-f]+/g) ?? [];
    expect(ids(scraperParameters.SubnetIds)).toEqual([
      out('PublicSubnet1Id'),
      out('PublicSubnet2Id'),
    ]);
    expect(ids(scraperParameters.SecurityGroupIds)).toEqual([out('SGPrivate')]);
    const deployBucket = `mcfpipe-config-${DEPLOY_ENV}-${ACCOUNT}-${REGION}`;
    const apiDoc = await s3.send(
      new GetObjectCommand({ Bucket: deployBucket, Key: 'mcfpipe/aws/db-api/db_api_config.json' }),
    );
    const apiUrl = value(JSON.parse(await apiDoc.Body!.transformToString()), 'ApiUrl');
    const [testerTask] = await startedTasks(
      `mcfpipe-${DEPLOY_ENV}-tester`,
      run.step('run', 'tester').outputs['task-arns'],
    );
    expect(environmentOf(testerTask!).DB_API_URL).toBe(apiUrl);
    // webscraper deploys only: with scrape false no shard, score, sync or report job runs.
    const scraper = run.jobs.webscraper!.called!;
    expect(scraper.deploy!.result).toBe('success');
    for (const job of ['scrape', 'score', 'sync', 'report'])
      expect(scraper[job]?.result, job).toBe('skipped');
  }, 240_000);

  it('deploy: a layer that fails stops the layers after it, which are skipped, and fails the run; a failed ci deploys nothing', async () => {
    const failing = new LocalRunner({
      ...runnerOptions,
      standIns: [
        {
          match: { workflow: 'db-api.yml', uses: 'actions/checkout' },
          standsFor: 'actions/checkout of a commit the runner cannot fetch',
          async run() {
            throw new Error('fatal: reference is not a tree');
          },
        },
        ...standIns(moto, ROOT),
      ],
    });
    const run = await failing.run('deploy.yml', ciCompleted('success', 'f'.repeat(40)));
    expect(run.ok).toBe(false);
    expect(run.jobs.setup?.result).toBe('success');
    expect(run.jobs['db-api']?.result).toBe('failure');
    expect(run.jobs.tester?.result).toBe('skipped');
    expect(run.jobs.webscraper?.result).toBe('skipped');
    expect(run.steps.some((st) => st.job === 'tester' || st.job === 'deploy')).toBe(false);
    expect(run.step('stack', 'db-api').outcome).toBe('skipped');

    const skipped = await runner.run('deploy.yml', ciCompleted('failure', 'f'.repeat(40)));
    expect(skipped.ok).toBe(true);
    expect(Object.values(skipped.jobs).map((j) => j.result)).toEqual([
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(skipped.steps).toEqual([]);
  }, 120_000);

  /**
   * What drift detection finds on each layer stack: every resource moto holds for it,
   * IN_SYNC, but for the changes given (logical id -> drift); the tester stack's detection
   * reports IN_PROGRESS once before it completes.
   */
  async function driftScript(
    changes: Record<string, Partial<ScriptedResourceDrift>> = {},
  ): Promise<Record<string, ScriptedDetection>> {
    const script: Record<string, ScriptedDetection> = {};
    for (const layer of LAYERS) {
      const stack = `mcfpipe-${ENV}-${layer}`;
      const { StackResourceSummaries = [] } = await aws(CloudFormationClient).send(
        new ListStackResourcesCommand({ StackName: stack }),
      );
      expect(StackResourceSummaries.length, stack).toBeGreaterThan(0);
      script[stack] = {
        inProgressPolls: layer === 'tester' ? 1 : 0,
        resources: StackResourceSummaries.map((r) => ({
          LogicalResourceId: r.LogicalResourceId!,
          PhysicalResourceId: r.PhysicalResourceId ?? '',
          ResourceType: r.ResourceType!,
          StackResourceDriftStatus: 'IN_SYNC',
          ...changes[`${layer}/${r.LogicalResourceId}`],
        })),
      };
    }
    return script;
  }

  it("drift: the webscraper stack's log group changed outside CloudFormation fails the job, naming the stack, the resource and the difference; the other stacks are reported in sync", async () => {
    const { Stacks = [] } = await aws(CloudFormationClient).send(
      new DescribeStacksCommand({ StackName: `mcfpipe-${ENV}-webscraper` }),
    );
    const retention = Stacks[0]?.Parameters?.find(
      (p) => p.ParameterKey === 'LogRetentionDays',
    )?.ParameterValue;
    expect(retention).toMatch(/^\d+$/);
    // Someone shortened the scraper's log retention to 1 day in the console.
    drift.play(
      await driftScript({
        'webscraper/LogGroup': {
          StackResourceDriftStatus: 'MODIFIED',
          PropertyDifferences: [
            {
              PropertyPath: '/RetentionInDays',
              ExpectedValue: retention!,
              ActualValue: '1',
              DifferenceType: 'NOT_EQUAL',
            },
          ],
        },
      }),
    );
    const run = await runner.run('drift.yml', {
      event: 'workflow_dispatch',
      inputs: { environment: ENV },
    });
    if (process.env.MCFPIPE_REHEARSAL_TIMES) {
      for (const st of run.steps) console.log(`${run.file} ${st.job} ${st.id} ${st.durationMs} ms`);
    }
    const job = run.jobs.drift!;
    expect(run.ok).toBe(false);
    expect(job.result).toBe('failure');
    expect(job.legs?.map((l) => l.matrix)).toEqual([{ environment: ENV }]);
    expect(job.legs?.[0]?.environment).toBe(ENV);
    expect(job.legs?.[0]?.concurrency).toBe(`mcfpipe-${ENV}-drift`);

    // Every layer was checked (fail-on-drift off: a drifted stack does not stop the others),
    // and the detection that was still running was waited for.
    for (const layer of LAYERS) {
      const step = run.step(layer.replace(/-/g, '_'));
      expect(step.outcome, layer).toBe('success');
      expect(step.outputs['drift-status'], layer).toBe(
        layer === 'webscraper' ? 'DRIFTED' : 'IN_SYNC',
      );
      expect(step.outputs['drifted-resources'], layer).toBe(layer === 'webscraper' ? '1' : '0');
    }
    expect(
      drift.calls
        .filter((c) => c.stackName === `mcfpipe-${ENV}-tester`)
        .map((c) => c.detectionStatus ?? c.action),
    ).toEqual([
      'DetectStackDrift',
      'DETECTION_IN_PROGRESS',
      'DETECTION_COMPLETE',
      'DescribeStackResourceDrifts',
    ]);

    // The verdict fails the job naming the drifted stack's layer, and only it.
    const verdict = run.steps.find((st) => st.name === 'Verdict')!;
    expect(verdict.outcome).toBe('failure');
    expect(verdict.annotations).toEqual([
      'Changed outside CloudFormation: webscraper (1 resource). The job summary lists each resource; redeploy the layer or bring the change into its template.',
    ]);
    // The webscraper step's log names the resource and the difference.
    expect(run.step('webscraper').log).toContain('MODIFIED  LogGroup  AWS::Logs::LogGroup');
    expect(run.step('webscraper').log).toContain(
      `/RetentionInDays NOT_EQUAL: expected ${retention}, actual 1`,
    );

    // The job summary: the drifted stack with its resource and property difference, the
    // others in sync.
    expect(job.summary).toContain(
      `## deploy-stack: <code>mcfpipe-${ENV}-webscraper</code>: drift drifted (1 resource)`,
    );
    expect(job.summary).toContain(
      `| \`LogGroup\` | AWS::Logs::LogGroup | MODIFIED (NOT_EQUAL) | \`/RetentionInDays\` | ${retention} | 1 |`,
    );
    for (const layer of ['network', 'db-api', 'tester'])
      expect(job.summary).toContain(
        `## deploy-stack: <code>mcfpipe-${ENV}-${layer}</code>: drift in sync`,
      );
    expect(job.summary.match(/drift drifted/g)).toHaveLength(1);
  }, 120_000);

  it('drift: the weekly run does nothing while MCFPIPE_DRIFT_ENVIRONMENTS is unset', async () => {
    drift.play(await driftScript());
    const run = await runner.run('drift.yml', { event: 'schedule' });
    expect(run.ok).toBe(true);
    expect(run.jobs.drift?.result).toBe('skipped');
    expect(run.steps).toEqual([]);
    expect(drift.calls).toEqual([]);
  }, 60_000);

  it('drift: every stack in sync passes, saying so', async () => {
    drift.play(await driftScript());
    const run = await runner.run('drift.yml', {
      event: 'workflow_dispatch',
      inputs: { environment: ENV },
    });
    expectSucceeded(run);
    const verdict = run.steps.find((st) => st.name === 'Verdict')!;
    expect(verdict.log).toContain('No drift.');
    expect(verdict.annotations).toEqual([]);
    for (const layer of LAYERS)
      expect(run.jobs.drift!.summary).toContain(
        `## deploy-stack: <code>mcfpipe-${ENV}-${layer}</code>: drift in sync`,
      );
    expect(drift.calls.filter((c) => c.action === 'DetectStackDrift')).toHaveLength(4);
  }, 120_000);

  it('cleanup refuses a real run whose confirm does not repeat the environment, before any AWS call', async () => {
    const run = await runner.run('cleanup.yml', {
      event: 'workflow_dispatch',
      inputs: { environment: ENV, confirm: 'prod', 'dry-run': false },
    });
    expect(run.ok).toBe(false);
    expect(run.steps[0]?.annotations.join('\n')).toMatch(/Run again with confirm set to dev/);
    expect(run.steps.slice(1).every((s) => s.outcome === 'skipped')).toBe(true);
    expect(await stackNames()).toHaveLength(4);
  }, 60_000);

  it('cleanup is a dry run by default: everything listed, nothing deleted', async () => {
    const run = await runner.run('cleanup.yml', {
      event: 'workflow_dispatch',
      inputs: { environment: ENV },
    });
    expectSucceeded(run);
    const wouldDelete = JSON.parse(run.step('cleanup').outputs['would-delete']!) as {
      kind: string;
      name: string;
    }[];
    expect(wouldDelete.map((w) => w.name)).toEqual(
      expect.arrayContaining([
        `mcfpipe-${ENV}-network`,
        `mcfpipe-${ENV}-webscraper`,
        BUCKET,
        `mcfpipe-${ENV}-tester`,
      ]),
    );
    expect(await stackNames()).toHaveLength(4);
  }, 120_000);

  it('cleanup with confirm: nothing of the environment is left but the Retain tables, which it lists as kept', async () => {
    const run = await runner.run('cleanup.yml', {
      event: 'workflow_dispatch',
      inputs: { environment: ENV, confirm: ENV, 'dry-run': false },
    });
    expectSucceeded(run);
    const outputs = run.step('cleanup').outputs;
    const kept = JSON.parse(outputs.kept!) as { kind: string; name: string }[];
    const tables = readSchemaTables()
      .map((t) => `mcfpipe-${ENV}-${t}`)
      .sort();
    expect(kept.map((k) => k.name).sort()).toEqual(tables);

    const left = await inventory(vpcId);
    const none: string[] = [];
    expect(left).toEqual({
      stacks: none,
      buckets: none,
      'ecr repositories': none,
      'log groups': none,
      // Kept by design (DeletionPolicy Retain: they hold the data), and listed as kept above.
      tables,
      functions: none,
      roles: none,
      vpcs: none,
      subnets: none,
      'security groups': none,
      // Left by moto, not by AWS: moto's DeleteStack does not delete ECS clusters, task
      // definitions (AWS deregisters the revisions), the internet gateway or VPC endpoints.
      'ecs clusters': [`mcfpipe-${ENV}-tester`, `mcfpipe-${ENV}-webscraper`],
      'task definitions': [
        `mcfpipe-${ENV}-tester`,
        `mcfpipe-${ENV}-webscraper`,
        `mcfpipe-${ENV}-webscraper-stages`,
      ],
      'internet gateways': [expect.stringMatching(/^igw-/)],
      'vpc endpoints': [`com.amazonaws.${REGION}.dynamodb`, `com.amazonaws.${REGION}.s3`],
    });
  }, 180_000);

  async function stackNames(): Promise<string[]> {
    const { StackSummaries = [] } = await aws(CloudFormationClient).send(new ListStacksCommand({}));
    return StackSummaries.filter((s) => s.StackStatus !== 'DELETE_COMPLETE')
      .map((s) => s.StackName!)
      .filter((n) => n.startsWith(`mcfpipe-${ENV}-`))
      .sort();
  }

  /** The tasks as ECS describes them (the step's task-arns output names them). */
  async function startedTasks(cluster: string, arns = ''): Promise<Task[]> {
    const taskArns = arns.split('\n').filter(Boolean);
    if (!taskArns.length) return [];
    const { tasks = [] } = await aws(ECSClient).send(
      new DescribeTasksCommand({ cluster, tasks: taskArns }),
    );
    return tasks;
  }

  /** A list the AWS CLI prints (the run: steps use the same CLI). */
  function awsCli(...args: string[]): string[] {
    const out = execFileSync('aws', [...args, '--output', 'json'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        ...moto.env,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
      },
    });
    return JSON.parse(out) as string[];
  }

  /** Everything named for the environment that is left, by kind. */
  async function inventory(vpcId: string): Promise<Record<string, string[]>> {
    const prefix = `mcfpipe-${ENV}-`;
    const ec2 = aws(EC2Client);
    const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
    const { repositories = [] } = await aws(ECRClient).send(new DescribeRepositoriesCommand({}));
    const { logGroups = [] } = await aws(CloudWatchLogsClient).send(
      new DescribeLogGroupsCommand({}),
    );
    const { TableNames = [] } = await aws(DynamoDBClient).send(new ListTablesCommand({}));
    const functions = awsCli('lambda', 'list-functions', '--query', 'Functions[].FunctionName');
    const roles = awsCli('iam', 'list-roles', '--query', 'Roles[].RoleName');
    const { clusterArns = [] } = await aws(ECSClient).send(new ListClustersCommand({}));
    const { clusters = [] } = clusterArns.length
      ? await aws(ECSClient).send(new DescribeClustersCommand({ clusters: clusterArns }))
      : { clusters: [] };
    const { families = [] } = await aws(ECSClient).send(
      new ListTaskDefinitionFamiliesCommand({ familyPrefix: prefix, status: 'ACTIVE' }),
    );
    const vpc = { Name: 'vpc-id', Values: [vpcId] };
    const { Vpcs = [] } = await ec2.send(new DescribeVpcsCommand({ Filters: [vpc] }));
    const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ Filters: [vpc] }));
    const { SecurityGroups = [] } = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [vpc] }),
    );
    const { InternetGateways = [] } = await ec2.send(
      new DescribeInternetGatewaysCommand({
        Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }],
      }),
    );
    const { VpcEndpoints = [] } = await ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [vpc] }),
    );
    const found: Record<string, string[]> = {
      stacks: await stackNames(),
      buckets: Buckets.map((b) => b.Name!).filter((n) => n.startsWith(`mcfpipe-config-${ENV}-`)),
      'ecr repositories': repositories
        .map((r) => r.repositoryName!)
        .filter((n) => n.startsWith(prefix)),
      'log groups': logGroups.map((g) => g.logGroupName!).filter((n) => n.includes(prefix)),
      tables: TableNames.filter((n) => n.startsWith(prefix)),
      functions: functions.filter((n) => n.startsWith(prefix)),
      roles: roles.filter((n) => n.startsWith(prefix)),
      'ecs clusters': clusters
        .filter((c) => c.status === 'ACTIVE')
        .map((c) => c.clusterName!)
        .filter((n) => n.startsWith(prefix)),
      'task definitions': families,
      vpcs: Vpcs.map((v) => v.VpcId!),
      subnets: Subnets.map((x) => x.SubnetId!),
      'security groups': SecurityGroups.filter((g) => g.GroupName !== 'default').map(
        (g) => g.GroupId!,
      ),
      'internet gateways': InternetGateways.map((g) => g.InternetGatewayId!),
      'vpc endpoints': VpcEndpoints.filter((e) => String(e.State).toLowerCase() !== 'deleted').map(
        (e) => e.ServiceName!,
      ),
    };
    return Object.fromEntries(Object.entries(found).map(([k, v]) => [k, v.sort()]));
  }
});

function environmentOf(task: Task): Record<string, string> {
  const env = task.overrides?.containerOverrides?.[0]?.environment ?? [];
  return Object.fromEntries(env.map((e) => [e.name!, e.value!]));
}
