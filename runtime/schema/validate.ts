/**
 * The runtime validator, derived from db_schema.json: types, required fields,
 * enums, formats (with calendar checks for dates), patterns, lengths, ranges,
 * list sizes and unknown fields. Nothing here names a table or a field: every
 * rule comes from the {@link Schema}.
 *
 * Problems come one per invalid field (the first rule it breaks), each with
 * the field, the rule (the schema keyword: type, required, enum, format,
 * pattern, minLength, maxLength, minimum, maximum, minItems, maxItems, or
 * unknown_field) and the offending value.
 */
import type { FieldDef, Schema, TableDef } from './schema.js';
import { isCalendarDate } from './timestamps.js';

export interface FieldProblem {
  /** The field's name (prefixed, e.g. `items[3].title`, by callers that validate many items). */
  field: string;
  rule: string;
  /** The offending value (long strings and lists shortened); null when absent. */
  value: unknown;
  message: string;
}

/** `full`: the body is a whole item (PUT, batch). `patch`: only the fields to change. */
export type ValidationMode = 'full' | 'patch';

export interface ValidatedItem {
  /** Fields to store: the body's valid fields, plus defaults in `full` mode; managed fields dropped. */
  item: Record<string, unknown>;
  /** `patch` mode: optional fields set to null, to be removed. */
  remove: string[];
  problems: FieldProblem[];
}

const SHOWN_CHARS = 200;
const SHOWN_ITEMS = 20;

/** The value as echoed in a problem: long strings and lists shortened. */
export function shownValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'string' && value.length > SHOWN_CHARS)
    return `${value.slice(0, SHOWN_CHARS)}…`;
  if (Array.isArray(value) && value.length > SHOWN_ITEMS) return value.slice(0, SHOWN_ITEMS);
  return value;
}

function problem(field: string, rule: string, value: unknown, message: string): FieldProblem {
  return { field, rule, value: shownValue(value), message };
}

const TYPE_WORDS: Record<FieldDef['type'], string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  string_list: 'a list of strings',
};

interface Compiled {
  pattern?: RegExp;
  format?: { name: string; re: RegExp; calendar: boolean };
}

const compiledCache = new WeakMap<FieldDef, Compiled>();

function compiled(def: FieldDef, schema: Schema): Compiled {
  let c = compiledCache.get(def);
  if (!c) {
    c = {};
    if (def.pattern !== undefined) c.pattern = new RegExp(def.pattern);
    if (def.format !== undefined) {
      const f = schema.formats[def.format]!;
      c.format = {
        name: def.format,
        re: new RegExp(f.pattern),
        // Formats whose values start with a date (ISO_DATE, ISO_TIMESTAMP) also get a calendar check.
        calendar: /^\d{4}-\d{2}-\d{2}/.test(f.example),
      };
    }
    compiledCache.set(def, c);
  }
  return c;
}

/** The first rule a (non-null) value breaks, or undefined when it is valid. */
export function checkValue(
  name: string,
  def: FieldDef,
  value: unknown,
  schema: Schema,
): FieldProblem | undefined {
  const bad = (rule: string, message: string) => problem(name, rule, value, message);
  switch (def.type) {
    case 'string': {
      if (typeof value !== 'string') return bad('type', `must be ${TYPE_WORDS.string}`);
      const c = compiled(def, schema);
      if (def.enum && !def.enum.includes(value))
        return bad('enum', `must be one of ${def.enum.join(', ')}`);
      if (c.format) {
        const f = schema.formats[c.format.name]!;
        if (!c.format.re.test(value) || (c.format.calendar && !isCalendarDate(value)))
          return bad('format', `must be ${c.format.name} (${f.description}), e.g. ${f.example}`);
      }
      if (c.pattern && !c.pattern.test(value)) return bad('pattern', `must match ${def.pattern}`);
      if (def.minLength !== undefined && value.length < def.minLength)
        return bad('minLength', `must have at least ${def.minLength} characters`);
      if (def.maxLength !== undefined && value.length > def.maxLength)
        return bad('maxLength', `must have at most ${def.maxLength} characters`);
      return undefined;
    }
    case 'integer':
    case 'number': {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (def.type === 'number' || Number.isSafeInteger(value));
      if (!ok) return bad('type', `must be ${TYPE_WORDS[def.type]}`);
      if (def.minimum !== undefined && value < def.minimum)
        return bad('minimum', `must be at least ${def.minimum}`);
      if (def.maximum !== undefined && value > def.maximum)
        return bad('maximum', `must be at most ${def.maximum}`);
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : bad('type', `must be ${TYPE_WORDS.boolean}`);
    case 'string_list': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        return bad('type', `must be ${TYPE_WORDS.string_list}`);
      if (def.minItems !== undefined && value.length < def.minItems)
        return bad('minItems', `must have at least ${def.minItems} items`);
      if (def.maxItems !== undefined && value.length > def.maxItems)
        return bad('maxItems', `must have at most ${def.maxItems} items`);
      return undefined;
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a request body against a table. `prefix` is put before field
 * names in problems (e.g. `items[3].`).
 */
export function validateItem(
  schema: Schema,
  table: TableDef,
  body: unknown,
  mode: ValidationMode,
  prefix = '',
): ValidatedItem {
  const problems: FieldProblem[] = [];
  const item: Record<string, unknown> = {};
  const remove: string[] = [];
  if (!isPlainObject(body)) {
    problems.push(
      problem(
        prefix.replace(/\.$/, '') || '(body)',
        'type',
        body,
        `must be a JSON object with ${table.name} fields`,
      ),
    );
    return { item, remove, problems };
  }
  for (const [name, value] of Object.entries(body)) {
    const def = table.fields[name];
    if (!def) {
      problems.push(
        problem(prefix + name, 'unknown_field', value, `is not a field of table ${table.name}`),
      );
      continue;
    }
    if (def.managed) continue; // set by the server: ignored, so a read item can be written back
    if (value === null) {
      if (def.required) {
        problems.push(problem(prefix + name, 'required', value, 'is required and cannot be null'));
      } else if (mode === 'patch') {
        remove.push(name);
      }
      continue;
    }
    const p = checkValue(prefix + name, def, value, schema);
    if (p) problems.push(p);
    else item[name] = value;
  }
  if (mode === 'full') {
    for (const [name, def] of Object.entries(table.fields)) {
      if (def.managed || item[name] !== undefined) continue;
      if (def.default !== undefined && body[name] === undefined) {
        item[name] = Array.isArray(def.default) ? [...def.default] : def.default;
      } else if (
        def.required &&
        (body[name] === undefined || body[name] === null) &&
        !problems.some((p) => p.field === prefix + name)
      ) {
        problems.push(problem(prefix + name, 'required', body[name], 'is required'));
      }
    }
  }
  return { item, remove, problems };
}

/**
 * Parses a query-string value for a field (an index key in a list filter):
 * numbers become numbers; then the field's rules apply.
 */
export function parseFieldValue(
  schema: Schema,
  table: TableDef,
  name: string,
  raw: string,
): { value: unknown; problem?: FieldProblem } {
  const def = table.fields[name];
  if (!def) {
    return {
      value: raw,
      problem: problem(name, 'unknown_field', raw, `is not a field of table ${table.name}`),
    };
  }
  const value = def.type === 'integer' || def.type === 'number' ? parseNumber(raw) : raw;
  const p = checkValue(name, def, value, schema);
  return p ? { value: raw, problem: { ...p, value: raw } } : { value };
}

function parseNumber(raw: string): number | string {
  return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
}
