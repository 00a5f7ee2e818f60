/**
 * Stack parameters: read from the `parameters` input (KEY=value lines, or
 * JSON inline or in a file, in the formats the AWS CLI and CodePipeline use),
 * checked against what the template declares before any AWS change, and
 * turned into the Parameter list for CloudFormation: a value when given, the
 * previous value on update when not (UsePreviousValue), the template default
 * on create.
 */
import { readFileSync } from 'node:fs';
import type { Parameter } from '@aws-sdk/client-cloudformation';
import { jsonErrorOffset } from '../../../core/cfn-template.js';
import { ActionError } from '../../../core/errors.js';
import { didYouMean } from '../../../core/suggest.js';
import { InputError, parseKeyValues } from '../../../core/values.js';
import { maskSecret } from '../../lib/run.js';

/** A parameter as the template declares it. */
export interface DeclaredParameter {
  type: string;
  default?: string;
  noEcho: boolean;
  allowedValues?: string[];
  allowedPattern?: string;
  /** The template's words for what a valid value is, shown when one is refused. */
  constraintDescription?: string;
}

export type Declared = Record<string, DeclaredParameter>;

const FORMATS =
  'KEY=value lines; or JSON (inline, or a file given as file://params.json or a path ending in .json) in the AWS CLI format [{"ParameterKey": "K", "ParameterValue": "V"}], ["K=V"], or {"Parameters": {"K": "V"}}';

/** Parses the `parameters` input into name -> value. */
export function parseParameters(value: string, cwd = process.cwd()): Record<string, string> {
  const text = value.trim();
  if (text === '') return {};
  const file = /^file:\/\/(.+)$/.exec(text)?.[1] ?? (/^[^\n=]+\.json$/i.test(text) ? text : null);
  if (file) {
    let content: string;
    try {
      content = readFileSync(file.startsWith('/') ? file : `${cwd}/${file}`, 'utf8');
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
      throw new InputError('parameters', text, `${FORMATS} (cannot read ${file}: ${why})`);
    }
    return fromJson(secretJson(`parameters (${file})`, content), `parameters (${file})`);
  }
  if (text.startsWith('[') || text.startsWith('{'))
    return fromJson(secretJson('parameters', text), 'parameters');
  // Values may be secrets (NoEcho), and are not masked yet: errors show keys only.
  return parseKeyValues('parameters', value, /^[A-Za-z0-9]+$/, { secretValues: true });
}

/**
 * JSON.parse for text that may hold secret values: the error gives the line
 * and column, never the text (V8's own message quotes a piece of it).
 */
function secretJson(input: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const at = jsonErrorOffset(text);
    let where = '';
    if (at !== undefined) {
      const before = text.slice(0, at).split('\n');
      where = ` at line ${before.length}, column ${before.at(-1)!.length + 1}`;
    }
    throw new ActionError(
      `Input "${input}" is not valid JSON: a syntax error${where} (the text is not shown: it may hold secret values).`,
      `Accepted: ${FORMATS}.`,
    );
  }
}

/** An item of the parameters JSON as an error shows it: names, never values. */
function withoutValue(item: unknown): string {
  if (typeof item === 'string') {
    const eq = item.indexOf('=');
    return eq > 0
      ? `${JSON.stringify(item.slice(0, eq))}=(value not shown)`
      : 'a string without "KEY=" (not shown)';
  }
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const fields = Object.entries(item).map(([k, v]) =>
      k === 'ParameterKey' || k === 'UsePreviousValue' || k === 'ResolvedValue'
        ? `${JSON.stringify(k)}: ${JSON.stringify(v)}`
        : k === 'ParameterValue'
          ? `${JSON.stringify(k)}: (not shown)`
          : `${JSON.stringify(k)}: (value not shown)`,
    );
    return `{${fields.join(', ')}}`;
  }
  return `a ${item === null ? 'null' : Array.isArray(item) ? 'list' : typeof item} (not shown)`;
}

function fromJson(doc: unknown, input: string): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: unknown, val: unknown, item: unknown) => {
    if (typeof key !== 'string' || !/^[A-Za-z0-9]+$/.test(key) || val === undefined || val === null)
      throw new InputError(input, '', FORMATS, withoutValue(item));
    if (Object.hasOwn(out, key)) throw new InputError(input, key, `${FORMATS}; each name once`);
    out[key] = Array.isArray(val) ? val.join(',') : String(val);
  };
  if (Array.isArray(doc)) {
    for (const item of doc) {
      if (typeof item === 'string') {
        const eq = item.indexOf('=');
        add(eq > 0 ? item.slice(0, eq) : undefined, item.slice(eq + 1), item);
      } else if (item && typeof item === 'object') {
        const p = item as {
          ParameterKey?: unknown;
          ParameterValue?: unknown;
          UsePreviousValue?: unknown;
        };
        // {"UsePreviousValue": true} is what an unlisted parameter gets anyway.
        if (p.UsePreviousValue === true && p.ParameterValue === undefined) continue;
        add(p.ParameterKey, p.ParameterValue, item);
      } else {
        throw new InputError(input, '', FORMATS, withoutValue(item));
      }
    }
    return out;
  }
  if (doc && typeof doc === 'object') {
    const record = doc as Record<string, unknown>;
    const inner = record.Parameters;
    const map = inner && typeof inner === 'object' && !Array.isArray(inner) ? inner : record;
    for (const [k, v] of Object.entries(map as Record<string, unknown>)) add(k, v, { [k]: v });
    return out;
  }
  throw new InputError(input, '', FORMATS, withoutValue(doc));
}

