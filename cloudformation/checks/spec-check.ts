/**
 * Checks a template against the CloudFormation resource specification
 * (@aws-cdk/aws-service-spec, the database the AWS CDK generates its L1
 * constructs from, released weekly): every resource type exists, every
 * property (nested ones too) exists and has the right shape, required
 * properties are present, and every Fn::GetAtt names an attribute the type has.
 *
 * Values computed by intrinsic functions are not checked for type (their value
 * is known at deploy time only), but both branches of an Fn::If are.
 */
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { Template } from '../../core/cfn-template.js';
import { branches, intrinsicName, isObject, type Problem, walk } from './problems.js';

export type SpecDatabase = Awaited<ReturnType<typeof loadAwsServiceSpec>>;
/** The parts of a specification resource the checks read. */
interface SpecResource {
  properties: Record<string, PropertyDef>;
  attributes: Record<string, unknown>;
  tagInformation?: { tagPropertyName: string; variant: string };
}

interface PropertyDef {
  required?: boolean;
  type: PropertyType;
}
type PropertyType =
  | { type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: PropertyType }
  | { type: 'union'; types: PropertyType[] };

let shared: Promise<SpecDatabase> | undefined;

/** The specification, loaded once per process (about half a second). */
export function loadSpec(): Promise<SpecDatabase> {
  shared ??= loadAwsServiceSpec();
  return shared;
}

export class SpecChecker {
  constructor(private readonly db: SpecDatabase) {}

  resource(type: string): SpecResource | undefined {
    const found = this.db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
    return found as unknown as SpecResource | undefined;
  }

  /** Whether the type can be tagged, and under which property and shape. */
  tagInformation(type: string): SpecResource['tagInformation'] {
    return this.resource(type)?.tagInformation;
  }

  check(name: string, template: Template): Problem[] {
    const problems: Problem[] = [];
    const add = (path: string, message: string) => problems.push({ template: name, path, message });
    const resources = template.Resources ?? {};
    for (const [id, res] of Object.entries(resources)) {
      const path = `Resources.${id}`;
      const spec = this.resource(res.Type);
      if (!spec) {
        add(path, `unknown resource type ${res.Type}`);
        continue;
      }
      this.checkObject(spec.properties, res.Properties ?? {}, `${path}.Properties`, res.Type, add);
    }
    // Fn::GetAtt and ${Resource.Attribute} anywhere name attributes the type has.
    walk(template, '', (value, path) => {
      if (!isObject(value)) return;
      const getAtt = value['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
        this.checkAttribute(resources, getAtt[0], getAtt[1], path, add);
      }
      const sub = value['Fn::Sub'];
      const text = typeof sub === 'string' ? sub : Array.isArray(sub) ? sub[0] : undefined;
      if (typeof text === 'string') {
        for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)\.([A-Za-z0-9.]+)\}/g)) {
          this.checkAttribute(resources, m[1]!, m[2]!, path, add);
        }
      }
    });
    return problems;
  }

  private checkAttribute(
    resources: NonNullable<Template['Resources']>,
    id: string,
    attribute: string,
    path: string,
    add: (path: string, message: string) => void,
  ): void {
    const res = resources[id];
    if (!res) return; // an unknown resource is the reference check's to report
    const spec = this.resource(res.Type);
    if (spec && !Object.hasOwn(spec.attributes, attribute)) {
      add(
        path,
        `${res.Type} has no attribute ${attribute} (it has ${Object.keys(spec.attributes).join(', ') || 'none'})`,
      );
    }
  }

  private checkObject(
    properties: Record<string, PropertyDef>,
    value: unknown,
    path: string,
    typeName: string,
    add: (path: string, message: string) => void,
  ): void {
    for (const candidate of branches(value)) {
      if (intrinsicName(candidate)) continue;
      if (!isObject(candidate)) {
        add(path, `expected an object (${typeName}), got ${JSON.stringify(candidate)}`);
        continue;
      }
      for (const [key, v] of Object.entries(candidate)) {
        const def = properties[key];
        if (!def) {
          add(`${path}.${key}`, `${typeName} has no property ${key}`);
          continue;
        }
        this.checkValue(def.type, v, `${path}.${key}`, add);
      }
      for (const [key, def] of Object.entries(properties)) {
        if (def.required && !Object.hasOwn(candidate, key)) {
          add(path, `${typeName} requires ${key}`);
        }
      }
    }
  }

  private checkValue(
    type: PropertyType,
    value: unknown,
    path: string,
    add: (path: string, message: string) => void,
  ): void {
    for (const v of branches(value)) {
      if (intrinsicName(v)) continue;
      const problem = this.problemOf(type, v, path);
      if (problem) add(problem.path, problem.message);
    }
  }

  /** The first problem of `v` against `type`, or undefined when it fits. */
  private problemOf(
    type: PropertyType,
    v: unknown,
    path: string,
  ): { path: string; message: string } | undefined {
    const collected: Array<{ path: string; message: string }> = [];
    const add = (p: string, message: string) => collected.push({ path: p, message });
    switch (type.type) {
      case 'json':
      case 'null':
        return undefined;
      case 'string':
      case 'date-time':
        return ['string', 'number', 'boolean'].includes(typeof v)
          ? undefined
          : { path, message: `expected a string, got ${JSON.stringify(v)}` };
      case 'number':
      case 'integer':
        return typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))
          ? undefined
          : { path, message: `expected a number, got ${JSON.stringify(v)}` };
      case 'boolean':
        return typeof v === 'boolean' || v === 'true' || v === 'false'
          ? undefined
          : { path, message: `expected true or false, got ${JSON.stringify(v)}` };
      case 'tag':
        this.checkObject(
          {
            Key: { required: true, type: { type: 'string' } },
            Value: { required: true, type: { type: 'string' } },
          },
          v,
          path,
          'Tag',
          add,
        );
        return collected[0];
      case 'array':
        if (!Array.isArray(v))
          return { path, message: `expected a list, got ${JSON.stringify(v)}` };
        for (const [i, e] of v.entries()) this.checkValue(type.element, e, `${path}[${i}]`, add);
        return collected[0];
      case 'map':
        if (!isObject(v)) return { path, message: `expected a map, got ${JSON.stringify(v)}` };
        for (const [k, e] of Object.entries(v))
          this.checkValue(type.element, e, `${path}.${k}`, add);
        return collected[0];
      case 'ref': {
        const def = this.db.get('typeDefinition', type.reference.$ref) as {
          name: string;
          properties: Record<string, PropertyDef>;
        };
        this.checkObject(def.properties, v, path, def.name, add);
        return collected[0];
      }
      case 'union': {
        let first: { path: string; message: string } | undefined;
        for (const member of type.types) {
          const p = this.problemOf(member, v, path);
          if (!p) return undefined;
          first ??= p;
        }
        return first;
      }
    }
  }
}
