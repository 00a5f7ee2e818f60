/**
 * The project's templates as they are deployed, and the outputs each layer
 * promises (the contract between layers, ARCHITECTURE.md).
 *
 * db-api is checked merged with the generated tables: the base alone is not a
 * deployable template (its table conditions are used by the tables only).
 */
import { resolve } from 'node:path';
import { readTemplate, type Template } from '../../core/cfn-template.js';
import { projectSchema } from '../../runtime/schema/schema.js';
import { mergeTemplates } from '../tables/merge.js';
import { tableResources } from '../tables/table-resources.js';

export const CLOUDFORMATION_DIR = resolve(import.meta.dirname, '..');

export const LAYERS = ['network', 'db-api', 'tester', 'webscraper', 'github-oidc'] as const;
export type Layer = (typeof LAYERS)[number];

export interface DeployableTemplate {
  layer: Layer;
  /** The template file in the repository. */
  file: string;
  /** What is deployed (for db-api: the file merged with the generated tables). */
  template: Template;
}

/** Outputs each layer must declare; `exact` ones declare no others, `exported` ones export each. */
export const OUTPUT_CONTRACT: Record<Layer, { outputs: string[]; exact?: true; exported?: true }> =
  {
    network: {
      outputs: [
        'VpcId',
        'PublicSubnet1Id',
        'PublicSubnet2Id',
        'PrivateSubnetId',
        'SGHTTP',
        'SGPrivate',
        'SGSSH',
      ],
      exact: true,
      exported: true,
    },
    'db-api': { outputs: ['ApiUrl', 'ApiId', 'ApiExecutionArn', 'TableNamePrefix'] },
    tester: { outputs: ['ClusterName', 'TaskDefinitionFamily', 'ContainerName', 'LogGroupName'] },
    webscraper: {
      outputs: ['ClusterName', 'TaskDefinitionFamily', 'ContainerName', 'LogGroupName'],
    },
    'github-oidc': { outputs: ['DeployRoleArn'] },
  };

export function templateFile(layer: Layer): string {
  return resolve(CLOUDFORMATION_DIR, `${layer}.yaml`);
}

/** One layer's deployable template. */
export function deployableTemplate(layer: Layer): DeployableTemplate {
  const file = templateFile(layer);
  const { template } = readTemplate(file);
  if (layer !== 'db-api') return { layer, file, template };
  return {
    layer,
    file,
    template: mergeTemplates(template, tableResources(projectSchema()), {
      base: 'cloudformation/db-api.yaml',
      fragment: 'the generated tables',
    }),
  };
}

export function deployableTemplates(): DeployableTemplate[] {
  return LAYERS.map(deployableTemplate);
}

/** Parameter values for the parameters a layer requires (no Default), as a user would give them. */
const REQUIRED_PARAMETERS: Record<Layer, Record<string, string>> = {
  network: {},
  'db-api': {
    CodeBucket: 'mcfpipe-config-dev-123456789012-ap-southeast-1',
    CodeKey: 'mcfpipe/db-api/1f2e3d4.zip',
  },
  tester: {
    Image: '123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/mcfpipe-dev-tester:1f2e3d4',
    DbApiUrl: 'https://abc1234567.execute-api.ap-southeast-1.amazonaws.com',
  },
  webscraper: {
    Image: '123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/mcfpipe-dev-webscraper:1f2e3d4',
    DbApiUrl: 'https://abc1234567.execute-api.ap-southeast-1.amazonaws.com',
    ConfigBucketName: 'mcfpipe-config-dev-123456789012-ap-southeast-1',
    SubnetIds: 'subnet-0a1b2c3d,subnet-1a2b3c4d',
    SecurityGroupIds: 'sg-0a1b2c3d',
  },
  'github-oidc': { GitHubRepository: 'octo-org/mcfpipe' },
};

/** Settings that create a layer's optional resources (each scenario list includes them once). */
const OPTIONAL_PARAMETERS: Record<Layer, Array<Record<string, string>>> = {
  network: [{ EnableFlowLogs: 'true', SshCidr: '203.0.113.7/32' }],
  'db-api': [
    {
      TableEncryption: 'customer-kms',
      TableKmsKeyArn:
        'arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    },
  ],
  tester: [],
  webscraper: [
    {
      Store: 'dynamodb',
      ArchiveRaw: 'true',
      ConfigBucketKmsKeyArn:
        'arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    },
  ],
  'github-oidc': [{ CreateOidcProvider: 'false', AllowMainBranch: 'false', DbApiId: 'abc1234567' }],
};

/**
 * Parameter sets the semantic checks resolve a layer with: each environment
 * with the default prefix, a custom prefix, and the optional resources on.
 */
export function scenarioParameters(layer: Layer): Array<Record<string, string>> {
  const required = REQUIRED_PARAMETERS[layer];
  return [
    { ...required, Env: 'dev' },
    { ...required, Env: 'staging' },
    { ...required, Env: 'prod' },
    { ...required, Env: 'staging', NamePrefix: 'team-a' },
    ...OPTIONAL_PARAMETERS[layer].map((extra) => ({ ...required, Env: 'prod', ...extra })),
  ];
}

/** `<prefix>` of a parameter set: NamePrefix, or mcfpipe-<Env> when it is empty. */
export function namePrefix(parameters: Record<string, string>): string {
  return parameters.NamePrefix || `mcfpipe-${parameters.Env ?? 'dev'}`;
}

/**
 * What github-oidc.yaml names after the prefix: the deploy role, its managed
 * policies and the permissions boundary every other role of the environment
 * carries. The layers derive the boundary's ARN from their prefix the same way.
 */
export const DEPLOYER_ROLE_SUFFIX = '-deployer';
export const BOUNDARY_POLICY_SUFFIX = '-boundary';
export const DEPLOYER_POLICY_SUFFIXES = [
  '-deployer-stacks',
  '-deployer-network',
  '-deployer-services',
  '-deployer-operate',
  '-deployer-guardrails',
];
