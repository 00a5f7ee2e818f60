/**
 * Checks that every name a template uses is declared: Ref (parameters,
 * resources, pseudo parameters), Fn::GetAtt and ${...} in Fn::Sub (resources,
 * parameters, the Sub's own variables), Fn::If and Condition (conditions),
 * Condition on resources and outputs, and DependsOn.
 */
import type { Template } from '../../core/cfn-template.js';
import { isObject, type Problem, walk } from './problems.js';

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** The `${Name}` and `${Name.Attr}` variables of an Fn::Sub string (not `${!Literal}`). */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => m[1]!.trim());
}

export function checkReferences(name: string, template: Template): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ template: name, path, message });
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const resources = new Set(Object.keys(template.Resources ?? {}));
  const conditions = new Set(Object.keys(template.Conditions ?? {}));

  const checkCondition = (cond: unknown, path: string) => {
    if (typeof cond !== 'string' || !conditions.has(cond)) {
      add(path, `condition ${JSON.stringify(cond)} is not declared in Conditions`);
    }
  };
  const checkName = (ref: string, path: string, extra: Set<string> = new Set()) => {
    if (!parameters.has(ref) && !resources.has(ref) && !PSEUDO.has(ref) && !extra.has(ref)) {
      add(path, `${ref} is not a parameter, resource or pseudo parameter`);
    }
  };
  const checkAtt = (resource: string, path: string) => {
    if (!resources.has(resource))
      add(path, `Fn::GetAtt names ${resource}, which is not a resource`);
  };

  walk(template, '', (value, path) => {
    if (!isObject(value)) return;
    if (typeof value.Ref === 'string') checkName(value.Ref, path);
    if ('Fn::GetAtt' in value) {
      const att = value['Fn::GetAtt'];
      if (Array.isArray(att) && typeof att[0] === 'string') checkAtt(att[0], path);
      else add(path, `malformed Fn::GetAtt ${JSON.stringify(att)}`);
    }
    if ('Fn::If' in value) {
      const args = value['Fn::If'];
      if (!Array.isArray(args) || args.length !== 3)
        add(path, 'Fn::If takes [condition, then, else]');
      else checkCondition(args[0], path);
    }
    if ('Fn::Sub' in value) {
      const sub = value['Fn::Sub'];
      const [text, vars] = typeof sub === 'string' ? [sub, {}] : Array.isArray(sub) ? sub : [];
      if (typeof text !== 'string' || !isObject(vars)) {
        add(path, `malformed Fn::Sub ${JSON.stringify(sub)}`);
        return;
      }
      const own = new Set(Object.keys(vars));
      for (const variable of subVariables(text)) {
        const dot = variable.indexOf('.');
        if (dot > 0 && !PSEUDO.has(variable)) checkAtt(variable.slice(0, dot), path);
        else checkName(variable, path, own);
      }
    }
  });
  // {"Condition": name} inside Conditions and Rules.
  walk(template.Conditions ?? {}, 'Conditions', (value, path) => {
    if (isObject(value) && typeof value.Condition === 'string')
      checkCondition(value.Condition, path);
  });
  for (const [id, res] of Object.entries(template.Resources ?? {})) {
    if (res.Condition !== undefined) checkCondition(res.Condition, `Resources.${id}.Condition`);
    const dependsOn = res.DependsOn === undefined ? [] : [res.DependsOn].flat();
    for (const dep of dependsOn) {
      if (typeof dep !== 'string' || !resources.has(dep)) {
        add(`Resources.${id}.DependsOn`, `${JSON.stringify(dep)} is not a resource`);
      }
    }
  }
  for (const [id, out] of Object.entries(template.Outputs ?? {})) {
    if (out.Condition !== undefined) checkCondition(out.Condition, `Outputs.${id}.Condition`);
  }
  return problems;
}
