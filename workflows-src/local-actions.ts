/**
 * What this repository's actions declare (actions/<name>/action.yml): the
 * inputs a step may pass, the required ones, and the outputs a later step may
 * read. deploy-stack also sets every stack output as an output of its own
 * name, so its outputs include the Outputs of the template it deploys.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { readTemplate } from '../core/cfn-template.js';

export const ROOT = resolve(import.meta.dirname, '..');

export interface ActionInput {
  required: boolean;
  default: string | undefined;
}

export interface ActionMetadata {
  name: string;
  /** actions/<name> */
  path: string;
  inputs: Record<string, ActionInput>;
  outputs: string[];
  runs: { using: string; main: string; post?: string; postIf?: string };
}

const cache = new Map<string, ActionMetadata>();

export function localAction(name: string, root = ROOT): ActionMetadata {
  const key = `${root}\0${name}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const file = join(root, 'actions', name, 'action.yml');
  if (!existsSync(file)) {
    throw new Error(`./actions/${name}: there is no ${file} (actions: ${localActionNames(root)})`);
  }
  const doc = parse(readFileSync(file, 'utf8')) as {
    inputs?: Record<string, { required?: boolean; default?: unknown }>;
    outputs?: Record<string, unknown>;
    runs: { using: string; main: string; post?: string; 'post-if'?: string };
  };
  const meta: ActionMetadata = {
    name,
    path: `actions/${name}`,
    inputs: Object.fromEntries(
      Object.entries(doc.inputs ?? {}).map(([k, v]) => [
        k,
        {
          required: v?.required === true,
          default: v?.default === undefined ? undefined : String(v.default),
        },
      ]),
    ),
    outputs: Object.keys(doc.outputs ?? {}),
    runs: {
      using: doc.runs.using,
      main: doc.runs.main,
      ...(doc.runs.post && { post: doc.runs.post }),
      ...(doc.runs['post-if'] && { postIf: doc.runs['post-if'] }),
    },
  };
  cache.set(key, meta);
  return meta;
}

function localActionNames(root: string): string {
  return ['deploy-stack', 'publish-config', 'run-fargate-task', 'cleanup-resources']
    .filter((n) => existsSync(join(root, 'actions', n, 'action.yml')))
    .join(', ');
}

/** The Outputs a CloudFormation template declares (deploy-stack sets each as a step output). */
export function templateOutputs(templatePath: string, root = ROOT): string[] {
  const { template } = readTemplate(join(root, templatePath));
  return Object.keys((template.Outputs as Record<string, unknown> | undefined) ?? {});
}
