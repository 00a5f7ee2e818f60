/**
 * The table store: schema-enforcing DynamoDB access, independent of HTTP.
 * The DB API's handler is a thin layer over it; the webscraper's direct
 * DynamoDB storage uses it as well, so both write identical items.
 *
 * - Every write is validated against db_schema.json first; nothing invalid
 *   is ever written (a batch is validated whole before its first write).
 * - The store sets `created` (first write), `last_modified` (every write) and
 *   `version` (1, then +1 per write) in the schema's timezone.
 * - PUT and PATCH are one conditional UpdateItem each: `If-Match` compares the
 *   version inside DynamoDB, so a lost update is impossible.
 * - Batch upserts read the stored items (BatchGetItem) to keep `created`,
 *   bump `version` and merge, then write with BatchWriteItem in chunks of 25,
 *   retrying UnprocessedItems with backoff.
 * - Batch reads by id are one BatchGetItem (strongly consistent), projected
 *   to the fields asked for.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { projectSchema, type Schema, type TableDef } from '../../schema/schema.js';
import { isoTimestamp } from '../../schema/timestamps.js';
import type { Input, Patch, Row, TableName } from '../../schema/types.generated.js';
import {
  checkValue,
  type FieldProblem,
  fieldDef,
  shownValue,
  validateItem,
} from '../../schema/validate.js';
import {
  type BatchMode,
  type BatchResult,
  MAX_BATCH_GET_IDS,
  MAX_BATCH_ITEMS,
} from '../contract.js';
import { type BatchIoOptions, batchGet, batchWrite } from './batch-io.js';
import { fromAttributes, toAttributes } from './codec.js';
import {
  ItemNotFoundError,
  UnknownTableError,
  ValidationFailedError,
  VersionConflictError,
} from './errors.js';
import { Expression, updateExpression } from './expressions.js';
import { encodeCursor, type ListPlan, type ListQuery, planList } from './list-plan.js';
import { fieldNameProblems, idListProblems } from './request-lists.js';
import { physicalTableName } from './tables.js';

/** DynamoDB's item size limit (400 KB), checked on the item's JSON size before writing. */
export const MAX_ITEM_BYTES = 400 * 1024;

const CREATED = 'created';
const LAST_MODIFIED = 'last_modified';
const VERSION = 'version';

export interface TableStoreOptions {
  dynamo: DynamoDBClient;
  /** Physical table name = prefix + logical name, e.g. `mcfpipe-dev-` + `job_search`. */
  tablePrefix: string;
  /** Default: the project's db_schema.json. */
  schema?: Schema;
  /** Clock for created / last_modified (injectable for tests). */
  now?: () => Date;
  /** Retries of unprocessed batch entries, and chunk concurrency. */
  batch?: BatchIoOptions;
}

export interface WriteCondition {
  /** The stored version must equal this; `*`: the item must exist. */
  ifMatch?: number | '*';
}

export interface PutCondition extends WriteCondition {
  /** `*`: the item must not exist (create only). */
  ifNoneMatch?: '*';
}

export interface BatchUpsertOptions {
  /** `replace` (default): whole items. `merge`: partial items merged onto stored ones, inserted when absent. */
  mode?: BatchMode;
  /** Fields whose stored value is kept when the item exists (e.g. first_seen). */
  preserve?: string[];
}

export interface GetManyOptions {
  /** Read only these fields (the key always comes too). */
  fields?: readonly string[];
}

export interface GetManyResult<T> {
  /** The items found, in the order of their ids' first appearance. */
  items: T[];
  /** The ids without an item, in the order given. */
  missing: string[];
}

export interface ListResult<T> {
  items: T[];
  nextCursor: string | null;
}

type Item = Record<string, unknown>;

export class TableStore {
  readonly schema: Schema;
  private readonly dynamo: DynamoDBClient;
  private readonly prefix: string;
  private readonly now: () => Date;
  private readonly batchOpts: BatchIoOptions;

