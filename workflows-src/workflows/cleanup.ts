/**
 * cleanup.yml: tears an environment down. A dry run unless asked otherwise;
 * a real run only when `confirm` repeats the environment's name. The layer
 * stacks go in reverse order (tester and webscraper, db-api, network), then
 * the config bucket, the ECR repositories and the log groups. The
 * github-oidc stack (the role this very job runs as) is kept, and so are the
 * DynamoDB tables (DeletionPolicy Retain: they hold the data), listed as kept.
 */
import { expr, type Workflow } from '../model.js';
import {
  awsCredentials,
  booleanInput,
  checkout,
  environmentInput,
  layerJob,
  Names,
} from '../parts.js';

const CHECK_CONFIRMATION = `if [[ "$DRY_RUN" == true ]]; then
  echo "Dry run: nothing will be deleted."
elif [[ "$CONFIRM" != "$ENVIRONMENT" ]]; then
  echo "::error title=Not confirmed::This deletes environment $ENVIRONMENT. Run again with confirm set to $ENVIRONMENT (or with dry-run on)."
  exit 1
fi
`;

const names = new Names('inputs.environment');

export const cleanup: Workflow = {
  file: 'cleanup.yml',
  source: 'workflows-src/workflows/cleanup.ts',
  name: 'cleanup',
  summary:
    'Deletes an environment: its layer stacks in reverse order, the config bucket, the ECR repositories and the log groups. Dry run by default; a real run needs confirm = the environment name. Keeps the github-oidc stack and the DynamoDB tables (Retain).',
  on: {
    workflowDispatch: {
      inputs: {
        environment: environmentInput(),
        confirm: {
          type: 'string',
          description: 'For a real run (dry-run off): the environment name again',
          required: false,
          default: '',
        },
        'dry-run': booleanInput('Only list what would be deleted', true),
      },
    },
  },
  permissions: {},
  jobs: {
    cleanup: layerJob(names, 'cleanup', {
      name: `Clean up${expr(`inputs.dry-run && ' (dry run)' || ''`)}`,
      timeoutMinutes: 90,
      steps: [
        {
          kind: 'run',
          name: 'Check the confirmation',
          env: {
            ENVIRONMENT: names.environment,
            CONFIRM: expr('inputs.confirm'),
            DRY_RUN: expr('inputs.dry-run'),
          },
          run: CHECK_CONFIRMATION,
        },
        checkout(),
        awsCredentials('cleanup'),
        {
          kind: 'local',
          name: 'Delete the environment',
          id: 'cleanup',
          action: 'cleanup-resources',
          with: {
            'stack-prefix': names.prefix,
            env: names.environment,
            'exclude-stacks': names.stack('github-oidc'),
            buckets: names.configBucket,
            'ecr-repositories': `${names.repository('tester')}\n${names.repository('webscraper')}\n`,
            'log-groups': [
              `/aws/lambda/${names.prefix}-*`,
              `/aws/apigateway/${names.prefix}-*`,
              `/ecs/${names.prefix}-*`,
              '',
            ].join('\n'),
            'dry-run': expr('inputs.dry-run'),
          },
        },
      ],
    }),
  },
};
