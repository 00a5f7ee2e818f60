/**
 * What `mcfpipe sync` and `mcfpipe sheets init` are pointed at, from flags and
 * environment variables (a flag wins): the DB API, the user, and the Sheet or
 * workbook with its credentials.
 */
import { parseArgs } from 'node:util';
import { InputError, MissingInputError, parseChoice } from '../../core/values.js';
import { DbApiClient } from '../../runtime/db-api/client.js';
import { regionFromHost } from '../../runtime/db-api/sigv4.js';
import type { SheetBackend } from '../backend.js';
import { SheetsApi } from '../google/api.js';
import { googleCredentials } from '../google/auth.js';
import { GoogleSheetsBackend } from '../google/backend.js';
import { XlsxBackend } from '../xlsx/backend.js';

export interface OptionSpec {
  flag: string;
  env?: string;
  arg?: string;
  def?: string;
  help: string;
  boolean?: true;
}

export const CONNECTION_OPTIONS: OptionSpec[] = [
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
  { flag: 'user', env: 'MCFPIPE_USER', arg: 'USER_ID', def: 'me', help: 'Whose CRM this is' },
  {
    flag: 'backend',
    env: 'SHEETS_BACKEND',
    arg: 'auto|sheets|xlsx',
    def: 'auto',
    help: 'auto: Google Sheets with a spreadsheet id and credentials, else the workbook',
  },
  {
    flag: 'spreadsheet-id',
    env: 'SHEETS_SPREADSHEET_ID',
    arg: 'ID',
    help: "The spreadsheet (the long id in its URL); else the user's config row sheets.spreadsheet_id",
  },
  {
    flag: 'credentials',
    env: 'GOOGLE_APPLICATION_CREDENTIALS',
    arg: 'FILE',
    help: 'A service-account key file (or any Google credentials file)',
  },
  {
    flag: 'adc',
    env: 'SHEETS_USE_ADC',
    boolean: true,
    help: 'Use application default credentials (gcloud, or the metadata server on Google Cloud)',
  },
  {
    flag: 'sheets-api-url',
    env: 'SHEETS_API_URL',
    arg: 'URL',
    def: 'https://sheets.googleapis.com/',
    help: 'Sheets API root (a local server in tests)',
  },
  {
    flag: 'workbook',
    env: 'SHEETS_WORKBOOK',
    arg: 'FILE',
    def: '.local-data/mcfpipe-crm.xlsx',
    help: 'The .xlsx workbook used without Google credentials',
  },
];

export type Values = Record<string, string | boolean | undefined>;

export function parse(argv: string[], options: OptionSpec[]): Values {
  return parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(
        options.map((o) => [
          o.flag,
          { type: o.boolean ? ('boolean' as const) : ('string' as const) },
        ]),
      ),
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  }).values as Values;
}

export function helpText(usage: string, about: string, options: OptionSpec[]): string {
  const rows = options.map((o) => {
    const left = `  --${o.flag}${o.arg ? ` ${o.arg}` : ''}`;
    const right = `${o.help}${o.env ? ` [${o.env}]` : ''}${o.def !== undefined ? ` (default ${o.def})` : ''}`;
    return `${left.padEnd(34)} ${right}`;
  });
  return `${usage}\n\n${about}\n\nOptions (a flag wins over its environment variable):\n${rows.join('\n')}\n  --help, -h\n\nGoogle credentials: GOOGLE_SERVICE_ACCOUNT_KEY (the key's JSON), --credentials, or --adc.`;
}

export class Settings {
  constructor(
    private readonly values: Values,
    private readonly env: NodeJS.ProcessEnv,
    private readonly options: OptionSpec[],
  ) {}

  get(flag: string): string | undefined {
    const o = this.options.find((x) => x.flag === flag)!;
    const v = this.values[flag];
    if (typeof v === 'string') return v;
    if (v === true) return 'true';
    const fromEnv = o.env ? this.env[o.env]?.trim() : undefined;
    return fromEnv ? fromEnv : o.def;
  }

  label(flag: string): string {
    const o = this.options.find((x) => x.flag === flag)!;
    return o.env ? `--${flag} / ${o.env}` : `--${flag}`;
  }

