/**
 * Every template of the project, as deployed (db-api merged with the generated
 * tables), against the CloudFormation specification, its own names, the
 * output contract, the security review and the IAM reference. Each check is
 * also shown to fail on a template that breaks its rule.
 */
import { statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTemplate, readTemplate, type Template } from '../../core/cfn-template.js';
import { checkPermissionsBoundaries } from '../checks/boundary-check.js';
import { checkIamPolicies, checkPolicySizes } from '../checks/iam-check.js';
import { formatProblems, type Problem } from '../checks/problems.js';
import { checkReferences } from '../checks/refs-check.js';
import { resolveTemplate } from '../checks/resolve.js';
import { checkSecurity } from '../checks/security-check.js';
import { loadSpec, SpecChecker } from '../checks/spec-check.js';
import {
  type DeployableTemplate,
  deployableTemplates,
  LAYERS,
  OUTPUT_CONTRACT,
  scenarioParameters,
  templateFile,
} from '../checks/templates.js';

let spec: SpecChecker;
let templates: DeployableTemplate[];

beforeAll(async () => {
  spec = new SpecChecker(await loadSpec());
  templates = deployableTemplates();
}, 30_000);

function expectNone(problems: Problem[]) {
  expect(problems, formatProblems(problems)).toEqual([]);
}

function messages(problems: Problem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}

/** A minimal template around some resources, for the failure cases. */
function withResources(resources: Template['Resources'], extra: Partial<Template> = {}): Template {
  return { AWSTemplateFormatVersion: '2010-09-09', Resources: resources ?? {}, ...extra };
}

const TAGS = [
  { Key: 'mcfpipe:env', Value: 'dev' },
  { Key: 'mcfpipe:managed-by', Value: 'mcfpipe' },
];

