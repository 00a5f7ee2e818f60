/**
 * The DynamoDB template constructor: what it generates for the project's
 * schema and for small ones, its errors, the merge into the db-api base,
 * the CLI, and that the checked-in output is what a fresh run produces.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readTemplate, type Template } from '../../core/cfn-template.js';
import { checkSchema, projectSchema, SchemaError } from '../../runtime/schema/schema.js';
import { templateFile } from '../checks/templates.js';
import { DEFAULT_SCHEMA, GENERATED_TABLES_FILE, renderTables, run } from '../tables/cli.js';
import { MergeError, mergeTemplates } from '../tables/merge.js';
import { readSchemaFile } from '../tables/schema-file.js';
import { tableLogicalId, tableResources } from '../tables/table-resources.js';

type Resources = NonNullable<Template['Resources']>;

function props(t: Template, id: string): Record<string, unknown> {
  return t.Resources![id]!.Properties!;
}

const SYSTEM_FIELDS = {
  created: { type: 'string', format: 'ISO_TIMESTAMP', managed: true },
  last_modified: { type: 'string', format: 'ISO_TIMESTAMP', managed: true },
};

/** A small valid schema document with the given tables. */
function schemaDoc(tables: Record<string, unknown>): Record<string, unknown> {
  return {
    version: 1,
    timezone: 'Asia/Singapore',
    formats: { ISO_TIMESTAMP: { pattern: '^.+$', example: 'x', description: '' } },
    system_fields: SYSTEM_FIELDS,
    tables,
  };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'mcfpipe-tables-'));
}

function capture() {
  const io = { stdout: '', stderr: '' };
  return {
    io,
    sink: {
      out: (t: string) => {
        io.stdout += t;
      },
      err: (t: string) => {
        io.stderr += t;
      },
    },
  };
}

