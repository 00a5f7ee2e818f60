import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSchema, loadSchemaFile, parseSchema, projectSchema, SchemaError } from '../schema.js';

const file = resolve(import.meta.dirname, '../db_schema.json');
const base = () => JSON.parse(readFileSync(file, 'utf8'));

describe('the project schema', () => {
  const schema = projectSchema();

  it('loads from the file and from the bundled import alike', () => {
    expect(loadSchemaFile(file)).toEqual(schema);
  });

  it('has the tables of the data model, each keyed by a required *_id string', () => {
    expect(Object.keys(schema.tables)).toEqual([
      'job',
      'job_search',
      'job_score',
      'crm',
      'config',
      'track',
      'keyword',
    ]);
    expect(schema.tables.job!.key).toBe('job_id');
    expect(schema.tables.job_search!.key).toBe('job_s_id');
    expect(schema.tables.job_score!.key).toBe('job_s_id');
    expect(schema.tables.crm!.key).toBe('job_s_id');
  });

  it('gives every table created and last_modified in ISO_TIMESTAMP and states the timezone', () => {
    expect(schema.timezone).toBe('Asia/Singapore');
    for (const table of Object.values(schema.tables)) {
      expect(table.fields.created).toMatchObject({ format: 'ISO_TIMESTAMP', managed: true });
      expect(table.fields.last_modified).toMatchObject({ format: 'ISO_TIMESTAMP', managed: true });
    }
  });

  it('uses snake_case ids ending in _id', () => {
    for (const table of Object.values(schema.tables)) {
      for (const name of Object.keys(table.fields)) {
        expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
        if (/id$/.test(name)) expect(name).toMatch(/_id$/);
      }
    }
  });

  it('has formats whose patterns accept their examples and reject near misses', () => {
    const re = (name: string) => new RegExp(schema.formats[name]!.pattern);
    expect(re('ISO_TIMESTAMP').test('2026-11-22 09:30')).toBe(true);
    expect(re('ISO_TIMESTAMP').test('2026-11-22T09:30')).toBe(false);
    expect(re('ISO_TIMESTAMP').test('2026-13-22 09:30')).toBe(false);
    expect(re('ISO_DATE').test('2026-02-31')).toBe(true); // calendar validity is the validator's job
    expect(re('ISO_DATE').test('26-02-01')).toBe(false);
    expect(re('JOB_S_ID').test('me:0f4b6b4c7e1d4c6c9b2a6a1d3e5f7a9b')).toBe(true);
    expect(re('MCF_UUID').test('0F4B6B4C7E1D4C6C9B2A6A1D3E5F7A9B')).toBe(false);
  });
});

describe('schema errors name the table and field', () => {
  it('rejects an unknown type', () => {
    const doc = base();
    doc.tables.job.fields.title.type = 'text';
    expect(() => checkSchema(doc)).toThrow(
      'db_schema: table "job", field "title": unknown type "text"; known: string, integer, number, boolean, string_list',
    );
  });

  it('rejects a missing key', () => {
    const doc = base();
    delete doc.tables.track.key;
    expect(() => checkSchema(doc)).toThrow('table "track": missing "key"');
    const doc2 = base();
    doc2.tables.track.key = 'nope_id';
    expect(() => checkSchema(doc2)).toThrow(
      'table "track", field "nope_id": the key "nope_id" is not one of',
    );
  });

  it('rejects a duplicate table, with its line', () => {
    const text = readFileSync(file, 'utf8').replace('"job_search": {', '"job": {');
    expect(() => parseSchema(text)).toThrow(SchemaError);
    expect(() => parseSchema(text)).toThrow(/db_schema\.json:\d+: a key is declared twice/);
  });

  it('rejects unknown formats, bad enums and bad defaults', () => {
    const a = base();
    a.tables.job.fields.posted_date.format = 'DATE';
    expect(() => checkSchema(a)).toThrow('field "posted_date": unknown format "DATE"');
    const b = base();
    b.tables.crm.fields.status.enum = [];
    expect(() => checkSchema(b)).toThrow('field "status": enum is a non-empty list of strings');
    const c = base();
    c.tables.crm.fields.status.default = 'maybe';
    expect(() => checkSchema(c)).toThrow('field "status": default "maybe" is not one of');
  });

  it('rejects indexes on unknown or unindexable fields', () => {
    const a = base();
    a.tables.job_search.indexes[0].sort = 'nope';
    expect(() => checkSchema(a)).toThrow(
      'index "by_user": sort field "nope" is not a field of the table',
    );
    const b = base();
    b.tables.track.indexes[0].partition = 'active';
    expect(() => checkSchema(b)).toThrow(
      'partition field must be a string or a number, not boolean',
    );
  });

  it('rejects a redefined system field and a badly typed ttl', () => {
    const a = base();
    a.tables.job.fields.created = { type: 'string' };
    expect(() => checkSchema(a)).toThrow('field "created": is a system field');
    const b = base();
    b.tables.job.ttl = 'title';
    expect(() => checkSchema(b)).toThrow('field "title": the ttl field is an optional integer');
  });

  it('refuses constructor, prototype and __proto__ as field or table names', () => {
    const a = base();
    a.tables.track.fields.constructor = { type: 'string' };
    expect(() => checkSchema(a)).toThrow(
      'table "track", field "constructor": __proto__, constructor, prototype are reserved names',
    );
    const b = base();
    b.tables.prototype = b.tables.track;
    expect(() => checkSchema(b)).toThrow('table "prototype": __proto__, constructor, prototype');
  });
});

describe('schema lookups never reach Object.prototype', () => {
  const schema = projectSchema();

  it('answers undefined for inherited names in every name -> definition map', () => {
    const track = schema.tables.track!;
    for (const map of [schema.tables, schema.formats, schema.systemFields, track.fields]) {
      expect(Object.getPrototypeOf(map)).toBeNull();
      for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty'])
        expect((map as Record<string, unknown>)[name], name).toBeUndefined();
    }
  });
});
