#!/usr/bin/env -S npx --no-install tsx
/**
 * `mcfpipe`: the runtime's command line. One command per part of the
 * pipeline; each is loaded only when run, so `mcfpipe scrape` does not load
 * what other commands need.
 *
 *   npm run mcfpipe -- scrape --help          (from a clone, through tsx)
 *   node /app/mcfpipe.mjs scrape              (in the container, bundled)
 *
 * Exit codes: 0 done, 1 failed, 2 bad usage, 3 stopped early and resumable
 * (run again to continue).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../core/version.js';

export interface Command {
  summary: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  load(): Promise<{ run(argv: string[]): Promise<number> }>;
}

export const COMMANDS: Record<string, Command> = {
  run: {
    summary:
      'Run the whole pipeline on this machine (npm start): local database, scrape, score, ...',
    load: () => import('./run/command.js'),
  },
  init: {
    summary: 'Write an example mcfpipe.config.yaml (settings and a profile to edit)',
    load: () => import('./run/init.js'),
  },
  db: {
    summary: 'db serve: the DB API on the local data folder, until Ctrl-C',
    load: () => import('./run/db-serve.js'),
  },
  scrape: {
    summary: 'Scrape MyCareersFuture for the tracks in the database (job and job_search rows)',
    load: () => import('./webscraper/cli.js'),
  },
  score: {
    summary:
      'Score the users’ jobs against their tracks and keywords (job_score rows); only what changed',
    load: () => import('./scoring/cli.js'),
  },
  sync: {
    summary: 'Sync the CRM spreadsheet (or local workbook) with the database, both ways',
    load: () => import('../sheets/cli/sync.js'),
  },
  sheets: {
    summary: 'sheets init: create or repair the CRM spreadsheet tabs (or local workbook)',
    load: () => import('../sheets/cli/sheets.js'),
  },
  parse: {
    summary:
      'Parse saved MCF records and job pages (JSON, JSON Lines, gzip archives, HTML) into job rows',
    load: () => import('./webscraper/parse/cli.js'),
  },
  report: {
    summary:
      'Export the tables to the analytics SQLite file and write the HTML report (charts, top new jobs)',
    load: () => import('./report/cli.js'),
  },
};

export function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'Usage: mcfpipe <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`),
    '',
    'Run "mcfpipe <command> --help" for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    console.log(VERSION);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`mcfpipe: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let loaded: Awaited<ReturnType<Command['load']>>;
  try {
    loaded = await command.load();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    console.error(
      `mcfpipe ${name} is not part of this build (${(err as Error).message.split('\n')[0]}): ` +
        'the container carries the commands that run in AWS; run this one from a clone (npm ci).',
    );
    return 1;
  }
  return loaded.run(rest);
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
