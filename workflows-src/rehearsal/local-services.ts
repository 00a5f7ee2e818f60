/**
 * What the rehearsal serves on 127.0.0.1 where the emulator has nothing to
 * offer, each standing for one service and used only through the endpoints
 * the workflows already read:
 *
 * - the DB API: moto models neither API Gateway v2 nor Lambda's runtime, so
 *   the db-api stack's URL answers nothing. The Lambda's own handler serves
 *   the environment's tables, the ones db-api.yml created in moto;
 * - Google's Sheets API: the Sheets-v4-compatible server of sheets/testing,
 *   which checks the signature of the service-account key made here (the key
 *   the workflow gets as its GOOGLE_SERVICE_ACCOUNT_KEY secret).
 */
import { generateKeyPairSync } from 'node:crypto';
import type { MotoServer } from '../../core/testing/moto.js';
import { createHandler } from '../../runtime/db-api/http/handler.js';
import { type Listening, serveHandler } from '../../runtime/db-api/local/server.js';
import { createDynamoClient } from '../../runtime/db-api/store/dynamo-client.js';
import { TableStore } from '../../runtime/db-api/store/table-store.js';
import { type FakeSheetsServer, startFakeSheets } from '../../sheets/testing/fake-sheets.js';

/** The DB API's handler over moto's DynamoDB, started on first use (after db-api.yml). */
export class DbApiOverMoto {
  private listening?: Promise<Listening>;
  private readonly dynamo;

  constructor(
    moto: MotoServer,
    region: string,
    readonly tablePrefix: string,
  ) {
    this.dynamo = createDynamoClient({ localEndpoint: moto.endpoint, region, maxAttempts: 3 });
  }

  async url(): Promise<string> {
    this.listening ??= serveHandler(
      createHandler({
        store: new TableStore({ dynamo: this.dynamo, tablePrefix: this.tablePrefix }),
        log: () => {},
      }),
    );
    return (await this.listening).url;
  }

  async close(): Promise<void> {
    if (this.listening) await (await this.listening).stop();
    this.dynamo.destroy();
  }
}

export interface GoogleStandIn {
  sheets: FakeSheetsServer;
  /** The service-account key's JSON: what the secret holds. */
  keyJson: string;
}

/** The local Sheets server with one spreadsheet, and a key it accepts. */
export async function startGoogle(spreadsheetId: string): Promise<GoogleStandIn> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sheets = await startFakeSheets({
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  sheets.book(spreadsheetId);
  const keyJson = JSON.stringify({
    type: 'service_account',
    project_id: 'mcfpipe-rehearsal',
    private_key_id: 'rehearsal',
    client_email: 'mcfpipe-sync@mcfpipe-rehearsal.iam.gserviceaccount.com',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  });
  return { sheets, keyJson };
}
