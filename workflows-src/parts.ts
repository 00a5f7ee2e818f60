/**
 * The pieces every deploy workflow is made of, written once: the environment
 * input, names derived from the environment, checkout, OIDC credentials,
 * reading a published config, Node and dependencies, the container image.
 */

import { imageSources } from './image-sources.js';
import type {
  BooleanInput,
  CallInput,
  ChoiceInput,
  Concurrency,
  DispatchInput,
  LocalActionStep,
  Permissions,
  RemoteActionStep,
  RunStep,
  Step,
  StepsJob,
  StringInput,
  Text,
  Triggers,
} from './model.js';
import { expr, stepOutput } from './model.js';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'];
export const RUNS_ON = 'ubuntu-24.04';

/** Node.js version of the jobs that run repository code (the actions run on node24 too). */
export const NODE_VERSION = '24';

/** Repository and environment variables the workflows read (docs/deploy.md explains each). */
export const VARS = {
  region: 'AWS_REGION',
  role: 'AWS_DEPLOY_ROLE_ARN',
  scrapeEnvironment: 'MCFPIPE_SCRAPE_ENVIRONMENT',
  scrapeShards: 'MCFPIPE_SCRAPE_SHARDS',
  deployEnvironment: 'MCFPIPE_DEPLOY_ENVIRONMENT',
  driftEnvironments: 'MCFPIPE_DRIFT_ENVIRONMENTS',
  syncRole: 'AWS_SYNC_ROLE_ARN',
  spreadsheet: 'SHEETS_SPREADSHEET_ID',
} as const;

/** Secrets the workflows read (docs/deploy.md explains each; no AWS key is ever one). */
export const SECRETS = {
  googleKey: 'GOOGLE_SERVICE_ACCOUNT_KEY',
} as const;

export function environmentInput(): ChoiceInput {
  return {
    type: 'choice',
    description: 'Environment (its GitHub environment holds AWS_DEPLOY_ROLE_ARN)',
    required: true,
    default: 'dev',
    options: ENVIRONMENTS,
  };
}

/** The environment input of a reusable workflow (workflow_call has no choice type). */
export function environmentCallInput(): StringInput {
  return {
    type: 'string',
    description: `Environment: ${ENVIRONMENTS.join(', ')}`,
    required: true,
  };
}

export function refCallInput(): StringInput {
  return {
    type: 'string',
    description: 'Commit to check out (empty: the commit the run is for)',
    required: false,
    default: '',
  };
}

export function booleanInput(description: string, value: boolean): BooleanInput {
  return { type: 'boolean', description, required: false, default: value };
}

/** The expressions that name things of one environment. */
export class Names {
  /** @param env an expression giving the environment name, e.g. `inputs.environment`. */
  constructor(readonly env: string) {}

  get environment(): Text {
    return expr(this.env);
  }

  /** `mcfpipe-<env>`: NamePrefix's default in every template. */
  get prefix(): Text {
    return `mcfpipe-${this.environment}`;
  }

  stack(layer: string): Text {
    return `${this.prefix}-${layer}`;
  }

  /** ECR repository of a component's image. */
  repository(component: string): Text {
    return `${this.prefix}-${component}`;
  }

  /**
   * The environment's config bucket, `mcfpipe-config-<env>-<account>-<region>`
   * (publish-config's default name), from the credentials step's account id.
   */
  get configBucket(): Text {
    return `mcfpipe-config-${this.environment}-${stepOutput('aws', 'aws-account-id')}-${expr(`vars.${VARS.region}`)}`;
  }

  /** s3:// URL of a published layer config. */
  configUrl(layer: string): Text {
    return `s3://${this.configBucket}/${configKey(layer)}`;
  }

  /** The ownership tags cleanup-resources checks, as deploy-stack's KEY=value lines. */
  get stackTags(): Text {
    return `mcfpipe:env=${this.environment}\nmcfpipe:managed-by=mcfpipe\n`;
  }

  /** One deploy of a layer of an environment at a time; a second waits, never cancels. */
  concurrency(layer: string): Concurrency {
    return { group: `mcfpipe-${this.environment}-${layer}`, cancelInProgress: false };
  }
}

/** publish-config's key of a layer: mcfpipe/aws/<layer>/<layer with - as _>_config.json. */
export function configKey(layer: string): string {
  return `mcfpipe/aws/${layer}/${layer.replace(/-/g, '_')}_config.json`;
}

