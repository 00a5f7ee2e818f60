/**
 * What the deploy role of github-oidc.yaml may and may not do, decided by
 * evaluating its policies as AWS receives them (every intrinsic resolved for
 * the environment) with the small evaluator of checks/policy-eval.ts. Each
 * request states the context AWS would send (the tags of the resource, the
 * boundary named in a CreateRole, the service a role is passed to). This is
 * the regression net for the policies; the review of the deployed policies is
 * IAM Access Analyzer and the policy simulator (cloudformation/README.md,
 * "Security model").
 */
import { describe, expect, it } from 'vitest';
import { evaluate, evaluateBounded, type PolicyStatement } from '../checks/policy-eval.js';
import { resolveTemplate } from '../checks/resolve.js';
import { managedPolicyStatements, rolePolicies } from '../checks/role-policies.js';
import { deployableTemplate } from '../checks/templates.js';

const ACCOUNT = '123456789012';
const REGION = 'ap-southeast-1';
const IAM = `arn:aws:iam::${ACCOUNT}`;
const { template } = deployableTemplate('github-oidc');

function environment(parameters: Record<string, string>) {
  const resolved = resolveTemplate(template, {
    parameters: { GitHubRepository: 'octo-org/mcfpipe', ...parameters },
    accountId: ACCOUNT,
    region: REGION,
  });
  const role = rolePolicies(template, resolved).find((r) => r.logicalId === 'DeployRole')!;
  const boundary = managedPolicyStatements(resolved, 'PermissionsBoundary');
  return {
    resolved,
    /** The deploy role's decision. */
    may: (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
      evaluate(role.statements, { action, resource, context }).decision,
    /** A pipeline role with the given policy and the environment's boundary. */
    bounded: (policy: PolicyStatement[], action: string, resource: string, context = {}) =>
      evaluateBounded(policy, boundary, { action, resource, context }).decision,
    trustedSubjects: () => {
      const trust = resolved.properties('DeployRole').AssumeRolePolicyDocument as {
        Statement: Array<{ Condition: { StringEquals: Record<string, unknown> } }>;
      };
      return [
        trust.Statement[0]!.Condition.StringEquals['token.actions.githubusercontent.com:sub'],
      ].flat();
    },
  };
}

const dev = environment({ Env: 'dev' });
const prod = environment({ Env: 'prod' });
const DEV_BOUNDARY = `${IAM}:policy/mcfpipe-dev-boundary`;

describe('the deploy role cannot make itself or anything else more powerful', () => {
  it('cannot write its own role: inline policy, managed policy, trust, boundary, tags', () => {
    const self = `${IAM}:role/mcfpipe-dev-deployer`;
    for (const action of [
      'iam:PutRolePolicy',
      'iam:AttachRolePolicy',
      'iam:UpdateAssumeRolePolicy',
      'iam:PutRolePermissionsBoundary',
      'iam:DeleteRolePermissionsBoundary',
      'iam:DeleteRolePolicy',
      'iam:TagRole',
      'iam:UpdateRole',
      'iam:DeleteRole',
      'iam:PassRole',
    ]) {
      // Even naming the boundary, which the Allow asks for.
      expect(dev.may(action, self, { 'iam:PermissionsBoundary': DEV_BOUNDARY }), action).toBe(
        'explicit-deny',
      );
      expect(dev.may(action, self), action).toBe('explicit-deny');
    }
  });

  it('creates or widens a role only with the environment boundary', () => {
    const role = `${IAM}:role/mcfpipe-dev-db-api-function`;
    for (const action of [
      'iam:CreateRole',
      'iam:PutRolePolicy',
      'iam:AttachRolePolicy',
      'iam:PutRolePermissionsBoundary',
      'iam:UpdateAssumeRolePolicy',
    ]) {
      expect(dev.may(action, role), `${action} without a boundary`).toBe('explicit-deny');
      expect(
        dev.may(action, role, { 'iam:PermissionsBoundary': `${IAM}:policy/mcfpipe-prod-boundary` }),
        `${action} with prod's boundary`,
      ).toBe('explicit-deny');
      expect(dev.may(action, role, { 'iam:PermissionsBoundary': DEV_BOUNDARY }), action).toBe(
        'allow',
      );
    }
    expect(dev.may('iam:DeleteRolePermissionsBoundary', role)).toBe('explicit-deny');
    // Outside its prefix, not even with the boundary.
    expect(
      dev.may('iam:CreateRole', `${IAM}:role/admin`, { 'iam:PermissionsBoundary': DEV_BOUNDARY }),
    ).toBe('implicit-deny');
  });

  it('passes only its environment roles, only to the services that run them', () => {
    const task = `${IAM}:role/mcfpipe-dev-webscraper-task`;
    for (const service of [
      'ecs-tasks.amazonaws.com',
      'lambda.amazonaws.com',
      'scheduler.amazonaws.com',
      'vpc-flow-logs.amazonaws.com',
    ]) {
      expect(dev.may('iam:PassRole', task, { 'iam:PassedToService': service }), service).toBe(
        'allow',
      );
    }
    // CloudFormation would deploy with the role's permissions instead of the deployer's.
    expect(
      dev.may('iam:PassRole', task, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
    ).toBe('explicit-deny');
    expect(dev.may('iam:PassRole', task, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe(
      'explicit-deny',
    );
    // Roles it did not create with the boundary: outside the prefix, or the deploy role.
    const ecs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
    expect(dev.may('iam:PassRole', `${IAM}:role/OrganizationAccountAccessRole`, ecs)).toBe(
      'implicit-deny',
    );
    expect(dev.may('iam:PassRole', `${IAM}:role/mcfpipe-prod-webscraper-task`, ecs)).toBe(
      'implicit-deny',
    );
    expect(dev.may('iam:PassRole', `${IAM}:role/mcfpipe-dev-deployer`, ecs)).toBe('explicit-deny');
  });

  it('cannot change the boundary, its own policies or the OIDC provider', () => {
    for (const policy of [
      'mcfpipe-dev-boundary',
      'mcfpipe-dev-deployer-stacks',
      'mcfpipe-dev-deployer-guardrails',
    ]) {
      for (const action of [
        'iam:CreatePolicyVersion',
        'iam:SetDefaultPolicyVersion',
        'iam:DeletePolicy',
        'iam:DeletePolicyVersion',
        'iam:TagPolicy',
      ]) {
        expect(dev.may(action, `${IAM}:policy/${policy}`), `${action} ${policy}`).toBe(
          'explicit-deny',
        );
      }
    }
    const provider = `${IAM}:oidc-provider/token.actions.githubusercontent.com`;
    for (const action of [
      'iam:AddClientIDToOpenIDConnectProvider',
      'iam:UpdateOpenIDConnectProviderThumbprint',
      'iam:DeleteOpenIDConnectProvider',
      'iam:TagOpenIDConnectProvider',
    ]) {
      expect(dev.may(action, provider), action).toBe('explicit-deny');
    }
    // No IAM user, access key or policy of its own making.
    expect(dev.may('iam:CreateUser', `${IAM}:user/x`)).toBe('implicit-deny');
    expect(dev.may('iam:CreatePolicy', `${IAM}:policy/mcfpipe-dev-x`)).toBe('implicit-deny');
  });

  it('cannot change its own stack', () => {
    const own = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/mcfpipe-dev-github-oidc/1a2b`;
    for (const action of [
      'cloudformation:UpdateStack',
      'cloudformation:DeleteStack',
      'cloudformation:CreateChangeSet',
    ]) {
      expect(dev.may(action, own), action).toBe('implicit-deny');
    }
  });
});

describe('a role created with the boundary is capped by it', () => {
  // The worst a role's own policy can say: everything.
  const everything: PolicyStatement[] = [{ Effect: 'Allow', Action: '*', Resource: '*' }];

  it('can do no IAM but pass its environment roles to ECS tasks', () => {
    expect(dev.bounded(everything, 'iam:CreateUser', `${IAM}:user/x`)).toBe('implicit-deny');
    expect(
      dev.bounded(everything, 'iam:PutRolePolicy', `${IAM}:role/mcfpipe-dev-webscraper-task`),
    ).toBe('implicit-deny');
    expect(
      dev.bounded(everything, 'iam:PassRole', `${IAM}:role/mcfpipe-dev-deployer`, {
        'iam:PassedToService': 'ecs-tasks.amazonaws.com',
      }),
    ).toBe('explicit-deny');
    expect(
      dev.bounded(everything, 'iam:PassRole', `${IAM}:role/mcfpipe-dev-webscraper-task`, {
        'iam:PassedToService': 'ecs-tasks.amazonaws.com',
      }),
    ).toBe('allow');
  });

  it('reaches only its environment tables, bucket, logs and images', () => {
    const table = (env: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/mcfpipe-${env}-job`;
    expect(dev.bounded(everything, 'dynamodb:GetItem', table('dev'))).toBe('allow');
    expect(dev.bounded(everything, 'dynamodb:GetItem', table('prod'))).toBe('implicit-deny');
    expect(dev.bounded(everything, 'dynamodb:DeleteTable', table('dev'))).toBe('implicit-deny');
    const object = (env: string) =>
      `arn:aws:s3:::mcfpipe-config-${env}-${ACCOUNT}-${REGION}/mcfpipe/aws/db-api/db_api_config.json`;
    expect(dev.bounded(everything, 's3:GetObject', object('dev'))).toBe('allow');
    expect(dev.bounded(everything, 's3:GetObject', object('prod'))).toBe('implicit-deny');
    expect(dev.bounded(everything, 's3:GetObject', `arn:aws:s3:::someone-elses-bucket/x`)).toBe(
      'implicit-deny',
    );
    const repo = (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
    expect(dev.bounded(everything, 'ecr:BatchGetImage', repo('mcfpipe-dev-webscraper'))).toBe(
      'allow',
    );
    expect(dev.bounded(everything, 'ecr:BatchGetImage', repo('mcfpipe-prod-webscraper'))).toBe(
      'implicit-deny',
    );
    expect(dev.bounded(everything, 'ecr:PutImage', repo('mcfpipe-dev-webscraper'))).toBe(
      'implicit-deny',
    );
  });

  it('invokes only its environment API once DbApiId is set', () => {
    const api = (id: string) => `arn:aws:execute-api:${REGION}:${ACCOUNT}:${id}/$default/GET/job/1`;
    const pinned = environment({ Env: 'dev', DbApiId: 'devapi0001' });
    expect(pinned.bounded(everything, 'execute-api:Invoke', api('devapi0001'))).toBe('allow');
    expect(pinned.bounded(everything, 'execute-api:Invoke', api('prodapi001'))).toBe(
      'implicit-deny',
    );
    // Before it is set (the first deploy), any API of the account and region.
    expect(dev.bounded(everything, 'execute-api:Invoke', api('prodapi001'))).toBe('allow');
  });
});

describe('the CRM sync role (GitHub runner, with the Google key) can only call the sync routes', () => {
  function syncRole(parameters: Record<string, string>) {
    const env = environment(parameters);
    const role = rolePolicies(template, env.resolved).find((r) => r.logicalId === 'SyncRole')!;
    const boundary = managedPolicyStatements(env.resolved, 'PermissionsBoundary');
    const properties = env.resolved.properties('SyncRole') as {
      PermissionsBoundary: string;
      AssumeRolePolicyDocument: {
        Statement: Array<{ Condition: { StringEquals: Record<string, unknown> } }>;
      };
    };
    return {
      properties,
      may: (action: string, resource: string) =>
        evaluateBounded(role.statements, boundary, { action, resource, context: {} }).decision,
    };
  }
  const api = (id: string, route: string) =>
    `arn:aws:execute-api:${REGION}:${ACCOUNT}:${id}/$default/${route}`;
  const pinned = syncRole({ Env: 'dev', DbApiId: 'devapi0001' });

  it('reads the scored jobs, the CRM and the settings; writes back only the user tables', () => {
    for (const route of [
      'GET/job_score',
      'GET/crm',
      'POST/job/batch-get',
      'GET/track',
      'GET/keyword',
      'GET/config',
      'POST/config/batch-get',
      'POST/crm/batch',
      'POST/track/batch',
      'POST/keyword/batch',
      'POST/config/batch',
    ])
      expect(pinned.may('execute-api:Invoke', api('devapi0001', route)), route).toBe('allow');
    for (const route of [
      'POST/job/batch',
      'POST/job_search/batch',
      'POST/job_score/batch',
      'POST/job_score/batch-get',
      'POST/job_search/batch-get',
      'GET/job/job-uuid-1',
      'DELETE/crm/me:1',
      'PUT/crm/me:1',
      'GET/job',
      'GET/job_search',
    ])
      expect(pinned.may('execute-api:Invoke', api('devapi0001', route)), route).toBe(
        'implicit-deny',
      );
  });

  it("never another environment's API once DbApiId is set, and nothing but the API", () => {
    expect(pinned.may('execute-api:Invoke', api('prodapi001', 'GET/crm'))).toBe('implicit-deny');
    expect(
      pinned.may(
        's3:GetObject',
        `arn:aws:s3:::mcfpipe-config-dev-${ACCOUNT}-${REGION}/mcfpipe/aws/db-api/db_api_config.json`,
      ),
    ).toBe('implicit-deny');
    expect(
      pinned.may('dynamodb:Scan', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/mcfpipe-dev-crm`),
    ).toBe('implicit-deny');
    expect(pinned.may('ecs:RunTask', `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/x:1`)).toBe(
      'implicit-deny',
    );
    expect(pinned.may('iam:PassRole', `${IAM}:role/mcfpipe-dev-webscraper-task`)).toBe(
      'implicit-deny',
    );
  });

  it('carries the boundary and trusts only jobs of its GitHub environment, never a branch', () => {
    const dev = syncRole({ Env: 'dev' });
    expect(dev.properties.PermissionsBoundary).toBe(DEV_BOUNDARY);
    const subjects = (r: ReturnType<typeof syncRole>) =>
      r.properties.AssumeRolePolicyDocument.Statement.flatMap(
        (st) => st.Condition.StringEquals['token.actions.githubusercontent.com:sub'],
      );
    expect(subjects(dev)).toEqual(['repo:octo-org/mcfpipe:environment:dev']);
    expect(subjects(syncRole({ Env: 'prod' }))).toEqual(['repo:octo-org/mcfpipe:environment:prod']);
  });
});

describe('who may assume the deploy role', () => {
  it('prod: only jobs of its protected GitHub environment; dev and staging: also main', () => {
    expect(prod.trustedSubjects()).toEqual(['repo:octo-org/mcfpipe:environment:prod']);
    expect(dev.trustedSubjects()).toEqual([
      'repo:octo-org/mcfpipe:ref:refs/heads/main',
      'repo:octo-org/mcfpipe:environment:dev',
    ]);
    expect(environment({ Env: 'staging', AllowMainBranch: 'false' }).trustedSubjects()).toEqual([
      'repo:octo-org/mcfpipe:environment:staging',
    ]);
  });

  it('prod refuses AllowMainBranch true before anything is created', () => {
    expect(environment({ Env: 'prod', AllowMainBranch: 'true' }).resolved.ruleFailures).toEqual([
      {
        rule: 'ProdOnlyFromItsEnvironment',
        description: expect.stringContaining('AllowMainBranch must be empty or false for Env prod'),
      },
    ]);
    expect(prod.resolved.ruleFailures).toEqual([]);
    expect(environment({ Env: 'dev', AllowMainBranch: 'true' }).resolved.ruleFailures).toEqual([]);
  });
});

describe('one environment cannot touch another', () => {
  const stack = (name: string) => `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/1a2b`;

  it('stacks, functions, tables, images and the config bucket of prod are out of reach of dev', () => {
    expect(dev.may('cloudformation:UpdateStack', stack('mcfpipe-dev-db-api'))).toBe('allow');
    expect(dev.may('cloudformation:UpdateStack', stack('mcfpipe-prod-db-api'))).toBe(
      'implicit-deny',
    );
    expect(dev.may('cloudformation:DeleteStack', stack('mcfpipe-prod-network'))).toBe(
      'implicit-deny',
    );
    const fn = (env: string) =>
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:mcfpipe-${env}-db-api`;
    expect(dev.may('lambda:UpdateFunctionCode', fn('dev'))).toBe('allow');
    expect(dev.may('lambda:UpdateFunctionCode', fn('prod'))).toBe('implicit-deny');
    const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/mcfpipe-prod-job`;
    expect(dev.may('dynamodb:DeleteTable', table)).toBe('implicit-deny');
    const repo = (env: string) =>
      `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/mcfpipe-${env}-webscraper`;
    expect(dev.may('ecr:PutImage', repo('dev'))).toBe('allow');
    expect(dev.may('ecr:PutImage', repo('prod'))).toBe('implicit-deny');
    const bucket = (env: string) => `arn:aws:s3:::mcfpipe-config-${env}-${ACCOUNT}-${REGION}`;
    expect(
      dev.may('s3:PutObject', `${bucket('dev')}/mcfpipe/aws/network/network_config.json`),
    ).toBe('allow');
    expect(
      dev.may('s3:PutObject', `${bucket('prod')}/mcfpipe/aws/network/network_config.json`),
    ).toBe('implicit-deny');
    expect(dev.may('s3:GetObject', `${bucket('prod')}/mcfpipe/db-api/1f2e3d4.zip`)).toBe(
      'implicit-deny',
    );
    expect(dev.may('s3:DeleteBucket', bucket('prod'))).toBe('implicit-deny');
    const cluster = (env: string) =>
      `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/mcfpipe-${env}-webscraper`;
    expect(
      dev.may(
        'ecs:RunTask',
        `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/mcfpipe-prod-webscraper:3`,
        {
          'ecs:cluster': cluster('prod'),
        },
      ),
    ).toBe('implicit-deny');
  });

  const ec2 = (type: string, id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${type}/${id}`;
  const tagged = (env: string) => ({ 'aws:ResourceTag/mcfpipe:env': env });

  it('EC2: changes only resources tagged for its environment', () => {
    for (const [action, type] of [
      ['ec2:ModifyVpcAttribute', 'vpc'],
      ['ec2:DeleteVpc', 'vpc'],
      ['ec2:AuthorizeSecurityGroupIngress', 'security-group'],
      ['ec2:RevokeSecurityGroupEgress', 'security-group'],
      ['ec2:CreateRoute', 'route-table'],
      ['ec2:ReplaceRoute', 'route-table'],
      ['ec2:DeleteSubnet', 'subnet'],
      ['ec2:ModifyVpcEndpoint', 'vpc-endpoint'],
      ['ec2:DeleteFlowLogs', 'vpc-flow-log'],
      ['ec2:DetachInternetGateway', 'internet-gateway'],
    ] as const) {
      const arn = ec2(type, `${type}-0abc`);
      expect(dev.may(action, arn, tagged('dev')), `${action} dev`).toBe('allow');
      expect(dev.may(action, arn, tagged('prod')), `${action} prod`).toBe('implicit-deny');
      expect(dev.may(action, arn), `${action} untagged`).toBe('implicit-deny');
    }
  });

  it('EC2: creates resources only inside its own VPC', () => {
    // CreateSubnet is authorised on the new subnet and on the VPC it goes into.
    expect(dev.may('ec2:CreateSubnet', ec2('subnet', '*'))).toBe('allow');
    expect(dev.may('ec2:CreateSubnet', ec2('vpc', 'vpc-0dev'), tagged('dev'))).toBe('allow');
    expect(dev.may('ec2:CreateSubnet', ec2('vpc', 'vpc-0prod'), tagged('prod'))).toBe(
      'implicit-deny',
    );
    expect(dev.may('ec2:CreateSecurityGroup', ec2('vpc', 'vpc-0prod'), tagged('prod'))).toBe(
      'implicit-deny',
    );
    expect(dev.may('ec2:CreateVpcEndpoint', ec2('route-table', 'rtb-0prod'), tagged('prod'))).toBe(
      'implicit-deny',
    );
    // A VPC, or an internet gateway, has no parent.
    expect(dev.may('ec2:CreateVpc', ec2('vpc', '*'))).toBe('allow');
  });

  it('EC2: never retags a resource of another environment, nor to another environment', () => {
    const vpc = ec2('vpc', 'vpc-0abc');
    const toDev = { 'aws:RequestTag/mcfpipe:env': 'dev', 'aws:TagKeys': ['mcfpipe:env'] };
    expect(dev.may('ec2:CreateTags', vpc, { ...tagged('prod'), ...toDev })).toBe('implicit-deny');
    expect(
      dev.may('ec2:CreateTags', vpc, { ...tagged('dev'), 'aws:RequestTag/mcfpipe:env': 'prod' }),
    ).toBe('implicit-deny');
    // Tagging what it just created (tag on create or right after) and its own.
    expect(dev.may('ec2:CreateTags', vpc, toDev)).toBe('allow');
    expect(dev.may('ec2:CreateTags', vpc, { ...tagged('dev'), ...toDev })).toBe('allow');
    expect(dev.may('ec2:DeleteTags', vpc, tagged('prod'))).toBe('implicit-deny');
  });

  it("API Gateway: a dev role cannot open prod's routes", () => {
    const api = (path: string) => `arn:aws:apigateway:${REGION}::/apis/${path}`;
    const route = api('prodapi001/routes/r1');
    // The attack of the review: PATCH prod's route to AuthorizationType NONE.
    expect(
      dev.may('apigateway:PATCH', route, {
        ...tagged('prod'),
        'apigateway:Request/RouteAuthorizationType': 'NONE',
      }),
    ).toBe('implicit-deny');
    expect(dev.may('apigateway:DELETE', api('prodapi001'), tagged('prod'))).toBe('implicit-deny');
    expect(dev.may('apigateway:POST', api('prodapi001/integrations'), tagged('prod'))).toBe(
      'implicit-deny',
    );
    // Its own API, and a new one named for its prefix.
    expect(dev.may('apigateway:PATCH', api('devapi0001/routes/r1'), tagged('dev'))).toBe('allow');
    const apis = `arn:aws:apigateway:${REGION}::/apis`;
    expect(
      dev.may('apigateway:POST', apis, { 'apigateway:Request/ApiName': 'mcfpipe-dev-db-api' }),
    ).toBe('allow');
    expect(
      dev.may('apigateway:POST', apis, { 'apigateway:Request/ApiName': 'mcfpipe-prod-db-api' }),
    ).toBe('implicit-deny');
    // Nor make prod's API its own by retagging it (or untagging it).
    const tags = `arn:aws:apigateway:${REGION}::/tags/${encodeURIComponent(api('prodapi001'))}`;
    expect(dev.may('apigateway:POST', tags, { 'aws:TagKeys': ['mcfpipe:env'] })).toBe(
      'explicit-deny',
    );
    expect(dev.may('apigateway:DELETE', tags, { 'aws:TagKeys': ['mcfpipe:env'] })).toBe(
      'explicit-deny',
    );
    expect(dev.may('apigateway:POST', tags, { 'aws:TagKeys': ['team'] })).toBe('allow');
  });

  it('API Gateway: the prod deploy role opens no route, whatever the template says', () => {
    const route = `arn:aws:apigateway:${REGION}::/apis/prodapi001/routes/r1`;
    const open = { ...tagged('prod'), 'apigateway:Request/RouteAuthorizationType': 'NONE' };
    expect(prod.may('apigateway:PATCH', route, open)).toBe('explicit-deny');
    expect(
      prod.may('apigateway:PATCH', route, {
        ...tagged('prod'),
        'apigateway:Request/RouteAuthorizationType': 'AWS_IAM',
      }),
    ).toBe('allow');
    expect(
      dev.may('apigateway:PATCH', `arn:aws:apigateway:${REGION}::/apis/devapi0001/routes/r1`, {
        ...tagged('dev'),
        'apigateway:Request/RouteAuthorizationType': 'NONE',
      }),
    ).toBe('allow');
  });

  it('logs: no account-wide resource policy writes', () => {
    expect(dev.may('logs:PutResourcePolicy', '*')).toBe('implicit-deny');
    expect(dev.may('logs:DeleteResourcePolicy', '*')).toBe('implicit-deny');
  });
});
