/**
 * Values validated at the edge: pure parsers shared by the actions' inputs and
 * the runtime's command-line flags and environment variables.
 *
 * Every parser takes the name the user knows the value by (an input, a flag,
 * a variable) and returns a typed value, or throws an {@link InputError} that
 * names it, the bad value and what is accepted.
 */

/** A bad input value. The message is shown to the user as the step's failure. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly input: string,
    readonly value: string,
    readonly accepted: string,
    /** Shown instead of the quoted value, when the value may be a secret. */
    shown?: string,
  ) {
    super(`Input "${input}": ${shown ?? quote(value)} is not valid. Accepted: ${accepted}.`);
  }
}

/** A required input that was not given. */
export class MissingInputError extends Error {
  override readonly name = 'MissingInputError';
  constructor(
    readonly input: string,
    hint?: string,
  ) {
    super(`Input "${input}" is required and was not supplied.${hint ? ` ${hint}` : ''}`);
  }
}

function quote(value: string): string {
  const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  return JSON.stringify(shown);
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

export function parseBoolean(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new InputError(name, value, 'true or false (also yes/no, on/off, 1/0)');
}

export interface IntegerOptions {
  min?: number;
  max?: number;
}

export function parseInteger(name: string, value: string, opts: IntegerOptions = {}): number {
  const v = value.trim();
  const range = describeRange(opts);
  if (!/^[+-]?\d+$/.test(v)) throw new InputError(name, value, `a whole number${range}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InputError(name, value, `a whole number${range}`);
  if (opts.min !== undefined && n < opts.min)
    throw new InputError(name, value, `a whole number${range}`);
  if (opts.max !== undefined && n > opts.max)
    throw new InputError(name, value, `a whole number${range}`);
  return n;
}

function describeRange({ min, max }: IntegerOptions): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

export function parseChoice<T extends string>(
  name: string,
  value: string,
  choices: readonly T[],
): T {
  const exact = choices.find((c) => c === value);
  if (exact) return exact;
  const folded = choices.find((c) => c.toLowerCase() === value.toLowerCase());
  if (folded) return folded;
  throw new InputError(name, value, `one of ${choices.join(', ')}`);
}

/** Splits on commas and newlines, trims, drops empty items and `#` comment lines. */
export function parseList(value: string): string[] {
  return value
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export interface KeyValueOptions {
  /**
   * The values may be secrets (stack parameters, environment variables):
   * errors show the key and the line number, never a value or a line that
   * may be part of one.
   */
  secretValues?: boolean;
}

/**
 * Parses `KEY=value` pairs, one per line. Blank lines and lines starting with
 * `#` are skipped; the value is everything after the first `=` (it may contain
 * `=`, commas and spaces); a repeated key is an error. Keys must match `keyPattern`.
 */
export function parseKeyValues(
  name: string,
  value: string,
  keyPattern: RegExp = /^[A-Za-z_][A-Za-z0-9_.:/-]*$/,
  opts: KeyValueOptions = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = value.split('\n');
  const hidden = (key: string) =>
    opts.secretValues ? `${JSON.stringify(key)}=(value not shown)` : undefined;
  lines.forEach((line, i) => {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return;
    const eq = text.indexOf('=');
    const where = lines.length > 1 ? ` (line ${i + 1})` : '';
    // A secret stays out of the error object too, not only its message.
    const bad = opts.secretValues ? '' : text;
    if (eq <= 0) {
      throw new InputError(
        `${name}${where}`,
        bad,
        opts.secretValues
          ? 'KEY=value lines, one pair per line (a value cannot span lines)'
          : 'KEY=value lines, one pair per line',
        opts.secretValues
          ? `a line without "KEY=" (not shown: it may be part of a value)`
          : undefined,
      );
    }
    const key = text.slice(0, eq).trim();
    if (!keyPattern.test(key)) {
      throw new InputError(
        `${name}${where}`,
        bad,
        `KEY=value lines where KEY matches ${keyPattern}`,
        hidden(key),
      );
    }
    if (Object.hasOwn(out, key)) {
      throw new InputError(`${name}${where}`, bad, 'each KEY at most once', hidden(key));
    }
    out[key] = text.slice(eq + 1).trim();
  });
  return out;
}

export function parseJson<T = unknown>(name: string, value: string): T {
  try {
    return JSON.parse(value) as T;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new InputError(name, value, `valid JSON (${detail})`);
  }
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export interface DurationOptions {
  /** Unit of a bare number such as "30" (default: seconds). */
  bareUnit?: 'ms' | 's' | 'm' | 'h';
  minMs?: number;
  maxMs?: number;
}

/**
 * Parses a duration into milliseconds: a bare number in `bareUnit`, or units
 * such as `90s`, `15m`, `1h30m`, `500ms`, `2d`, or ISO 8601 `PT15M`.
 */
export function parseDuration(name: string, value: string, opts: DurationOptions = {}): number {
  const accepted = `a duration such as 90s, 15m, 1h30m or PT15M, or a bare number of ${
    { ms: 'milliseconds', s: 'seconds', m: 'minutes', h: 'hours' }[opts.bareUnit ?? 's']
  }${describeDurationRange(opts)}`;
  const v = value.trim().toLowerCase();
  let ms: number | undefined;
  if (/^\d+(\.\d+)?$/.test(v)) {
    ms = Number(v) * (UNIT_MS[opts.bareUnit ?? 's'] ?? 1000);
  } else {
    const iso = /^pt(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(v);
    if (iso && v !== 'pt') {
      ms =
        Number(iso[1] ?? 0) * UNIT_MS.h! +
        Number(iso[2] ?? 0) * UNIT_MS.m! +
        Number(iso[3] ?? 0) * UNIT_MS.s!;
    } else if (/^(\d+(\.\d+)?(ms|s|m|h|d)\s*)+$/.test(v)) {
      ms = 0;
      for (const part of v.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
        ms += Number(part[1]) * (UNIT_MS[part[2]!] ?? 0);
      }
    }
  }
  if (ms === undefined || !Number.isFinite(ms)) throw new InputError(name, value, accepted);
  ms = Math.round(ms);
  if (opts.minMs !== undefined && ms < opts.minMs) throw new InputError(name, value, accepted);
  if (opts.maxMs !== undefined && ms > opts.maxMs) throw new InputError(name, value, accepted);
  return ms;
}

function describeDurationRange({ minMs, maxMs }: DurationOptions): string {
  const parts: string[] = [];
  if (minMs !== undefined) parts.push(`at least ${formatDuration(minMs)}`);
  if (maxMs !== undefined) parts.push(`at most ${formatDuration(maxMs)}`);
  return parts.length ? `, ${parts.join(' and ')}` : '';
}

/** 5400000 -> "1h30m", 1500 -> "1.5s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  // Below 59.95s, tenths of a second (59.95s would round to "60s").
  if (ms < 59_950) return `${Number((ms / 1000).toFixed(1))}s`;
  // Whole seconds, rounded before splitting (119.6s is "2m", not "1m60s").
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}