  constructor(opts: TableStoreOptions) {
    this.schema = opts.schema ?? projectSchema();
    for (const f of [CREATED, LAST_MODIFIED, VERSION]) {
      if (!this.schema.systemFields[f]?.managed) {
        throw new Error(`db_schema.json must declare the managed system field "${f}"`);
      }
    }
    this.dynamo = opts.dynamo;
    this.prefix = opts.tablePrefix;
    this.now = opts.now ?? (() => new Date());
    this.batchOpts = opts.batch ?? {};
  }

  /** The schema's definition of a table; {@link UnknownTableError} when there is none. */
  table(name: string): TableDef {
    const t = Object.hasOwn(this.schema.tables, name) ? this.schema.tables[name] : undefined;
    if (!t) throw new UnknownTableError(name, Object.keys(this.schema.tables));
    return t;
  }

  /** The DynamoDB table name of a logical table. */
  physicalName(table: string): string {
    return physicalTableName(this.prefix, this.table(table).name);
  }

  private timestamp(): string {
    return isoTimestamp(this.now(), this.schema.timezone);
  }

  private checkKey(t: TableDef, id: string, body?: unknown): void {
    const problems = this.keyProblems(t, id, body);
    if (problems.length) throw new ValidationFailedError(problems);
  }

  /** The id's problems followed by the body's, the key reported once. */
  private writeProblems(t: TableDef, id: string, body: unknown, found: FieldProblem[]) {
    const key = this.keyProblems(t, id, body);
    return [...key, ...found.filter((p) => !(key.length && p.field === t.key))];
  }