/**
 * A layer workflow's triggers: by hand (workflow_dispatch, the environment as a choice) and
 * from deploy.yml (workflow_call, the environment as a string, and the commit to check out).
 */
export function layerTriggers(
  dispatch: Record<string, DispatchInput> = {},
  call: Record<string, CallInput> = {},
): Triggers {
  return {
    workflowDispatch: { inputs: { environment: environmentInput(), ...dispatch } },
    workflowCall: {
      inputs: { environment: environmentCallInput(), ref: refCallInput(), ...call },
    },
  };
}

/**
 * A job that deploys or operates one layer of one environment: in the environment's GitHub
 * environment (its deploy role and protection rules), with OIDC credentials, one at a time
 * per environment and layer.
 */
export function layerJob(
  names: Names,
  layer: string,
  job: { name: string; timeoutMinutes: number; steps: Step[] } & Partial<StepsJob>,
): StepsJob {
  return {
    kind: 'steps',
    runsOn: RUNS_ON,
    environment: names.environment,
    permissions: OIDC,
    concurrency: names.concurrency(layer),
    ...job,
    name: `${job.name} (${names.environment})`,
  };
}

export const READ_ONLY: Permissions = { contents: 'read' };
export const OIDC: Permissions = { contents: 'read', 'id-token': 'write' };

export function checkout(ref?: Text): RemoteActionStep {
  return {
    kind: 'remote',
    name: 'Check out the repository',
    action: 'checkout',
    with: { ...(ref && { ref }), 'persist-credentials': 'false' },
  };
}

/**
 * OIDC credentials for one of the environment's roles (its ARN is an environment variable):
 * the deploy role unless another is named.
 */
export function awsCredentials(
  workflow: string,
  role: { variable: string; what: string } = { variable: VARS.role, what: 'deploy role' },
): RemoteActionStep {
  return {
    kind: 'remote',
    name: `AWS credentials (GitHub OIDC, the environment ${role.what})`,
    id: 'aws',
    action: 'awsCredentials',
    with: {
      'role-to-assume': expr(`vars.${role.variable}`),
      'aws-region': expr(`vars.${VARS.region}`),
      'role-session-name': `mcfpipe-${workflow}-${expr('github.run_id')}`,
    },
  };
}

export function setupNode(version: Text = NODE_VERSION): RemoteActionStep {
  return {
    kind: 'remote',
    name: 'Node.js',
    action: 'setupNode',
    with: { 'node-version': version, cache: 'npm' },
  };
}

export function installDependencies(): RunStep {
  return {
    kind: 'run',
    name: 'Install dependencies (package-lock.json)',
    id: 'dependencies',
    needs: 'npm-registry',
    run: 'npm ci --no-audit --no-fund',
  };
}

/** Reads a published layer config; the keys become outputs of the step (and must be there). */
export function readConfig(
  id: string,
  names: Names,
  layer: string,
  keys: string[],
): LocalActionStep {
  return {
    kind: 'local',
    name: `Read the ${layer} config`,
    id,
    action: 'publish-config',
    with: {
      mode: 'read',
      bucket: names.configBucket,
      layer,
      keys: keys.join(','),
    },
  };
}

/** Publishes a deployed stack's outputs as the layer's config. */
export function publishStackOutputs(
  names: Names,
  layer: string,
  stackStep: string,
): LocalActionStep {
  return {
    kind: 'local',
    name: `Publish ${configKey(layer)}`,
    id: 'publish',
    action: 'publish-config',
    with: {
      'stack-name': stepOutput(stackStep, 'stack-id'),
      layer,
      bucket: names.configBucket,
      env: names.environment,
      'create-bucket': 'false',
    },
  };
}

export interface ImageOptions {
  component: 'tester' | 'webscraper';
  names: Names;
  /** An expression: when true, nothing is created or pushed (the tag is still computed). */
  dryRun?: string;
}

/**
 * The component's image in the environment's ECR repository, built from
 * runtime/Dockerfile's target of that name and tagged `src-<hash>` where the
 * hash covers exactly the files the image is built from (the Dockerfile, its
 * .dockerignore and what the target's stages copy, minus what .dockerignore
 * leaves out). The repository is created (tagged as
 * mcfpipe's, immutable tags, scan on push, the last 20 images kept) before
 * anything is pushed; the build is skipped when the tag is already there.
 */
