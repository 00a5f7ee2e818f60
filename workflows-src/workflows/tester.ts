/**
 * tester.yml: the DB API's acceptance test, in the environment itself. The
 * tester image (built only when its sources changed), the tester stack, then
 * one Fargate task against the deployed API: the task's exit code is the
 * job's verdict, and its log is in the job summary.
 */
import { expr, stepOutput, type Workflow } from '../model.js';
import {
  awsCredentials,
  checkout,
  imageSteps,
  layerJob,
  layerTriggers,
  Names,
  publishStackOutputs,
  readConfig,
} from '../parts.js';

const names = new Names('inputs.environment');

export const tester: Workflow = {
  file: 'tester.yml',
  source: 'workflows-src/workflows/tester.ts',
  name: 'tester',
  summary:
    'Builds the tester image when its sources changed, deploys the tester stack and runs the DB API test suite as a Fargate task against the environment: its exit code is the verdict. Needs db-api.',
  on: layerTriggers(),
  permissions: {},
  jobs: {
    tester: layerJob(names, 'tester', {
      name: 'Tester',
      timeoutMinutes: 60,
      steps: [
        checkout(expr('inputs.ref')),
        awsCredentials('tester'),
        readConfig('api', names, 'db-api', ['ApiUrl']),
        ...imageSteps({ component: 'tester', names }),
        {
          kind: 'local',
          name: 'Deploy the tester stack',
          id: 'stack',
          action: 'deploy-stack',
          with: {
            name: names.stack('tester'),
            template: 'cloudformation/tester.yaml',
            parameters: [
              `Env=${names.environment}`,
              `Image=${stepOutput('image', 'uri')}`,
              `DbApiUrl=${stepOutput('api', 'ApiUrl')}`,
              '',
            ].join('\n'),
            tags: names.stackTags,
            'timeout-minutes': '20',
          },
        },
        publishStackOutputs(names, 'tester', 'stack'),
        {
          kind: 'local',
          name: 'Run the DB API tests (the task exit code is the verdict)',
          id: 'run',
          action: 'run-fargate-task',
          with: {
            cluster: stepOutput('stack', 'ClusterName'),
            'task-definition': stepOutput('stack', 'TaskDefinitionFamily'),
            container: stepOutput('stack', 'ContainerName'),
            'network-config': names.configUrl('network'),
            environment: `DB_API_URL=${stepOutput('api', 'ApiUrl')}\n`,
            'timeout-minutes': '20',
          },
        },
      ],
    }),
  },
};