describe('tables from the project schema', () => {
  const fragment = tableResources(projectSchema());
  const resources = fragment.Resources as Resources;

  it('has one table per schema table, in name order, named <prefix>-<table>', () => {
    const tables = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table');
    const names = Object.keys(projectSchema().tables).sort();
    expect(tables.map(([id]) => id)).toEqual(names.map(tableLogicalId));
    expect(props(fragment, 'TableJobSearch').TableName).toEqual({
      'Fn::Sub': [
        '${Prefix}-job_search',
        {
          Prefix: {
            'Fn::If': ['DefaultNamePrefix', { 'Fn::Sub': 'mcfpipe-${Env}' }, { Ref: 'NamePrefix' }],
          },
        },
      ],
    });
  });

  it('every table: on demand, PITR, encryption, Retain, deletion protection in prod, tags', () => {
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::DynamoDB::Table') continue;
      expect(r.DeletionPolicy, id).toBe('Retain');
      expect(r.UpdateReplacePolicy, id).toBe('Retain');
      expect(r.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: { 'Fn::If': ['TablesUseKms', true, false] } },
        DeletionProtectionEnabled: { 'Fn::If': ['IsProd', true, false] },
      });
      expect(r.Properties!.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'mcfpipe:env', Value: { Ref: 'Env' } },
          { Key: 'mcfpipe:managed-by', Value: 'mcfpipe' },
        ]),
      );
    }
  });

  it('keys, attribute types (string S, integer N) and indexes follow the schema', () => {
    // job_score's index is by user only: a score is absent for insufficient data, and a row without
    // an index's sort key would be missing from the index.
    expect(props(fragment, 'TableJobScore')).toMatchObject({
      KeySchema: [{ AttributeName: 'job_s_id', KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: 'job_s_id', AttributeType: 'S' },
        { AttributeName: 'user_id', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by_user',
          KeySchema: [{ AttributeName: 'user_id', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    // A number as an index's sort key is an N attribute.
    const scored = tableResources(
      checkSchema(
        schemaDoc({
          thing: {
            key: 'thing_id',
            fields: {
              thing_id: { type: 'string', required: true },
              owner: { type: 'string', required: true },
              rank: { type: 'integer', required: true },
            },
            indexes: [{ name: 'by_owner', partition: 'owner', sort: 'rank', projection: 'ALL' }],
          },
        }),
      ),
    );
    expect(props(scored, tableLogicalId('thing')).AttributeDefinitions).toEqual([
      { AttributeName: 'owner', AttributeType: 'S' },
      { AttributeName: 'rank', AttributeType: 'N' },
      { AttributeName: 'thing_id', AttributeType: 'S' },
    ]);
    const gsis = props(fragment, 'TableJobSearch').GlobalSecondaryIndexes as Array<{
      IndexName: string;
    }>;
    expect(gsis.map((g) => g.IndexName)).toEqual(['by_job', 'by_user']);
    expect(props(fragment, 'TableJob').GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'by_job_post_id',
        KeySchema: [{ AttributeName: 'job_post_id', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);
  });

  it('TTL only where the schema names a ttl field', () => {
    expect(props(fragment, 'TableJob').TimeToLiveSpecification).toEqual({
      AttributeName: 'purge_at',
      Enabled: true,
    });
    expect(props(fragment, 'TableCrm').TimeToLiveSpecification).toBeUndefined();
  });

  it('the checked-in file is what a fresh generation produces', () => {
    expect(readFileSync(GENERATED_TABLES_FILE, 'utf8')).toBe(renderTables(DEFAULT_SCHEMA));
  });

  it('is deterministic: the order of tables, fields and indexes in the schema does not matter', () => {
    const doc = JSON.parse(readFileSync(DEFAULT_SCHEMA, 'utf8'));
    const reversed = { ...doc, tables: Object.fromEntries(Object.entries(doc.tables).reverse()) };
    for (const t of Object.values(reversed.tables) as Array<{ indexes?: unknown[] }>)
      t.indexes?.reverse();
    expect(tableResources(checkSchema(reversed))).toEqual(tableResources(projectSchema()));
  });
});

describe('schema errors name the table and the field', () => {
  const ok = {
    key: 'thing_id',
    fields: { thing_id: { type: 'string', required: true }, n: { type: 'integer' } },
    indexes: [] as unknown[],
  };

  it('an unknown field type', () => {
    const doc = schemaDoc({ thing: { ...ok, fields: { ...ok.fields, size: { type: 'float' } } } });
    expect(() => tableResources(checkSchema(doc))).toThrow(
      /table "thing", field "size": unknown type "float"/,
    );
  });

  it('a missing key', () => {
    const doc = schemaDoc({ thing: { fields: ok.fields } });
    expect(() => tableResources(checkSchema(doc))).toThrow(/table "thing": missing "key"/);
  });

  it('a table declared twice', () => {
    const dir = tmp();
    const file = join(dir, 'schema.json');
    const text = JSON.stringify(schemaDoc({ thing: ok }), null, 2).replace(
      '"tables": {',
      `"tables": {\n    "thing": ${JSON.stringify(ok)},`,
    );
    writeFileSync(file, text);
    const { io, sink } = capture();
    expect(run(['--schema', file, '--out', '-'], sink)).toBe(1);
    expect(io.stderr).toMatch(/db_schema: table "thing": .*schema\.json:\d+: declared twice/);
  });

  it('a field declared twice', () => {
    const file = join(tmp(), 'schema.json');
    const text = JSON.stringify(schemaDoc({ thing: ok }), null, 2).replace(
      '"fields": {',
      '"fields": {\n        "n": { "type": "string" },',
    );
    writeFileSync(file, text);
    expect(() => readSchemaFile(file)).toThrow(
      /table "thing", field "n": .*schema\.json:\d+: declared twice/,
    );
  });

  it('an index name DynamoDB refuses, and more indexes than DynamoDB allows', () => {
    const short = schemaDoc({
      thing: { ...ok, indexes: [{ name: 'by', partition: 'n' }] },
    });
    expect(() => tableResources(checkSchema(short))).toThrow(SchemaError);
    expect(() => tableResources(checkSchema(short))).toThrow(
      /table "thing": index "by": DynamoDB index names are 3 to 255 characters/,
    );
    const many = schemaDoc({
      thing: {
        ...ok,
        indexes: Array.from({ length: 21 }, (_, i) => ({ name: `by_n_${i}`, partition: 'n' })),
      },
    });
    expect(() => tableResources(checkSchema(many))).toThrow(
      /table "thing": has 21 indexes; DynamoDB allows 20/,
    );
  });
});

describe('merging into the db-api base', () => {
  const { template: base } = readTemplate(templateFile('db-api'));
  const fragment = tableResources(projectSchema());

  it('adds the tables and the policy, keeps the base', () => {
    const merged = mergeTemplates(base, fragment);
    expect(Object.keys(merged.Resources!)).toEqual([
      ...Object.keys(base.Resources!),
      ...Object.keys(fragment.Resources!),
    ]);
    expect(merged.Parameters).toEqual(base.Parameters);
    expect(base.Resources!.TableJob).toBeUndefined(); // the base is not changed
  });

  it('refuses a logical id declared in both', () => {
    const clash = { Resources: { ApiFunction: { Type: 'AWS::SNS::Topic' } } } as Template;
    expect(() => mergeTemplates(base, clash, { base: 'db-api.yaml', fragment: 'tables' })).toThrow(
      'Resources ApiFunction is declared both in db-api.yaml and in tables; rename one.',
    );
  });

  it('refuses a base that lacks what the tables refer to', () => {
    const broken = structuredClone(base);
    delete broken.Conditions!.IsProd;
    delete broken.Resources!.ApiFunctionRole;
    expect(() =>
      mergeTemplates(broken, fragment, { base: 'db-api.yaml', fragment: 'tables' }),
    ).toThrow(MergeError);
    expect(() =>
      mergeTemplates(broken, fragment, { base: 'db-api.yaml', fragment: 'tables' }),
    ).toThrow(
      /db-api\.yaml cannot take the generated tables: it lacks condition IsProd, resource ApiFunctionRole \(AWS::IAM::Role\)/,
    );
  });
});

describe('npm run gen:tables', () => {
  it('--check passes on the checked-in file and fails on a stale one', () => {
    const ok = capture();
    expect(run(['--check'], ok.sink)).toBe(0);
    expect(ok.io.stdout).toContain('cloudformation/generated/db-tables.yaml is up to date');

    const stale = join(tmp(), 'tables.yaml');
    writeFileSync(stale, 'Resources: {}\n');
    const bad = capture();
    expect(run(['--check', '--out', stale], bad.sink)).toBe(1);
    expect(bad.io.stderr).toContain('is stale: run "npm run gen:tables" and commit the result');
  });

  it('--merge writes the deployable db-api template', () => {
    const out = join(tmp(), 'db-api.yaml');
    const { io, sink } = capture();
    expect(run(['--merge', templateFile('db-api'), '--out', out], sink)).toBe(0);
    expect(io.stdout).toContain('wrote');
    const merged = parse(readFileSync(out, 'utf8')) as Template;
    expect(merged.Resources!.TableJob!.Type).toBe('AWS::DynamoDB::Table');
    expect(merged.Resources!.ApiFunction!.Type).toBe('AWS::Lambda::Function');
    // Long-form intrinsics, which CloudFormation reads like the short ones.
    expect(merged.Resources!.ApiFunction!.Properties!.Role).toEqual({
      'Fn::GetAtt': ['ApiFunctionRole', 'Arn'],
    });
    expect(readFileSync(out, 'utf8')).not.toMatch(/[&*][a-z0-9]+\n/); // no YAML anchors
  });

  it('usage errors exit 2; schema errors exit 1 with the message', () => {
    const a = capture();
    expect(run(['--merge', 'x.yaml'], a.sink)).toBe(2);
    expect(a.io.stderr).toContain('--merge needs --out');
    const b = capture();
    expect(run(['--bogus'], b.sink)).toBe(2);
    expect(b.io.stderr).toContain('Usage: npm run gen:tables');

    const file = join(tmp(), 'schema.json');
    writeFileSync(file, JSON.stringify(schemaDoc({ thing: { fields: {} } })));
    const c = capture();
    expect(run(['--schema', file, '--out', '-'], c.sink)).toBe(1);
    expect(c.io.stderr).toContain('gen:tables: db_schema: table "thing": missing "key"');
  });
});
