/**
 * Read mode's `export-env`: config pairs as environment variables for the
 * job's later steps. Names are the keys (characters other than letters,
 * digits and _ become _), after `env-prefix`. Variables that steer the runner,
 * the shell, Node or AWS credentials are never set from a config file.
 */
import { ActionError } from '../../lib/errors.js';

const PROTECTED =
  /^(GITHUB_|RUNNER_|ACTIONS_|AWS_|INPUT_|STATE_)|^(PATH|HOME|SHELL|BASH_ENV|ENV|CI|NODE_OPTIONS|NODE_PATH|LD_PRELOAD|LD_LIBRARY_PATH|HTTP_PROXY|HTTPS_PROXY|NO_PROXY)$/i;

export interface EnvVariable {
  key: string;
  name: string;
  value: string;
}

/** One variable per key; an ActionError for a protected or colliding name. */
export function envVariables(pairs: Record<string, string>, prefix: string): EnvVariable[] {
  const out: EnvVariable[] = [];
  const from: Record<string, string> = {};
  for (const [key, value] of Object.entries(pairs)) {
    let name = `${prefix}${key.replace(/[^A-Za-z0-9_]/g, '_')}`;
    if (/^\d/.test(name)) name = `_${name}`;
    if (PROTECTED.test(name)) {
      throw new ActionError(
        `export-env: config key "${key}" would set the environment variable ${name}, which this step never sets from a config (it steers the runner, the shell, Node or AWS credentials).`,
        'Set env-prefix (for example CFG_) to export every key under a prefix.',
      );
    }
    if (Object.hasOwn(from, name)) {
      throw new ActionError(
        `export-env: config keys "${from[name]}" and "${key}" both become the environment variable ${name}.`,
        'Rename one of the keys in the published config.',
      );
    }
    from[name] = key;
    out.push({ key, name, value });
  }
  return out;
}
