/**
 * The DB API tester: runs the suite against DB_API_URL and exits 0 only when
 * every case passed (1 when any failed, 2 on a usage or configuration error).
 * It is the container's entry point: the tester workflow reads the Fargate
 * task's exit code as the verdict.
 *
 *   DB_API_URL=https://abc123.execute-api.ap-southeast-1.amazonaws.com node tester.mjs
 *   node tester.mjs --url http://127.0.0.1:8080 --junit results.xml
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InputError, MissingInputError, parseChoice, parseInteger } from '../../core/values.js';
import { DbApiClient } from '../db-api/client.js';
import { regionFromHost } from '../db-api/sigv4.js';
import { CASES } from './cases.js';
import { renderJUnit } from './junit.js';
import { newNamespace, runSuite } from './suite.js';

export const USAGE = `Usage: tester [options]

Runs the DB API test suite against a deployed (or local) DB API.

Options (environment variable in brackets):
  --url URL           the DB API's base URL [DB_API_URL] (required)
  --auth MODE         iam (SigV4-sign requests, for AWS_IAM auth), none, or auto:
                      iam for an execute-api host name, else none [DB_API_AUTH] (default auto)
  --region REGION     region for signing (default: from the URL, else AWS_REGION)
  --junit FILE        also write a JUnit XML report to FILE [TESTER_JUNIT_FILE]
  --namespace ID      the test user_id; must start with tester- [TESTER_NAMESPACE]
                      (default tester-<random>; its items are deleted at the end)
  --only TEXT         run only the cases whose name contains TEXT [TESTER_ONLY]
  --timeout-ms N      per-request timeout (default 30000)
  --attempts N        attempts per request on 429, 5xx and network errors (default 5)
  --list              list the cases and exit
  --help              this text

Exit code: 0 when every case passed, 1 when any failed, 2 on a usage error.`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const AUTH_MODES = ['auto', 'iam', 'none'] as const;
const NAMESPACE = /^tester-[a-z0-9_-]{1,57}$/;

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CliIo = {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  },
): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  if (args.list) {
    for (const c of CASES) io.out(c.name);
    return 0;
  }
  let client: DbApiClient;
  let ns: string;
  let junit: string | undefined;
  try {
    const url = args.url ?? env.DB_API_URL;
    if (!url) {
      throw new MissingInputError(
        '--url / DB_API_URL',
        'Pass the DB API base URL, e.g. https://abc123.execute-api.ap-southeast-1.amazonaws.com (the db-api stack output).',
      );
    }
    let host: string;
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      host = u.hostname;
    } catch {
      throw new InputError('--url / DB_API_URL', url, 'an http:// or https:// URL');
    }
    const auth = parseChoice(
      '--auth / DB_API_AUTH',
      args.auth ?? env.DB_API_AUTH ?? 'auto',
      AUTH_MODES,
    );
    const sign = auth === 'iam' || (auth === 'auto' && regionFromHost(host) !== undefined);
    const timeoutMs = parseInteger('--timeout-ms', args['timeout-ms'] ?? '30000', {
      min: 100,
      max: 600_000,
    });
    const attempts = parseInteger('--attempts', args.attempts ?? '5', { min: 1, max: 20 });
    ns = args.namespace ?? env.TESTER_NAMESPACE ?? newNamespace();
    if (!NAMESPACE.test(ns)) {
      throw new InputError(
        '--namespace / TESTER_NAMESPACE',
        ns,
        'tester- followed by up to 57 of a-z, 0-9, _ and - (its items are deleted)',
      );
    }
    junit = args.junit ?? env.TESTER_JUNIT_FILE;
    client = new DbApiClient({
      url,
      timeoutMs,
      attempts,
      ...(sign ? { sigv4: args.region ? { region: args.region } : true } : {}),
    });
    io.out(`auth: ${sign ? 'SigV4 (AWS_IAM)' : 'none'}`);
  } catch (err) {
    io.err(err instanceof Error ? err.message : String(err));
    return 2;
  }

  const only = args.only ?? env.TESTER_ONLY;
  const suite = await runSuite(CASES, { client, ns, ...(only ? { only } : {}), out: io.out });
  if (junit) {
    try {
      writeFileSync(junit, renderJUnit(suite, { url: client.url }));
      io.out(`JUnit report: ${junit}`);
    } catch (err) {
      io.err(`Cannot write the JUnit report to ${junit}: ${(err as Error).message}`);
      return 2;
    }
  }
  if (suite.results.length === 0) {
    io.err(`No case matches --only ${JSON.stringify(only)}; see --list.`);
    return 2;
  }
  return suite.failed === 0 ? 0 : 1;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: 'string' },
      auth: { type: 'string' },
      region: { type: 'string' },
      junit: { type: 'string' },
      namespace: { type: 'string' },
      only: { type: 'string' },
      'timeout-ms': { type: 'string' },
      attempts: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  }).values;
}

const entry = process.argv[1] ?? '';
if (/(^|[\\/])(cli\.ts|tester\.mjs)$/.test(entry)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `tester crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