  private keyProblems(t: TableDef, id: string, body?: unknown): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const p = checkValue(t.key, t.fields[t.key]!, id, this.schema);
    if (p) problems.push({ ...p, message: `the id ${p.message}` });
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const inBody = (body as Item)[t.key];
      if (inBody !== undefined && inBody !== id) {
        problems.push({
          field: t.key,
          rule: 'key_mismatch',
          value: shownValue(inBody),
          message: `must equal the id in the path (${JSON.stringify(id)}) or be left out`,
        });
      }
    }
    return problems;
  }

  private key(t: TableDef, id: string) {
    return toAttributes({ [t.key]: id });
  }

  /** Reads one item (strongly consistent); undefined when absent. */
  async get<T extends TableName>(table: T, id: string): Promise<Row<T> | undefined> {
    const t = this.table(table);
    this.checkKey(t, id);
    const res = await this.dynamo.send(
      new GetItemCommand({
        TableName: this.physicalName(table),
        Key: this.key(t, id),
        ConsistentRead: true,
      }),
    );
    return res.Item ? (fromAttributes(res.Item) as Row<T>) : undefined;
  }

  /**
   * Reads up to {@link MAX_BATCH_GET_IDS} items by id, strongly consistent,
   * each id once. All ids and fields are checked first (a
   * ValidationFailedError names `ids[3]` or `fields`). With `fields`, items
   * hold only those fields and the key.
   */
  async getMany<T extends TableName>(
    table: T,
    ids: readonly string[],
    opts: GetManyOptions = {},
  ): Promise<GetManyResult<Row<T>>> {
    const t = this.table(table);
    const problems = idListProblems(this.schema, t, ids, 'ids', MAX_BATCH_GET_IDS);
    if (opts.fields !== undefined) {
      problems.push(
        ...fieldNameProblems(t, opts.fields, 'fields', {
          accepts: () => true,
          accepted: `names fields of table ${t.name}: ${Object.keys(t.fields).join(', ')}`,
        }),
      );
    }
    if (problems.length) throw new ValidationFailedError(problems, 'the batch read');
    const unique = [...new Set(ids)];
    const found = await this.readByIds(t, unique, opts.fields && [t.key, ...opts.fields]);
    const items: Row<T>[] = [];
    const missing: string[] = [];
    for (const id of unique) {
      const item = found.get(id);
      if (item) items.push(item as unknown as Row<T>);
      else missing.push(id);
    }
    return { items, missing };
  }

  /** The stored items with these distinct ids, by id (BatchGetItem); `projection`: only these attributes. */
  private async readByIds(
    t: TableDef,
    ids: readonly string[],
    projection?: readonly string[],
  ): Promise<Map<string, Item>> {
    if (ids.length === 0) return new Map();
    const found = await batchGet(
      this.dynamo,
      this.physicalName(t.name),
      {
        keys: ids.map((id) => this.key(t, id)),
        ...(projection ? { projection: [...new Set(projection)] } : {}),
      },
      this.batchOpts,
    );
    return new Map(found.map(fromAttributes).map((item) => [String(item[t.key]), item]));
  }

  /** Creates or replaces an item. `created` tells which. */
  async put<T extends TableName>(
    table: T,
    id: string,
    body: Input<T>,
    cond: PutCondition = {},
  ): Promise<{ item: Row<T>; created: boolean }> {
    const t = this.table(table);
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    const v = validateItem(this.schema, t, isObject ? { ...body, [t.key]: id } : body, 'full');
    const problems = this.writeProblems(t, id, body, v.problems);
    if (problems.length) throw new ValidationFailedError(problems);
    this.checkSize(v.item, '(body)');
    const e = new Expression();
    const set: string[] = [];
    const remove: string[] = [];
    for (const [field, def] of Object.entries(t.fields)) {
      if (def.managed || field === t.key) continue;
      if (v.item[field] !== undefined) set.push(`${e.name(field)} = ${e.value(v.item[field])}`);
      else remove.push(e.name(field));
    }
    const conditions: string[] = [];
    if (cond.ifNoneMatch === '*') conditions.push(`attribute_not_exists(${e.name(t.key)})`);
    this.matchConditions(e, t, cond, conditions);
    const item = await this.update<T>(t, id, e, set, remove, conditions, () =>
      this.conflict(t, id, cond, 'put'),
    );
    return { item, created: (item as { version?: number }).version === 1 };
  }

  /** Changes the given fields of an existing item; null removes an optional field. */
  async patch<T extends TableName>(
    table: T,
    id: string,
    changes: Patch<T>,
    cond: WriteCondition = {},
  ): Promise<Row<T>> {
    const t = this.table(table);
    const v = validateItem(this.schema, t, changes, 'patch');
    const problems = this.writeProblems(t, id, changes, v.problems);
    if (problems.length) throw new ValidationFailedError(problems);
    const e = new Expression();
    const set: string[] = [];
    for (const [field, value] of Object.entries(v.item)) {
      if (field !== t.key) set.push(`${e.name(field)} = ${e.value(value)}`);
    }
    const remove = v.remove.map((f) => e.name(f));
    const conditions = [`attribute_exists(${e.name(t.key)})`];
    this.matchConditions(e, t, cond, conditions);
    const item = await this.update<T>(t, id, e, set, remove, conditions, () =>
      this.conflict(t, id, cond, 'patch'),
    );
    return item;
  }

  /** Deletes an existing item and returns it. */
  async delete<T extends TableName>(
    table: T,
    id: string,
    cond: WriteCondition = {},
  ): Promise<Row<T>> {
    const t = this.table(table);
    this.checkKey(t, id);
    const e = new Expression();
    const conditions = [`attribute_exists(${e.name(t.key)})`];
    this.matchConditions(e, t, cond, conditions);
    try {
      const res = await this.dynamo.send(
        new DeleteItemCommand({
          TableName: this.physicalName(table),
          Key: this.key(t, id),
          ConditionExpression: conditions.join(' AND '),
          ReturnValues: 'ALL_OLD',
          ...e.attributes(),
        }),
      );
      return fromAttributes(res.Attributes ?? {}) as Row<T>;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException)
        throw await this.conflict(t, id, cond, 'delete');
      throw err;
    }
  }

  private matchConditions(
    e: Expression,
    t: TableDef,
    cond: WriteCondition,
    conditions: string[],
  ): void {
    if (cond.ifMatch === '*') conditions.push(`attribute_exists(${e.name(t.key)})`);
    else if (cond.ifMatch !== undefined)
      conditions.push(`${e.name(VERSION)} = ${e.value(cond.ifMatch)}`);
  }

  /** One UpdateItem that also sets the managed fields; returns the stored item. */
  private async update<T extends TableName>(
    t: TableDef,
    id: string,
    e: Expression,
    set: string[],
    remove: string[],
    conditions: string[],
    onConflict: () => Promise<Error>,
  ): Promise<Row<T>> {
    const now = e.value(this.timestamp());
    set.push(
      `${e.name(CREATED)} = if_not_exists(${e.name(CREATED)}, ${now})`,
      `${e.name(LAST_MODIFIED)} = ${now}`,
    );
    const add = [`${e.name(VERSION)} ${e.value(1)}`];
    try {
      const res = await this.dynamo.send(
        new UpdateItemCommand({
          TableName: this.physicalName(t.name),
          Key: this.key(t, id),
          UpdateExpression: updateExpression({ set, remove, add }),
          ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
          ReturnValues: 'ALL_NEW',
          ...e.attributes(),
        }),
      );
      return fromAttributes(res.Attributes ?? {}) as Row<T>;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw await onConflict();
      if (isItemTooLarge(err)) {
        throw new ValidationFailedError([
          {
            field: '(body)',
            rule: 'maxItemSize',
            value: null,
            message: `the stored item would exceed DynamoDB's ${MAX_ITEM_BYTES} bytes`,
          },
        ]);
      }
      throw err;
    }
  }

  /** Why a conditional write failed: the item is absent (404 for patch/delete) or its version differs (409). */
  private async conflict(
    t: TableDef,
    id: string,
    cond: PutCondition,
    op: 'put' | 'patch' | 'delete',
  ): Promise<Error> {
    const current = await this.get(t.name as TableName, id);
    const version = (current as { version?: number } | undefined)?.version;
    if (!current && op !== 'put') return new ItemNotFoundError(t.name, id);
    if (cond.ifNoneMatch === '*' && current) {
      return new VersionConflictError(
        t.name,
        id,
        version,
        `exists already (version ${version}); If-None-Match: * creates only`,
      );
    }
    if (!current) {
      return new VersionConflictError(
        t.name,
        id,
        undefined,
        `does not exist, but If-Match ${cond.ifMatch === '*' ? '*' : `"${cond.ifMatch}"`} requires it`,
      );
    }
    return new VersionConflictError(
      t.name,
      id,
      version,
      `is at version ${version}, not ${cond.ifMatch} as If-Match requires; read it again and retry`,
    );
  }

  private checkSize(item: Item, field: string): void {
    const problem = sizeProblem(item, field);
    if (problem) throw new ValidationFailedError([problem]);
  }

  /** One page of items: a Query on the index whose key the filters name, else a Scan. */
  async list<T extends TableName>(table: T, query: ListQuery = {}): Promise<ListResult<Row<T>>> {
    const t = this.table(table);
    const plan = planList(this.schema, t, query);
    const TableName = this.physicalName(table);
    const common = {
      TableName,
      Limit: plan.limit,
      ...(plan.startKey ? { ExclusiveStartKey: plan.startKey } : {}),
    };
    let res: {
      Items?: Array<Record<string, AttributeValue>>;
      LastEvaluatedKey?: Record<string, AttributeValue>;
    };
    try {
      res = await this.readPage(plan, common);
    } catch (err) {
      // Backstop for what planList cannot see: DynamoDB refusing the start key.
      if (plan.startKey && err instanceof Error && err.name === 'ValidationException') {
        throw new ValidationFailedError(
          [
            {
              field: 'cursor',
              rule: 'cursor',
              value:
                query.cursor && query.cursor.length > 60
                  ? `${query.cursor.slice(0, 60)}…`
                  : (query.cursor ?? null),
              message:
                'does not fit this listing; pass next_cursor unchanged, with the same filters',
            },
          ],
          'the listing',
        );
      }
      throw err;
    }
    let items = (res.Items ?? []).map(fromAttributes);
    if (plan.target?.keysOnly && items.length) {
      // A keys-only index: read the full items, in the index's order.
      const byId = await this.readByIds(
        t,
        items.map((i) => String(i[t.key])),
      );
      items = items.map((i) => byId.get(String(i[t.key]))).filter((i): i is Item => !!i);
    }
    return {
      items: items as Row<T>[],
      nextCursor: res.LastEvaluatedKey ? encodeCursor(plan.target, res.LastEvaluatedKey) : null,
    };
  }

  /** One Scan or Query request of a planned listing. */
  private async readPage(
    plan: ListPlan,
    common: {
      TableName: string;
      Limit: number;
      ExclusiveStartKey?: Record<string, AttributeValue>;
    },
  ): Promise<{
    Items?: Array<Record<string, AttributeValue>>;
    LastEvaluatedKey?: Record<string, AttributeValue>;
  }> {
    if (!plan.target) return this.dynamo.send(new ScanCommand(common));

    const e = new Expression();
    const cond = [`${e.name(plan.target.partition)} = ${e.value(plan.partitionValue)}`];
    const s = plan.sortCondition;
    if (s && plan.target.sort) {
      const name = e.name(plan.target.sort);
      const value = e.value(s.value);
      cond.push(
        s.op === 'begins_with'
          ? `begins_with(${name}, ${value})`
          : `${name} ${{ eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' }[s.op]} ${value}`,
      );
    }
    return this.dynamo.send(
      new QueryCommand({
        ...common,
        ...(plan.target.indexName ? { IndexName: plan.target.indexName } : {}),
        KeyConditionExpression: cond.join(' AND '),
        ...e.attributes(),
      }),
    );
  }

  /**
   * Upserts up to {@link MAX_BATCH_ITEMS} items. All are validated before the
   * first write (a ValidationFailedError names `items[i].field`); stored items
   * keep `created` and get `version` + 1. Not conditional: concurrent writers
   * of the same item race (last writer wins); use put/patch with If-Match for
   * edits that must not be lost.
   */
  async batchUpsert<T extends TableName>(
    table: T,
    items: Array<Input<T> | Patch<T>>,
    opts: BatchUpsertOptions = {},
  ): Promise<BatchResult> {
    const t = this.table(table);
    const mode = opts.mode ?? 'replace';
    const problems: FieldProblem[] = [];
    const preserve = this.checkPreserve(t, opts.preserve, problems);
    if (!Array.isArray(items)) {
      throw new ValidationFailedError([
        {
          field: 'items',
          rule: 'type',
          value: shownValue(items),
          message: 'must be a list of items',
        },
      ]);
    }
    if (items.length > MAX_BATCH_ITEMS) {
      throw new ValidationFailedError([
        {
          field: 'items',
          rule: 'maxItems',
          value: items.length,
          message: `at most ${MAX_BATCH_ITEMS} items per batch; send more batches`,
        },
      ]);
    }
    const validated = items.map((raw, i) => {
      const prefix = `items[${i}].`;
      const v = validateItem(this.schema, t, raw, mode === 'replace' ? 'full' : 'patch', prefix);
      problems.push(...v.problems);
      const id = (raw as Item | null)?.[t.key];
      if (mode === 'merge' && (id === undefined || id === null) && v.problems.length === 0) {
        problems.push({
          field: prefix + t.key,
          rule: 'required',
          value: null,
          message: 'is required',
        });
      }
      return { raw, v, id: typeof id === 'string' ? id : undefined };
    });
    const seen = new Map<string, number>();
    validated.forEach(({ id }, i) => {
      if (id === undefined) return;
      const first = seen.get(id);
      if (first !== undefined) {
        problems.push({
          field: `items[${i}].${t.key}`,
          rule: 'unique',
          value: id,
          message: `repeats items[${first}]; an item may appear once per batch`,
        });
      } else seen.set(id, i);
    });
    if (problems.length) throw new ValidationFailedError(problems, 'the batch');
    if (items.length === 0) return { written: 0, created: 0, updated: 0 };

    const old = await this.readByIds(
      t,
      [...seen.keys()],
      mode === 'replace' ? [t.key, CREATED, VERSION, ...preserve] : undefined,
    );
    const now = this.timestamp();
    const out: Item[] = [];
    let created = 0;
    validated.forEach(({ raw, v, id }, i) => {
      const prev = old.get(id!);
      let next: Item;
      if (mode === 'replace') next = { ...v.item };
      else if (prev) {
        next = { ...prev, ...v.item };
        for (const r of v.remove) delete next[r];
      } else {
        const full = validateItem(this.schema, t, raw, 'full', `items[${i}].`);
        problems.push(...full.problems);
        next = full.item;
      }
      if (prev) {
        for (const p of preserve) if (prev[p] !== undefined) next[p] = prev[p];
      } else {
        created++;
      }
      next[CREATED] = prev?.[CREATED] ?? now;
      next[LAST_MODIFIED] = now;
      next[VERSION] = (typeof prev?.[VERSION] === 'number' ? (prev[VERSION] as number) : 0) + 1;
      const tooBig = sizeProblem(next, `items[${i}]`);
      if (tooBig) problems.push(tooBig);
      out.push(next);
    });
    if (problems.length) throw new ValidationFailedError(problems, 'the batch');
    const written = await batchWrite(
      this.dynamo,
      this.physicalName(table),
      out.map((item) => toAttributes(item)),
      this.batchOpts,
    );
    return { written, created, updated: written - created };
  }

  private checkPreserve(t: TableDef, preserve: unknown, problems: FieldProblem[]): string[] {
    if (preserve === undefined) return [];
    problems.push(
      ...fieldNameProblems(t, preserve, 'preserve', {
        accepts: (name) => !fieldDef(t, name)?.managed && name !== t.key,
        accepted: `names fields of table ${t.name} other than its key and the managed fields`,
      }),
    );
    const names = Array.isArray(preserve) && preserve.every((p) => typeof p === 'string');
    return names ? (preserve as string[]) : [];
  }
}

/** At least the item's JSON size in bytes, cheaply (no serialisation). */
function sizeUpperBound(item: Item): number {
  let n = 2;
  for (const [k, v] of Object.entries(item)) {
    n += k.length + 4;
    if (typeof v === 'string')
      n += v.length * 6 + 2; // \u escapes are at most 6 bytes a UTF-16 unit
    else if (Array.isArray(v)) for (const e of v) n += String(e).length * 6 + 3;
    else n += 24;
  }
  return n;
}

function sizeProblem(item: Item, field: string): FieldProblem | undefined {
  if (sizeUpperBound(item) <= MAX_ITEM_BYTES) return undefined;
  const bytes = Buffer.byteLength(JSON.stringify(item));
  if (bytes <= MAX_ITEM_BYTES) return undefined;
  return {
    field,
    rule: 'maxItemSize',
    value: bytes,
    message: `the item would take about ${bytes} bytes; DynamoDB stores at most ${MAX_ITEM_BYTES}`,
  };
}

function isItemTooLarge(err: unknown): boolean {
  return (
    err instanceof Error && err.name === 'ValidationException' && /item size/i.test(err.message)
  );
}
