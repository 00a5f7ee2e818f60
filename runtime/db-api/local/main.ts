/**
 * Runs the DB API locally until interrupted:
 *
 *   npm run db-api:local -- [--port 8080] [--data-dir .local-data/dynalite] [--prefix mcfpipe-local-] [--quiet]
 *
 * Prints the URL; point DB_API_URL (or the tester's --url) at it. Data lives
 * in memory unless --data-dir is given.
 */
import { parseArgs } from 'node:util';
import { parseInteger } from '../../../core/values.js';
import { startLocalDbApi } from './server.js';

const USAGE = `Usage: npm run db-api:local -- [options]

Runs the DB API on 127.0.0.1 until interrupted (Ctrl-C), on dynalite; prints its URL.
Point DB_API_URL (or the tester's --url) at it.

Options:
  --port N          port to listen on (default: one the system picks)
  --data-dir DIR    keep the data in DIR (default: in memory)
  --prefix PREFIX   table name prefix (default: mcfpipe-local-)
  --quiet           no request log
  --help, -h        this text`;

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      prefix: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = values.port ? parseInteger('--port', values.port, { min: 0, max: 65535 }) : 0;
  const api = await startLocalDbApi({
    port,
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values.prefix ? { tablePrefix: values.prefix } : {}),
    ...(values.quiet ? {} : { log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`) }),
  });
  process.stdout.write(
    `DB API listening on ${api.url} (DynamoDB: dynalite at ${api.dynamoEndpoint}, tables ${api.tablePrefix}*)\n`,
  );
  const stop = async () => {
    await api.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