describe('the project templates', () => {
  it.each(LAYERS)('%s.yaml parses with the short-form intrinsics', (layer) => {
    const { template } = readTemplate(templateFile(layer));
    expect(Object.keys(template.Resources ?? {}).length).toBeGreaterThan(0);
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
  });

  it.each(LAYERS)('%s: every resource type and property exists, required ones are set', (layer) => {
    const t = templates.find((x) => x.layer === layer)!;
    expectNone(spec.check(layer, t.template));
  });

  it.each(LAYERS)('%s: every Ref, GetAtt, Sub variable and Condition resolves', (layer) => {
    const t = templates.find((x) => x.layer === layer)!;
    expectNone(checkReferences(layer, t.template));
  });

  it.each(LAYERS)('%s: passes the security review', (layer) => {
    const t = templates.find((x) => x.layer === layer)!;
    expectNone(checkSecurity(layer, t.template, spec));
  });

  it.each(LAYERS)(
    '%s: IAM actions exist, no wildcards where a narrower resource exists',
    async (layer) => {
      const t = templates.find((x) => x.layer === layer)!;
      expectNone(await checkIamPolicies(layer, t.template));
    },
  );

  it.each(LAYERS)(
    '%s: every role carries the boundary; no IAM write reaches the deploy role or its guards',
    async (layer) => {
      const t = templates.find((x) => x.layer === layer)!;
      expectNone(await checkPermissionsBoundaries(layer, t.template, scenarioParameters(layer)));
    },
  );

  it.each(LAYERS)('%s: every policy fits IAM size quotas once resolved', (layer) => {
    const t = templates.find((x) => x.layer === layer)!;
    expectNone(checkPolicySizes(layer, t.template, scenarioParameters(layer)));
  });

  it.each(LAYERS)('%s: declares the outputs of the contract', (layer) => {
    const t = templates.find((x) => x.layer === layer)!;
    const contract = OUTPUT_CONTRACT[layer];
    const outputs = t.template.Outputs ?? {};
    for (const key of contract.outputs) expect(outputs, key).toHaveProperty(key);
    if (contract.exact) expect(Object.keys(outputs).sort()).toEqual([...contract.outputs].sort());
    if (contract.exported) {
      for (const key of contract.outputs) {
        expect(outputs[key]?.Export?.Name, `${key} is exported`).toEqual({
          'Fn::Sub': `\${AWS::StackName}-${key}`,
        });
      }
    }
  });

  it.each(LAYERS)('%s: takes Env (dev, staging, prod) and NamePrefix', (layer) => {
    const { template } = readTemplate(templateFile(layer));
    expect(template.Parameters?.Env?.AllowedValues).toEqual(['dev', 'staging', 'prod']);
    expect(template.Parameters?.NamePrefix?.Default).toBe('');
    // An empty prefix means mcfpipe-<Env>.
    expect(template.Conditions?.DefaultNamePrefix).toEqual({
      'Fn::Equals': [{ Ref: 'NamePrefix' }, ''],
    });
  });

  it('network: DNS on, gateway endpoints for S3 and DynamoDB, SSH closed by default', () => {
    const { template } = readTemplate(templateFile('network'));
    const r = template.Resources!;
    expect(r.Vpc?.Properties).toMatchObject({ EnableDnsHostnames: true, EnableDnsSupport: true });
    const gateways = Object.values(r)
      .filter(
        (x) => x.Type === 'AWS::EC2::VPCEndpoint' && x.Properties?.VpcEndpointType === 'Gateway',
      )
      .map((x) => (x.Properties!.ServiceName as { 'Fn::Sub': string })['Fn::Sub']);
    expect(gateways.sort()).toEqual([
      'com.amazonaws.${AWS::Region}.dynamodb',
      'com.amazonaws.${AWS::Region}.s3',
    ]);
    // Every interface endpoint is behind a condition (each costs money).
    for (const [id, x] of Object.entries(r)) {
      if (x.Type === 'AWS::EC2::VPCEndpoint' && x.Properties?.VpcEndpointType === 'Interface') {
        expect(x.Condition, id).toBeTypeOf('string');
      }
    }
    expect(template.Parameters?.SshCidr?.Default).toBe('');
    // CloudFormation matches the whole value; /16 (65,536 addresses) at the widest.
    const ssh = new RegExp(template.Parameters?.SshCidr?.AllowedPattern as string);
    for (const ok of [
      '',
      '203.0.113.7/32',
      '203.0.113.0/24',
      '10.1.0.0/16',
      '255.255.255.255/32',
    ]) {
      expect(ssh.test(ok), ok).toBe(true);
    }
    for (const bad of [
      '0.0.0.0/0',
      '10.0.0.0/8',
      '172.16.0.0/12',
      '10.0.0.0/15',
      '203.0.113.7',
      '256.1.1.1/32',
      '203.0.113.7/33',
      '1.2.3.4/32 ',
    ]) {
      expect(ssh.test(bad), bad).toBe(false);
    }
    expect(template.Parameters?.SshCidr?.ConstraintDescription).toMatch(/\/16.*\/32/);
    expect(r.SGPrivate?.Properties?.SecurityGroupIngress).toBeUndefined();
  });

  it('db-api: IAM authorisation by default, routes of API.md, throttling and access logs', () => {
    const { template } = readTemplate(templateFile('db-api'));
    const r = template.Resources!;
    expect(template.Parameters?.AuthType?.Default).toBe('AWS_IAM');
    const routes = Object.values(r)
      .filter((x) => x.Type === 'AWS::ApiGatewayV2::Route')
      .map((x) => [x.Properties?.RouteKey, x.Properties?.AuthorizationType]);
    expect(routes).toEqual([
      ['ANY /{table}', { Ref: 'AuthType' }],
      ['ANY /{table}/{id}', { Ref: 'AuthType' }],
      ['POST /{table}/batch', { Ref: 'AuthType' }],
      ['POST /{table}/batch-get', { Ref: 'AuthType' }],
    ]);
    expect(r.ApiStage?.Properties?.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: { Ref: 'ThrottlingRateLimit' },
      ThrottlingBurstLimit: { Ref: 'ThrottlingBurstLimit' },
    });
    expect(r.ApiStage?.Properties?.AccessLogSettings).toMatchObject({
      DestinationArn: { 'Fn::GetAtt': ['AccessLogGroup', 'Arn'] },
    });
    expect(r.ApiFunction?.Properties?.Environment).toEqual({
      Variables: {
        TABLE_NAME_PREFIX: {
          'Fn::Sub': [
            '${Prefix}-',
            {
              Prefix: {
                'Fn::If': [
                  'DefaultNamePrefix',
                  { 'Fn::Sub': 'mcfpipe-${Env}' },
                  { Ref: 'NamePrefix' },
                ],
              },
            },
          ],
        },
      },
    });
  });

  it('db-api: prod refuses AuthType NONE before anything is created', () => {
    const merged = templates.find((t) => t.layer === 'db-api')!.template;
    const refusals = (parameters: Record<string, string>) =>
      resolveTemplate(merged, {
        parameters: { CodeBucket: 'b-config', CodeKey: 'mcfpipe/db-api/x.zip', ...parameters },
      }).ruleFailures.map((f) => f.rule);
    expect(refusals({ Env: 'prod', AuthType: 'NONE' })).toEqual(['NoOpenApiInProd']);
    expect(refusals({ Env: 'prod', AuthType: 'AWS_IAM' })).toEqual([]);
    expect(refusals({ Env: 'prod' })).toEqual([]);
    // A short-lived test stack elsewhere may still be open.
    expect(refusals({ Env: 'dev', AuthType: 'NONE' })).toEqual([]);
    expect(refusals({ Env: 'staging', AuthType: 'NONE' })).toEqual([]);
  });

  it('db-api: the Lambda role reaches only the generated tables and their indexes', () => {
    const merged = templates.find((t) => t.layer === 'db-api')!.template;
    const tables = Object.entries(merged.Resources!)
      .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')
      .map(([id]) => id);
    expect(tables.length).toBeGreaterThan(0);
    const policy = merged.Resources!.DbApiTablesPolicy!;
    expect(policy.Properties?.RoleName).toEqual({ Ref: 'ApiFunctionRole' });
    const [items, indexes] = (
      policy.Properties!.PolicyDocument as { Statement: Array<{ Resource: unknown[] }> }
    ).Statement;
    expect(items!.Resource).toEqual(tables.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
    expect(indexes!.Resource).toEqual(tables.map((id) => ({ 'Fn::Sub': `\${${id}.Arn}/index/*` })));
    // Nothing else in the template grants DynamoDB.
    const text = JSON.stringify(merged.Resources!.ApiFunctionRole);
    expect(text).not.toContain('dynamodb');
  });

  it('tester and webscraper: the image is an ECR URI with a tag or a digest', () => {
    for (const layer of ['tester', 'webscraper'] as const) {
      const { template } = readTemplate(templateFile(layer));
      const re = new RegExp(template.Parameters?.Image?.AllowedPattern as string);
      const registry = '123456789012.dkr.ecr.ap-southeast-1.amazonaws.com';
      expect(re.test(`${registry}/mcfpipe-${layer}:1f2e3d4`), layer).toBe(true);
      expect(re.test(`${registry}/team/mcfpipe-${layer}@sha256:${'a'.repeat(64)}`), layer).toBe(
        true,
      );
      expect(re.test(`${registry}/mcfpipe-${layer}`), 'no tag').toBe(false);
      expect(re.test(`docker.io/library/node:24`), 'not ECR').toBe(false);
      expect(re.test(`${registry}/mcfpipe-${layer}:latest; rm -rf /`), 'junk').toBe(false);
    }
  });

  it('github-oidc: trusted only for one repository, its main branch or its environment', () => {
    const { template } = readTemplate(templateFile('github-oidc'));
    const trust = template.Resources!.DeployRole!.Properties!.AssumeRolePolicyDocument as {
      Statement: Array<{ Condition: { StringEquals: Record<string, unknown> } }>;
    };
    const cond = trust.Statement[0]!.Condition.StringEquals;
    expect(cond['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    const subs = JSON.stringify(cond['token.actions.githubusercontent.com:sub']);
    expect(subs).toContain('repo:${GitHubRepository}:ref:refs/heads/main');
    expect(subs).toContain('repo:${GitHubRepository}:environment:${Environment}');
    expect(subs).not.toContain('*');
    // The deployer cannot touch its own stack.
    const stacks = JSON.stringify(template.Resources!.StacksPolicy);
    expect(stacks).not.toContain('github-oidc');
    expect(stacks).not.toMatch(/stack\/\$\{Prefix\}-\*/);
  });

  it('github-oidc: fits the 51,200-byte inline template limit, so the documented bootstrap needs no S3 bucket', () => {
    // docs/deploy.md bootstraps it with `aws cloudformation deploy --template-file`,
    // which sends the body inline; above 51,200 bytes that command needs --s3-bucket,
    // and no config bucket exists yet at that point. (The other layers are deployed
    // by deploy-stack, whose template-bucket input handles larger templates.)
    const bytes = statSync(templateFile('github-oidc')).size;
    expect(bytes).toBeLessThanOrEqual(51_200);
  });
});

describe('the checks fail on templates that break their rules', () => {
  it('spec: unknown type, unknown property, missing required property, wrong shape, unknown attribute', () => {
    const t = withResources({
      Thing: { Type: 'AWS::EC2::Nope', Properties: {} },
      Vpc: {
        Type: 'AWS::EC2::VPC',
        Properties: { CidrBlock: '10.0.0.0/16', EnableDnsHostname: true },
      },
      Subnet: { Type: 'AWS::EC2::Subnet', Properties: { CidrBlock: '10.0.0.0/24' } },
      Group: {
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 'a week', Tags: [{ Key: 'x' }] },
      },
      Out: {
        Type: 'AWS::SSM::Parameter',
        Properties: { Type: 'String', Value: { 'Fn::GetAtt': ['Vpc', 'Arn'] } },
      },
    });
    const found = messages(spec.check('bad', t));
    expect(found).toContain('Resources.Thing: unknown resource type AWS::EC2::Nope');
    expect(found).toContain('AWS::EC2::VPC has no property EnableDnsHostname');
    expect(found).toContain('Resources.Subnet.Properties: AWS::EC2::Subnet requires VpcId');
    expect(found).toContain(
      'Resources.Group.Properties.RetentionInDays: expected a number, got "a week"',
    );
    expect(found).toContain('Tags[0]');
    expect(found).toMatch(/AWS::EC2::VPC has no attribute Arn/);
  });

  it('spec: checks both branches of Fn::If and nested property types', () => {
    const t = withResources({
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          PointInTimeRecoverySpecification: {
            'Fn::If': [
              'C',
              { PointInTimeRecoveryEnabled: true },
              { PointInTimeRecoveryEnable: true },
            ],
          },
        },
      },
    });
    expect(messages(spec.check('bad', t))).toContain(
      'PointInTimeRecoverySpecification has no property PointInTimeRecoveryEnable',
    );
  });

  it('references: undeclared Ref, Sub variable, GetAtt target, condition and DependsOn', () => {
    const t = withResources(
      {
        A: {
          Type: 'AWS::SNS::Topic',
          Condition: 'Missing',
          DependsOn: ['Ghost'],
          Properties: {
            TopicName: {
              'Fn::Sub': ['${Prefix}-${Nope}-${AWS::Region}-${!Literal}', { Prefix: 'x' }],
            },
            DisplayName: { 'Fn::If': ['AlsoMissing', { Ref: 'Unknown' }, { Ref: 'AWS::NoValue' }] },
            KmsMasterKeyId: { 'Fn::GetAtt': ['NoSuchKey', 'Arn'] },
          },
        },
      },
      {
        Conditions: {
          C: { 'Fn::And': [{ Condition: 'Gone' }, { Condition: 'C2' }] },
          C2: { 'Fn::Equals': ['a', 'a'] },
        },
      },
    );
    const found = messages(checkReferences('bad', t));
    expect(found).toContain('Nope is not a parameter, resource or pseudo parameter');
    expect(found).not.toContain('Prefix is not');
    expect(found).not.toContain('Literal');
    expect(found).toContain('Unknown is not a parameter');
    expect(found).toContain('condition "AlsoMissing" is not declared');
    expect(found).toContain('Resources.A.Condition: condition "Missing" is not declared');
    expect(found).toContain('condition "Gone" is not declared');
    expect(found).toContain('"Ghost" is not a resource');
    expect(found).toContain('Fn::GetAtt names NoSuchKey, which is not a resource');
  });

  it('security: open ports, buckets, tables, log groups, functions, containers, trust, tags', () => {
    const t = withResources({
      SGHTTP: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'web',
          SecurityGroupIngress: [
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' },
            { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, CidrIp: '0.0.0.0/0' },
          ],
          Tags: TAGS,
        },
      },
      Other: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'oops',
          SecurityGroupIngress: {
            'Fn::If': [
              'C',
              [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' }],
              { Ref: 'AWS::NoValue' },
            ],
          },
          Tags: TAGS,
        },
      },
      OtherIngress: {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: { GroupId: { Ref: 'Other' }, IpProtocol: '-1', CidrIpv6: '::/0' },
      },
      Bucket: {
        Type: 'AWS::S3::Bucket',
        Properties: { PublicAccessBlockConfiguration: { BlockPublicAcls: true }, Tags: TAGS },
      },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { Tags: TAGS } },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { Tags: TAGS } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Tags: TAGS } },
      Task: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          ContainerDefinitions: [
            {
              Name: 'a',
              LogConfiguration: {
                LogDriver: 'awslogs',
                Options: { 'awslogs-group': '/ecs/elsewhere' },
              },
            },
          ],
          Tags: TAGS,
        },
      },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
          },
          Tags: [{ Key: 'mcfpipe:env', Value: 'dev' }],
        },
      },
    });
    const found = messages(checkSecurity('bad', t, spec));
    expect(found).not.toContain('SGHTTP.Properties.SecurityGroupIngress[0]');
    expect(found).not.toContain('PublicAccessBlockConfiguration.BlockPublicAcls');
    for (const message of [
      'SGHTTP.Properties.SecurityGroupIngress[1]: ingress from 0.0.0.0/0 on tcp 8080-8080',
      'Other.Properties.SecurityGroupIngress[0]: ingress from 0.0.0.0/0 on tcp 22-22',
      'OtherIngress.Properties: ingress from ::/0',
      'Bucket: a bucket needs BucketEncryption',
      'Bucket: a bucket needs PublicAccessBlockConfiguration.RestrictPublicBuckets: true',
      'Table: a table needs PointInTimeRecoverySpecification',
      'Table: a table needs DeletionPolicy: Retain',
      'Table: a table needs UpdateReplacePolicy: Retain',
      'Table: a table needs SSESpecification',
      'Logs: a log group needs RetentionInDays',
      'Logs: a log group needs an explicit DeletionPolicy',
      'Logs: a log group needs an explicit UpdateReplacePolicy',
      'Fn: a function needs LoggingConfig.LogGroup',
      'Task.Properties.ContainerDefinitions[0]: a container needs the awslogs driver',
      'a role is assumed by AWS services or a federated provider',
      'Role: a taggable resource needs the mcfpipe:managed-by tag',
    ]) {
      expect(found).toContain(message);
    }
  });

  it('security: a CIDR parameter that can be 0.0.0.0/0 or ::/0 counts as open', () => {
    const rule = (cidr: string) => ({
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      CidrIp: { Ref: cidr },
    });
    const t = withResources(
      {
        Ssh: {
          Type: 'AWS::EC2::SecurityGroup',
          Properties: {
            GroupDescription: 'ssh',
            SecurityGroupIngress: [
              rule('OpenDefault'),
              rule('NoConstraint'),
              rule('LoosePattern'),
              rule('OpenChoice'),
              rule('Narrow'),
              rule('NarrowChoice'),
            ],
            Tags: TAGS,
          },
        },
        SshV6: {
          Type: 'AWS::EC2::SecurityGroupIngress',
          Properties: {
            GroupId: { Ref: 'Ssh' },
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            CidrIpv6: { Ref: 'V6' },
          },
        },
      },
      {
        Parameters: {
          OpenDefault: {
            Type: 'String',
            Default: '0.0.0.0/0',
            AllowedPattern: '^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$',
          },
          NoConstraint: { Type: 'String', Default: '' },
          LoosePattern: { Type: 'String', AllowedPattern: '^[0-9./]+$' },
          OpenChoice: { Type: 'String', AllowedValues: ['10.0.0.0/8', '0.0.0.0/0'] },
          Narrow: {
            Type: 'String',
            Default: '',
            AllowedPattern: '^$|^(\\d{1,3}\\.){3}\\d{1,3}/([89]|[12]\\d|3[0-2])$',
          },
          NarrowChoice: { Type: 'String', AllowedValues: ['10.0.0.0/8', '192.168.0.0/16'] },
          V6: { Type: 'String', AllowedPattern: '^[0-9a-f:]+/\\d+$' },
        },
      },
    );
    const found = messages(checkSecurity('bad', t, spec));
    for (const [i, name] of [
      'OpenDefault',
      'NoConstraint',
      'LoosePattern',
      'OpenChoice',
    ].entries()) {
      expect(found).toContain(
        `Ssh.Properties.SecurityGroupIngress[${i}]: ingress from 0.0.0.0/0 on tcp 22-22: only SGHTTP may be open to the internet, on 80 and 443 (parameter ${name} allows it`,
      );
    }
    expect(found).not.toContain('SecurityGroupIngress[4]');
    expect(found).not.toContain('SecurityGroupIngress[5]');
    expect(found).toContain('SshV6.Properties: ingress from ::/0 on tcp 22-22');
  });

  it('security: a federated trust without audience and subject conditions, or with a wildcard subject', () => {
    const role = (condition: unknown) => ({
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/x' },
              Action: 'sts:AssumeRoleWithWebIdentity',
              ...(condition ? { Condition: condition } : {}),
            },
          ],
        },
        Tags: TAGS,
      },
    });
    const gh = 'token.actions.githubusercontent.com';
    const t = withResources({
      NoCondition: role(undefined),
      AudienceOnly: role({ StringEquals: { [`${gh}:aud`]: 'sts.amazonaws.com' } }),
      WildcardSub: role({
        StringEquals: { [`${gh}:aud`]: 'sts.amazonaws.com' },
        StringLike: { [`${gh}:sub`]: 'repo:octo-org/*' },
      }),
      Exact: role({
        StringEquals: {
          [`${gh}:aud`]: 'sts.amazonaws.com',
          [`${gh}:sub`]: ['repo:octo-org/mcfpipe:ref:refs/heads/main'],
        },
      }),
    });
    const found = messages(checkSecurity('bad', t, spec));
    expect(found).toContain(
      "NoCondition.Properties.AssumeRolePolicyDocument: a federated trust needs conditions on the token's aud and sub",
    );
    expect(found).toContain(
      "AudienceOnly.Properties.AssumeRolePolicyDocument: a federated trust needs conditions on the token's sub",
    );
    expect(found).toContain(
      `WildcardSub.Properties.AssumeRolePolicyDocument: a federated trust's subject ${gh}:sub has a wildcard`,
    );
    expect(found).not.toContain('Exact.');
  });

  it('IAM: Action "*", service wildcards, unknown actions, Resource "*" where a narrower one exists', async () => {
    const t = withResources({
      Policy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: '*', Resource: '*' },
              { Effect: 'Allow', Action: ['s3:*'], Resource: 'arn:aws:s3:::b' },
              {
                Effect: 'Allow',
                Action: ['s3:GetObjekt', 'logs:Nothing*'],
                Resource: 'arn:aws:s3:::b/*',
              },
              {
                Effect: 'Allow',
                Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage'],
                Resource: '*',
              },
              {
                'Fn::If': [
                  'C',
                  { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: ['*'] },
                  { Ref: 'AWS::NoValue' },
                ],
              },
              { Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::b' },
              {
                Effect: 'Allow',
                Action: ['ecr:GetAuthorization*', 'ec2:DescribeVpcs'],
                Resource: '*',
              },
              { Effect: 'Allow', Action: ['logs:Describe*'], Resource: '*' },
            ],
          },
        },
      },
    });
    const found = messages(await checkIamPolicies('bad', t));
    expect(found).not.toContain('Statement[6]');
    expect(found).toMatch(/Statement\[7\]: Resource "\*" for .*logs:DescribeLogStreams/);
    for (const message of [
      'Statement[0]: Action * allows every action',
      'Statement[1]: Action s3:* allows every action of the service',
      'Statement[2]: s3:GetObjekt is not an IAM action',
      'Statement[2]: logs:Nothing* is not an IAM action',
      'Statement[3]: Resource "*" for ecr:BatchGetImage, which takes a resource',
      'Statement[4]: Resource "*" for dynamodb:GetItem',
      'Statement[5]: NotAction / NotResource in an Allow',
    ]) {
      expect(found).toContain(message);
    }
  });

  describe('boundary: roles without the boundary, IAM writes that reach the deploy role', () => {
    const PREFIX = {
      'Fn::If': ['DefaultNamePrefix', { 'Fn::Sub': 'mcfpipe-${Env}' }, { Ref: 'NamePrefix' }],
    };
    const BOUNDARY = {
      'Fn::Sub': [
        'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/${Prefix}-boundary',
        { Prefix: PREFIX },
      ],
    };
    const base = {
      Parameters: {
        Env: { Type: 'String', Default: 'dev' },
        NamePrefix: { Type: 'String', Default: '' },
        Flag: { Type: 'String', Default: 'false' },
      },
      Conditions: {
        DefaultNamePrefix: { 'Fn::Equals': [{ Ref: 'NamePrefix' }, ''] },
        On: { 'Fn::Equals': [{ Ref: 'Flag' }, 'true'] },
      },
    };
    const service = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    };
    const role = (props: Record<string, unknown>) => ({
      Type: 'AWS::IAM::Role',
      Properties: { AssumeRolePolicyDocument: service, Tags: TAGS, ...props },
    });
    const sets: Array<Record<string, string>> = [
      { Env: 'dev' },
      { Env: 'prod', Flag: 'true' },
      { Env: 'dev', NamePrefix: 'team-a' },
    ];
    const run = async (resources: Template['Resources']) =>
      messages(await checkPermissionsBoundaries('bad', withResources(resources, base), sets));

    it('a role without a boundary, with another one, or with one only under a condition', async () => {
      const found = await run({
        NoBoundary: role({}),
        Other: role({
          PermissionsBoundary: 'arn:aws:iam::123456789012:policy/mcfpipe-dev-boundary',
        }),
        Sometimes: role({
          PermissionsBoundary: { 'Fn::If': ['On', BOUNDARY, { Ref: 'AWS::NoValue' }] },
        }),
        Good: role({ PermissionsBoundary: BOUNDARY }),
      });
      expect(found).toContain(
        'NoBoundary.Properties.PermissionsBoundary: a role needs PermissionsBoundary arn:aws:iam::123456789012:policy/mcfpipe-dev-boundary',
      );
      // A fixed ARN is another environment's boundary as soon as the prefix differs.
      expect(found).toContain(
        "Other.Properties.PermissionsBoundary: PermissionsBoundary is arn:aws:iam::123456789012:policy/mcfpipe-dev-boundary, not the environment's boundary arn:aws:iam::123456789012:policy/mcfpipe-prod-boundary (Env=prod)",
      );
      expect(found).toContain(
        'Sometimes.Properties.PermissionsBoundary: a branch of Fn::If leaves the permissions boundary out',
      );
      expect(found).toContain(
        'Sometimes.Properties.PermissionsBoundary: a role needs PermissionsBoundary arn:aws:iam::123456789012:policy/mcfpipe-dev-boundary (the ceiling',
      );
      expect(found).not.toContain('Good.');
    });

    it('a deploy role whose IAM writes can reach itself, the OIDC provider or the boundary', async () => {
      const rolesOfPrefix = {
        'Fn::Sub': [
          'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Prefix}-*',
          { Prefix: PREFIX },
        ],
      };
      const deployer = (statements: unknown[]) => ({
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { 'Fn::Sub': ['${Prefix}-deployer', { Prefix: PREFIX }] },
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: {
                  Federated:
                    'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
                },
                Action: 'sts:AssumeRoleWithWebIdentity',
              },
            ],
          },
          Policies: [
            { PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
          ],
          Tags: TAGS,
        },
      });
      const grant = {
        Sid: 'Roles',
        Effect: 'Allow',
        Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:TagRole', 'iam:PassRole'],
        Resource: rolesOfPrefix,
      };
      const found = await run({
        // What github-oidc.yaml had: role/<prefix>-* matches <prefix>-deployer.
        Before: deployer([grant]),
        Provider: deployer([
          {
            Effect: 'Allow',
            Action: 'iam:UpdateOpenIDConnectProviderThumbprint',
            Resource: 'arn:aws:iam::123456789012:oidc-provider/*',
          },
        ]),
        // A Deny with a condition does not count: the caller may dodge it.
        Conditional: deployer([
          {
            ...grant,
            Condition: {
              StringEquals: {
                'iam:PermissionsBoundary': BOUNDARY,
                'iam:PassedToService': 'ecs-tasks.amazonaws.com',
              },
            },
          },
          {
            Effect: 'Deny',
            Action: 'iam:*',
            Resource: 'arn:aws:iam::123456789012:role/mcfpipe-dev-deployer',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
          },
        ]),
      });
      for (const m of [
        'Before: may call iam:PutRolePolicy on the deploy role itself (arn:aws:iam::123456789012:role/mcfpipe-dev-deployer) through statement Roles, with no explicit Deny of it',
        'Before: may call iam:PassRole on the deploy role itself (arn:aws:iam::123456789012:role/mcfpipe-prod-deployer)',
        'Before: may call iam:CreateRole on the deploy role itself (arn:aws:iam::123456789012:role/team-a-deployer)',
        'Before: allows iam:CreateRole on arn:aws:iam::123456789012:role/mcfpipe-dev-probe without a permissions boundary (statement Roles): condition it on iam:PermissionsBoundary = arn:aws:iam::123456789012:policy/mcfpipe-dev-boundary',
        'Before: allows iam:PassRole on arn:aws:iam::123456789012:role/mcfpipe-dev-probe to any service',
        'Provider: may call iam:UpdateOpenIDConnectProviderThumbprint on the GitHub OIDC provider',
        'Conditional: may call iam:PutRolePolicy on the deploy role itself',
      ]) {
        expect(found).toContain(m);
      }
      // The deploy role itself needs no boundary (an administrator creates it).
      expect(found).not.toContain('Before.Properties.PermissionsBoundary');
    });

    it('a boundary that allows IAM writes or passing the deploy role', async () => {
      const found = await run({
        Boundary: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            ManagedPolicyName: { 'Fn::Sub': ['${Prefix}-boundary', { Prefix: PREFIX }] },
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'Iam',
                  Effect: 'Allow',
                  Action: ['iam:PutRolePolicy', 'iam:PassRole'],
                  Resource: 'arn:aws:iam::123456789012:role/*',
                },
              ],
            },
          },
        },
      });
      expect(found).toContain(
        'Boundary: the permissions boundary allows iam:PutRolePolicy (statement Iam): a pipeline role may change no IAM but pass its own roles',
      );
      expect(found).toContain(
        'Boundary: the permissions boundary may call iam:PassRole on the deploy role itself',
      );
      expect(found).toContain(
        'Boundary: the permissions boundary allows iam:PassRole on arn:aws:iam::123456789012:role/mcfpipe-dev-probe to any service',
      );
    });

    it('github-oidc.yaml without its guardrails is caught', async () => {
      const t = structuredClone(templates.find((x) => x.layer === 'github-oidc')!.template);
      const doc = t.Resources!.GuardrailsPolicy!.Properties!.PolicyDocument as {
        Statement: unknown[];
      };
      doc.Statement = [
        { Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
      ];
      const found = messages(
        await checkPermissionsBoundaries('github-oidc', t, scenarioParameters('github-oidc')),
      );
      expect(found).toMatch(/DeployRole: may call iam:PutRolePolicy on the deploy role itself/);
      expect(found).toMatch(/DeployRole: may call iam:TagRole on the deploy role itself/);
    });
  });

  it('IAM: a managed policy, inline policies or a trust policy over the size quotas', () => {
    const statement = (i: number) => ({
      Sid: `S${i}`,
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::bucket/${'k'.repeat(100)}/${i}`,
    });
    const big = {
      Version: '2012-10-17',
      Statement: Array.from({ length: 60 }, (_, i) => statement(i)),
    };
    const t = withResources(
      {
        Big: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: big } },
        Fine: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: { PolicyDocument: { Version: '2012-10-17', Statement: [statement(0)] } },
        },
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Statement: Array.from({ length: 30 }, () => ({
                Effect: 'Allow',
                Principal: { Service: 'lambda.amazonaws.com' },
                Action: 'sts:AssumeRole',
              })),
            },
            Policies: [1, 2].map((n) => ({ PolicyName: `p${n}`, PolicyDocument: big })),
          },
        },
      },
      {},
    );
    const found = messages(checkPolicySizes('bad', t, [{}]));
    expect(found).toMatch(
      /Resources\.Big: the managed policy has \d+ characters; IAM takes at most 6144/,
    );
    expect(found).toMatch(
      /Resources\.Role: the role's inline policies have \d+ characters together/,
    );
    expect(found).toMatch(
      /Resources\.Role\.Properties\.AssumeRolePolicyDocument: the trust policy has \d+ characters/,
    );
    expect(found).not.toContain('Fine');
  });

  it('parsing: a template with a broken intrinsic names the line', () => {
    expect(() =>
      parseTemplate('Resources:\n  A:\n    Type: X\n    Properties: { V: !Ref [a, }\n', 'bad.yaml'),
    ).toThrow(/bad\.yaml at line 4/);
  });
});
