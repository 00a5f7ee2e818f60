/**
 * deploy.yml: continuous deployment, gated by the tests. When ci.yml passes
 * on a push to main, the commit it tested is deployed to the environment the
 * MCFPIPE_DEPLOY_ENVIRONMENT repository variable names (nothing happens when
 * it is unset): setup, db-api, then tester and webscraper (deploy only; the
 * schedule scrapes), each through its own reusable workflow.
 */
import { expr, type Workflow } from '../model.js';
import { OIDC, VARS } from '../parts.js';

const ENV = expr(`vars.${VARS.deployEnvironment}`);
const REF = expr('github.event.workflow_run.head_sha');

export const deploy: Workflow = {
  file: 'deploy.yml',
  source: 'workflows-src/workflows/deploy.ts',
  name: 'deploy',
  summary: `After ci passes on a push to main, deploys the tested commit to the environment in the ${VARS.deployEnvironment} repository variable (none when unset): setup, db-api, tester, webscraper (deploy only).`,
  on: {
    workflowRun: { workflows: ['ci'], types: ['completed'], branches: ['main'] },
  },
  permissions: {},
  concurrency: { group: `mcfpipe-${ENV}-deploy`, cancelInProgress: false },
  jobs: {
    setup: {
      kind: 'call',
      name: 'setup',
      if: `github.event.workflow_run.conclusion == 'success' && github.event.workflow_run.event == 'push' && vars.${VARS.deployEnvironment} != ''`,
      permissions: OIDC,
      workflow: './.github/workflows/setup.yml',
      with: { environment: ENV, ref: REF },
    },
    'db-api': {
      kind: 'call',
      name: 'db-api',
      needs: ['setup'],
      permissions: OIDC,
      workflow: './.github/workflows/db-api.yml',
      with: { environment: ENV, ref: REF },
    },
    tester: {
      kind: 'call',
      name: 'tester',
      needs: ['db-api'],
      permissions: OIDC,
      workflow: './.github/workflows/tester.yml',
      with: { environment: ENV, ref: REF },
    },
    webscraper: {
      kind: 'call',
      name: 'webscraper',
      needs: ['db-api'],
      permissions: OIDC,
      workflow: './.github/workflows/webscraper.yml',
      with: { environment: ENV, ref: REF, scrape: false },
    },
  },
};
