/**
 * Command-line options of the `mcfpipe` commands, resolved in one order:
 * the flag, else its environment variable, else the configuration file
 * (mcfpipe.config.yaml), else the default. `label()` names every place a
 * value can come from, so an error message says where to fix it.
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, parseChoice } from '../../core/values.js';
import { projectSchema } from '../schema/schema.js';
import { type ConfigFile, configScalar } from './config-file.js';

export interface OptionSpec {
  flag: string;
  /** Environment variable (commands that run in containers). */
  env?: string;
  /** `section.key` in the configuration file. */
  config?: string;
  /** What the value looks like, for --help: `N`, `URL`, `true|false`. */
  arg?: string;
  def?: string;
  help: string;
  /** A switch: present = true. */
  boolean?: true;
  short?: string;
}

export type FlagValues = Record<string, string | boolean | undefined>;

/** Parses the flags; throws node's parse error (unknown flag, missing value) for the caller to report as usage. */
export function parseFlags(
  argv: string[],
  specs: readonly OptionSpec[],
  allowPositionals = false,
): { values: FlagValues; positionals: string[] } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(
        specs.map((o) => [
          o.flag,
          {
            type: o.boolean ? ('boolean' as const) : ('string' as const),
            ...(o.short ? { short: o.short } : {}),
          },
        ]),
      ),
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals,
  });
  return { values: values as FlagValues, positionals };
}

/**
 * A command's flags, or its exit code when there is nothing more to do: 2 after
 * a usage error (the parser's message and the --help text on stderr), 0 after
 * printing --help. Every `mcfpipe` command starts with it.
 */
export function parseCommandLine(
  command: string,
  argv: string[],
  specs: readonly OptionSpec[],
  help: () => string,
  allowPositionals = false,
): { values: FlagValues; positionals: string[] } | number {
  let parsed: { values: FlagValues; positionals: string[] };
  try {
    parsed = parseFlags(argv, specs, allowPositionals);
  } catch (err) {
    console.error(`mcfpipe ${command}: ${(err as Error).message}\n\n${help()}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(help());
    return 0;
  }
  return parsed;
}

export class Options {
  constructor(
    private readonly specs: readonly OptionSpec[],
    private readonly values: FlagValues,
    private readonly env: NodeJS.ProcessEnv = {},
    readonly file?: ConfigFile,
  ) {}

  private spec(flag: string): OptionSpec {
    const o = this.specs.find((x) => x.flag === flag);
    if (!o) throw new Error(`no option --${flag}`);
    return o;
  }

  /** The value: flag > environment > configuration file > default. */
  get(flag: string): string | undefined {
    const o = this.spec(flag);
    const v = this.values[flag];
    if (typeof v === 'string') return v;
    if (v === true) return 'true';
    const fromEnv = o.env ? this.env[o.env]?.trim() : undefined;
    if (fromEnv) return fromEnv;
    if (o.config) {
      const dot = o.config.indexOf('.');
      const fromFile = configScalar(this.file, o.config.slice(0, dot), o.config.slice(dot + 1));
      if (fromFile !== undefined) return fromFile;
    }
    return o.def;
  }

  /** The value when it is one of `choices` (undefined when unset); else an InputError naming where it came from. */
  oneOf<C extends string>(flag: string, choices: readonly C[]): C | undefined {
    const v = this.get(flag);
    return v === undefined ? undefined : parseChoice(this.label(flag), v, choices);
  }

  /** A user id (undefined when unset), checked against db_schema.json's USER_ID format. */
  userId(flag = 'user'): string | undefined {
    const v = this.get(flag);
    if (v === undefined) return undefined;
    const format = projectSchema().formats.USER_ID!;
    if (!new RegExp(format.pattern).test(v))
      throw new InputError(this.label(flag), v, format.description.replace(/^A /, 'a '));
    return v;
  }

  /** Whether the value was given (flag, environment or file), not defaulted. */
  given(flag: string): boolean {
    return this.source(flag) !== 'default';
  }

  /** A path option: one from the config file is relative to the file's folder, others to the current folder. */
  path(flag: string): string | undefined {
    const v = this.get(flag);
    if (v === undefined) return undefined;
    return this.source(flag) === 'file' && this.file
      ? resolve(dirname(this.file.path), v)
      : resolve(v);
  }

  source(flag: string): 'flag' | 'env' | 'file' | 'default' {
    const o = this.spec(flag);
    if (this.values[flag] !== undefined) return 'flag';
    if (o.env && this.env[o.env]?.trim()) return 'env';
    if (o.config) {
      const dot = o.config.indexOf('.');
      if (configScalar(this.file, o.config.slice(0, dot), o.config.slice(dot + 1)) !== undefined)
        return 'file';
    }
    return 'default';
  }

  /** Every name of the value, for messages: `--rate / SCRAPER_RATE / scrape.rate`. */
  label(flag: string): string {
    const o = this.spec(flag);
    return [`--${flag}`, o.env, o.config && this.file ? o.config : undefined]
      .filter(Boolean)
      .join(' / ');
  }
}

/** --help text: usage, a description, one line per option (with its variable, file key and default). */
export function helpText(usage: string, about: string, specs: readonly OptionSpec[]): string {
  const rows = specs.map((o) => {
    const left = `  --${o.flag}${o.short ? `, -${o.short}` : ''}${o.arg ? ` ${o.arg}` : ''}`;
    const where = [o.env, o.config ? `${o.config} in the config file` : undefined]
      .filter(Boolean)
      .join(', ');
    const right = `${o.help}${where ? ` [${where}]` : ''}${o.def !== undefined ? ` (default ${o.def})` : ''}`;
    return `${left.padEnd(34)} ${right}`;
  });
  return `Usage: ${usage}\n\n${about}\n\nOptions (a flag wins over the environment, which wins over the config file):\n${rows.join('\n')}\n  --help, -h`;
}
