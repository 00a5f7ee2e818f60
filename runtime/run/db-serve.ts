/**
 * `mcfpipe db serve`: the DB API on the data folder's database, until
 * Ctrl-C: to look at the tables a run left (GET /job_score?user_id=me), to
 * edit tracks and keywords, or for the Sheets connector. Same data folder,
 * same lock as `mcfpipe run` (one of them at a time).
 */
import { InputError, parseInteger } from '../../core/values.js';
import { ConfigError, openConfigFile } from '../settings/config-file.js';
import { helpText, type OptionSpec, Options, parseCommandLine } from '../settings/options.js';
import { DataFolderError, openDataFolder } from './data-folder.js';
import { ServerStartError, startLocalServers } from './servers.js';

const OPTIONS: OptionSpec[] = [
  {
    flag: 'config',
    env: 'MCFPIPE_CONFIG',
    arg: 'FILE',
    help: 'The configuration file (default: mcfpipe.config.yaml in the current folder, if any)',
  },
  { flag: 'data', config: 'run.data', arg: 'DIR', def: '.local-data', help: 'The data folder' },
  {
    flag: 'port',
    config: 'run.db_port',
    arg: 'PORT',
    help: 'Port on 127.0.0.1 (default: a free one)',
  },
];

function help(): string {
  return helpText(
    'mcfpipe db serve [options]',
    'Serves the DB API (runtime/db-api/API.md) on the data folder’s database until Ctrl-C.',
    OPTIONS,
  );
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    console.log(
      `Usage: mcfpipe db serve [options]\n\nCommands:\n  serve  ${help().split('\n')[2]}`,
    );
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'serve') {
    console.error(`mcfpipe db: unknown command "${sub}"; the one command is "serve"`);
    return 2;
  }
  const parsed = parseCommandLine('db serve', rest, OPTIONS, help);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  let servers: Awaited<ReturnType<typeof startLocalServers>>;
  let release: () => void;
  try {
    const o = new Options(OPTIONS, values, env, openConfigFile(values, env));
    const port = o.get('port');
    const data = openDataFolder(o.path('data')!, 'mcfpipe db serve');
    release = () => data.release();
    try {
      servers = await startLocalServers({
        dbDir: data.db,
        ...(port ? { dbPort: parseInteger(o.label('port'), port, { min: 1, max: 65535 }) } : {}),
      });
    } catch (err) {
      data.release();
      throw err;
    }
    console.log(`DB API on ${servers.api.url} (data in ${data.root}); Ctrl-C to stop`);
  } catch (err) {
    if (
      err instanceof InputError ||
      err instanceof ConfigError ||
      err instanceof DataFolderError ||
      err instanceof ServerStartError
    ) {
      console.error(`mcfpipe db serve: ${err.message}`);
      return 2;
    }
    throw err;
  }
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await servers.stop();
  release();
  console.log('DB API stopped');
  return 0;
}
