/**
 * Loads and checks db_schema.json, the one source of truth for tables, keys,
 * field types, required fields, enums, formats, indexes and TTL.
 *
 * Consumers: the DB API's validator, the DynamoDB template constructor, the
 * generated TypeScript types, the webscraper's normaliser and the Sheets
 * connector. Each reads the {@link Schema} returned here and never re-declares
 * a table.
 *
 * Every problem is a {@link SchemaError} naming the table and field.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import projectSchemaJson from './db_schema.json' with { type: 'json' };

export const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'string_list'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const PROJECTIONS = ['ALL', 'KEYS_ONLY'] as const;
export type Projection = (typeof PROJECTIONS)[number];

export interface FieldDef {
  type: FieldType;
  required?: boolean;
  description?: string;
  /** Allowed values (string fields). */
  enum?: string[];
  /** Name of an entry of {@link Schema.formats}. */
  format?: string;
  /** A regular expression the whole value must match (string fields). */
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  /** Value used when a create omits the field. */
  default?: string | number | boolean | string[];
  /** Set by the DB API, never by clients (created, last_modified, version). */
  managed?: boolean;
}

export interface IndexDef {
  name: string;
  partition: string;
  sort?: string;
  projection: Projection;
}

export interface TableDef {
  name: string;
  description: string;
  /** The partition key field: a required string ending in _id. */
  key: string;
  /** An integer field holding epoch seconds, used as the DynamoDB TTL attribute. */
  ttl?: string;
  /** The table's own fields followed by the system fields. */
  fields: Record<string, FieldDef>;
  indexes: IndexDef[];
}

export interface FormatDef {
  pattern: string;
  description: string;
  example: string;
}

export interface Schema {
  version: number;
  description: string;
  /** IANA timezone of every ISO_TIMESTAMP value. */
  timezone: string;
  formats: Record<string, FormatDef>;
  systemFields: Record<string, FieldDef>;
  tables: Record<string, TableDef>;
}

export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(
    message: string,
    readonly table?: string,
    readonly field?: string,
  ) {
    const where = table ? `table "${table}"${field ? `, field "${field}"` : ''}: ` : '';
    super(`db_schema: ${where}${message}`);
  }
}

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/**
 * Names that are never a table, field or filter name: as keys they reach or
 * replace object prototypes (`obj.__proto__ = x` sets the prototype, and a
 * lookup of `constructor` finds Object.prototype's). The DB API refuses them
 * wherever a client names something.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/**
 * An empty record with no prototype: looking up a name it does not hold gives
 * undefined, never something inherited from Object.prototype. Every name ->
 * definition map of a checked schema is one.
 */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
const FIELD_KEYS = new Set([
  'type',
  'required',
  'description',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'default',
  'managed',
]);
const TABLE_KEYS = new Set(['description', 'key', 'ttl', 'fields', 'indexes']);
const INDEX_KEYS = new Set(['name', 'partition', 'sort', 'projection']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkField(
  name: string,
  raw: unknown,
  formats: Record<string, FormatDef>,
  table?: string,
): FieldDef {
  const fail = (msg: string) => new SchemaError(msg, table ?? '(system_fields)', name);
  if (!SNAKE.test(name)) throw fail('field names are snake_case (a-z, 0-9 and _)');
  if (RESERVED_NAMES.has(name))
    throw fail(`${[...RESERVED_NAMES].join(', ')} are reserved names, never field names`);
  if (!isObject(raw)) throw fail('a field is an object such as {"type": "string"}');
  for (const key of Object.keys(raw)) {
    if (!FIELD_KEYS.has(key))
      throw fail(`unknown property "${key}"; known: ${[...FIELD_KEYS].join(', ')}`);
  }
  const type = raw.type;
  if (typeof type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(type)) {
    throw fail(`unknown type ${JSON.stringify(type)}; known: ${FIELD_TYPES.join(', ')}`);
  }
  const def = raw as unknown as FieldDef;
  if (def.format !== undefined && !Object.hasOwn(formats, def.format)) {
    throw fail(`unknown format "${def.format}"; known: ${Object.keys(formats).join(', ')}`);
  }
  if (
    (def.format !== undefined || def.pattern !== undefined || def.enum !== undefined) &&
    type !== 'string'
  ) {
    throw fail('format, pattern and enum apply to string fields only');
  }
  if (def.pattern !== undefined) {
    try {
      new RegExp(def.pattern);
    } catch (err) {
      throw fail(`pattern is not a valid regular expression: ${(err as Error).message}`);
    }
  }
  if (def.enum !== undefined) {
    if (
      !Array.isArray(def.enum) ||
      def.enum.length === 0 ||
      def.enum.some((v) => typeof v !== 'string')
    ) {
      throw fail('enum is a non-empty list of strings');
    }
    if (new Set(def.enum).size !== def.enum.length) throw fail('enum has a repeated value');
  }
  for (const [lo, hi] of [
    ['minLength', 'maxLength'],
    ['minimum', 'maximum'],
    ['minItems', 'maxItems'],
  ] as const) {
    const a = def[lo];
    const b = def[hi];
    for (const [k, v] of [
      [lo, a],
      [hi, b],
    ] as const) {
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v)))
        throw fail(`${k} is a number`);
    }
    if (a !== undefined && b !== undefined && a > b)
      throw fail(`${lo} (${a}) is greater than ${hi} (${b})`);
  }
  if (def.required !== undefined && typeof def.required !== 'boolean')
    throw fail('required is true or false');
  if (def.default !== undefined) {
    const problem = defaultProblem(def, formats);
    if (problem) throw fail(`default ${JSON.stringify(def.default)} ${problem}`);
  }
  return def;
}

