/** A sync against the fake Sheets server and an in-memory database, for tests and benchmarks. */
import type { Clock } from '../../core/clock.js';
import { VirtualClock } from '../../core/testing/virtual-clock.js';
import { RowStore } from '../../runtime/rows/store.js';
import { SheetsApi } from '../google/api.js';
import { GoogleSheetsBackend } from '../google/backend.js';
import { ViewStore } from '../store.js';
import { type SyncReport, sync } from '../sync.js';
import { type FakeSheetsServer, startFakeSheets } from './fake-sheets.js';
import type { Tables } from './fixtures.js';

export interface Harness {
  server: FakeSheetsServer;
  tables: Tables;
  id: string;
  run(opts?: {
    /** The clock retries wait on (default: a virtual one, no real waiting). */
    clock?: Clock;
    attempts?: number;
  }): Promise<SyncReport & { api: SheetsApi }>;
  close(): Promise<void>;
}

export async function startHarness(tables: Tables, id = 'sheet-1'): Promise<Harness> {
  const server = await startFakeSheets();
  server.book(id);
  return {
    server,
    tables,
    id,
    async run(opts = {}) {
      const api = new SheetsApi({
        rootUrl: server.url,
        headers: async () => ({ authorization: 'Bearer test-token' }),
        clock: opts.clock ?? new VirtualClock(0),
        attempts: opts.attempts ?? 6,
        random: () => 0.5,
      });
      const backend = new GoogleSheetsBackend(api, id);
      const store = new ViewStore(new RowStore(tables));
      const report = await sync({ backend, store, user: 'me' });
      return { ...report, api };
    },
    close: () => server.close(),
  };
}
