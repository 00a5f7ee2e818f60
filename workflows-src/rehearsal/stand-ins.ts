/**
 * Every step the rehearsal does not run as written, in one place, each with
 * what it stands for. These are the steps that need GitHub itself (a
 * checkout, OIDC), the internet (installing Node or packages) or a Docker
 * engine (image build and push); everything else in the workflows runs for
 * real against the emulator. What the emulator itself lacks is served, not
 * stood in for here: local-services.ts (the DB API, Google's Sheets API) and
 * the answerers of the rehearsal's AWS endpoint (query-proxy.ts): ListImports
 * (moto.ts) and CloudFormation drift detection (drift-replay.ts).
 */
import { execFileSync } from 'node:child_process';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { MotoServer } from '../../core/testing/moto.js';
import type { StandIn } from './runner.js';

/** The workspace is the repository checkout the test runs in. */
export function standIns(moto: MotoServer, workspace: string): StandIn[] {
  const credentials = {
    AWS_ACCESS_KEY_ID: moto.env.AWS_ACCESS_KEY_ID!,
    AWS_SECRET_ACCESS_KEY: moto.env.AWS_SECRET_ACCESS_KEY!,
    AWS_SESSION_TOKEN: moto.env.AWS_SESSION_TOKEN!,
  };
  return [
    {
      match: { uses: 'actions/checkout' },
      standsFor:
        'actions/checkout: cloning the repository. The rehearsal runs in the checkout the test runs from, which is GITHUB_WORKSPACE.',
      async run() {
        const commit = execFileSync('git', ['rev-parse', 'HEAD'], {
          cwd: workspace,
          encoding: 'utf8',
        }).trim();
        return { outputs: { ref: 'refs/heads/main', commit } };
      },
    },
    {
      match: { uses: 'actions/setup-node' },
      standsFor: "actions/setup-node: installing Node.js. The test's own node runs the steps.",
      async run() {
        return { outputs: { 'node-version': process.version } };
      },
    },
    {
      match: { uses: 'aws-actions/configure-aws-credentials' },
      standsFor:
        "aws-actions/configure-aws-credentials: a GitHub OIDC token exchanged for the deploy role's session (sts:AssumeRoleWithWebIdentity). The emulator's test credentials are exported instead, with the region given, and the account id comes from sts:GetCallerIdentity as the action's does.",
      async run(ctx) {
        const role = ctx.with['role-to-assume'] ?? '';
        if (!/^arn:aws:iam::\d{12}:role\/.+/.test(role)) {
          throw new Error(
            `role-to-assume is not a role ARN: "${role}" (is AWS_DEPLOY_ROLE_ARN set?)`,
          );
        }
        const region = ctx.with['aws-region'] ?? '';
        if (!region) throw new Error('aws-region is empty (is AWS_REGION set?)');
        const sts = new STSClient({ ...moto.clientConfig, region });
        const { Account } = await sts.send(new GetCallerIdentityCommand({}));
        sts.destroy();
        return {
          outputs: { 'aws-account-id': Account! },
          env: { ...credentials, AWS_REGION: region, AWS_DEFAULT_REGION: region },
        };
      },
    },
    {
      match: { id: 'dependencies' },
      standsFor:
        'npm ci: installing the locked dependencies from the registry. They are installed in the checkout the test runs from.',
      async run() {
        return {};
      },
    },
    {
      match: { id: 'build' },
      standsFor:
        'docker login + docker buildx build --push: there is no Docker engine here. The image manifest is put into the ECR repository under the same tag (PutImage), which is what a push leaves there.',
      async run(ctx) {
        const image = ctx.env.IMAGE ?? '';
        const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:]+):(.+)$/.exec(
          image,
        );
        if (!match) throw new Error(`IMAGE is not an ECR image URI: "${image}"`);
        const [, registryId, region, repositoryName, imageTag] = match;
        const ecr = new ECRClient({ ...moto.clientConfig, region });
        await ecr.send(
          new PutImageCommand({
            registryId,
            repositoryName,
            imageTag,
            imageManifest: JSON.stringify({
              schemaVersion: 2,
              mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
              config: {
                mediaType: 'application/vnd.docker.container.image.v1+json',
                size: 1,
                digest: `sha256:${'0'.repeat(64)}`,
              },
              layers: [],
            }),
          }),
        );
        ecr.destroy();
        return {};
      },
    },
  ];
}
