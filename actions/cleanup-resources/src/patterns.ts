/**
 * Names and wildcard patterns of what to delete, and the rule that keeps a
 * wildcard from reaching further than the user's scope.
 *
 * An item is an exact name, or a prefix followed by one `*` at the very end
 * (`mcfpipe-dev-*`). Any other wildcard (`?`, `[`, a `*` elsewhere, two `*`)
 * is refused. The literal part of a wildcard must begin with the scope
 * prefix and a hyphen: the scope is the stack-prefix input, else
 * `mcfpipe-<env>`, else `mcfpipe` (or a namespace of that name, as in the
 * ECR repository `mcfpipe-dev/*`); so with env dev, `mcfpipe-dev-*` is
 * accepted while `mcfpipe-*`, `mcfpipe-d*` and `mcfpipe-dev*` (which would
 * also match mcfpipe-development-...) are refused. Without env and
 * stack-prefix the scope `mcfpipe` spans every environment, so a wildcard
 * must name one, a whole word and a hyphen (or /) after `mcfpipe-`:
 * `mcfpipe-dev-*` and `mcfpipe-dev/*` are accepted, `mcfpipe-*`,
 * `mcfpipe/*` and `mcfpipe-dev*` refused, whatever the input. For log
 * groups the rule applies to the last path segment (`/aws/lambda/mcfpipe-dev-*`).
 */
import { InputError } from '../../../core/values.js';

export type NamePattern = { kind: 'exact'; name: string } | { kind: 'prefix'; prefix: string };

export function matches(pattern: NamePattern, name: string): boolean {
  return pattern.kind === 'exact' ? name === pattern.name : name.startsWith(pattern.prefix);
}

export function showPattern(pattern: NamePattern): string {
  return pattern.kind === 'exact' ? pattern.name : `${pattern.prefix}*`;
}

/** The scope prefix wildcards must stay within, with its trailing hyphen. */
export function scopeOf(stackPrefix: string | undefined, env: string | undefined): string {
  const scope = stackPrefix ?? (env ? `mcfpipe-${env}` : 'mcfpipe');
  return scope.endsWith('-') ? scope : `${scope}-`;
}

export interface PatternRules {
  /** Input name, for errors. */
  input: string;
  /** What a name looks like (checked on exact names and on the literal part of a wildcard). */
  valid: RegExp;
  /** Description of a valid name, for errors. */
  accepted: string;
  scope: string;
  /**
   * The scope is the default `mcfpipe-` (no env, no stack-prefix), which
   * spans every environment: a wildcard must name one after it.
   */
  spansEnvironments?: boolean;
  /** Log groups: the scope applies to the segment after the last "/". */
  pathLike?: boolean;
}

/** What follows `mcfpipe-` in a wildcard without env or stack-prefix: an environment, then - or /. */
const ENVIRONMENT_WORD = /^[A-Za-z0-9]+[-/]/;

/** Parses one item of a name list input. */
export function parsePattern(item: string, rules: PatternRules): NamePattern {
  const star = item.indexOf('*');
  if (/[?[\]{}]/.test(item) || (star >= 0 && star !== item.length - 1)) {
    throw new InputError(
      rules.input,
      item,
      `${rules.accepted}, or a prefix ending in one * such as ${example(rules)} (no other wildcards)`,
    );
  }
  if (star < 0) {
    if (!rules.valid.test(item)) throw new InputError(rules.input, item, rules.accepted);
    return { kind: 'exact', name: item };
  }
  const prefix = item.slice(0, -1);
  const segment = rules.pathLike ? prefix.slice(prefix.lastIndexOf('/') + 1) : prefix;
  // mcfpipe-dev-... or, for names with namespaces (ECR), mcfpipe-dev/...
  const namespace = `${rules.scope.slice(0, -1)}/`;
  if (!segment.startsWith(rules.scope) && !segment.startsWith(namespace)) {
    throw new InputError(
      rules.input,
      item,
      `a wildcard within the scope ${rules.scope}* (from stack-prefix, else mcfpipe-<env>, else mcfpipe): ${
        segment === '' || rules.scope.startsWith(segment)
          ? `"${item}" would match more than that scope allows`
          : `"${item}" is outside it`
      }; for example ${example(rules)}`,
    );
  }
  if (rules.spansEnvironments) {
    const rest = segment.startsWith(rules.scope) ? segment.slice(rules.scope.length) : '';
    if (!ENVIRONMENT_WORD.test(rest)) {
      throw new InputError(
        rules.input,
        item,
        `a wildcard that names the environment after ${rules.scope} (without env or stack-prefix the scope ${rules.scope}* spans every environment): ${
          /^[A-Za-z0-9]+$/.test(rest)
            ? `"${item}" would also match names that only begin like the environment ${rest} (such as ${segment.slice(0, segment.length - rest.length)}${rest}x-...)`
            : `"${item}" would match every environment's names`
        }; for example ${example(rules)}, or give env or stack-prefix`,
      );
    }
  }
  // The literal part must itself be a possible beginning of a valid name.
  if (!rules.valid.test(`${prefix}x`) && !rules.valid.test(`${prefix}0`)) {
    throw new InputError(rules.input, item, rules.accepted);
  }
  return { kind: 'prefix', prefix };
}

function example(rules: PatternRules): string {
  const scope = rules.spansEnvironments ? `${rules.scope}dev-` : rules.scope;
  return rules.pathLike ? `/aws/lambda/${scope}*` : `${scope}*`;
}

export function parsePatterns(items: string[], rules: PatternRules): NamePattern[] {
  return items.map((item) => parsePattern(item, rules));
}
