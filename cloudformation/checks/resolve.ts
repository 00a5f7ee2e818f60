/**
 * Evaluates a template's intrinsic functions for one set of parameter values,
 * the way CloudFormation would at deploy time, so policies can be read as the
 * JSON AWS receives: Ref (parameters, pseudo parameters, resources),
 * Fn::Sub, Fn::If and the condition functions, Fn::Join, Fn::Select,
 * Fn::Split and Fn::GetAtt; and the Rules section's assertions (with
 * Fn::Contains), so a test can ask which parameter sets a template refuses.
 *
 * What AWS would only know after creating a resource is stood in for: a Ref
 * or GetAtt of an IAM role, managed policy or OIDC provider gives the ARN it
 * will have (from its name); any other resource gives a placeholder such as
 * `{Api.ApiEndpoint}`, which matches no ARN pattern.
 */
import type { Template } from '../../core/cfn-template.js';
import { isObject } from './problems.js';

export interface Scenario {
  /** Parameter values; a template parameter left out takes its Default. */
  parameters: Record<string, string>;
  accountId?: string;
  region?: string;
  partition?: string;
  stackName?: string;
}

export class ResolveError extends Error {
  override readonly name = 'ResolveError';
}

const NO_VALUE = Symbol('AWS::NoValue');

export interface Resolved {
  /** Conditions by name, evaluated. */
  conditions: Record<string, boolean>;
  /** Whether a resource is created in this scenario (its Condition holds, or it has none). */
  created(logicalId: string): boolean;
  /** A resource's properties with every intrinsic evaluated. */
  properties(logicalId: string): Record<string, unknown>;
  /** Any template value, evaluated. */
  value(v: unknown): unknown;
  /** The Rules whose assertions fail for these parameters: what CloudFormation refuses before creating anything. */
  ruleFailures: Array<{ rule: string; description: string }>;
  /** The ARN of an IAM role, managed policy or OIDC provider of the template. */
  arn(logicalId: string): string;
  pseudo: { accountId: string; region: string; partition: string; stackName: string };
}

