/**
 * `mcfpipe init`: writes the example mcfpipe.config.yaml (settings of the
 * run and the profile: one user, two tracks, a keyword library) for the
 * user to edit. Never overwrites a file unless --force.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_FILE_NAME } from '../settings/config-file.js';
import { EXAMPLE_CONFIG } from '../settings/example.js';
import { helpText, type OptionSpec, parseCommandLine } from '../settings/options.js';

const OPTIONS: OptionSpec[] = [
  { flag: 'path', arg: 'FILE', def: CONFIG_FILE_NAME, help: 'Where to write it' },
  { flag: 'force', boolean: true, help: 'Overwrite an existing file' },
];

function help(): string {
  return helpText(
    'mcfpipe init [options]',
    'Writes an example mcfpipe.config.yaml: the settings of `mcfpipe run` and a profile (one user,\ntwo tracks, a keyword library) to edit. The next `mcfpipe run` (npm start) loads the profile.',
    OPTIONS,
  );
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('init', argv, OPTIONS, help);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const path = resolve(typeof values.path === 'string' ? values.path : CONFIG_FILE_NAME);
  if (existsSync(path) && !values.force) {
    console.error(
      `mcfpipe init: ${path} exists; it is left as it is. Edit it, or write the example over it with --force.`,
    );
    return 2;
  }
  try {
    writeFileSync(path, EXAMPLE_CONFIG);
  } catch (err) {
    console.error(`mcfpipe init: cannot write ${path}: ${(err as Error).message}`);
    return 1;
  }
  console.log(
    `Wrote ${path}: one user ("me"), two tracks and a keyword library.\n` +
      'Edit the profile (tracks: what to search; keywords: what makes a good match), then run `npm start`.',
  );
  return 0;
}
