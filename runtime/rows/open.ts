/**
 * Where a command's rows are: the options every command that reads or
 * writes the tables shares (`--store`, `--db-api-url`, `--db-api-auth`,
 * `--table-prefix`), and the {@link RowSource} they name.
 */
import { InputError, MissingInputError, parseChoice } from '../../core/values.js';
import { regionFromHost } from '../db-api/sigv4.js';
import type { OptionSpec, Options } from '../settings/options.js';
import { DbApiSource } from './db-api-source.js';
import { DynamoSource } from './dynamo-source.js';
import type { RowSource } from './store.js';

/** The storage options; `storeEnv` names the variable of `--store` (e.g. SCRAPER_STORE). */
export function storeOptions(storeEnv: string): OptionSpec[] {
  return [
    {
      flag: 'store',
      env: storeEnv,
      arg: 'auto|db-api|dynamodb',
      def: 'auto',
      help: 'Where rows are; auto: db-api when DB_API_URL is set, else dynamodb when TABLE_NAME_PREFIX is',
    },
    {
      flag: 'db-api-url',
      env: 'DB_API_URL',
      arg: 'URL',
      help: 'The DB API (db-api stack output, or http://127.0.0.1:PORT locally)',
    },
    {
      flag: 'db-api-auth',
      env: 'DB_API_AUTH',
      arg: 'auto|iam|none',
      def: 'auto',
      help: 'SigV4 signing; auto: for an execute-api host',
    },
    {
      flag: 'table-prefix',
      env: 'TABLE_NAME_PREFIX',
      arg: 'PREFIX',
      help: 'DynamoDB table name prefix, e.g. mcfpipe-dev- (store dynamodb)',
    },
  ];
}

export function parseUrl(name: string, value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return value;
  } catch {
    // reported below
  }
  throw new InputError(name, value, 'an http:// or https:// URL');
}

/** The source the storage options name; InputError / MissingInputError when they do not. */
export function openRowSource(
  o: Options,
  onRetry?: (r: { method: string; path: string; status?: number; delayMs: number }) => void,
): RowSource {
  const url = o.get('db-api-url');
  const prefix = o.get('table-prefix');
  const store = parseChoice(o.label('store'), o.get('store')!, [
    'auto',
    'db-api',
    'dynamodb',
  ] as const);
  const kind = store === 'auto' ? (url ? 'db-api' : prefix ? 'dynamodb' : undefined) : store;
  if (kind === 'db-api') {
    if (!url)
      throw new MissingInputError(
        o.label('db-api-url'),
        'Give the DB API base URL (the db-api stack output).',
      );
    const host = new URL(parseUrl(o.label('db-api-url'), url)).hostname;
    const auth = parseChoice(o.label('db-api-auth'), o.get('db-api-auth')!, [
      'auto',
      'iam',
      'none',
    ] as const);
    const sign = auth === 'iam' || (auth === 'auto' && regionFromHost(host) !== undefined);
    return new DbApiSource({
      url,
      ...(sign ? { sigv4: true } : {}),
      ...(onRetry ? { onRetry } : {}),
    });
  }
  if (kind === 'dynamodb') {
    if (!prefix)
      throw new MissingInputError(
        o.label('table-prefix'),
        'Give the DynamoDB table name prefix, e.g. mcfpipe-dev-.',
      );
    return new DynamoSource({ tablePrefix: prefix });
  }
  throw new MissingInputError(
    `${o.label('db-api-url')} or ${o.label('table-prefix')}`,
    'Say where rows are: the DB API URL, or (inside AWS) the DynamoDB table name prefix.',
  );
}
