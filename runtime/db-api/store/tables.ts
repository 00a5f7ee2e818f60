/**
 * DynamoDB table definitions from db_schema.json (on-demand billing, the key
 * as partition key, one global secondary index per schema index), and their
 * creation where nothing else creates them: the local stack on dynalite and
 * tests. In AWS the tables come from the db-api CloudFormation stack.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { done, notYet, poll } from '../../../core/poll.js';
import type { Schema, TableDef } from '../../schema/schema.js';

/** The physical name of a logical table. */
export function physicalTableName(prefix: string, table: string): string {
  return `${prefix}${table}`;
}

function attributeType(table: TableDef, field: string): 'S' | 'N' {
  const type = table.fields[field]!.type;
  return type === 'integer' || type === 'number' ? 'N' : 'S';
}

export function createTableInput(prefix: string, table: TableDef): CreateTableCommandInput {
  const attrs = new Map<string, AttributeDefinition>();
  const define = (field: string) =>
    attrs.set(field, { AttributeName: field, AttributeType: attributeType(table, field) });
  define(table.key);
  for (const index of table.indexes) {
    define(index.partition);
    if (index.sort) define(index.sort);
  }
  return {
    TableName: physicalTableName(prefix, table.name),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs.values()],
    KeySchema: [{ AttributeName: table.key, KeyType: 'HASH' }],
    ...(table.indexes.length
      ? {
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partition, KeyType: 'HASH' as const },
              ...(index.sort ? [{ AttributeName: index.sort, KeyType: 'RANGE' as const }] : []),
            ],
            Projection: { ProjectionType: index.projection },
          })),
        }
      : {}),
  };
}

/**
 * Creates every schema table that does not exist yet and waits until each is
 * ACTIVE. Returns the names it created.
 */
export async function ensureTables(
  client: DynamoDBClient,
  schema: Schema,
  prefix: string,
  opts: { pollMs?: number; timeoutMs?: number } = {},
): Promise<string[]> {
  const created: string[] = [];
  for (const table of Object.values(schema.tables)) {
    const input = createTableInput(prefix, table);
    try {
      await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
      await client.send(new CreateTableCommand(input));
      created.push(input.TableName!);
    }
  }
  for (const name of created) {
    await poll(
      async () => {
        const d = await client.send(new DescribeTableCommand({ TableName: name }));
        return d.Table?.TableStatus === 'ACTIVE' ? done(name) : notYet;
      },
      {
        intervalMs: opts.pollMs ?? 20,
        timeoutMs: opts.timeoutMs ?? 30_000,
        timeoutError: () => new Error(`Table ${name} did not become ACTIVE in time`),
      },
    );
  }
  return created;
}