  url(flag: string): string {
    const value = this.get(flag)!;
    try {
      const u = new URL(value);
      if (u.protocol === 'http:' || u.protocol === 'https:') return value;
    } catch {
      // reported below
    }
    throw new InputError(this.label(flag), value, 'an http:// or https:// URL');
  }

  user(): string {
    const user = this.get('user')!;
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(user))
      throw new InputError(
        this.label('user'),
        user,
        'a user id: lowercase letters, digits, _ and -, up to 64 characters',
      );
    return user;
  }

  dbApi(log: (m: string) => void): DbApiClient {
    const url = this.get('db-api-url');
    if (!url)
      throw new MissingInputError(
        this.label('db-api-url'),
        'Give the DB API base URL (the db-api stack output, or the local one).',
      );
    const host = new URL(this.url('db-api-url')).hostname;
    const auth = parseChoice(this.label('db-api-auth'), this.get('db-api-auth')!, [
      'auto',
      'iam',
      'none',
    ] as const);
    const sign = auth === 'iam' || (auth === 'auto' && regionFromHost(host) !== undefined);
    return new DbApiClient({
      url,
      ...(sign ? { sigv4: true } : {}),
      onRetry: (r) =>
        log(
          `retrying DB API ${r.method} ${r.path} (${r.status ?? 'no answer'}) in ${r.delayMs} ms`,
        ),
    });
  }

  /** The Sheet when it is asked for or possible, else the workbook. */
  async backend(
    client: DbApiClient | undefined,
    user: string,
    log: (m: string) => void,
  ): Promise<SheetBackend> {
    const kind = parseChoice(this.label('backend'), this.get('backend')!, [
      'auto',
      'sheets',
      'xlsx',
    ] as const);
    if (kind === 'xlsx') return new XlsxBackend(this.get('workbook')!);
    const keyJson = this.env.GOOGLE_SERVICE_ACCOUNT_KEY?.trim();
    const keyFile = this.get('credentials');
    const creds = googleCredentials(
      {
        ...(keyJson ? { keyJson } : {}),
        ...(keyFile ? { keyFile } : {}),
        adc: this.get('adc') === 'true',
      },
      this.env,
    );
    let id = this.get('spreadsheet-id');
    // The config row is looked up only when it could be used.
    if (!id && client && (creds || kind === 'sheets'))
      id = (await client.find('config', `${user}:sheets.spreadsheet_id`))?.value;
    if (kind === 'auto' && (!creds || !id)) {
      log(
        `no ${!creds ? 'Google credentials' : 'spreadsheet id'}: using the workbook ${this.get('workbook')}`,
      );
      return new XlsxBackend(this.get('workbook')!);
    }
    if (!creds)
      throw new MissingInputError(
        'GOOGLE_SERVICE_ACCOUNT_KEY, --credentials or --adc',
        'Give Google credentials for the Sheets API (a service-account key the spreadsheet is shared with).',
      );
    if (!id)
      throw new MissingInputError(
        this.label('spreadsheet-id'),
        `Give the spreadsheet id, or store it in the config row ${user}:sheets.spreadsheet_id.`,
      );
    if (!/^[A-Za-z0-9_-]{10,200}$/.test(id))
      throw new InputError(
        this.label('spreadsheet-id'),
        id,
        'a spreadsheet id: letters, digits, _ and - (the long id in the URL)',
      );
    log(`Google Sheets as ${creds.description}`);
    const api = new SheetsApi({
      rootUrl: this.url('sheets-api-url'),
      headers: creds.headers,
      onRetry: (r) =>
        log(
          `Sheets API ${r.call}: ${r.status ?? 'no answer'}${r.reason ? ` ${r.reason}` : ''}; retry ${r.attempt} in ${(r.delayMs / 1000).toFixed(1)} s`,
        ),
    });
    return new GoogleSheetsBackend(api, id);
  }
}

/** Text from a sheet cell or the database, safe on one log line: escaped, never a workflow command. */
export function shown(text: unknown): string {
  return JSON.stringify(String(text ?? ''))
    .slice(1, -1)
    .replace(/^::/, ': :');
}
