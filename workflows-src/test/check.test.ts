/**
 * The generator's own checks: each mistake it exists to catch, made on
 * purpose in a small workflow, is an error naming the place and the fix.
 */
import { describe, expect, it } from 'vitest';
import { checkWorkflows, WorkflowCheckError, workflowProblems } from '../check.js';
import { expr, type Step, type StepsJob, stepOutput, type Workflow } from '../model.js';
import { awsCredentials, checkout, environmentInput, Names, OIDC, READ_ONLY } from '../parts.js';
import { WORKFLOWS } from '../workflows/index.js';

const names = new Names('inputs.environment');

function workflow(steps: Step[], job: Partial<StepsJob> = {}): Workflow {
  return {
    file: 'x.yml',
    source: 'workflows-src/test/check.test.ts',
    name: 'x',
    summary: 'test',
    on: { workflowDispatch: { inputs: { environment: environmentInput() } } },
    permissions: {},
    jobs: {
      x: {
        kind: 'steps',
        name: 'x',
        runsOn: 'ubuntu-24.04',
        permissions: OIDC,
        timeoutMinutes: 10,
        steps: [checkout(), awsCredentials('x'), ...steps],
        ...job,
      },
    },
  };
}

function problems(w: Workflow): string[] {
  return workflowProblems(w, [w]);
}

const deployNetwork: Step = {
  kind: 'local',
  name: 'network',
  id: 'network',
  action: 'deploy-stack',
  with: { name: names.stack('network'), template: 'cloudformation/network.yaml' },
};