function defaultProblem(def: FieldDef, formats: Record<string, FormatDef>): string | undefined {
  const v = def.default;
  switch (def.type) {
    case 'string':
      if (typeof v !== 'string') return 'is not a string';
      if (def.enum && !def.enum.includes(v)) return `is not one of ${def.enum.join(', ')}`;
      if (def.format && !new RegExp(formats[def.format]!.pattern).test(v))
        return `does not match ${def.format}`;
      return undefined;
    case 'integer':
      return Number.isInteger(v) ? undefined : 'is not an integer';
    case 'number':
      return typeof v === 'number' ? undefined : 'is not a number';
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'is not true or false';
    case 'string_list':
      return Array.isArray(v) && v.every((s) => typeof s === 'string')
        ? undefined
        : 'is not a list of strings';
  }
}

function checkTable(
  name: string,
  raw: unknown,
  formats: Record<string, FormatDef>,
  systemFields: Record<string, FieldDef>,
): TableDef {
  const fail = (msg: string, field?: string) => new SchemaError(msg, name, field);
  if (!SNAKE.test(name)) throw fail('table names are snake_case (a-z, 0-9 and _)');
  if (RESERVED_NAMES.has(name))
    throw fail(`${[...RESERVED_NAMES].join(', ')} are reserved names, never table names`);
  if (!isObject(raw)) throw fail('a table is an object with key, fields and indexes');
  for (const key of Object.keys(raw)) {
    if (!TABLE_KEYS.has(key))
      throw fail(`unknown property "${key}"; known: ${[...TABLE_KEYS].join(', ')}`);
  }
  if (typeof raw.key !== 'string' || raw.key === '')
    throw fail('missing "key" (the partition key field)');
  if (!isObject(raw.fields) || Object.keys(raw.fields).length === 0) throw fail('missing "fields"');
  const fields = emptyRecord<FieldDef>();
  for (const [fieldName, fieldRaw] of Object.entries(raw.fields)) {
    if (Object.hasOwn(systemFields, fieldName)) {
      throw fail(
        'is a system field, added to every table by the schema; remove it here',
        fieldName,
      );
    }
    fields[fieldName] = checkField(fieldName, fieldRaw, formats, name);
    if (fieldName.endsWith('id') && !fieldName.endsWith('_id') && fieldName !== 'id') {
      throw fail('id fields end in _id', fieldName);
    }
  }
  const key = raw.key;
  const keyField = fields[key];
  if (!keyField) throw fail(`the key "${key}" is not one of the table's fields`, key);
  if (keyField.type !== 'string' || !keyField.required)
    throw fail('the key is a required string field', key);
  if (!key.endsWith('_id')) throw fail('the key field ends in _id', key);

  let ttl: string | undefined;
  if (raw.ttl !== undefined) {
    if (typeof raw.ttl !== 'string') throw fail('ttl names an integer field');
    const f = fields[raw.ttl];
    if (!f) throw fail(`the ttl field "${raw.ttl}" is not one of the table's fields`, raw.ttl);
    if (f.type !== 'integer' || f.required)
      throw fail('the ttl field is an optional integer (epoch seconds)', raw.ttl);
    ttl = raw.ttl;
  }

  const indexes: IndexDef[] = [];
  const rawIndexes = raw.indexes ?? [];
  if (!Array.isArray(rawIndexes)) throw fail('indexes is a list');
  for (const idx of rawIndexes) {
    if (!isObject(idx) || typeof idx.name !== 'string' || !SNAKE.test(idx.name)) {
      throw fail(`every index has a snake_case "name": ${JSON.stringify(idx)}`);
    }
    for (const k of Object.keys(idx)) {
      if (!INDEX_KEYS.has(k)) throw fail(`index "${idx.name}": unknown property "${k}"`);
    }
    if (indexes.some((i) => i.name === idx.name))
      throw fail(`index "${idx.name}" is declared twice`);
    for (const role of ['partition', 'sort'] as const) {
      const fieldName = idx[role];
      if (fieldName === undefined && role === 'sort') continue;
      if (typeof fieldName !== 'string') throw fail(`index "${idx.name}" needs a "${role}" field`);
      const f = fields[fieldName] ?? systemFields[fieldName];
      if (!f)
        throw fail(
          `index "${idx.name}": ${role} field "${fieldName}" is not a field of the table`,
          fieldName,
        );
      if (f.type === 'boolean' || f.type === 'string_list') {
        throw fail(
          `index "${idx.name}": ${role} field must be a string or a number, not ${f.type}`,
          fieldName,
        );
      }
    }
    const projection = idx.projection ?? 'ALL';
    if (!(PROJECTIONS as readonly unknown[]).includes(projection)) {
      throw fail(`index "${idx.name}": projection is one of ${PROJECTIONS.join(', ')}`);
    }
    indexes.push({
      name: idx.name,
      partition: idx.partition as string,
      ...(typeof idx.sort === 'string' ? { sort: idx.sort } : {}),
      projection: projection as Projection,
    });
  }
  return {
    name,
    description: typeof raw.description === 'string' ? raw.description : '',
    key,
    ...(ttl ? { ttl } : {}),
    fields: Object.assign(emptyRecord<FieldDef>(), fields, systemFields),
    indexes,
  };
}

