/**
 * Turns a list request (filters, a sort-key condition, limit, cursor) into a
 * DynamoDB Query on the table or one of its indexes, or a Scan when there is
 * no filter. Filters are allowed on indexed fields only, so a listing never
 * reads the whole table to return a few items.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Schema, TableDef } from '../../schema/schema.js';
import { type FieldProblem, parseFieldValue } from '../../schema/validate.js';
import {
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
  SORT_OPERATORS,
  type SortOperator,
} from '../contract.js';
import { ValidationFailedError } from './errors.js';

export interface ListQuery {
  /** Equality filters: the partition key of an index (or the table's key), and optionally its sort key. */
  where?: Record<string, string | number>;
  /** A condition on the chosen index's sort key. */
  sort?: { field: string; op: SortOperator; value: string | number };
  limit?: number | string;
  cursor?: string;
}

interface KeySchema {
  /** undefined: the table itself. */
  indexName: string | undefined;
  partition: string;
  sort: string | undefined;
  keysOnly: boolean;
}

export interface ListPlan {
  target: KeySchema | undefined;
  partitionValue?: unknown;
  sortCondition?: { op: SortOperator | 'eq'; value: unknown };
  limit: number;
  startKey?: Record<string, AttributeValue>;
}

function keySchemas(table: TableDef): KeySchema[] {
  return [
    { indexName: undefined, partition: table.key, sort: undefined, keysOnly: false },
    ...table.indexes.map((i) => ({
      indexName: i.name,
      partition: i.partition,
      sort: i.sort,
      keysOnly: i.projection === 'KEYS_ONLY',
    })),
  ];
}

function describeFilters(table: TableDef): string {
  return keySchemas(table)
    .map((k) => (k.sort ? `${k.partition} (optionally with ${k.sort})` : k.partition))
    .filter((v, i, all) => all.indexOf(v) === i)
    .join(', ');
}

function problem(field: string, rule: string, value: unknown, message: string): FieldProblem {
  return { field, rule, value, message };
}

export function planList(schema: Schema, table: TableDef, query: ListQuery): ListPlan {
  const problems: FieldProblem[] = [];
  const limit = parseLimit(query.limit, problems);
  const where = Object.entries(query.where ?? {});
  const parsed = new Map<string, unknown>();
  for (const [field, raw] of where) {
    const r =
      typeof raw === 'number' ? { value: raw } : parseFieldValue(schema, table, field, String(raw));
    if (r.problem) problems.push(r.problem);
    else parsed.set(field, r.value);
  }
  let sortValue: unknown;
  if (query.sort) {
    const { field, op, value } = query.sort;
    const name = `${field}.${op}`;
    if (!(SORT_OPERATORS as readonly string[]).includes(op)) {
      problems.push(problem(name, 'operator', value, `operators: ${SORT_OPERATORS.join(', ')}`));
    } else {
      const r =
        typeof value === 'number'
          ? { value }
          : parseFieldValue(schema, table, field, String(value));
      if (r.problem) problems.push({ ...r.problem, field: name });
      else sortValue = r.value;
      if (op === 'begins_with' && table.fields[field]?.type !== 'string') {
        problems.push(problem(name, 'operator', value, 'begins_with applies to string fields'));
      }
    }
  }
  if (problems.length) throw new ValidationFailedError(problems, 'the listing');

  if (where.length === 0 && !query.sort) {
    return { target: undefined, limit, ...cursorStart(query.cursor, table, undefined, {}) };
  }
  const fields = new Set(parsed.keys());
  const target = keySchemas(table).find((k) => {
    if (!fields.has(k.partition)) return false;
    const rest = [...fields].filter((f) => f !== k.partition);
    if (rest.length > 1 || (rest.length === 1 && rest[0] !== k.sort)) return false;
    if (query.sort && (query.sort.field !== k.sort || rest.length === 1)) return false;
    return true;
  });
  if (!target) {
    const shown = [
      ...where.map(([f]) => f),
      ...(query.sort ? [`${query.sort.field}.${query.sort.op}`] : []),
    ];
    throw new ValidationFailedError(
      [
        problem(
          shown.join('&'),
          'not_indexed',
          Object.fromEntries([
            ...where,
            ...(query.sort ? [[shown.at(-1)!, query.sort.value]] : []),
          ]),
          `filter on the key of one index at a time: ${describeFilters(table)}; a sort-key condition (.${SORT_OPERATORS.join(', .')}) needs its partition`,
        ),
      ],
      'the listing',
    );
  }
  const sortEq = target.sort && fields.has(target.sort) ? parsed.get(target.sort) : undefined;
  const sortCondition =
    sortEq !== undefined
      ? { op: 'eq' as const, value: sortEq }
      : query.sort
        ? { op: query.sort.op, value: sortValue }
        : undefined;
  const partitionValue = parsed.get(target.partition);
  return {
    target,
    partitionValue,
    ...(sortCondition ? { sortCondition } : {}),
    limit,
    ...cursorStart(query.cursor, table, target, { partitionValue, sortCondition }),
  };
}