describe('generation-time checks', () => {
  it('the real definitions pass', () => {
    expect(() => checkWorkflows(WORKFLOWS)).not.toThrow();
  });

  it('a misspelt action output is an error with a suggestion', () => {
    const w = workflow([
      deployNetwork,
      { kind: 'run', name: 'use', run: 'echo', env: { A: stepOutput('network', 'stak-id') } },
    ]);
    expect(problems(w)).toEqual([
      expect.stringMatching(
        /^x\.yml jobs\.x\.steps\[3\] \(use\) env\.A: steps\.network\.outputs\.stak-id: step network sets no output stak-id \(did you mean stack-id\?\)/,
      ),
    ]);
  });

  it("deploy-stack's outputs include the template's Outputs, and only those", () => {
    const ok = workflow([
      deployNetwork,
      { kind: 'run', name: 'use', run: 'echo', env: { A: stepOutput('network', 'SGPrivate') } },
    ]);
    expect(problems(ok)).toEqual([]);
    const bad = workflow([
      deployNetwork,
      { kind: 'run', name: 'use', run: 'echo', env: { A: stepOutput('network', 'ApiUrl') } },
    ]);
    expect(problems(bad)[0]).toMatch(/step network sets no output ApiUrl\. It sets: .*SGPrivate/);
  });

  it('publish-config in read mode sets the keys it is told to require, no others', () => {
    const read: Step = {
      kind: 'local',
      name: 'read',
      id: 'api',
      action: 'publish-config',
      with: { mode: 'read', layer: 'db-api', keys: 'ApiUrl' },
    };
    const use = (key: string): Step => ({
      kind: 'run',
      name: 'use',
      run: 'echo',
      env: { A: stepOutput('api', key) },
    });
    expect(problems(workflow([read, use('ApiUrl')]))).toEqual([]);
    expect(problems(workflow([read, use('FunctionName')]))[0]).toMatch(
      /step api sets no output FunctionName/,
    );
  });

  it('a step read before it runs, or never defined, is an error', () => {
    const w = workflow([
      { kind: 'run', name: 'early', run: 'echo', env: { A: stepOutput('network', 'stack-id') } },
      deployNetwork,
    ]);
    expect(problems(w)[0]).toMatch(/no earlier step of this job has id network/);
  });

  it('undeclared inputs and missing required inputs of ./actions/* are errors', () => {
    const w = workflow([
      {
        kind: 'local',
        name: 'deploy',
        action: 'deploy-stack',
        with: { template: 'cloudformation/network.yaml', paramters: 'Env=dev' },
      },
    ]);
    expect(problems(w)).toEqual([
      expect.stringMatching(
        /with\.paramters: \.\/actions\/deploy-stack declares no input paramters \(did you mean parameters\?\)/,
      ),
      expect.stringMatching(/\.\/actions\/deploy-stack requires input name$/),
    ]);
  });

  it('inputs of pinned third-party actions are checked against their action.yml', () => {
    const w = workflow([
      { kind: 'remote', name: 'node', action: 'setupNode', with: { 'node-versoin': '24' } },
    ]);
    expect(problems(w)[0]).toMatch(
      /actions\/setup-node@v\d+\.\d+\.\d+ declares no input node-versoin \(did you mean node-version\?\)/,
    );
  });

  it('an expression inside a run: script is refused (values go through env:)', () => {
    const w = workflow([
      { kind: 'run', name: 'unsafe', run: `echo ${expr('inputs.environment')}` },
    ]);
    expect(problems(w)[0]).toMatch(
      /run: holds \$\{\{ inputs\.environment \}\}; pass values to scripts through env:/,
    );
  });

  it('id-token: write goes with OIDC credentials, in both directions', () => {
    const noOidc = workflow([], { permissions: READ_ONLY });
    expect(problems(noOidc)).toEqual([
      expect.stringMatching(
        /requests AWS credentials through OIDC but lacks permissions id-token: write/,
      ),
    ]);
    const w = workflow([]);
    const job = w.jobs.x as StepsJob;
    job.steps = [];
    expect(problems(w)).toEqual([
      expect.stringMatching(/has id-token: write but requests no OIDC credentials/),
    ]);
  });

  it('unknown workflow inputs, needs outputs and matrix keys are errors', () => {
    const w = workflow([
      {
        kind: 'run',
        name: 'refs',
        run: 'echo',
        env: {
          A: expr('inputs.enviroment'),
          B: expr('needs.build.outputs.tag'),
          C: expr('matrix.node'),
        },
      },
    ]);
    expect(problems(w)).toEqual([
      expect.stringMatching(
        /inputs\.enviroment: the workflow has no input enviroment \(did you mean environment\?\)/,
      ),
      expect.stringMatching(/needs\.build\.outputs\.tag: build is not in this job's needs/),
      expect.stringMatching(/matrix\.node: the job's matrix has no key node/),
    ]);
  });

  it('a local action before any checkout is an error (GitHub cannot find its action.yml)', () => {
    const w = workflow([deployNetwork]);
    const job = w.jobs.x as StepsJob;
    job.steps = [awsCredentials('x'), deployNetwork, checkout(), { ...deployNetwork, id: 'again' }];
    expect(problems(w)).toEqual([
      expect.stringMatching(
        /jobs\.x\.steps\[1\] \(network\): \.\/actions\/deploy-stack is read from the repository, which no earlier step of this job checks out .*put checkout\(\) before it$/,
      ),
    ]);
  });

  it('a job without a timeout is an error', () => {
    expect(problems(workflow([], { timeoutMinutes: 0 }))[0]).toMatch(/jobs\.x: no timeout-minutes/);
  });

  it('checkWorkflows reports every problem at once', () => {
    const w = workflow([
      { kind: 'run', name: 'a', run: `echo ${expr('inputs.x')}` },
      { kind: 'run', name: 'b', run: 'echo', env: { B: stepOutput('nope', 'y') } },
    ]);
    try {
      checkWorkflows([w]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowCheckError);
      expect((err as WorkflowCheckError).problems).toEqual([
        expect.stringMatching(/steps\[2\] \(a\) run: holds/),
        expect.stringMatching(/steps\[3\] \(b\) env\.B: steps\.nope\.outputs\.y: no earlier step/),
      ]);
      expect((err as Error).message).toMatch(/^The workflow definitions have 2 problem\(s\):\n- /);
    }
  });
});
