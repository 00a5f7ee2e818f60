/**
 * Read mode's `export-env`: config pairs as environment variables for the
 * job's later steps. A config is outside data, and a list of names to keep
 * out (PATH, LD_PRELOAD, GOFLAGS, MAVEN_OPTS, ...) is never complete, so
 * only keys that begin with a prefix no program reads are exported:
 * `env-prefix`, CFG_ by default, never empty. Such a key is exported under
 * its own name (characters other than letters, digits and _ become _); any
 * other key is refused, and nothing is exported.
 */
import { ActionError } from '../../../core/errors.js';

export const DEFAULT_ENV_PREFIX = 'CFG_';

export interface EnvVariable {
  key: string;
  name: string;
  value: string;
}

/** One variable per key; an ActionError for a key without the prefix, or two keys with one name. */
export function envVariables(pairs: Record<string, string>, prefix: string): EnvVariable[] {
  if (!prefix) throw new Error('export-env needs a prefix');
  const out: EnvVariable[] = [];
  const from: Record<string, string> = {};
  for (const [key, value] of Object.entries(pairs)) {
    if (!key.startsWith(prefix) || key.length === prefix.length) {
      throw new ActionError(
        `export-env: config key ${JSON.stringify(key)} does not begin with ${prefix}, the prefix every exported variable must have (env-prefix${prefix === DEFAULT_ENV_PREFIX ? ', default' : ''} ${prefix}), so nothing was exported.`,
        `Name the keys to export ${prefix}<name> in the published config, or set env-prefix to the prefix they share (letters, digits and _, ending in _). Every key is also a step output and in the "config" output, without export-env.`,
      );
    }
    const name = key.replace(/[^A-Za-z0-9_]/g, '_');
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
