/**
 * The inputs of cleanup-resources, read and checked before any AWS call. See
 * action.yml for each input's meaning and default.
 */

import { ENV_NAME } from '../../../core/ownership.js';
import { InputError, MissingInputError } from '../../../core/values.js';
import { getBoolean, getInteger, getList, getString } from '../../lib/inputs.js';
import { type NamePattern, type PatternRules, parsePatterns, scopeOf } from './patterns.js';

export interface Inputs {
  stacks: NamePattern[];
  /** Stacks kept out of the selection (names or prefixes ending in *). */
  excludeStacks: NamePattern[];
  stackPrefix?: string;
  env?: string;
  buckets: NamePattern[];
  repositories: NamePattern[];
  logGroups: NamePattern[];
  dryRun: boolean;
  force: boolean;
  allowTerminationProtected: boolean;
  timeoutMs: number;
  region?: string;
}

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]{1,512}$/;

export function readInputs(): Inputs {
  const env = getString('env');
  if (env !== undefined && !ENV_NAME.test(env)) {
    throw new InputError('env', env, 'lowercase letters, digits and hyphens, such as dev or prod');
  }
  const stackPrefix = getString('stack-prefix');
  if (stackPrefix !== undefined) {
    // At least "xx-y": a prefix such as "m" would reach every stack whose name starts with m-.
    if (
      !STACK_NAME.test(stackPrefix.replace(/-$/, '')) ||
      stackPrefix.replace(/-$/, '').length < 4
    ) {
      throw new InputError(
        'stack-prefix',
        stackPrefix,
        'the beginning of stack names, at least 4 characters (letters, digits, hyphens), such as mcfpipe-dev; it matches the stack of that name and every stack named <prefix>-...',
      );
    }
  }
  const scope = scopeOf(stackPrefix?.replace(/-$/, ''), env);
  const rules = (
    input: string,
    valid: RegExp,
    accepted: string,
    pathLike = false,
  ): PatternRules => ({
    input,
    valid,
    accepted,
    scope,
    spansEnvironments: stackPrefix === undefined && env === undefined,
    pathLike,
  });
  const inputs: Inputs = {
    stacks: parsePatterns(
      getList('stacks'),
      rules('stacks', STACK_NAME, 'stack names (a letter, then letters, digits and hyphens)'),
    ),
    // Exclusions only narrow the selection, so their wildcards need no scope.
    excludeStacks: parsePatterns(getList('exclude-stacks'), {
      ...rules(
        'exclude-stacks',
        STACK_NAME,
        'stack names (a letter, then letters, digits and hyphens)',
      ),
      scope: '',
      spansEnvironments: false,
    }),
    buckets: parsePatterns(
      getList('buckets'),
      rules(
        'buckets',
        BUCKET,
        'S3 bucket names (3 to 63 lowercase letters, digits, dots and hyphens)',
      ),
    ),
    repositories: parsePatterns(
      getList('ecr-repositories'),
      rules(
        'ecr-repositories',
        REPOSITORY,
        'ECR repository names (lowercase letters, digits, . _ - and / between parts)',
      ),
    ),
    logGroups: parsePatterns(
      getList('log-groups'),
      rules(
        'log-groups',
        LOG_GROUP,
        'log group names (letters, digits and . - _ / #, up to 512)',
        true,
      ),
    ),
    dryRun: getBoolean('dry-run', false),
    force: getBoolean('force', false),
    allowTerminationProtected: getBoolean('allow-termination-protected', false),
    timeoutMs: getInteger('timeout-minutes', 60, { min: 1, max: 720 }) * 60_000,
  };
  if (env !== undefined) inputs.env = env;
  if (stackPrefix !== undefined) inputs.stackPrefix = stackPrefix.replace(/-$/, '');
  const region = getString('region');
  if (region !== undefined) inputs.region = region;
  if (
    !inputs.stacks.length &&
    !inputs.stackPrefix &&
    !inputs.env &&
    !inputs.buckets.length &&
    !inputs.repositories.length &&
    !inputs.logGroups.length
  ) {
    throw new MissingInputError(
      'stacks',
      'Nothing to clean up: give at least one of stacks, stack-prefix, env (stacks tagged mcfpipe:env=<env>), buckets, ecr-repositories or log-groups.',
    );
  }
  return inputs;
}
