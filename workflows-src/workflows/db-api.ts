/**
 * db-api.yml: the DB API layer. Checks the network layer is published, builds
 * the deployable template (db-api.yaml plus the tables generated from
 * runtime/schema/db_schema.json), bundles the Lambda and uploads it under a
 * key derived from its content (an unchanged bundle is neither uploaded nor
 * redeployed), deploys the stack and publishes db_api_config.json (ApiUrl).
 */
import { OUTPUT_CONTRACT } from '../../cloudformation/checks/templates.js';
import { expr, stepOutput, type Workflow } from '../model.js';
import {
  awsCredentials,
  checkout,
  installDependencies,
  layerJob,
  layerTriggers,
  Names,
  publishStackOutputs,
  readConfig,
  setupNode,
} from '../parts.js';

const BUNDLE_AND_UPLOAD = `out="$RUNNER_TEMP/db-api-lambda"
npm run --silent bundle:db-api -- --outdir "$out"
# The key is a hash of the bundle's files: the stack changes only when the code does.
hash="$(cd "$out" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
key="mcfpipe/db-api/lambda-$hash.zip"
if aws s3api head-object --bucket "$BUCKET" --key "$key" >/dev/null 2>&1; then
  echo "s3://$BUCKET/$key is there already."
else
  (cd "$out" && python3 -m zipfile -c "$RUNNER_TEMP/db-api-lambda.zip" .)
  aws s3 cp "$RUNNER_TEMP/db-api-lambda.zip" "s3://$BUCKET/$key" --only-show-errors
  echo "Uploaded s3://$BUCKET/$key"
fi
{
  echo "bucket=$BUCKET"
  echo "key=$key"
} >> "$GITHUB_OUTPUT"
`;

const names = new Names('inputs.environment');

export const dbApi: Workflow = {
  file: 'db-api.yml',
  source: 'workflows-src/workflows/db-api.ts',
  name: 'db-api',
  summary:
    'Deploys the DB API layer: DynamoDB tables generated from runtime/schema/db_schema.json, the Lambda bundle, the HTTP API; publishes db_api_config.json. Needs setup.',
  on: layerTriggers(),
  permissions: {},
  jobs: {
    'db-api': layerJob(names, 'db-api', {
      name: 'DB API',
      timeoutMinutes: 45,
      steps: [
        checkout(expr('inputs.ref')),
        setupNode(),
        installDependencies(),
        awsCredentials('db-api'),
        readConfig('network', names, 'network', OUTPUT_CONTRACT.network.outputs),
        {
          kind: 'run',
          name: 'Template: db-api.yaml with the tables of db_schema.json',
          id: 'template',
          outputs: ['path'],
          run: [
            'path="$RUNNER_TEMP/db-api.yaml"',
            'npm run --silent gen:tables -- --merge cloudformation/db-api.yaml --out "$path"',
            'echo "path=$path" >> "$GITHUB_OUTPUT"',
          ].join('\n'),
        },
        {
          kind: 'run',
          name: 'Bundle the Lambda and upload it (skipped when that bundle is there)',
          id: 'code',
          outputs: ['bucket', 'key'],
          env: { BUCKET: names.configBucket },
          run: BUNDLE_AND_UPLOAD,
        },
        {
          kind: 'local',
          name: 'Deploy the db-api stack',
          id: 'stack',
          action: 'deploy-stack',
          stackOutputsFrom: 'cloudformation/db-api.yaml',
          with: {
            name: names.stack('db-api'),
            template: stepOutput('template', 'path'),
            parameters: [
              `Env=${names.environment}`,
              `CodeBucket=${stepOutput('code', 'bucket')}`,
              `CodeKey=${stepOutput('code', 'key')}`,
              '',
            ].join('\n'),
            tags: names.stackTags,
            'template-bucket': `${names.configBucket}/mcfpipe/templates`,
            'timeout-minutes': '30',
          },
        },
        publishStackOutputs(names, 'db-api', 'stack'),
      ],
    }),
  },
};
