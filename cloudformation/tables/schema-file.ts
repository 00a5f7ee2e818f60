/**
 * Reads db_schema.json for the constructor. On top of the loader's checks
 * (runtime/schema/schema.ts), a key declared twice is reported with what it
 * is: `table "job" is declared twice`, `table "job", field "title": declared
 * twice`, with the line of the second declaration.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import { parseSchema, type Schema, SchemaError } from '../../runtime/schema/schema.js';

interface Duplicate {
  path: string[];
  line: number;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** The first key declared twice in the same object, with the keys leading to it. */
export function findDuplicateKey(text: string): Duplicate | undefined {
  const doc = parseDocument(text, { uniqueKeys: false });
  const visit = (node: unknown, path: string[]): Duplicate | undefined => {
    if (!isMap(node)) return undefined;
    const seen = new Set<string>();
    for (const pair of (node as YAMLMap).items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (seen.has(key)) {
        const offset = isScalar(pair.key) && pair.key.range ? pair.key.range[0] : 0;
        return { path: [...path, key], line: lineOf(text, offset) };
      }
      seen.add(key);
      const inner = visit(pair.value, [...path, key]);
      if (inner) return inner;
    }
    return undefined;
  };
  return visit(doc.contents, []);
}

/** Reads and checks a schema file; a duplicate table or field names itself. */
export function readSchemaFile(file: string): Schema {
  const text = readFileSync(file, 'utf8');
  const dup = findDuplicateKey(text);
  if (dup) {
    const [section, table, sub, field] = dup.path;
    const where = `${file}:${dup.line}`;
    if (section === 'tables' && table !== undefined && sub === undefined) {
      throw new SchemaError(`${where}: declared twice`, table);
    }
    if (section === 'tables' && table !== undefined && sub === 'fields' && field !== undefined) {
      throw new SchemaError(`${where}: declared twice`, table, field);
    }
    throw new SchemaError(`${where}: "${dup.path.join('.')}" is declared twice`);
  }
  return parseSchema(text, file);
}
