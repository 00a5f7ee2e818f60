import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { explainError } from '../../../core/errors.js';
import { main } from '../src/action.js';
import { makeContext } from '../src/context.js';
import { testContext } from './fake-cloudformation.js';
import { runStep, TEMPLATE, templateFile } from './run-main.js';

const cfnMock = mockClient(CloudFormationClient);
beforeEach(() => cfnMock.reset());

/** Runs the step; asserts that it failed without any AWS call and returns the message. */
async function failsBeforeAws(inputs: Record<string, string>): Promise<string> {
  const { ctx } = testContext();
  const run = await runStep({ name: 'mcfpipe-dev-jobs', ...inputs }, ctx);
  expect(cfnMock.calls()).toHaveLength(0);
  expect(run.error).toBeDefined();
  return run.error!;
}

describe('bad input fails with a clear message and no AWS call', () => {
  it('missing template file', async () => {
    expect(await failsBeforeAws({ template: 'cloudformation/nope.yaml' })).toBe(
      'Cannot parse template cloudformation/nope.yaml: the file does not exist',
    );
  });

  it('unparsable template: names the file and line', async () => {
    const file = templateFile(
      'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: [a, b\n',
    );
    expect(await failsBeforeAws({ template: file })).toMatch(
      new RegExp(`^Cannot parse template ${file} at line [45]: `),
    );
    const json = templateFile(
      '{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue",}\n  }\n}',
      't.json',
    );
    expect(await failsBeforeAws({ template: json })).toMatch(/at line 3: /);
  });

  it('unknown parameter: lists the declared ones and suggests the near one', async () => {
    const msg = await failsBeforeAws({
      template: templateFile(TEMPLATE),
      parameters: 'Retention=60\nenv=prod\nColour=blue',
    });
    expect(msg).toMatch(/declares no parameter env \(did you mean Env\?\), Colour\.\n/);
    expect(msg).toContain('Parameters it declares: Env, ApiKey, Retention.');
  });

  it('a value outside AllowedValues', async () => {
    expect(
      await failsBeforeAws({
        template: templateFile(TEMPLATE),
        parameters: 'Retention=60\nEnv=qa',
      }),
    ).toMatch(/Env="qa" is not allowed by .*\nAllowed values: dev, staging, prod\./);
  });

  it('invalid stack name', async () => {
    for (const name of ['1stack', 'my_stack', `a${'b'.repeat(128)}`, 'stack name']) {
      const { ctx } = testContext();
      const run = await runStep({ name, template: templateFile(TEMPLATE) }, ctx);
      expect(run.error).toContain(
        `Input "name": ${JSON.stringify(name)} is not valid. Accepted: a CloudFormation stack name`,
      );
    }
    expect(cfnMock.calls()).toHaveLength(0);
  });

  it('missing name', async () => {
    const { ctx } = testContext();
    const run = await runStep({ template: templateFile(TEMPLATE) }, ctx);
    expect(run.error).toBe(
      'Input "name" is required and was not supplied. Give the CloudFormation stack name.',
    );
  });

  it('bad capability name', async () => {
    expect(
      await failsBeforeAws({
        template: templateFile(TEMPLATE),
        capabilities: 'CAPABILITY_IAM, CAPABILITY_ADMIN',
      }),
    ).toBe(
      'Input "capabilities": "CAPABILITY_ADMIN" is not valid. Accepted: any of CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND.',
    );
  });

  it('bad timeout', async () => {
    for (const value of ['0', '90m', '-5', '100000', '1.5']) {
      expect(
        await failsBeforeAws({ template: templateFile(TEMPLATE), 'timeout-minutes': value }),
      ).toBe(
        `Input "timeout-minutes": ${JSON.stringify(value)} is not valid. Accepted: a whole number from 1 to 7200.`,
      );
    }
  });

  it('bad mode, booleans, role, topics, tags and template URL', async () => {
    const t = templateFile(TEMPLATE);
    expect(await failsBeforeAws({ template: t, mode: 'apply' })).toContain(
      'Accepted: one of deploy, plan, drift.',
    );
    expect(await failsBeforeAws({ template: t, 'fail-on-empty': 'maybe' })).toContain(
      'Input "fail-on-empty"',
    );
    expect(await failsBeforeAws({ template: t, 'role-arn': 'cfn-role' })).toContain(
      'Accepted: an IAM role ARN',
    );
    expect(
      await failsBeforeAws({
        template: t,
        'notification-arns': 'arn:aws:sqs:us-east-1:123456789012:q',
      }),
    ).toContain('Input "notification-arns"');
    expect(await failsBeforeAws({ template: t, tags: 'aws:owner=me' })).toContain(
      'not starting with "aws:"',
    );
    expect(await failsBeforeAws({ template: 'ftp://host/t.yaml' })).toContain(
      'Accepted: a file path, an https:// URL or s3://BUCKET/KEY.',
    );
    expect(await failsBeforeAws({ template: t, 'template-bucket': 'Bad_Bucket' })).toContain(
      'Input "template-bucket"',
    );
  });

  it('a parameter without a default left out of a create is caught before any change', async () => {
    // DescribeStacks (read) happens first, to know whether this is a create.
    cfnMock.onAnyCommand().rejects(
      Object.assign(new Error('Stack with id mcfpipe-dev-jobs does not exist'), {
        name: 'ValidationError',
      }),
    );
    const { ctx } = testContext();
    const run = await runStep({ name: 'mcfpipe-dev-jobs', template: templateFile(TEMPLATE) }, ctx);
    expect(run.error).toMatch(
      /^Input "parameters": no value for Retention: \S+template\.yaml gives it no default\.\nAdd Retention=\.\.\. to the "parameters" input\.$/,
    );
    expect(cfnMock.calls().map((c) => (c.args[0] as object).constructor.name)).toEqual([
      'DescribeStacksCommand',
    ]);
  });

  it('a parameters file that does not exist or is malformed', async () => {
    const t = templateFile(TEMPLATE);
    expect(await failsBeforeAws({ template: t, parameters: 'file://missing.json' })).toContain(
      'cannot read missing.json: no such file',
    );
    const dir = mkdtempSync(join(tmpdir(), 'params-'));
    writeFileSync(join(dir, 'p.json'), '[{"ParameterKey": "Retention"}]');
    expect(
      await failsBeforeAws({ template: t, parameters: `file://${join(dir, 'p.json')}` }),
    ).toContain('Input "parameters (');
  });
});

describe('no region or credentials', () => {
  it('says how to configure a region, before any AWS call', async () => {
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    vi.stubEnv('INPUT_NAME', 'mcfpipe-dev-jobs');
    vi.stubEnv('INPUT_TEMPLATE', templateFile(TEMPLATE));
    vi.stubEnv('INPUT_PARAMETERS', 'Retention=60');
    const err = await main(makeContext).catch((e: unknown) => e);
    expect(explainError(err)).toMatch(/^No AWS region configured\. .*configure-aws-credentials/);
    expect(cfnMock.calls()).toHaveLength(0);
  });

  it('says how to configure credentials when none can be found', async () => {
    cfnMock.restore();
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    for (const [k, v] of Object.entries({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      HOME: home,
      INPUT_NAME: 'mcfpipe-dev-jobs',
      INPUT_TEMPLATE: templateFile(TEMPLATE),
      INPUT_PARAMETERS: 'Retention=60',
    })) {
      vi.stubEnv(k, v);
    }
    const err = await main(makeContext).catch((e: unknown) => e);
    expect(explainError(err)).toMatch(
      /^No AWS credentials found\. In a workflow, add aws-actions\/configure-aws-credentials/,
    );
  });
});