/**
 * Rejects names the template does not declare and values outside a declared
 * AllowedValues/AllowedPattern; masks the values of NoEcho parameters.
 */
export function checkParameters(
  given: Record<string, string>,
  declared: Declared,
  where: string,
): void {
  const names = Object.keys(declared);
  const unknown = Object.keys(given).filter((k) => !Object.hasOwn(declared, k));
  if (unknown.length) {
    const list = unknown.map((u) => `${u}${didYouMean(u, names)}`).join(', ');
    throw new ActionError(
      `Input "parameters": ${where} declares no parameter ${list}.`,
      names.length
        ? `Parameters it declares: ${names.join(', ')}.`
        : 'It declares no parameters at all: remove the "parameters" input.',
    );
  }
  for (const [k, v] of Object.entries(given)) {
    const d = declared[k]!;
    if (d.noEcho) maskSecret(v);
    // List<...> types (AWS-specific ids) are left to CloudFormation.
    if (d.type.startsWith('List<')) continue;
    // CloudFormation checks each item of a CommaDelimitedList against
    // AllowedValues and AllowedPattern, and a String as a whole.
    const list = d.type === 'CommaDelimitedList';
    const items = list ? v.split(',').map((item) => item.trim()) : [v];
    const show = (value: string) => (d.noEcho ? '(hidden: NoEcho)' : JSON.stringify(value));
    const item = (value: string) => (list ? ` (item ${show(value)})` : '');
    const shown = show(v);
    const notAllowed = d.allowedValues?.length
      ? items.find((i) => !d.allowedValues!.includes(i))
      : undefined;
    // The template's ConstraintDescription says in words what CloudFormation would say.
    const because = d.constraintDescription ? `: ${d.constraintDescription}` : '.';
    if (notAllowed !== undefined) {
      throw new ActionError(
        `Input "parameters": ${k}=${shown}${item(notAllowed)} is not allowed by ${where}${because}`,
        `Allowed values${list ? ' for each item' : ''}: ${d.allowedValues!.join(', ')}.`,
      );
    }
    const pattern = d.allowedPattern;
    const mismatch = pattern ? items.find((i) => patternRejects(pattern, i)) : undefined;
    if (mismatch !== undefined) {
      throw new ActionError(
        `Input "parameters": ${k}=${shown}${item(mismatch)} does not match the AllowedPattern of ${where}${because}`,
        `Pattern${list ? ' (for each item)' : ''}: ${pattern}`,
      );
    }
  }
}

/** Whether a value fails an AllowedPattern; a pattern JavaScript cannot read is left to CloudFormation. */
function patternRejects(pattern: string, value: string): boolean {
  try {
    return !new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

/**
 * The Parameters for a change set or CreateStack. `previous` is the stack's
 * current parameter list on update, undefined on create. Throws when a
 * parameter has no value, no default and no previous value.
 */
export function buildParameters(
  given: Record<string, string>,
  declared: Declared,
  previous: Parameter[] | undefined,
  where: string,
): Parameter[] {
  const had = new Set((previous ?? []).map((p) => p.ParameterKey));
  const out: Parameter[] = [];
  const missing: string[] = [];
  for (const [name, d] of Object.entries(declared)) {
    if (Object.hasOwn(given, name)) out.push({ ParameterKey: name, ParameterValue: given[name] });
    else if (had.has(name)) out.push({ ParameterKey: name, UsePreviousValue: true });
    else if (d.default === undefined) missing.push(name);
  }
  if (missing.length) {
    throw new ActionError(
      `Input "parameters": no value for ${missing.join(', ')}: ${where} gives ${
        missing.length > 1 ? 'them' : 'it'
      } no default${previous ? ' and the stack has no previous value' : ''}.`,
      `Add ${missing.map((m) => `${m}=...`).join(', ')} to the "parameters" input.`,
    );
  }
  return out;
}

/** Declared parameters from a parsed template's Parameters section. */
export function declaredFromTemplate(
  parameters: Record<string, Record<string, unknown>> | undefined,
): Declared {
  const out: Declared = {};
  for (const [name, p] of Object.entries(parameters ?? {})) {
    const d: DeclaredParameter = {
      type: String(p.Type ?? 'String'),
      noEcho: p.NoEcho === true || String(p.NoEcho).toLowerCase() === 'true',
    };
    if (p.Default !== undefined && p.Default !== null)
      d.default = Array.isArray(p.Default) ? p.Default.join(',') : String(p.Default);
    if (Array.isArray(p.AllowedValues)) d.allowedValues = p.AllowedValues.map(String);
    if (typeof p.AllowedPattern === 'string') d.allowedPattern = p.AllowedPattern;
    if (typeof p.ConstraintDescription === 'string' && p.ConstraintDescription.trim())
      d.constraintDescription = p.ConstraintDescription.trim();
    out[name] = d;
  }
  return out;
}