/** Checks a parsed schema document and returns it in normalised form. */
export function checkSchema(doc: unknown): Schema {
  if (!isObject(doc)) throw new SchemaError('the schema is a JSON object');
  if (typeof doc.version !== 'number') throw new SchemaError('missing "version" (a number)');
  if (typeof doc.timezone !== 'string' || !isTimezone(doc.timezone)) {
    throw new SchemaError(
      `"timezone" must be an IANA timezone such as Asia/Singapore, got ${JSON.stringify(doc.timezone)}`,
    );
  }
  if (!isObject(doc.formats)) throw new SchemaError('missing "formats"');
  const formats = emptyRecord<FormatDef>();
  for (const [name, f] of Object.entries(doc.formats)) {
    if (!isObject(f) || typeof f.pattern !== 'string' || typeof f.example !== 'string') {
      throw new SchemaError(`format "${name}" needs a "pattern" and an "example"`);
    }
    let re: RegExp;
    try {
      re = new RegExp(f.pattern);
    } catch (err) {
      throw new SchemaError(
        `format "${name}": pattern is not a valid regular expression: ${(err as Error).message}`,
      );
    }
    if (!re.test(f.example))
      throw new SchemaError(`format "${name}": the example does not match the pattern`);
    formats[name] = {
      pattern: f.pattern,
      example: f.example,
      description: String(f.description ?? ''),
    };
  }
  const systemFields = emptyRecord<FieldDef>();
  if (!isObject(doc.system_fields)) throw new SchemaError('missing "system_fields"');
  for (const [name, raw] of Object.entries(doc.system_fields)) {
    systemFields[name] = checkField(name, raw, formats);
  }
  for (const required of ['created', 'last_modified']) {
    if (systemFields[required]?.format !== 'ISO_TIMESTAMP') {
      throw new SchemaError(`system field "${required}" is required, with format ISO_TIMESTAMP`);
    }
  }
  if (!isObject(doc.tables) || Object.keys(doc.tables).length === 0)
    throw new SchemaError('missing "tables"');
  const tables = emptyRecord<TableDef>();
  for (const [name, raw] of Object.entries(doc.tables)) {
    tables[name] = checkTable(name, raw, formats, systemFields);
  }
  return {
    version: doc.version,
    description: typeof doc.description === 'string' ? doc.description : '',
    timezone: doc.timezone,
    formats,
    systemFields,
    tables,
  };
}

function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses schema text. Unlike JSON.parse it rejects a key given twice (a table
 * or field declared twice would otherwise silently replace the first), naming
 * the line.
 */
export function parseSchema(text: string, source = 'db_schema.json'): Schema {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    const dup = /map keys must be unique/i.test(problem.message);
    const key = dup
      ? /"?([A-Za-z0-9_]+)"?\s*$/.exec(problem.message.split('\n')[0] ?? '')?.[1]
      : undefined;
    const what = dup
      ? `a key is declared twice${key ? ` ("${key}")` : ''} (a duplicate table or field)`
      : problem.message.split('\n')[0];
    throw new SchemaError(`${source}${line ? `:${line}` : ''}: ${what}`);
  }
  return checkSchema(doc.toJS());
}

/** Reads and checks a schema file. */
export function loadSchemaFile(path: string): Schema {
  return parseSchema(readFileSync(path, 'utf8'), path);
}

let cached: Schema | undefined;

/** The project's schema (runtime/schema/db_schema.json, bundled with the code). */
export function projectSchema(): Schema {
  cached ??= checkSchema(projectSchemaJson);
  return cached;
}