export function resolveTemplate(template: Template, scenario: Scenario): Resolved {
  const pseudo = {
    accountId: scenario.accountId ?? '123456789012',
    region: scenario.region ?? 'ap-southeast-1',
    partition: scenario.partition ?? 'aws',
    stackName: scenario.stackName ?? 'stack',
  };
  const resources = template.Resources ?? {};
  const params: Record<string, string | string[]> = {};
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    const given = Object.hasOwn(scenario.parameters, name)
      ? scenario.parameters[name]
      : p.Default === undefined
        ? undefined
        : String(p.Default);
    if (given === undefined)
      throw new ResolveError(`parameter ${name} has no value and no Default`);
    params[name] =
      p.Type.startsWith('List<') || p.Type === 'CommaDelimitedList' ? given.split(',') : given;
  }
  for (const name of Object.keys(scenario.parameters)) {
    if (!Object.hasOwn(params, name)) throw new ResolveError(`${name} is not a parameter`);
  }

  const conditionCache = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    const known = conditionCache.get(name);
    if (known !== undefined) return known;
    const def = template.Conditions?.[name];
    if (def === undefined) throw new ResolveError(`condition ${name} is not declared`);
    const v = evaluate(def);
    if (typeof v !== 'boolean') throw new ResolveError(`condition ${name} is not a boolean`);
    conditionCache.set(name, v);
    return v;
  };

  const nameProperty: Record<string, string> = {
    'AWS::IAM::Role': 'RoleName',
    'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  };
  const arn = (id: string): string => {
    const res = resources[id];
    if (!res) throw new ResolveError(`${id} is not a resource`);
    const p = `arn:${pseudo.partition}:iam::${pseudo.accountId}`;
    if (res.Type === 'AWS::IAM::OIDCProvider') {
      const url = String(evaluate(res.Properties?.Url)).replace(/^https:\/\//, '');
      return `${p}:oidc-provider/${url}`;
    }
    const prop = nameProperty[res.Type];
    if (!prop) throw new ResolveError(`${id} (${res.Type}) has no ARN the checks can derive`);
    const given = res.Properties?.[prop];
    const name =
      given === undefined ? `${pseudo.stackName}-${id}-GENERATED` : String(evaluate(given));
    const path = res.Properties?.Path === undefined ? '/' : String(evaluate(res.Properties.Path));
    return `${p}:${res.Type === 'AWS::IAM::Role' ? 'role' : 'policy'}${path}${name}`;
  };
  const refResource = (id: string): string => {
    const type = resources[id]!.Type;
    if (type === 'AWS::IAM::Role') return arn(id).replace(/^.*:role\/(.*\/)?/, '');
    if (type === 'AWS::IAM::ManagedPolicy' || type === 'AWS::IAM::OIDCProvider') return arn(id);
    return `{${id}}`;
  };
  const getAtt = (id: string, attribute: string): string => {
    if (!resources[id]) throw new ResolveError(`Fn::GetAtt names ${id}, which is not a resource`);
    if (attribute === 'Arn' && resources[id]!.Type.startsWith('AWS::IAM::')) return arn(id);
    return `{${id}.${attribute}}`;
  };

  const ref = (name: string): unknown => {
    switch (name) {
      case 'AWS::AccountId':
        return pseudo.accountId;
      case 'AWS::Region':
        return pseudo.region;
      case 'AWS::Partition':
        return pseudo.partition;
      case 'AWS::StackName':
        return pseudo.stackName;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    if (Object.hasOwn(params, name)) return params[name];
    if (Object.hasOwn(resources, name)) return refResource(name);
    throw new ResolveError(`Ref ${name} names nothing`);
  };

  const sub = (text: string, vars: Record<string, unknown>): string =>
    text.replace(/\$\{([^}]*)\}/g, (_, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (Object.hasOwn(vars, name)) return String(evaluate(vars[name]));
      const dot = name.indexOf('.');
      if (dot > 0 && Object.hasOwn(resources, name.slice(0, dot))) {
        return getAtt(name.slice(0, dot), name.slice(dot + 1));
      }
      const v = ref(name);
      return Array.isArray(v) ? v.join(',') : String(v);
    });

  function evaluate(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(evaluate).filter((x) => x !== NO_VALUE);
    if (!isObject(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const key = keys[0]!;
      const arg = v[key];
      switch (key) {
        case 'Ref':
          return ref(String(arg));
        case 'Condition':
          return condition(String(arg));
        case 'Fn::If': {
          const [name, a, b] = arg as [string, unknown, unknown];
          return evaluate(condition(name) ? a : b);
        }
        case 'Fn::Equals': {
          const [a, b] = arg as [unknown, unknown];
          return JSON.stringify(evaluate(a)) === JSON.stringify(evaluate(b));
        }
        case 'Fn::Not':
          return !(evaluate((arg as unknown[])[0]) as boolean);
        case 'Fn::And':
          return (arg as unknown[]).every((x) => evaluate(x) === true);
        case 'Fn::Or':
          return (arg as unknown[]).some((x) => evaluate(x) === true);
        case 'Fn::Sub': {
          if (typeof arg === 'string') return sub(arg, {});
          const [text, vars] = arg as [string, Record<string, unknown>];
          return sub(text, vars ?? {});
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown];
          return (evaluate(parts) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          const items = evaluate(list) as unknown[];
          const i = Number(evaluate(index));
          if (!Array.isArray(items) || i >= items.length) {
            throw new ResolveError(`Fn::Select index ${i} out of range`);
          }
          return items[i];
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, unknown];
          return String(evaluate(text)).split(sep);
        }
        case 'Fn::GetAtt': {
          const [id, attribute] = arg as [string, string];
          return getAtt(id, attribute);
        }
        case 'Fn::Contains': {
          const [items, value] = arg as [unknown, unknown];
          return (evaluate(items) as unknown[]).map(String).includes(String(evaluate(value)));
        }
      }
      if (key.startsWith('Fn::')) throw new ResolveError(`${key} is not evaluated by the checks`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = evaluate(x);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  const ruleFailures: Resolved['ruleFailures'] = [];
  for (const [rule, def] of Object.entries(template.Rules ?? {})) {
    if (!isObject(def)) continue;
    if (def.RuleCondition !== undefined && evaluate(def.RuleCondition) !== true) continue;
    for (const assertion of [def.Assertions].flat()) {
      if (!isObject(assertion)) continue;
      if (evaluate(assertion.Assert) !== true) {
        ruleFailures.push({ rule, description: String(assertion.AssertDescription ?? '') });
      }
    }
  }

  return {
    ruleFailures,
    conditions: Object.fromEntries(
      Object.keys(template.Conditions ?? {}).map((name) => [name, condition(name)]),
    ),
    created: (id) => {
      const c = resources[id]?.Condition;
      return c === undefined || condition(String(c));
    },
    properties: (id) => {
      const res = resources[id];
      if (!res) throw new ResolveError(`${id} is not a resource`);
      return evaluate(res.Properties ?? {}) as Record<string, unknown>;
    },
    value: (v) => {
      const r = evaluate(v);
      return r === NO_VALUE ? undefined : r;
    },
    arn,
    pseudo,
  };
}
