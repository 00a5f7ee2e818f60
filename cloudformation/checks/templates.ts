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
