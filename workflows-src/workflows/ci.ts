/**
 * ci.yml: every pull request and every push to main. Lint, typecheck, fresh
 * bundles, fresh workflows (and actionlint plus GitHub's workflow parser on
 * them), and the whole test suite on Node 20 and Node 24 (the actions'
 * runtime), with moto and cfn-lint for the AWS tiers and the runner's Chrome
 * for the browser tier. No AWS credentials anywhere: nothing here can touch
 * an account. Deploys on push wait for this workflow (deploy.yml).
 */
import { expr, type RunStep, type Workflow } from '../model.js';
import {
  checkout,
  installDependencies,
  NODE_VERSION,
  READ_ONLY,
  RUNS_ON,
  setupNode,
} from '../parts.js';

function run(name: string, command: string): RunStep {
  return { kind: 'run', name, run: command };
}

/** The Python tools the AWS test tiers use, at the versions the tests were written against. */
const PYTHON_TOOLS = `python3 -m venv "$RUNNER_TEMP/python"
"$RUNNER_TEMP/python/bin/pip" install --quiet "moto[server]==5.2.1" "cfn-lint==1.51.0"
echo "$RUNNER_TEMP/python/bin" >> "$GITHUB_PATH"
`;

export const ci: Workflow = {
  file: 'ci.yml',
  source: 'workflows-src/workflows/ci.ts',
  name: 'ci',
  summary:
    "Lint, typecheck, fresh bundles and workflows (actionlint, GitHub's workflow parser), and the tests on Node 20 and 24, on pull requests and pushes to main. No AWS credentials.",
  on: {
    pullRequest: { branches: ['main'] },
    push: { branches: ['main'] },
  },
  permissions: READ_ONLY,
  concurrency: {
    group: `ci-${expr('github.event.pull_request.number || github.ref')}`,
    cancelInProgress: expr(`github.event_name == 'pull_request'`),
  },
  jobs: {
    checks: {
      kind: 'steps',
      name: 'Lint, types, bundles, workflows',
      runsOn: RUNS_ON,
      permissions: READ_ONLY,
      timeoutMinutes: 20,
      steps: [
        checkout(),
        setupNode(NODE_VERSION),
        installDependencies(),
        run('Lint (biome)', 'npm run lint'),
        run('Typecheck', 'npm run build'),
        run('Bundles are fresh (actions/*/dist)', 'npm run check-dist'),
        run(
          'Workflows are fresh, and pass actionlint and the workflow parser',
          'npm run workflows -- --check',
        ),
      ],
    },
    test: {
      kind: 'steps',
      name: `Tests (Node ${expr('matrix.node')})`,
      runsOn: RUNS_ON,
      permissions: READ_ONLY,
      timeoutMinutes: 30,
      strategy: { failFast: false, matrix: { node: ['20', '24'] } },
      env: { CI: 'true', CHROMIUM_PATH: '/usr/bin/google-chrome' },
      steps: [
        checkout(),
        setupNode(expr('matrix.node')),
        run('moto and cfn-lint (Python)', PYTHON_TOOLS),
        installDependencies(),
        run('Tests', 'npm test'),
      ],
    },
  },
};
