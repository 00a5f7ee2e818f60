/**
 * Test support: runs an action's main (or post) function in-process, as the
 * runner would run the step: inputs as INPUT_* variables, state from an
 * earlier phase as STATE_* variables, and the GITHUB_OUTPUT / GITHUB_STATE /
 * GITHUB_STEP_SUMMARY files read back afterwards; a failure is explained the
 * way the step shows it. Use with vitest (the variables are set with
 * vi.stubEnv, undone after each test).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { explainError } from '../../../core/errors.js';
import { parseCommandFile } from './run-action.js';

export interface StepRun {
  /** The step's failure message, as core.setFailed would show it; undefined on success. */
  error: string | undefined;
  outputs: Record<string, string>;
  /** State saved with core.saveState. */
  state: Record<string, string>;
  summary: string;
  /** Everything written to stdout (log lines and workflow commands such as ::add-mask::). */
  stdout: string;
}

// @actions/core remembers the summary file's path after its first write, so
// every run in this process uses the same files, emptied before each run.
const DIR = mkdtempSync(join(tmpdir(), 'mcfpipe-step-'));

export async function runStepInProcess(
  step: () => Promise<void>,
  opts: { inputs?: Record<string, string>; state?: Record<string, string> } = {},
): Promise<StepRun> {
  const files = {
    GITHUB_OUTPUT: join(DIR, 'output'),
    GITHUB_STATE: join(DIR, 'state'),
    GITHUB_STEP_SUMMARY: join(DIR, 'summary'),
  };
  for (const [k, f] of Object.entries(files)) {
    writeFileSync(f, '');
    vi.stubEnv(k, f);
  }
  for (const k of Object.keys(process.env)) {
    if (k.startsWith('INPUT_') || k.startsWith('STATE_')) vi.stubEnv(k, '');
  }
  for (const [k, v] of Object.entries(opts.inputs ?? {})) {
    vi.stubEnv(`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v);
  }
  for (const [k, v] of Object.entries(opts.state ?? {})) vi.stubEnv(`STATE_${k}`, v);
  let stdout = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  let error: string | undefined;
  try {
    await step();
  } catch (err) {
    error = explainError(err);
  } finally {
    write.mockRestore();
  }
  return {
    error,
    outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    state: parseCommandFile(readFileSync(files.GITHUB_STATE, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    stdout,
  };
}
