/**
 * mcfpipe.config.yaml: the settings of `mcfpipe run` and its stages, and the
 * profile (users, tracks, keywords) the run loads into the database. Found
 * by `--config FILE` / MCFPIPE_CONFIG, else `mcfpipe.config.yaml` in the
 * current folder; without one, the defaults and the example profile apply.
 *
 * Top-level sections: `run`, `scrape`, `replay`, `score`, `profile`, and one
 * per stage plugged into the run (the stage reads its own). A key the
 * section does not know is an error naming it and the known ones, so a typo
 * never silently falls back to a default.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';

export const CONFIG_FILE_NAME = 'mcfpipe.config.yaml';

/** A configuration file that cannot be used: the message names the file, the place and the fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ConfigFile {
  /** Absolute path. */
  path: string;
  /** The parsed document (a mapping; sections are plain objects). */
  doc: Record<string, unknown>;
  /** sha256 of the file's text: a change of the file changes it. */
  hash: string;
}

/** The file to use: the one named, else mcfpipe.config.yaml in `cwd` when present, else none. */
export function findConfigFile(
  named: string | undefined,
  cwd: string,
  exists: (path: string) => boolean,
): string | undefined {
  if (named) return resolve(cwd, named);
  const local = resolve(cwd, CONFIG_FILE_NAME);
  return exists(local) ? local : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and parses a configuration file; ConfigError when it cannot be read or is not a YAML mapping. */
export function loadConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist (run "mcfpipe init" to write one, or leave out --config)'
        : code === 'EACCES'
          ? 'permission denied (check the file’s permissions)'
          : code === 'EISDIR'
            ? 'it is a folder, not a file'
            : (err as Error).message;
    throw new ConfigError(`Cannot read the configuration file ${path}: ${why}`);
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    throw new ConfigError(
      `The configuration file ${path}${line ? ` (line ${line})` : ''} is not valid YAML: ${problem.message.split('\n')[0]}`,
    );
  }
  const value: unknown = doc.toJS() ?? {};
  if (!isRecord(value))
    throw new ConfigError(
      `The configuration file ${path} must be a YAML mapping of sections (run:, scrape:, profile:, ...)`,
    );
  return { path, doc: value, hash: createHash('sha256').update(text).digest('hex') };
}

/** A section of the file (an empty one when absent); ConfigError when it is not a mapping. */
export function configSection(file: ConfigFile | undefined, name: string): Record<string, unknown> {
  if (!file || !Object.hasOwn(file.doc, name) || file.doc[name] == null) return {};
  const section = file.doc[name];
  if (!isRecord(section))
    throw new ConfigError(`${file.path}: "${name}" must be a mapping of settings`);
  return section;
}

/** Refuses top-level sections nobody reads (a typo would otherwise be ignored). */
export function checkSections(file: ConfigFile | undefined, known: readonly string[]): void {
  if (!file) return;
  for (const name of Object.keys(file.doc)) {
    if (!known.includes(name))
      throw new ConfigError(
        `${file.path}: unknown section "${name}"; known sections: ${known.join(', ')}`,
      );
  }
}

/** A setting as text (as a flag would give it), or undefined when the section does not set it. */
export function configScalar(
  file: ConfigFile | undefined,
  section: string,
  key: string,
): string | undefined {
  const s = configSection(file, section);
  if (!Object.hasOwn(s, key) || s[key] == null) return undefined;
  const v = s[key];
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number'))
    return v.join(',');
  throw new ConfigError(`${file!.path}: ${section}.${key} must be a single value, not a mapping`);
}

/** The file named by --config / MCFPIPE_CONFIG, else ./mcfpipe.config.yaml when present; loaded. */
export function openConfigFile(
  values: { config?: string | boolean | undefined },
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): ConfigFile | undefined {
  const named = typeof values.config === 'string' ? values.config : env.MCFPIPE_CONFIG?.trim();
  const path = findConfigFile(named || undefined, cwd, existsSync);
  return path ? loadConfigFile(path) : undefined;
}
