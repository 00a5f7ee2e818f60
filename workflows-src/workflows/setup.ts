/**
 * setup.yml: the environment's foundation. The config bucket (created and
 * locked down by publish-config) with the global config, then the network
 * stack, then its outputs as mcfpipe/aws/network/network_config.json, which
 * every later layer reads.
 */
import { expr, stepOutput, type Workflow } from '../model.js';
import {
  awsCredentials,
  checkout,
  layerJob,
  layerTriggers,
  Names,
  publishStackOutputs,
  VARS,
} from '../parts.js';

const names = new Names('inputs.environment');

export const setup: Workflow = {
  file: 'setup.yml',
  source: 'workflows-src/workflows/setup.ts',
  name: 'setup',
  summary:
    "Deploys an environment's foundation: the config bucket with global_config.json, the network stack, and network_config.json. Run it first, after the one-time github-oidc bootstrap (docs/deploy.md).",
  on: layerTriggers(),
  permissions: {},
  jobs: {
    network: layerJob(names, 'network', {
      name: 'Network',
      timeoutMinutes: 40,
      steps: [
        checkout(expr('inputs.ref')),
        awsCredentials('setup'),
        {
          kind: 'local',
          name: 'Config bucket and global_config.json',
          id: 'global',
          action: 'publish-config',
          with: {
            bucket: names.configBucket,
            key: 'mcfpipe/aws/global/global_config.json',
            env: names.environment,
            set: [
              `Env=${names.environment}`,
              `NamePrefix=${names.prefix}`,
              `Region=${expr(`vars.${VARS.region}`)}`,
              `AccountId=${stepOutput('aws', 'aws-account-id')}`,
              `ConfigBucket=${names.configBucket}`,
              `Repository=${expr('github.repository')}`,
              '',
            ].join('\n'),
          },
        },
        {
          kind: 'local',
          name: 'Deploy the network stack',
          id: 'network',
          action: 'deploy-stack',
          with: {
            name: names.stack('network'),
            template: 'cloudformation/network.yaml',
            parameters: `Env=${names.environment}\n`,
            tags: names.stackTags,
            'template-bucket': `${stepOutput('global', 'bucket')}/mcfpipe/templates`,
            'timeout-minutes': '30',
          },
        },
        publishStackOutputs(names, 'network', 'network'),
      ],
    }),
  },
};
