/**
 * The DynamoDB template constructor: db_schema.json -> the CloudFormation
 * resources of the DB API's tables, as a template fragment that
 * {@link mergeTemplates} adds to cloudformation/db-api.yaml.
 *
 * Per table: on-demand billing, point-in-time recovery, server-side
 * encryption (the base template's TableEncryption parameter), deletion
 * protection in prod, DeletionPolicy and UpdateReplacePolicy Retain, TTL when
 * the schema names a ttl field, one global secondary index per schema index,
 * and the ownership tags. Keys, attribute definitions and indexes come from
 * `createTableInput` (runtime/db-api/store/tables.ts), the same definition the
 * local stack creates on dynalite, so a table is declared in one place.
 *
 * Plus one IAM policy on the base template's Lambda role that reaches exactly
 * these tables and their indexes, with the actions the DB API's table store
 * calls.
 *
 * The output is deterministic: tables, attributes, indexes and tags in sorted
 * order, so the checked-in file changes only when the schema does.
 */
import type { Template } from '../../core/cfn-template.js';
import { ENV_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE } from '../../core/ownership.js';
import { createTableInput } from '../../runtime/db-api/store/tables.js';
import { type Schema, SchemaError, type TableDef } from '../../runtime/schema/schema.js';

/** What the fragment uses from the base template; {@link mergeTemplates} checks each is there. */
export const BASE_CONTRACT = {
  Parameters: ['Env', 'NamePrefix', 'TableKmsKeyArn'],
  Conditions: ['DefaultNamePrefix', 'IsProd', 'TablesUseKms', 'TablesUseCustomerKey'],
  Resources: { ApiFunctionRole: 'AWS::IAM::Role' },
} as const;

/** The logical id of the IAM policy that lets the DB API's Lambda reach the tables. */
export const TABLES_POLICY_ID = 'DbApiTablesPolicy';

/** DynamoDB's limits that the schema loader does not know about. */
const MAX_GSIS = 20;
const INDEX_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

/** The actions the DB API's table store calls (runtime/db-api/store). */
export const TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
] as const;

/** `job_search` -> `TableJobSearch`. */
export function tableLogicalId(table: string): string {
  return `Table${table.replace(/(^|_)([a-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase())}`;
}

/** `<prefix>-<suffix>`, where the prefix is NamePrefix or, when that is empty, mcfpipe-<Env>. */
export function prefixed(suffix: string): unknown {
  return {
    'Fn::Sub': [
      `\${Prefix}-${suffix}`,
      {
        Prefix: {
          'Fn::If': ['DefaultNamePrefix', { 'Fn::Sub': 'mcfpipe-${Env}' }, { Ref: 'NamePrefix' }],
        },
      },
    ],
  };
}

function checkTableForDynamo(table: TableDef): void {
  if (table.indexes.length > MAX_GSIS) {
    throw new SchemaError(
      `has ${table.indexes.length} indexes; DynamoDB allows ${MAX_GSIS} global secondary indexes per table`,
      table.name,
    );
  }
  for (const index of table.indexes) {
    if (!INDEX_NAME.test(index.name)) {
      throw new SchemaError(
        `index "${index.name}": DynamoDB index names are 3 to 255 characters (letters, digits, _ . -)`,
        table.name,
      );
    }
  }
}

function byName<T>(items: T[], name: (t: T) => string): T[] {
  return [...items].sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
}

function tableResource(table: TableDef): Record<string, unknown> {
  checkTableForDynamo(table);
  // The physical name is set by CloudFormation below; the prefix here is never used.
  const input = createTableInput('', table);
  const properties: Record<string, unknown> = {
    TableName: prefixed(table.name),
    BillingMode: input.BillingMode,
    KeySchema: input.KeySchema,
    AttributeDefinitions: byName(input.AttributeDefinitions ?? [], (a) => a.AttributeName!),
  };
  if (input.GlobalSecondaryIndexes?.length) {
    properties.GlobalSecondaryIndexes = byName(input.GlobalSecondaryIndexes, (i) => i.IndexName!);
  }
  properties.PointInTimeRecoverySpecification = { PointInTimeRecoveryEnabled: true };
  properties.SSESpecification = {
    SSEEnabled: { 'Fn::If': ['TablesUseKms', true, false] },
    SSEType: { 'Fn::If': ['TablesUseKms', 'KMS', { Ref: 'AWS::NoValue' }] },
    KMSMasterKeyId: {
      'Fn::If': ['TablesUseCustomerKey', { Ref: 'TableKmsKeyArn' }, { Ref: 'AWS::NoValue' }],
    },
  };
  if (table.ttl) {
    properties.TimeToLiveSpecification = { AttributeName: table.ttl, Enabled: true };
  }
  properties.DeletionProtectionEnabled = { 'Fn::If': ['IsProd', true, false] };
  properties.Tags = [
    { Key: ENV_KEY, Value: { Ref: 'Env' } },
    { Key: MANAGED_BY_KEY, Value: MANAGED_BY_VALUE },
    { Key: 'mcfpipe:table', Value: table.name },
  ];
  return {
    Type: 'AWS::DynamoDB::Table',
    // The data outlives the stack: deleting or replacing the stack keeps the table.
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: properties,
  };
}

function tablesPolicy(logicalIds: string[]): Record<string, unknown> {
  const arns = logicalIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
  const indexArns = logicalIds.map((id) => ({ 'Fn::Sub': `\${${id}.Arn}/index/*` }));
  return {
    Type: 'AWS::IAM::RolePolicy',
    Properties: {
      RoleName: { Ref: 'ApiFunctionRole' },
      PolicyName: 'dynamodb-tables',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Items', Effect: 'Allow', Action: [...TABLE_ACTIONS], Resource: arns },
          { Sid: 'Indexes', Effect: 'Allow', Action: ['dynamodb:Query'], Resource: indexArns },
        ],
      },
    },
  };
}

/** The template fragment: every table of the schema and the Lambda's access to them. */
export function tableResources(schema: Schema): Template {
  const names = Object.keys(schema.tables).sort();
  const resources: NonNullable<Template['Resources']> = {};
  const owner = new Map<string, string>();
  for (const name of names) {
    const id = tableLogicalId(name);
    const other = owner.get(id);
    if (other) {
      throw new SchemaError(
        `its CloudFormation logical id ${id} is also that of table "${other}"; rename one`,
        name,
      );
    }
    owner.set(id, name);
    resources[id] = tableResource(schema.tables[name]!) as NonNullable<
      Template['Resources']
    >[string];
  }
  resources[TABLES_POLICY_ID] = tablesPolicy([...owner.keys()]) as NonNullable<
    Template['Resources']
  >[string];
  return { Resources: resources };
}
