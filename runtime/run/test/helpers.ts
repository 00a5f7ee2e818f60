/** `mcfpipe run` as a user runs it: a process in a folder of its own, and a look at its database afterwards. */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DbApiClient } from '../../db-api/client.js';
import { startLocalDbApi } from '../../db-api/local/server.js';
import type { TableName } from '../../schema/types.generated.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
const TSX = pathToFileURL(resolve(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  done: Promise<Finished>;
}

/** Starts `mcfpipe <args>` in `cwd` (JSON logs unless the args say otherwise). */
export function mcfpipe(cwd: string, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(
    process.execPath,
    ['--import', TSX, resolve(ROOT, 'runtime/cli.ts'), ...args],
    {
      cwd,
      env: {
        PATH: process.env.PATH,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<Finished>((res) =>
    child.on('exit', (code, signal) => res({ code, signal, stdout, stderr })),
  );
  return { child, stdout: () => stdout, done };
}

/** The `mcfpipe_run_summary` line of a JSON-logged run. */
export function runSummary(
  stdout: string,
): Record<string, unknown> & { stages: Array<Record<string, unknown>> } {
  const line = stdout.split('\n').find((l) => l.startsWith('{"mcfpipe_run_summary"'));
  if (!line) throw new Error(`no run summary in:\n${stdout.slice(-3000)}`);
  return JSON.parse(line).mcfpipe_run_summary;
}

export type Snapshot = Record<string, Map<string, Record<string, unknown>>>;

/** Every row of the tables of a data folder's database (opened after the run ended). */
export async function snapshot(dataDir: string, tables: TableName[]): Promise<Snapshot> {
  const api = await startLocalDbApi({ dataDir: resolve(dataDir, 'db') });
  try {
    const client = new DbApiClient({ url: api.url });
    const out: Snapshot = {};
    for (const t of tables) {
      const rows = new Map<string, Record<string, unknown>>();
      const key = api.store.table(t).key;
      for await (const row of client.listAll(t, { limit: 1000 }))
        rows.set(
          String((row as unknown as Record<string, unknown>)[key]),
          row as unknown as Record<string, unknown>,
        );
      out[t] = rows;
    }
    return out;
  } finally {
    await api.stop();
  }
}

/**
 * Rows without what differs between two runs that did the same work: write times, versions, and
 * job URLs (the replay serves its job pages on a port of its own, another each run).
 */
export function content(s: Snapshot): Record<string, Record<string, unknown>> {
  const drop = new Set([
    'created',
    'last_modified',
    'version',
    'scored_at',
    'first_seen',
    'last_seen',
    'url',
  ]);
  const out: Record<string, Record<string, unknown>> = {};
  for (const [t, rows] of Object.entries(s))
    out[t] = Object.fromEntries(
      [...rows]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([id, r]) => [
          id,
          Object.fromEntries(Object.entries(r).filter(([k]) => !drop.has(k))),
        ]),
    );
  return out;
}
