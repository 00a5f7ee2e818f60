/**
 * What the table store refuses, independent of HTTP: the DB API's handler
 * maps these to 400, 404, 409 and 503; direct users (the webscraper) catch
 * them by class.
 */
import type { FieldProblem } from '../../schema/validate.js';

export class StoreError extends Error {
  override name = 'StoreError';
}

/** The input breaks the schema (or a query is malformed); nothing was written. */
export class ValidationFailedError extends StoreError {
  override name = 'ValidationFailedError';
  constructor(
    readonly problems: FieldProblem[],
    what = 'the request',
  ) {
    super(
      `${what} has ${problems.length} invalid field${problems.length === 1 ? '' : 's'}: ${problems
        .slice(0, 5)
        .map((p) => `${p.field} (${p.rule}: ${p.message})`)
        .join('; ')}${problems.length > 5 ? '; …' : ''}`,
    );
  }
}

export class UnknownTableError extends StoreError {
  override name = 'UnknownTableError';
  constructor(
    readonly table: string,
    readonly known: string[],
  ) {
    super(`There is no table ${JSON.stringify(table)}; tables: ${known.join(', ')}`);
  }
}

export class ItemNotFoundError extends StoreError {
  override name = 'ItemNotFoundError';
  constructor(
    readonly table: string,
    readonly id: string,
  ) {
    super(`${table} ${JSON.stringify(id)} does not exist`);
  }
}

/** A conditional write whose condition (If-Match / If-None-Match) did not hold; nothing was written. */
export class VersionConflictError extends StoreError {
  override name = 'VersionConflictError';
  constructor(
    readonly table: string,
    readonly id: string,
    /** The stored version; undefined when the item does not exist. */
    readonly currentVersion: number | undefined,
    detail: string,
  ) {
    super(`${table} ${JSON.stringify(id)}: ${detail}`);
  }
}

/** DynamoDB kept refusing part of a batch (throttling) after every retry. */
export class StoreUnavailableError extends StoreError {
  override name = 'StoreUnavailableError';
  constructor(
    message: string,
    /** Items of the batch that were written before giving up. */
    readonly written: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
