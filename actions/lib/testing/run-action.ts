/**
 * Test support: runs a bundled action (`actions/<name>/dist/index.js`) as a
 * child process the way the GitHub runner does: inputs as INPUT_* variables,
 * GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY / GITHUB_ENV files, and
 * reads them back afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface ActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  env: Record<string, string>;
  summary: string;
}

export interface RunActionOptions {
  /** Path of the script to run, relative to the repository root. */
  script: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** State saved by an earlier phase (for post steps): STATE_* variables. */
  state?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  node?: string;
  /**
   * Sees the output as it arrives, with a way to signal the process, e.g. to
   * cancel it (SIGINT, as the runner does) or kill it once a line appears.
   */
  onStdout?: (stdoutSoFar: string, kill: (signal: NodeJS.Signals) => void) => void;
}

const ROOT = resolve(import.meta.dirname, '../../..');

/** Parses a GITHUB_OUTPUT-style file (`name<<delimiter` blocks and `name=value` lines). */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      const eq = line.indexOf('=');
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

export async function runBundledAction(opts: RunActionOptions): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'mcfpipe-action-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
  };
  await Promise.all(Object.values(files).map((f) => writeFile(f, '')));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo/mcfpipe',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'test',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: dir,
    ...files,
    ...opts.env,
  };
  for (const [k, v] of Object.entries(opts.inputs ?? {}))
    env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(opts.state ?? {})) env[`STATE_${k}`] = v;
  try {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (res, rej) => {
        const child = spawn(opts.node ?? process.execPath, [resolve(ROOT, opts.script)], {
          cwd: opts.cwd ?? ROOT,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
          opts.onStdout?.(stdout, (signal) => child.kill(signal));
        });
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
        child.on('error', rej);
        child.on('close', (code) => {
          clearTimeout(timer);
          res({ code: code ?? -1, stdout, stderr });
        });
      },
    );
    const [outputs, state, envFile, summary] = await Promise.all([
      readFile(files.GITHUB_OUTPUT, 'utf8'),
      readFile(files.GITHUB_STATE, 'utf8'),
      readFile(files.GITHUB_ENV, 'utf8'),
      readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    ]);
    return {
      exitCode: result.code,
      stdout: result.stdout,
      stderr: result.stderr,
      outputs: parseCommandFile(outputs),
      state: parseCommandFile(state),
      env: parseCommandFile(envFile),
      summary,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a bundled action pointed at an AWS endpoint nothing listens on
 * (127.0.0.1 port 9), for failures that must come before any AWS call:
 * `reachedAws` is true when the action tried to connect anyway.
 */
export async function runWithoutAws(
  script: string,
  inputs: Record<string, string>,
): Promise<ActionRun & { reachedAws: boolean }> {
  const run = await runBundledAction({
    script,
    inputs,
    env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
  });
  return { ...run, reachedAws: /ECONNREFUSED/.test(run.stdout + run.stderr) };
}
