/**
 * What the webscraper stack's two task roles may do, decided on their
 * policies as AWS receives them (checks/policy-eval.ts): the scraper's role
 * (the task that reads untrusted pages in Chromium) and the stages' role
 * (scoring and the report). Each reaches only what its commands use, for the
 * DB API store and the DynamoDB store.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../checks/policy-eval.js';
import { resolveTemplate } from '../checks/resolve.js';
import { rolePolicies } from '../checks/role-policies.js';
import { deployableTemplate } from '../checks/templates.js';

const ACCOUNT = '123456789012';
const REGION = 'ap-southeast-1';
const BUCKET = `mcfpipe-config-dev-${ACCOUNT}-${REGION}`;
const API = 'abcde12345';
const { template } = deployableTemplate('webscraper');

function roles(store: 'db-api' | 'dynamodb') {
  const resolved = resolveTemplate(template, {
    parameters: {
      Env: 'dev',
      Store: store,
      Image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/mcfpipe-dev-webscraper:src-0123456789abcdef`,
      DbApiUrl: store === 'db-api' ? `https://${API}.execute-api.${REGION}.amazonaws.com` : '',
      ConfigBucketName: BUCKET,
      SubnetIds: 'subnet-1,subnet-2',
      SecurityGroupIds: 'sg-1',
    },
    accountId: ACCOUNT,
    region: REGION,
  });
  const all = rolePolicies(template, resolved);
  const may =
    (id: string) =>
    (action: string, resource: string, context: Record<string, string> = {}) =>
      evaluate(all.find((r) => r.logicalId === id)!.statements, { action, resource, context })
        .decision;
  return { scraper: may('TaskRole'), stages: may('StagesTaskRole') };
}

const route = (r: string) => `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API}/$default/${r}`;
const table = (t: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/mcfpipe-dev-${t}`;
const object = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;

describe('store db-api: each task calls only the routes its commands use', () => {
  const { scraper, stages } = roles('db-api');

  it('the stages read the tables scoring and the report read, and write only job_score', () => {
    for (const r of ['GET/job', 'GET/job_search', 'GET/job_score', 'GET/crm'])
      expect(stages('execute-api:Invoke', route(r)), r).toBe('allow');
    for (const r of ['GET/track', 'GET/keyword', 'GET/config', 'POST/job_score/batch'])
      expect(stages('execute-api:Invoke', route(r)), r).toBe('allow');
    // Reads by id: the jobs and scores scoring reads, in batches of 100.
    for (const r of ['POST/job/batch-get', 'POST/job_score/batch-get'])
      expect(stages('execute-api:Invoke', route(r)), r).toBe('allow');
    for (const r of ['POST/job/batch', 'POST/crm/batch', 'DELETE/crm/me:1', 'PUT/job_score/x'])
      expect(stages('execute-api:Invoke', route(r)), r).toBe('implicit-deny');
    for (const r of ['GET/job/x', 'POST/crm/batch-get', 'POST/config/batch-get'])
      expect(stages('execute-api:Invoke', route(r)), r).toBe('implicit-deny');
    expect(stages('execute-api:Invoke', route('GET/crm').replace(API, 'otherapi01'))).toBe(
      'implicit-deny',
    );
  });

  it("the scraper never reads the user's CRM, nor writes scores", () => {
    for (const r of ['GET/crm', 'GET/crm/me:1', 'POST/job_score/batch', 'GET/config'])
      expect(scraper('execute-api:Invoke', route(r)), r).toBe('implicit-deny');
    for (const r of ['POST/job/batch', 'POST/job/batch-get', 'POST/job_search/batch-get'])
      expect(scraper('execute-api:Invoke', route(r)), r).toBe('allow');
    for (const r of ['GET/job/x', 'POST/crm/batch-get', 'POST/job_score/batch-get'])
      expect(scraper('execute-api:Invoke', route(r)), r).toBe('implicit-deny');
  });
});

describe('store dynamodb: the same split on the tables', () => {
  const { scraper, stages } = roles('dynamodb');

  it('the stages scan the tables and batch-write job_score only', () => {
    expect(stages('dynamodb:Scan', table('crm'))).toBe('allow');
    expect(stages('dynamodb:Query', `${table('job_search')}/index/by_user`)).toBe('allow');
    expect(stages('dynamodb:BatchWriteItem', table('job_score'))).toBe('allow');
    expect(stages('dynamodb:BatchWriteItem', table('job'))).toBe('implicit-deny');
    expect(stages('dynamodb:DeleteItem', table('job_score'))).toBe('implicit-deny');
    expect(stages('dynamodb:Scan', table('crm').replace('-dev-', '-prod-'))).toBe('implicit-deny');
    expect(scraper('dynamodb:Scan', table('crm'))).toBe('implicit-deny');
  });
});

describe('the config bucket: each task its own prefix', () => {
  const { scraper, stages } = roles('db-api');

  it('the stages read and write scoring statistics and the report of their environment only', () => {
    for (const key of ['mcfpipe/dev/report/report.html', 'mcfpipe/dev/scoring/stats/me.json']) {
      expect(stages('s3:PutObject', object(key)), key).toBe('allow');
      expect(stages('s3:GetObject', object(key)), key).toBe('allow');
    }
    for (const key of [
      'mcfpipe/prod/report/report.html',
      'mcfpipe/aws/db-api/db_api_config.json',
      'mcfpipe/webscraper/mcfpipe-dev/state/checkpoint.json',
    ])
      expect(stages('s3:PutObject', object(key)), key).toBe('implicit-deny');
    expect(
      stages('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': 'mcfpipe/dev/report/' }),
    ).toBe('allow');
    expect(stages('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': 'mcfpipe/aws/' })).toBe(
      'implicit-deny',
    );
    expect(stages('s3:DeleteObject', object('mcfpipe/dev/report/report.html'))).toBe(
      'implicit-deny',
    );
  });

  it('the scraper never touches the report', () => {
    expect(scraper('s3:PutObject', object('mcfpipe/dev/report/report.html'))).toBe('implicit-deny');
  });
});
