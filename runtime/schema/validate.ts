/**
 * The runtime validator, derived from db_schema.json: types, required fields,
 * enums, formats (with calendar checks for dates), patterns, lengths, ranges,
 * list sizes and unknown fields. Nothing here names a table or a field: every
 * rule comes from the {@link Schema}.
 *
 * Problems come one per invalid field (the first rule it breaks), each with
 * the field, the rule (the schema keyword: type, required, enum, format,
 * pattern, minLength, maxLength, minimum, maximum, minItems, maxItems,
 * unknown_field, reserved_name, or storable for a number DynamoDB cannot
 * hold) and the offending value, shown bounded.
 *
 * Lookups never reach Object.prototype: names are looked up as own
 * properties, and `__proto__`, `constructor` and `prototype` are refused as
 * field and filter names.
 */
import { type FieldDef, RESERVED_NAMES, type Schema, type TableDef } from './schema.js';
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
const SHOWN_NAME_CHARS = 100;

function shownScalar(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'string' && value.length > SHOWN_CHARS)
    return `${value.slice(0, SHOWN_CHARS)}…`;
  if (Array.isArray(value)) return value.length ? '[…]' : [];
  if (typeof value === 'object' && value !== null) return '{…}';
  if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol')
    return String(value).slice(0, SHOWN_CHARS);
  return value;
}

/**
 * The value as echoed in a problem, bounded whatever was sent: strings cut
 * to 200 characters, lists and objects to their first 20 entries, and
 * anything nested inside those shown as `[…]` or `{…}`. So an error answer
 * never grows with the input and never nests deeper than two levels.
 */
export function shownValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, SHOWN_ITEMS).map(shownScalar);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).slice(0, SHOWN_ITEMS)) {
      Object.defineProperty(out, shownName(key), {
        value: shownScalar((value as Record<string, unknown>)[key]),
        enumerable: true,
      });
    }
    return out;
  }
  return shownScalar(value);
}

/** A name (field, key, query parameter) as echoed in a problem: at most 100 characters. */
export function shownName(name: string): string {
  return name.length > SHOWN_NAME_CHARS ? `${name.slice(0, SHOWN_NAME_CHARS)}…` : name;
}

function problem(field: string, rule: string, value: unknown, message: string): FieldProblem {
  return { field: shownName(field), rule, value: shownValue(value), message };
}

/** The table's definition of a field: an own entry only, never something inherited. */
export function fieldDef(table: TableDef, name: string): FieldDef | undefined {
  return Object.hasOwn(table.fields, name) ? table.fields[name] : undefined;
}

/**
 * The problem with a name used as a field or filter name when it is reserved
 * (`__proto__`, ...); `shownAs` is how the problem names it (e.g. with an
 * `items[3].` prefix).
 */
export function reservedNameProblem(
  name: string,
  value: unknown,
  shownAs = name,
): FieldProblem | undefined {
  if (!RESERVED_NAMES.has(name)) return undefined;
  return problem(
    shownAs,
    'reserved_name',
    value,
    `${[...RESERVED_NAMES].join(', ')} are reserved names, never fields`,
  );
}

/**
 * DynamoDB's number limits: magnitudes 1e-130 to 9.99e125 (and 0). Its other
 * limit, 38 significant digits, cannot be reached: values arrive as
 * JavaScript numbers (JSON.parse rounds longer literals to a double), whose
 * shortest decimal form has at most 17.
 */
const DYNAMO_MIN_MAGNITUDE = 1e-130;
const DYNAMO_MAX_MAGNITUDE = 9.99e125;

/** Why DynamoDB cannot store a finite number, or undefined when it can. */
export function dynamoNumberProblem(n: number): string | undefined {
  const m = Math.abs(n);
  return m !== 0 && (m < DYNAMO_MIN_MAGNITUDE || m > DYNAMO_MAX_MAGNITUDE)
    ? 'is outside what DynamoDB stores: 0, or a magnitude from 1e-130 to 9.99e125'
    : undefined;
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

/** A list whose every item is a string (a loop: no callback per value). */
function isStringList(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const v of value) if (typeof v !== 'string') return false;
  return true;
}

