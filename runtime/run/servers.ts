/**
 * The servers of a local run, all in this process on 127.0.0.1: dynalite
 * (its files in the data folder) with the DB API in front, and the MCF
 * replay unless the run is live. `stop()` closes every one of them; a
 * failure to start one stops those already started.
 */
import { type LocalDbApi, startLocalDbApi } from '../db-api/local/server.js';
import { type ReplayServer, startReplayServer } from '../mcf-replay/server.js';
import { DynamoSource } from '../rows/dynamo-source.js';

/** A server that could not start: the message says why and what to do. */
export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
}

export interface LocalServersOptions {
  /** dynalite's folder. */
  dbDir: string;
  /** The DB API's port (default: a free one). */
  dbPort?: number;
  /** Start the MCF replay with this corpus (omit for a live run). */
  replay?: { jobs: number; seed: number };
}

export interface LocalServers {
  api: LocalDbApi;
  replay?: ReplayServer;
  /** The identity of the tables (see DynamoSource.storeId): the checkpoint's store id. */
  storeId: string;
  stop(): Promise<void>;
}

function portError(err: unknown, what: string, port: number | undefined, flag: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new ServerStartError(
      `Cannot start ${what}: port ${port} on 127.0.0.1 is in use (another mcfpipe run or db serve?). ` +
        `Stop that program, pick another port with ${flag}, or leave ${flag} out for a free one.`,
    );
  if (code === 'EACCES')
    return new ServerStartError(
      `Cannot start ${what}: port ${port} needs privileges; pick a port above 1024 with ${flag}.`,
    );
  if (code === 'ERR_MODULE_NOT_FOUND')
    return new ServerStartError(
      `Cannot start ${what}: the embedded DynamoDB (dynalite) is not installed here. ` +
        'Run mcfpipe run from a clone after npm ci (the container image carries only what runs in AWS).',
    );
  return new ServerStartError(`Cannot start ${what}: ${(err as Error).message}`);
}

export async function startLocalServers(opts: LocalServersOptions): Promise<LocalServers> {
  let api: LocalDbApi;
  try {
    api = await startLocalDbApi({
      dataDir: opts.dbDir,
      ...(opts.dbPort !== undefined ? { port: opts.dbPort } : {}),
    });
  } catch (err) {
    throw portError(err, 'the DB API', opts.dbPort, '--db-port');
  }
  let replay: ReplayServer | undefined;
  try {
    if (opts.replay)
      replay = await startReplayServer({
        corpus: { seed: opts.replay.seed, jobs: opts.replay.jobs },
        renderDelayMs: 0,
        log: false,
      });
    const storeId = await new DynamoSource({
      tablePrefix: api.tablePrefix,
      dynamo: api.dynamo,
    }).storeId();
    return {
      api,
      ...(replay ? { replay } : {}),
      storeId,
      async stop() {
        await replay?.stop();
        await api.stop();
      },
    };
  } catch (err) {
    await replay?.stop();
    await api.stop();
    throw err instanceof ServerStartError ? err : portError(err, 'the MCF replay', undefined, '');
  }
}
