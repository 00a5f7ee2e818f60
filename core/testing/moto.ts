/**
 * Test support: a moto server (AWS emulator) on 127.0.0.1 on a free port, one
 * per test file, stopped when the file's tests end.
 *
 * moto is a Python package (`pip install "moto[server]"`). When it is missing
 * the integration tier is skipped with a reason printed, except in CI
 * (CI=true) or when MCFPIPE_REQUIRE_MOTO=1 (or MCFPIPE_REQUIRE_TIERS=1),
 * where a missing moto fails the run instead of silently testing less.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { freePort } from './ports.js';
import { tierAvailable } from './tiers.js';

export interface MotoServer {
  endpoint: string;
  port: number;
  /** Environment for an action child process or SDK client pointed at moto. */
  env: Record<string, string>;
  /** Configuration for an SDK client of the test itself (S3 clients add forcePathStyle). */
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
  /** Drops all state (POST /moto-api/reset). */
  reset(): Promise<void>;
}

const PYTHON = process.env.MCFPIPE_PYTHON ?? 'python3';

let found: boolean | undefined;

/** Whether moto can be started here (see tierAvailable); throws in CI when it cannot. */
export function motoAvailable(): boolean {
  if (found === undefined) {
    try {
      execFileSync(PYTHON, ['-c', 'import moto.server'], { stdio: 'ignore', timeout: 20_000 });
      found = true;
    } catch {
      found = false;
    }
  }
  return tierAvailable(
    'moto (AWS emulator)',
    found,
    `"${PYTHON} -c 'import moto.server'" failed: install it with pip install "moto[server]"`,
    'MCFPIPE_REQUIRE_MOTO',
  );
}

export async function startMoto(region = 'us-east-1'): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    PYTHON,
    ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`moto exited early (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto did not start on ${endpoint} within 20s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    port,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_SESSION_TOKEN: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    clientConfig: {
      endpoint,
      region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    },
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}