export function imageSteps(opts: ImageOptions): RunStep[] {
  const { component, names } = opts;
  const dockerfile = 'runtime/Dockerfile';
  const find: RunStep = {
    kind: 'run',
    name: `Find the ${component} image (tag from its sources; is it in ECR?)`,
    id: 'image',
    outputs: ['tag', 'uri', 'registry', 'exists'],
    env: {
      REPOSITORY: names.repository(component),
      ENVIRONMENT: names.environment,
      ACCOUNT_ID: stepOutput('aws', 'aws-account-id'),
      IMAGE_SOURCES: imageSources(dockerfile, { target: component }).join('\n'),
      DRY_RUN: opts.dryRun ? expr(opts.dryRun) : 'false',
    },
    run: FIND_IMAGE,
  };
  const build: RunStep = {
    kind: 'run',
    name: `Build and push the ${component} image (linux/amd64)`,
    id: 'build',
    if: `steps.image.outputs.exists != 'true'${opts.dryRun ? ` && !${opts.dryRun}` : ''}`,
    needs: 'docker',
    env: {
      REGISTRY: stepOutput('image', 'registry'),
      IMAGE: stepOutput('image', 'uri'),
      DOCKERFILE: dockerfile,
      TARGET: component,
    },
    run: BUILD_IMAGE,
  };
  return [find, build];
}

/**
 * Sets `tag` to src-<16 hex>: a hash of the git blobs (content) and paths of exactly the files
 * in $IMAGE_SOURCES (git pathspecs, one a line), as committed.
 */
export const IMAGE_TAG = `mapfile -t sources <<< "$IMAGE_SOURCES"
tag="src-$(git ls-files -s -- "\${sources[@]}" | sha256sum | cut -c1-16)"
`;

const FIND_IMAGE = `# The tag is a hash of the files the image is built from (listed by npm run workflows
# from the Dockerfile and its .dockerignore), so an unchanged image is never rebuilt.
${IMAGE_TAG}registry="$ACCOUNT_ID.dkr.ecr.$AWS_REGION.amazonaws.com"
{
  echo "tag=$tag"
  echo "registry=$registry"
  echo "uri=$registry/$REPOSITORY:$tag"
} >> "$GITHUB_OUTPUT"

# One call tells the three cases apart: the image is there, the repository is there
# without it, or there is no repository yet.
if err="$(aws ecr describe-images --repository-name "$REPOSITORY" --image-ids "imageTag=$tag" 2>&1 >/dev/null)"; then
  echo "$REPOSITORY:$tag is in ECR already: no build."
  echo "exists=true" >> "$GITHUB_OUTPUT"
  exit 0
fi
echo "exists=false" >> "$GITHUB_OUTPUT"
case "$err" in
  *ImageNotFoundException*)
    echo "$REPOSITORY:$tag is not in ECR yet: it will be built." ;;
  *RepositoryNotFoundException*)
    if [[ "$DRY_RUN" == true ]]; then
      echo "Dry run: would create the ECR repository $REPOSITORY and push $tag."
      exit 0
    fi
    echo "Creating the ECR repository $REPOSITORY; $tag will be built."
    aws ecr create-repository --repository-name "$REPOSITORY" \
      --image-tag-mutability IMMUTABLE \
      --image-scanning-configuration scanOnPush=true \
      --encryption-configuration encryptionType=AES256 \
      --tags "Key=mcfpipe:env,Value=$ENVIRONMENT" "Key=mcfpipe:managed-by,Value=mcfpipe" >/dev/null
    aws ecr put-lifecycle-policy --repository-name "$REPOSITORY" --lifecycle-policy-text \
      '{"rules":[{"rulePriority":1,"description":"keep the last 20 images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":20},"action":{"type":"expire"}}]}' >/dev/null ;;
  *)
    echo "$err" >&2
    exit 1 ;;
esac
`;

const BUILD_IMAGE = `aws ecr get-login-password | docker login --username AWS --password-stdin "$REGISTRY"
docker buildx build --platform linux/amd64 --provenance=false \\
  --file "$DOCKERFILE" --target "$TARGET" --tag "$IMAGE" --push .
`;
