/**
 * What `mcfpipe sync`, `mcfpipe sheets init` and the sync stage of
 * `mcfpipe run` are pointed at: where the rows are (runtime/rows' storage
 * options), the user, and the Sheet or workbook with its credentials.
 * Resolved like every mcfpipe option (runtime/settings/options.ts): the
 * flag, else its environment variable, else the `sync` section of
 * mcfpipe.config.yaml, else the default.
 */
import { resolve } from 'node:path';
import { InputError, MissingInputError, parseBoolean, parseChoice } from '../../core/values.js';
import { openRowSource, parseUrl, storeOptions } from '../../runtime/rows/open.js';
import { RowStore } from '../../runtime/rows/store.js';
import {
  ConfigError,
  type ConfigFile,
  configSection,
  openConfigFile,
} from '../../runtime/settings/config-file.js';
import {
  helpText,
  type OptionSpec,
  Options,
  parseCommandLine,
} from '../../runtime/settings/options.js';
import type { SheetBackend } from '../backend.js';
import { SheetsApi } from '../google/api.js';
import { googleCredentials } from '../google/auth.js';
import { GoogleSheetsBackend } from '../google/backend.js';
import { XlsxBackend } from '../xlsx/backend.js';

/** The section of mcfpipe.config.yaml these options read. */
const SECTION = 'sync';

export const CONNECTION_OPTIONS: OptionSpec[] = [
  {
    flag: 'config',
    env: 'MCFPIPE_CONFIG',
    arg: 'FILE',
    help: 'The configuration file (default: mcfpipe.config.yaml in the current folder, if any)',
  },
  ...storeOptions('SYNC_STORE'),
  { flag: 'user', env: 'MCFPIPE_USER', arg: 'USER_ID', def: 'me', help: 'Whose CRM this is' },
  {
    flag: 'backend',
    env: 'SHEETS_BACKEND',
    config: `${SECTION}.backend`,
    arg: 'auto|sheets|xlsx',
    def: 'auto',
    help: 'auto: Google Sheets with a spreadsheet id and credentials, else the workbook',
  },
  {
    flag: 'spreadsheet-id',
    env: 'SHEETS_SPREADSHEET_ID',
    config: `${SECTION}.spreadsheet_id`,
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
    config: `${SECTION}.workbook`,
    arg: 'FILE',
    help: 'The .xlsx workbook used without Google credentials (default .local-data/crm/<user>.xlsx, the one npm start writes)',
  },
];

/** The `sync` keys of the configuration file; an unknown one is refused (a typo never falls back to a default). */
export function checkSyncSection(file: ConfigFile | undefined): void {
  const known = CONNECTION_OPTIONS.flatMap((o) =>
    o.config?.startsWith(`${SECTION}.`) ? [o.config.slice(SECTION.length + 1)] : [],
  );
  for (const key of Object.keys(configSection(file, SECTION)))
    if (!known.includes(key))
      throw new ConfigError(
        `${file!.path}: unknown setting "${SECTION}.${key}"; known: ${known.join(', ')}`,
      );
}

/** --help text of a sheets command (credentials are not options: they are named at the end). */
export function commandHelp(usage: string, about: string, specs: readonly OptionSpec[]): string {
  return `${helpText(usage, about, specs)}\n\nGoogle credentials: GOOGLE_SERVICE_ACCOUNT_KEY (the key's JSON), --credentials, or --adc.`;
}

/**
 * A command's options from its command line, the environment and the
 * configuration file; or the exit code when there is nothing to run:
 * 0 after --help, 2 after a usage error (both printed).
 */
export function commandOptions(
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  specs: readonly OptionSpec[],
  help: () => string,
): { options: Options; positionals: string[] } | number {
  const parsed = parseCommandLine(command, argv, specs, help, true);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  try {
    const file = openConfigFile(values, env);
    checkSyncSection(file);
    return { options: new Options(specs, values, env, file), positionals };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`mcfpipe ${command}: ${err.message}`);
    return 2;
  }
}

/** The user whose CRM this is, checked against the schema's USER_ID format. */
export function syncUser(o: Options): string {
  return o.userId()!;
}

/** The rows the storage options name (the DB API, signed when it is AWS's; or DynamoDB). */
export function openRows(o: Options, log: (m: string) => void): RowStore {
  return new RowStore(
    openRowSource(o, (r) =>
      log(`retrying DB API ${r.method} ${r.path} (${r.status ?? 'no answer'}) in ${r.delayMs} ms`),
    ),
  );
}

/** Whether any storage option is given (`sheets init` needs the rows only to find the spreadsheet id). */
export function rowsGiven(o: Options): boolean {
  return ['store', 'db-api-url', 'table-prefix'].some((f) => o.given(f));
}

/** The Sheet when it is asked for or possible, else the workbook. */
export async function openBackend(
  o: Options,
  rows: RowStore | undefined,
  user: string,
  log: (m: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<SheetBackend> {
  const kind = parseChoice(o.label('backend'), o.get('backend')!, [
    'auto',
    'sheets',
    'xlsx',
  ] as const);
  const workbookPath = o.path('workbook') ?? resolve('.local-data', 'crm', `${user}.xlsx`);
  const workbook = () => new XlsxBackend(workbookPath);
  if (kind === 'xlsx') return workbook();
  const keyJson = env.GOOGLE_SERVICE_ACCOUNT_KEY?.trim();
  const keyFile = o.get('credentials');
  const creds = googleCredentials(
    {
      ...(keyJson ? { keyJson } : {}),
      ...(keyFile ? { keyFile } : {}),
      adc: parseBoolean(o.label('adc'), o.get('adc') ?? 'false'),
    },
    env,
  );
  let id = o.get('spreadsheet-id');
  // The config row is looked up only when it could be used.
  if (!id && rows && (creds || kind === 'sheets')) {
    const row = `${user}:sheets.spreadsheet_id`;
    id = (await rows.getMany('config', [row])).get(row)?.value;
  }
  if (kind === 'auto' && (!creds || !id)) {
    log(
      `no ${!creds ? 'Google credentials' : 'spreadsheet id'}: using the workbook ${workbookPath}`,
    );
    return workbook();
  }
  if (!creds)
    throw new MissingInputError(
      'GOOGLE_SERVICE_ACCOUNT_KEY, --credentials or --adc',
      'Give Google credentials for the Sheets API (a service-account key the spreadsheet is shared with).',
    );
  if (!id)
    throw new MissingInputError(
      o.label('spreadsheet-id'),
      `Give the spreadsheet id, or store it in the config row ${user}:sheets.spreadsheet_id.`,
    );
  if (!/^[A-Za-z0-9_-]{10,200}$/.test(id))
    throw new InputError(
      o.label('spreadsheet-id'),
      id,
      'a spreadsheet id: letters, digits, _ and - (the long id in the URL)',
    );
  log(`Google Sheets as ${creds.description}`);
  const api = new SheetsApi({
    rootUrl: parseUrl(o.label('sheets-api-url'), o.get('sheets-api-url')!),
    headers: creds.headers,
    onRetry: (r) =>
      log(
        `Sheets API ${r.call}: ${r.status ?? 'no answer'}${r.reason ? ` ${r.reason}` : ''}; retry ${r.attempt} in ${(r.delayMs / 1000).toFixed(1)} s`,
      ),
  });
  return new GoogleSheetsBackend(api, id);
}
