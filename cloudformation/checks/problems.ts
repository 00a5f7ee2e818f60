/**
 * What every template check returns: problems that name the template, where
 * in it (a path such as Resources.TaskRole.Properties.Policies[0]) and what
 * is wrong. An empty list means the check passed.
 */
export interface Problem {
  template: string;
  path: string;
  message: string;
}

/** One line per problem, for a test failure message. */
export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.template} ${p.path}: ${p.message}`).join('\n');
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{"Ref": ...}`, `{"Fn::Sub": ...}`, `{"Condition": ...}`: a one-key object naming an intrinsic. */
export function intrinsicName(v: unknown): string | undefined {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

export function isNoValue(v: unknown): boolean {
  return isObject(v) && v.Ref === 'AWS::NoValue';
}

/**
 * The values `v` can take once conditions are decided: both branches of an
 * Fn::If (recursively), without AWS::NoValue; `v` itself otherwise.
 */
export function branches(v: unknown): unknown[] {
  if (isObject(v) && Array.isArray(v['Fn::If'])) {
    const [, a, b] = v['Fn::If'] as unknown[];
    return [...branches(a), ...branches(b)];
  }
  return isNoValue(v) ? [] : [v];
}

/** Walks every value of a JSON-like tree with its path. */
export function walk(
  value: unknown,
  path: string,
  visit: (value: unknown, path: string) => void,
): void {
  visit(value, path);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`, visit);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, visit);
  }
}
