/**
 * A small evaluator of identity policies (and a permissions boundary), for
 * the checks and tests that ask "may this role do X to Y?" of a template's
 * policies, resolved to the JSON AWS receives (resolve.ts).
 *
 * What it covers: Effect, Action / NotAction (wildcards, case-insensitive),
 * Resource / NotResource (wildcards), and the condition operators the
 * project's templates use: String(Not)Equals, String(Not)Like,
 * StringEqualsIgnoreCase, Arn(Not)Equals, Arn(Not)Like, Null and Bool, each
 * with ...IfExists, and the ForAnyValue: / ForAllValues: set operators. An
 * explicit Deny wins, then an Allow; nothing matching is an implicit deny. A
 * boundary must allow too.
 *
 * What it does not: resource-based policies, SCPs and session policies,
 * policy variables, numeric/date/IP operators, and above all the request
 * context AWS builds (which keys a service puts in it for an action, and
 * their values): callers state the context, which is what the checks and the
 * tests reason about. The real review is IAM Access Analyzer and the policy
 * simulator on the deployed policies (cloudformation/README.md, "Security
 * model").
 */
import { isObject } from './problems.js';

export type ContextValue = string | string[];
export type Context = Record<string, ContextValue>;

export interface Request {
  action: string;
  resource: string;
  /** The request context: condition keys and their values, as AWS would send them. */
  context?: Context;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

export interface Evaluation {
  decision: Decision;
  /** The statements that decided: the denying ones, or the allowing ones. */
  by: PolicyStatement[];
}

function list<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

const compiled = new Map<string, RegExp>();

/** An IAM wildcard pattern (* any run, ? one character) as a RegExp. */
export function wildcard(pattern: string, ignoreCase = false): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    if (/\$\{/.test(pattern)) throw new Error(`policy variables are not evaluated (${pattern})`);
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    compiled.set(key, re);
  }
  return re;
}

function matchesAny(patterns: string[], value: string, ignoreCase: boolean): boolean {
  return patterns.some((p) => wildcard(p, ignoreCase).test(value));
}

function actionMatches(s: PolicyStatement, action: string): boolean {
  if (s.NotAction !== undefined) return !matchesAny(list(s.NotAction), action, true);
  return matchesAny(list(s.Action), action, true);
}

function resourceMatches(s: PolicyStatement, resource: string): boolean {
  if (s.NotResource !== undefined) return !matchesAny(list(s.NotResource), resource, false);
  return matchesAny(list(s.Resource), resource, false);
}

type Compare = (policyValue: string, contextValue: string) => boolean;

const COMPARES: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (p, c) => p === c, negated: false },
  StringNotEquals: { compare: (p, c) => p === c, negated: true },
  StringEqualsIgnoreCase: {
    compare: (p, c) => p.toLowerCase() === c.toLowerCase(),
    negated: false,
  },
  StringNotEqualsIgnoreCase: {
    compare: (p, c) => p.toLowerCase() === c.toLowerCase(),
    negated: true,
  },
  StringLike: { compare: (p, c) => wildcard(p).test(c), negated: false },
  StringNotLike: { compare: (p, c) => wildcard(p).test(c), negated: true },
  ArnEquals: { compare: (p, c) => p === c, negated: false },
  ArnNotEquals: { compare: (p, c) => p === c, negated: true },
  ArnLike: { compare: (p, c) => wildcard(p).test(c), negated: false },
  ArnNotLike: { compare: (p, c) => wildcard(p).test(c), negated: true },
  Bool: { compare: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: false },
};

function lookup(context: Context, key: string): ContextValue | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** One operator with one key: does the request context satisfy it? */
function conditionHolds(operator: string, key: string, raw: unknown, context: Context): boolean {
  let op = operator;
  let set: 'ForAnyValue' | 'ForAllValues' | undefined;
  const colon = op.indexOf(':');
  if (colon > 0) {
    set = op.slice(0, colon) as typeof set;
    if (set !== 'ForAnyValue' && set !== 'ForAllValues') {
      throw new Error(`condition set operator ${op} is not evaluated`);
    }
    op = op.slice(colon + 1);
  }
  const ifExists = op.endsWith('IfExists');
  if (ifExists) op = op.slice(0, -'IfExists'.length);
  const values = list(raw as string | string[]).map(String);
  const present = lookup(context, key);

  if (op === 'Null') {
    // "true": the key must be absent; "false": present.
    return values.some((v) => (v === 'true') === (present === undefined));
  }
  const spec = COMPARES[op];
  if (!spec) throw new Error(`condition operator ${operator} is not evaluated`);
  if (present === undefined) {
    if (set === 'ForAllValues') return true;
    if (set === 'ForAnyValue') return false;
    return ifExists || spec.negated;
  }
  const contextValues = list(present);
  const matchOne = (c: string) => {
    const any = values.some((p) => spec.compare(p, c));
    return spec.negated ? !any : any;
  };
  if (set === 'ForAllValues') return contextValues.every(matchOne);
  if (set === 'ForAnyValue') return contextValues.some(matchOne);
  if (Array.isArray(present)) {
    throw new Error(
      `${key} has several values: use ForAnyValue: or ForAllValues: with ${operator}`,
    );
  }
  return matchOne(present);
}

function conditionsHold(s: PolicyStatement, context: Context): boolean {
  for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
    if (!isObject(keys)) throw new Error(`condition ${operator} is not a map of keys`);
    for (const [key, value] of Object.entries(keys)) {
      if (!conditionHolds(operator, key, value, context)) return false;
    }
  }
  return true;
}

/** Whether the statement applies to the request (action, resource and conditions). */
export function statementApplies(s: PolicyStatement, req: Request): boolean {
  return (
    actionMatches(s, req.action) &&
    resourceMatches(s, req.resource) &&
    conditionsHold(s, req.context ?? {})
  );
}

/** Identity-policy evaluation: an explicit Deny wins, then an Allow, else an implicit deny. */
export function evaluate(statements: PolicyStatement[], req: Request): Evaluation {
  const applying = statements.filter((s) => statementApplies(s, req));
  const denies = applying.filter((s) => s.Effect === 'Deny');
  if (denies.length) return { decision: 'explicit-deny', by: denies };
  const allows = applying.filter((s) => s.Effect === 'Allow');
  return allows.length ? { decision: 'allow', by: allows } : { decision: 'implicit-deny', by: [] };
}

/** A role with a permissions boundary: both its policies and the boundary must allow. */
export function evaluateBounded(
  identity: PolicyStatement[],
  boundary: PolicyStatement[],
  req: Request,
): Evaluation {
  const own = evaluate(identity, req);
  if (own.decision !== 'allow') return own;
  const ceiling = evaluate(boundary, req);
  return ceiling.decision === 'allow' ? own : ceiling;
}
