import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./fixtures/timeout-under-gc.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('per-attempt timeout under garbage collection', () => {
  it(`fires on time although collections run while the request is open (Node ${process.versions.node})`, async () => {
    const timeoutMs = 400;
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script, String(timeoutMs)],
      { cwd: root, timeout: 20_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      code: string;
      elapsedMs: number | null;
    };
    expect(result.code).toBe('TIMEOUT');
    expect(result.elapsedMs).toBeGreaterThanOrEqual(timeoutMs - 20);
    expect(result.elapsedMs).toBeLessThan(timeoutMs * 4);
  }, 30_000);
});
