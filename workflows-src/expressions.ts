/**
 * GitHub Actions expressions, read with @actions/expressions (the parser
 * GitHub's own language service uses): where they are in a string, and which
 * context properties they read (`steps.build.outputs.tag` ->
 * ['steps', 'build', 'outputs', 'tag']).
 */

import { Lexer, Parser } from '@actions/expressions';
import {
  Binary,
  ContextAccess,
  type Expr,
  FunctionCall,
  Grouping,
  IndexAccess,
  Literal,
  Logical,
  Unary,
} from '@actions/expressions/ast';
import type { FunctionInfo } from '@actions/expressions/funcs/info';

/** The contexts a workflow expression may name. */
export const CONTEXTS = [
  'github',
  'env',
  'vars',
  'secrets',
  'inputs',
  'steps',
  'needs',
  'job',
  'jobs',
  'runner',
  'strategy',
  'matrix',
];

/** Functions the runner adds to the expression language's own. */
export const RUNNER_FUNCTIONS: FunctionInfo[] = [
  { name: 'success', minArgs: 0, maxArgs: 0 },
  { name: 'always', minArgs: 0, maxArgs: 0 },
  { name: 'failure', minArgs: 0, maxArgs: 0 },
  { name: 'cancelled', minArgs: 0, maxArgs: 0 },
  { name: 'hashFiles', minArgs: 1, maxArgs: 255 },
];

/** The expressions inside `${{ }}` in a string, in order. */
export function embeddedExpressions(text: string): string[] {
  return [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]!.trim());
}

export function parseExpression(expression: string): Expr {
  const { tokens } = new Lexer(expression).lex();
  return new Parser(tokens, CONTEXTS, RUNNER_FUNCTIONS).parse();
}

/**
 * Every context property path the expression reads, as far as it is spelled
 * out with names and string literals (`steps.a.outputs['b']` ->
 * ['steps', 'a', 'outputs', 'b']; `matrix[x]` -> ['matrix']).
 */
export function contextPaths(expression: string): string[][] {
  const paths: string[][] = [];
  const visit = (node: Expr): void => {
    const path = propertyPath(node);
    if (path) {
      paths.push(path);
      return;
    }
    if (node instanceof IndexAccess) {
      visit(node.expr);
      visit(node.index);
    } else if (node instanceof FunctionCall) node.args.forEach(visit);
    else if (node instanceof Logical) node.args.forEach(visit);
    else if (node instanceof Binary) {
      visit(node.left);
      visit(node.right);
    } else if (node instanceof Unary) visit(node.expr);
    else if (node instanceof Grouping) visit(node.group);
  };
  visit(parseExpression(expression));
  return paths;
}

/** The path of a chain of property accesses starting at a context, or undefined. */
function propertyPath(node: Expr): string[] | undefined {
  if (node instanceof ContextAccess) return [node.name.lexeme];
  if (node instanceof IndexAccess) {
    const base = propertyPath(node.expr);
    if (!base) return undefined;
    if (node.index instanceof Literal) return [...base, node.index.literal.coerceString()];
    return undefined;
  }
  return undefined;
}
