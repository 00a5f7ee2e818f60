/**
 * Google credentials for the Sheets API, in this order:
 * 1. a service-account key given as JSON text (GOOGLE_SERVICE_ACCOUNT_KEY,
 *    what a GitHub secret holds);
 * 2. a key file (--credentials / GOOGLE_APPLICATION_CREDENTIALS);
 * 3. application default credentials (gcloud auth application-default login,
 *    or the metadata server on Google Cloud), when asked for or found.
 * A service account signs its own short-lived JWT with the Sheets scope (no
 * token exchange); other credentials get tokens the usual way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { GoogleAuth } from 'google-auth-library';
import { InputError } from '../../core/values.js';

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

export interface CredentialSource {
  /** What the credentials are, for messages (never the key itself). */
  description: string;
  headers: (url: string) => Promise<Record<string, string>>;
}

export interface AuthSettings {
  /** The key's JSON text. */
  keyJson?: string;
  /** Path to a key file. */
  keyFile?: string;
  /** Use application default credentials even when no ADC file is found (e.g. on Google Cloud). */
  adc?: boolean;
}

interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
}

function parseKey(name: string, text: string): ServiceAccountKey {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InputError(
      name,
      '(not shown)',
      'the JSON of a Google service-account key (the file the Cloud console downloads)',
    );
  }
  const k = v as Partial<ServiceAccountKey>;
  if (
    k?.type !== 'service_account' ||
    typeof k.client_email !== 'string' ||
    typeof k.private_key !== 'string'
  )
    throw new InputError(
      name,
      '(not shown)',
      'a service-account key: JSON with "type": "service_account", "client_email" and "private_key"',
    );
  return k as ServiceAccountKey;
}

/** The ADC file gcloud writes, if any. */
export function adcFile(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.CLOUDSDK_CONFIG ?? join(env.APPDATA ?? join(homedir(), '.config'), 'gcloud');
  const file = join(dir, 'application_default_credentials.json');
  return existsSync(file) ? file : undefined;
}

/** Credentials from the settings, or undefined when there are none (the connector then uses the workbook). */
export function googleCredentials(
  settings: AuthSettings,
  env: NodeJS.ProcessEnv,
): CredentialSource | undefined {
  if (settings.keyJson) {
    const key = parseKey('GOOGLE_SERVICE_ACCOUNT_KEY', settings.keyJson);
    return fromAuth(
      new GoogleAuth({ credentials: key, scopes: [SHEETS_SCOPE] }),
      `service account ${key.client_email}`,
      true,
    );
  }
  if (settings.keyFile) {
    let text: string;
    try {
      text = readFileSync(settings.keyFile, 'utf8');
    } catch (err) {
      throw new InputError(
        '--credentials / GOOGLE_APPLICATION_CREDENTIALS',
        settings.keyFile,
        `a readable key file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      );
    }
    const parsed = JSON.parse(text) as { type?: string; client_email?: string };
    if (parsed.type === 'service_account') {
      const key = parseKey(settings.keyFile, text);
      return fromAuth(
        new GoogleAuth({ credentials: key, scopes: [SHEETS_SCOPE] }),
        `service account ${key.client_email}`,
        true,
      );
    }
    return fromAuth(
      new GoogleAuth({ keyFile: settings.keyFile, scopes: [SHEETS_SCOPE] }),
      `credentials file ${settings.keyFile}`,
      false,
    );
  }
  if (settings.adc || adcFile(env)) {
    return fromAuth(
      new GoogleAuth({ scopes: [SHEETS_SCOPE] }),
      'application default credentials',
      false,
    );
  }
  return undefined;
}

function fromAuth(auth: GoogleAuth, description: string, selfSigned: boolean): CredentialSource {
  // Service accounts sign their own JWT with the scope: no round trip to the token endpoint.
  if (selfSigned) auth.useJWTAccessWithScope = true;
  return {
    description,
    headers: async (url) => {
      const h = await auth.getRequestHeaders(url);
      const out: Record<string, string> = {};
      h.forEach((value, name) => {
        out[name] = value;
      });
      return out;
    },
  };
}