/** The first rule a (non-null) value breaks, or undefined when it is valid. */
export function checkValue(
  name: string,
  def: FieldDef,
  value: unknown,
  schema: Schema,
): FieldProblem | undefined {
  switch (def.type) {
    case 'string': {
      if (typeof value !== 'string')
        return problem(name, 'type', value, `must be ${TYPE_WORDS.string}`);
      const c = compiled(def, schema);
      if (def.enum && !def.enum.includes(value))
        return problem(name, 'enum', value, `must be one of ${def.enum.join(', ')}`);
      if (c.format) {
        const f = schema.formats[c.format.name]!;
        if (!c.format.re.test(value) || (c.format.calendar && !isCalendarDate(value)))
          return problem(
            name,
            'format',
            value,
            `must be ${c.format.name} (${f.description}), e.g. ${f.example}`,
          );
      }
      if (c.pattern && !c.pattern.test(value))
        return problem(name, 'pattern', value, `must match ${def.pattern}`);
      if (def.minLength !== undefined && value.length < def.minLength)
        return problem(name, 'minLength', value, `must have at least ${def.minLength} characters`);
      if (def.maxLength !== undefined && value.length > def.maxLength)
        return problem(name, 'maxLength', value, `must have at most ${def.maxLength} characters`);
      return undefined;
    }
    case 'integer':
    case 'number': {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (def.type === 'number' || Number.isSafeInteger(value));
      if (!ok) return problem(name, 'type', value, `must be ${TYPE_WORDS[def.type]}`);
      const unstorable = dynamoNumberProblem(value);
      if (unstorable) return problem(name, 'storable', value, unstorable);
      if (def.minimum !== undefined && value < def.minimum)
        return problem(name, 'minimum', value, `must be at least ${def.minimum}`);
      if (def.maximum !== undefined && value > def.maximum)
        return problem(name, 'maximum', value, `must be at most ${def.maximum}`);
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean'
        ? undefined
        : problem(name, 'type', value, `must be ${TYPE_WORDS.boolean}`);
    case 'string_list': {
      if (!isStringList(value))
        return problem(name, 'type', value, `must be ${TYPE_WORDS.string_list}`);
      if (def.minItems !== undefined && value.length < def.minItems)
        return problem(name, 'minItems', value, `must have at least ${def.minItems} items`);
      if (def.maxItems !== undefined && value.length > def.maxItems)
        return problem(name, 'maxItems', value, `must have at most ${def.maxItems} items`);
      return undefined;
    }
  }
}

/** A JSON-like object: its prototype is Object.prototype or none (never one a client chose). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** An own property's value; undefined when the object does not hold it itself. */
function own(body: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(body, name) ? body[name] : undefined;
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
  // for-in over own names: the order of Object.entries, without an array of pairs per item.
  for (const name in body) {
    if (!Object.hasOwn(body, name)) continue;
    const value = body[name];
    const reserved = reservedNameProblem(name, value, prefix + name);
    if (reserved) {
      problems.push(reserved);
      continue;
    }
    const def = fieldDef(table, name);
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
    // for-in over own names: the order of Object.entries, without an array of pairs per item.
    for (const name in table.fields) {
      if (!Object.hasOwn(table.fields, name)) continue;
      const def = table.fields[name]!;
      if (def.managed || own(item, name) !== undefined) continue;
      const given = own(body, name);
      if (def.default !== undefined && given === undefined) {
        item[name] = Array.isArray(def.default) ? [...def.default] : def.default;
      } else if (
        def.required &&
        (given === undefined || given === null) &&
        !problems.some((p) => p.field === prefix + name)
      ) {
        problems.push(problem(prefix + name, 'required', given, 'is required'));
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
  const reserved = reservedNameProblem(name, raw);
  if (reserved) return { value: raw, problem: reserved };
  const def = fieldDef(table, name);
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
