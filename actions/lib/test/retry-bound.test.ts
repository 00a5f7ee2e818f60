/**
 * Every action bounds every AWS call: each bundled action is run the way the
 * runner runs it against an endpoint on 127.0.0.1 that keeps answering
 * HTTP 500 with an HTML page. Each operation may be sent at most the
 * policy's attempts for a 5xx (core/aws-retry.ts), within the policy's
 * waits, and the step fails naming the endpoint and what it answered,
 * never with a parser's complaint. With moto behind the endpoint, the
 * writes that once multiplied (deploy-stack's CreateStack, sent 32 times;
 * run-fargate-task's RunTask, 41) are made to fail alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_RETRY_POLICY } from '../../../core/aws-retry.js';
import { type MotoServer, motoAvailable, startMoto } from '../../../core/testing/moto.js';
import { TEMPLATE, templateFile } from '../../deploy-stack/test/run-main.js';
import { buildMotoWorld, type MotoWorld } from '../../run-fargate-task/test/moto-setup.js';
import { type FailingEndpoint, startFailingEndpoint } from '../testing/failing-endpoint.js';
import { type ActionRun, runBundledAction } from '../testing/run-action.js';

const { attempts, baseMs, maxMs } = AWS_RETRY_POLICY.transient;
/** The longest the policy waits between the attempts of one call. */
const MAX_WAITS_MS = Array.from({ length: attempts - 1 }, (_, i) =>
  Math.min(maxMs, baseMs * 2 ** i),
).reduce((a, b) => a + b, 0);
/** Time an attempt against a local endpoint may take (a loaded CI machine). */
const SLACK_MS = 1500;

const CREDENTIALS = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Every operation was failed at most `attempts` times, each within the waits' bound; returns the counts. */
function expectBounded(endpoint: FailingEndpoint): Record<string, number> {
  const counts = endpoint.failedCounts();
  expect(Object.keys(counts).length).toBeGreaterThan(0);
  for (const [operation, count] of Object.entries(counts)) {
    expect(count, operation).toBeLessThanOrEqual(attempts);
  }
  // The attempts of one call come within the policy's waits (calls may run side by side).
  const firstAttempts = endpoint.requests.filter((r) => r.failed);
  const span = firstAttempts.at(-1)!.at - firstAttempts[0]!.at;
  expect(span).toBeLessThanOrEqual(MAX_WAITS_MS + attempts * SLACK_MS);
  return counts;
}

function expectNamedEndpoint(run: ActionRun, endpoint: FailingEndpoint): void {
  expect(run.exitCode).toBe(1);
  const error = run.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
  expect(error).toContain(`the endpoint ${endpoint.url}/`);
  expect(error).toMatch(
    /answered HTTP 500 with a non-AWS body \(first bytes: "<html> <head><title>500 Internal Server Error<\/title>/,
  );
  expect(error).toMatch(/after 3 attempts over/);
  expect(run.stdout).not.toMatch(
    /XML parse error|Unexpected token|got in between|Deserialization error/,
  );
}

describe('each action against an endpoint that keeps answering 500', () => {
  let endpoint: FailingEndpoint;
  beforeAll(async () => {
    endpoint = await startFailingEndpoint();
  });
  afterAll(async () => {
    await endpoint?.stop();
  });

  const cases: Array<[string, Record<string, string>]> = [
    [
      'deploy-stack',
      { name: 'mcfpipe-dev-jobs', template: templateFile(TEMPLATE), parameters: 'Retention=60' },
    ],
    ['publish-config', { 'stack-name': 'mcfpipe-dev-network', layer: 'network', env: 'dev' }],
    [
      'run-fargate-task',
      { 'task-definition': 'mcfpipe-dev-tester', 'network-config': 's3://mcfpipe-config/net.json' },
    ],
    ['cleanup-resources', { env: 'dev', buckets: 'mcfpipe-dev-data' }],
  ];

  it.each(cases)(
    '%s sends each call at most 3 times, then names the endpoint',
    async (action, inputs) => {
      endpoint.requests.length = 0;
      const run = await runBundledAction({
        script: `actions/${action}/dist/index.js`,
        inputs,
        env: { ...CREDENTIALS, AWS_ENDPOINT_URL: endpoint.url },
      });
      const counts = expectBounded(endpoint);
      expect(Math.max(...Object.values(counts))).toBe(attempts);
      expectNamedEndpoint(run, endpoint);
    },
  );
});

describe.skipIf(!motoAvailable())(
  'one write failing in the middle of a real run (moto behind)',
  () => {
    let moto: MotoServer;
    let world: MotoWorld;
    beforeAll(async () => {
      moto = await startMoto();
      world = await buildMotoWorld(moto);
    });
    afterAll(async () => {
      world?.destroy();
      await moto?.stop();
    });

    const runAgainst = async (fails: string, script: string, inputs: Record<string, string>) => {
      const endpoint = await startFailingEndpoint({
        fails: (operation) => operation === fails,
        forward: moto.endpoint,
      });
      try {
        const run = await runBundledAction({
          script,
          inputs,
          env: { ...moto.env, AWS_ENDPOINT_URL: endpoint.url },
        });
        return { run, endpoint, counts: expectBounded(endpoint) };
      } finally {
        await endpoint.stop();
      }
    };

    it('deploy-stack sends CreateStack 3 times, not 32', async () => {
      const { run, endpoint, counts } = await runAgainst(
        'CreateStack',
        'actions/deploy-stack/dist/index.js',
        {
          name: 'mcfpipe-dev-bound',
          template: templateFile(TEMPLATE),
          parameters: 'Retention=60',
        },
      );
      expect(counts).toEqual({ CreateStack: attempts });
      expectNamedEndpoint(run, endpoint);
    });

    it('run-fargate-task sends RunTask 3 times, not 41', async () => {
      const { run, endpoint, counts } = await runAgainst(
        'RunTask',
        'actions/run-fargate-task/dist/index.js',
        {
          'task-definition': world.family,
          'network-config': world.networkConfigUrl,
        },
      );
      expect(counts).toEqual({ RunTask: attempts });
      expectNamedEndpoint(run, endpoint);
    });
  },
);
