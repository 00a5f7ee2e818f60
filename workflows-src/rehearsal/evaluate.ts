/**
 * Evaluates workflow expressions the way the runner does, with
 * @actions/expressions: the contexts as expression data, the runner's status
 * functions (success(), failure(), always(), cancelled()), and template
 * tokens from @actions/workflow-parser (a string with `${{ }}` inside is a
 * format() expression there) turned into the strings an action or a shell
 * receives.
 */
import { data, Evaluator } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import {
  isBasicExpression,
  isBoolean,
  isMapping,
  isNumber,
  isSequence,
  isString,
} from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { parseExpression } from '../expressions.js';

export type Contexts = Record<string, unknown>;

export interface Status {
  /** The job (or, for a job's `if`, its needs) has not failed so far. */
  ok: boolean;
}

function statusFunctions(status: Status): Map<string, FunctionDefinition> {
  const fn = (name: string, value: () => boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value()) },
  ];
  return new Map([
    fn('success', () => status.ok),
    fn('failure', () => !status.ok),
    fn('always', () => true),
    fn('cancelled', () => false),
  ]);
}

function toData(contexts: Contexts): data.Dictionary {
  return JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
}

export function evaluate(
  expression: string,
  contexts: Contexts,
  status: Status,
): data.ExpressionData {
  return new Evaluator(
    parseExpression(expression),
    toData(contexts),
    statusFunctions(status),
  ).evaluate();
}

export function isTruthy(value: data.ExpressionData): boolean {
  switch (value.kind) {
    case data.Kind.Null:
      return false;
    case data.Kind.Boolean:
      return (value as data.BooleanData).value;
    case data.Kind.Number:
      return (value as data.NumberData).value !== 0;
    case data.Kind.String:
      return (value as data.StringData).value !== '';
    default:
      return true;
  }
}

/** A scalar token as the string a step receives (inputs, env values). */
export function tokenString(token: TemplateToken, contexts: Contexts, status: Status): string {
  if (isString(token)) return token.value;
  if (isBoolean(token) || isNumber(token)) return String(token.value);
  if (isBasicExpression(token)) {
    const value = evaluate(token.expression, contexts, status);
    return value.kind === data.Kind.Null ? '' : value.coerceString();
  }
  throw new Error(`cannot turn a ${token.typeName()} into a string (line ${token.line})`);
}

/** A token as the value it stands for: lists and mappings as JSON (a matrix, fromJSON()). */
export function tokenValue(token: TemplateToken, contexts: Contexts, status: Status): unknown {
  if (isString(token) || isBoolean(token) || isNumber(token)) return token.value;
  if (isSequence(token)) return [...token].map((t) => tokenValue(t, contexts, status));
  if (isMapping(token)) {
    const out: Record<string, unknown> = {};
    for (const { key, value } of token)
      out[tokenString(key, contexts, status)] = tokenValue(value, contexts, status);
    return out;
  }
  if (isBasicExpression(token))
    return JSON.parse(JSON.stringify(evaluate(token.expression, contexts, status), data.replacer));
  throw new Error(`cannot read a ${token.typeName()} as a value (line ${token.line})`);
}

/** A condition (`if:` after the parser's conversion: `success() && (...)`). */
export function condition(
  token: TemplateToken | undefined,
  contexts: Contexts,
  status: Status,
): boolean {
  if (!token) return status.ok;
  if (isBasicExpression(token)) return isTruthy(evaluate(token.expression, contexts, status));
  if (isBoolean(token)) return token.value;
  if (isString(token)) return isTruthy(evaluate(token.value, contexts, status));
  throw new Error(`cannot read a ${token.typeName()} as a condition (line ${token.line})`);
}
