/**
 * Generates runtime/schema/types.generated.ts from db_schema.json: one row
 * interface per table (what a read returns), one input interface (what a
 * write sends), and the `Tables` map that typed clients are built on.
 *
 *   npm run generate:types            writes the file
 *   npm run generate:types -- --check exits 1 when the file is stale
 *
 * A test fails when the committed file differs from a fresh rendering.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type FieldDef, projectSchema, type Schema, type TableDef } from './schema.js';

export const GENERATED_TYPES_FILE = resolve(import.meta.dirname, 'types.generated.ts');

function pascal(name: string): string {
  return name
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function tsType(def: FieldDef): string {
  switch (def.type) {
    case 'string':
      return def.enum ? def.enum.map((v) => JSON.stringify(v)).join(' | ') : 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'string_list':
      return 'string[]';
  }
}

function doc(def: FieldDef, schema: Schema): string {
  const notes: string[] = [];
  if (def.description) notes.push(sentence(def.description));
  if (def.format) notes.push(`Format ${def.format}: ${schema.formats[def.format]!.description}.`);
  if (def.pattern) notes.push(`Pattern ${def.pattern}.`);
  if (def.type === 'integer') notes.push('Integer.');
  const ranges: string[] = [];
  for (const k of [
    'minLength',
    'maxLength',
    'minimum',
    'maximum',
    'minItems',
    'maxItems',
  ] as const) {
    if (def[k] !== undefined) ranges.push(`${k} ${def[k]}`);
  }
  if (ranges.length) notes.push(`${ranges.join(', ')}.`);
  if (def.default !== undefined) notes.push(`Default ${JSON.stringify(def.default)}.`);
  return notes.length ? `  /** ${notes.join(' ')} */\n` : '';
}

/** Text for a doc comment: ends with a full stop, never closes the comment. */
function sentence(text: string): string {
  const t = text.trim().replace(/\*\//g, '*\\/');
  return /[.!?)]$/.test(t) ? t : `${t}.`;
}

function renderTable(table: TableDef, schema: Schema): string {
  const name = pascal(table.name);
  const rowLines: string[] = [];
  const inputLines: string[] = [];
  for (const [field, def] of Object.entries(table.fields)) {
    const type = tsType(def);
    const d = doc(def, schema);
    const inRow = def.required || def.managed || def.default !== undefined;
    rowLines.push(`${d}  ${field}${inRow ? '' : '?'}: ${type};`);
    if (!def.managed) {
      const inInput = def.required && def.default === undefined;
      inputLines.push(`${d}  ${field}${inInput ? '' : '?'}: ${type};`);
    }
  }
  return [
    `/** ${sentence(table.description)} Key: ${table.key}. (A row as the DB API returns it.) */`,
    `export interface ${name}Row {`,
    ...rowLines,
    '}',
    '',
    `/** A ${table.name} item as a client writes it (PUT, batch): managed fields are set by the DB API. */`,
    `export interface ${name}Input {`,
    ...inputLines,
    '}',
    '',
  ].join('\n');
}

/** The TypeScript source for `schema`. */
export function renderTypes(schema: Schema): string {
  const tables = Object.values(schema.tables);
  const out: string[] = [
    '// Generated from runtime/schema/db_schema.json by runtime/schema/generate-types.ts.',
    '// Do not edit: change db_schema.json and run `npm run generate:types`.',
    '',
    `/** db_schema.json version ${schema.version}; timestamps are in ${schema.timezone}. */`,
    `export const SCHEMA_VERSION = ${schema.version};`,
    '',
    ...tables.map((t) => renderTable(t, schema)),
    '/** Every table: its row, its input and its key field. */',
    'export interface Tables {',
    ...tables.map(
      (t) =>
        `  ${t.name}: { row: ${pascal(t.name)}Row; input: ${pascal(t.name)}Input; key: ${JSON.stringify(t.key)} };`,
    ),
    '}',
    '',
    'export type TableName = keyof Tables;',
    '',
    `export const TABLE_NAMES = [${tables.map((t) => JSON.stringify(t.name)).join(', ')}] as const satisfies readonly TableName[];`,
    '',
    '/** A stored item of table T, as a read returns it. */',
    "export type Row<T extends TableName> = Tables[T]['row'];",
    '',
    '/** An item of table T as a client writes it with PUT or a batch. */',
    "export type Input<T extends TableName> = Tables[T]['input'];",
    '',
    '/** A partial update of table T: the fields to change; null removes an optional field. */',
    'export type Patch<T extends TableName> = { [K in keyof Input<T>]?: Input<T>[K] | null };',
    '',
  ];
  return out.join('\n');
}

const USAGE = `Usage: npm run generate:types [-- --check]

Writes ${GENERATED_TYPES_FILE} from db_schema.json.
  --check     write nothing; exit 1 when the file is stale
  --help, -h  this text`;

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const fresh = renderTypes(projectSchema());
  let current = '';
  try {
    current = readFileSync(GENERATED_TYPES_FILE, 'utf8');
  } catch {
    // absent: written below, or stale under --check
  }
  if (argv.includes('--check')) {
    if (current === fresh) return 0;
    process.stderr.write(
      `${GENERATED_TYPES_FILE} is stale: run \`npm run generate:types\` and commit it.\n`,
    );
    return 1;
  }
  if (current !== fresh) writeFileSync(GENERATED_TYPES_FILE, fresh);
  process.stdout.write(
    `${current === fresh ? 'unchanged' : 'wrote'} ${GENERATED_TYPES_FILE} (${Object.keys(projectSchema().tables).length} tables)\n`,
  );
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = main(process.argv.slice(2));
}
