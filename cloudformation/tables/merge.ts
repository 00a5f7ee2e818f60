/**
 * Merging the generated table fragment into the db-api base template, and
 * writing templates as YAML.
 *
 * The merged template is what the db-api workflow deploys:
 *
 *   npm run gen:tables -- --merge cloudformation/db-api.yaml --out .tmp/db-api.yaml
 *
 * A logical id, parameter, condition or output declared in both is an error
 * (the fragment never overrides the base), and so is a base template that
 * lacks what the fragment refers to ({@link BASE_CONTRACT}).
 */
import { stringify } from 'yaml';
import type { Template } from '../../core/cfn-template.js';
import { BASE_CONTRACT } from './table-resources.js';

export class MergeError extends Error {
  override readonly name = 'MergeError';
}

const SECTIONS = ['Parameters', 'Conditions', 'Resources', 'Outputs'] as const;

/** Checks that `base` declares what the table fragment refers to. */
export function checkBaseContract(base: Template, baseName: string): void {
  const missing: string[] = [];
  for (const name of BASE_CONTRACT.Parameters) {
    if (!base.Parameters?.[name]) missing.push(`parameter ${name}`);
  }
  for (const name of BASE_CONTRACT.Conditions) {
    if (!base.Conditions?.[name]) missing.push(`condition ${name}`);
  }
  for (const [id, type] of Object.entries(BASE_CONTRACT.Resources)) {
    const actual = base.Resources?.[id]?.Type;
    if (actual !== type) {
      missing.push(`resource ${id} (${type}${actual ? `, found ${actual}` : ''})`);
    }
  }
  if (missing.length) {
    throw new MergeError(
      `${baseName} cannot take the generated tables: it lacks ${missing.join(', ')}. The tables refer to them (see BASE_CONTRACT in cloudformation/tables/table-resources.ts).`,
    );
  }
}

/** The base template with the fragment's sections added; the base's other keys are kept. */
export function mergeTemplates(
  base: Template,
  fragment: Template,
  names: { base: string; fragment: string } = { base: 'the base template', fragment: 'tables' },
): Template {
  checkBaseContract(base, names.base);
  const merged: Template = structuredClone(base);
  for (const section of SECTIONS) {
    const add = fragment[section] as Record<string, unknown> | undefined;
    if (!add) continue;
    const sections = merged as Record<string, Record<string, unknown> | undefined>;
    const target = sections[section] ?? {};
    sections[section] = target;
    for (const [id, value] of Object.entries(add)) {
      if (Object.hasOwn(target, id)) {
        throw new MergeError(
          `${section} ${id} is declared both in ${names.base} and in ${names.fragment}; rename one.`,
        );
      }
      target[id] = value;
    }
  }
  return merged;
}

/**
 * A template as YAML, intrinsic functions in their long form (`Fn::Sub`),
 * which CloudFormation reads like the short form. Never uses YAML anchors.
 */
export function templateYaml(template: Template, header?: string): string {
  const body = stringify(template, { aliasDuplicateObjects: false, lineWidth: 0 });
  return header ? `${header}\n${body}` : body;
}