function parseLimit(raw: number | string | undefined, problems: FieldProblem[]): number {
  if (raw === undefined || raw === '') return DEFAULT_LIST_LIMIT;
  const n = typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIST_LIMIT) {
    problems.push(problem('limit', 'range', raw, `a whole number from 1 to ${MAX_LIST_LIMIT}`));
    return DEFAULT_LIST_LIMIT;
  }
  return n;
}

interface CursorDoc {
  /** Index name ('' for the table). */
  i: string;
  /** LastEvaluatedKey as DynamoDB returned it. */
  k: Record<string, AttributeValue>;
}

export function encodeCursor(
  target: KeySchema | undefined,
  lastKey: Record<string, AttributeValue>,
): string {
  const doc: CursorDoc = { i: target?.indexName ?? '', k: lastKey };
  return Buffer.from(JSON.stringify(doc)).toString('base64url');
}

/** The value of a key attribute as the schema types it (N for numbers, else S); undefined when malformed. */
function keyValue(table: TableDef, field: string, v: unknown): string | number | undefined {
  if (typeof v !== 'object' || v === null || Object.keys(v).length !== 1) return undefined;
  const { S, N } = v as { S?: unknown; N?: unknown };
  const numeric = ['integer', 'number'].includes(table.fields[field]?.type ?? '');
  if (numeric) {
    return typeof N === 'string' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(N)
      ? Number(N)
      : undefined;
  }
  return typeof S === 'string' && S !== '' ? S : undefined;
}

/** Whether a sort-key value lies within a listing's sort condition. */
function withinSort(
  value: string | number,
  cond: { op: SortOperator | 'eq'; value: unknown },
): boolean {
  const c = cond.value as string | number;
  switch (cond.op) {
    case 'eq':
      return value === c;
    case 'gt':
      return value > c;
    case 'gte':
      return value >= c;
    case 'lt':
      return value < c;
    case 'lte':
      return value <= c;
    case 'begins_with':
      return String(value).startsWith(String(c));
  }
}

/**
 * The ExclusiveStartKey of a cursor, checked so that no cursor reaches
 * DynamoDB unless it could have come from this very listing: the index, the
 * key attributes with the schema's types, the partition value of the filter
 * and a sort key within the sort condition. An edited cursor, or one reused
 * with other filter values, is a 400 `cursor` (DynamoDB would refuse it with
 * an error the client cannot act on), and can never start a page outside the
 * listing it claims.
 */
function cursorStart(
  cursor: string | undefined,
  table: TableDef,
  target: KeySchema | undefined,
  filters: {
    partitionValue?: unknown;
    sortCondition?: { op: SortOperator | 'eq'; value: unknown } | undefined;
  },
): { startKey?: Record<string, AttributeValue> } {
  if (cursor === undefined || cursor === '') return {};
  const bad = (why: string) =>
    new ValidationFailedError(
      [problem('cursor', 'cursor', cursor.length > 60 ? `${cursor.slice(0, 60)}…` : cursor, why)],
      'the listing',
    );
  let doc: CursorDoc;
  try {
    doc = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorDoc;
  } catch {
    throw bad('is not a cursor this API returned; pass next_cursor unchanged');
  }
  if (!doc || typeof doc !== 'object' || typeof doc.k !== 'object' || doc.k === null)
    throw bad('is not a cursor this API returned; pass next_cursor unchanged');
  if (doc.i !== (target?.indexName ?? '')) {
    throw bad('belongs to a listing with other filters; use it with the same filters');
  }
  const expected = new Set([
    table.key,
    ...(target ? [target.partition] : []),
    ...(target?.sort ? [target.sort] : []),
  ]);
  const keys = Object.keys(doc.k);
  const values = new Map(keys.map((k) => [k, keyValue(table, k, doc.k[k])]));
  const wellFormed =
    keys.length === expected.size &&
    keys.every((k) => expected.has(k) && values.get(k) !== undefined);
  if (!wellFormed) throw bad('is not a cursor this API returned; pass next_cursor unchanged');
  if (target) {
    const sortValue = target.sort ? values.get(target.sort) : undefined;
    if (
      values.get(target.partition) !== filters.partitionValue ||
      (filters.sortCondition &&
        sortValue !== undefined &&
        !withinSort(sortValue, filters.sortCondition))
    ) {
      throw bad('belongs to a listing with other filters; use it with the same filters');
    }
  }
  return { startKey: doc.k };
}
