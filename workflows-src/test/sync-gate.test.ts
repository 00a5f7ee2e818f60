/**
 * The first step of webscraper.yml's sync job decides whether the CRM sync
 * runs: skipped with a notice without the Google key (a fork, a user without
 * a spreadsheet), failed with what to set when the key is there but the sync
 * role is not. Run here as the runner runs it: the committed script in bash.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WORKFLOW_DIR } from '../cli.js';

const workflow = parse(readFileSync(join(WORKFLOW_DIR, 'webscraper.yml'), 'utf8')) as {
  jobs: Record<string, { steps: { id?: string; if?: string; run?: string }[] }>;
};
const steps = workflow.jobs.sync!.steps;
const gate = steps.find((s) => s.id === 'key')!;
const dir = mkdtempSync(join(tmpdir(), 'mcfpipe-sync-gate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runGate(env: Record<string, string>) {
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  let stdout = '';
  let code = 0;
  try {
    stdout = execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', gate.run!], {
      env: { PATH: process.env.PATH ?? '', ...files, ...env },
      encoding: 'utf8',
    });
  } catch (err) {
    const e = err as { status: number; stdout: string };
    code = e.status;
    stdout = e.stdout;
  }
  return {
    code,
    stdout,
    output: readFileSync(files.GITHUB_OUTPUT, 'utf8'),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
  };
}

describe('the sync gate (webscraper.yml, job sync, step key)', () => {
  it('every later step of the job runs only when the gate says configured', () => {
    expect(steps[0]).toBe(gate);
    for (const step of steps.slice(1))
      expect(step.if).toBe("steps.key.outputs.configured == 'true'");
  });

  it('without the Google key: a notice, a line in the summary, configured=false, exit 0', () => {
    const r = runGate({ KEY_SET: 'false', SYNC_ROLE: '' });
    expect(r.code).toBe(0);
    expect(r.output).toBe('configured=false\n');
    expect(r.stdout).toMatch(
      /^::notice title=CRM sync skipped::No GOOGLE_SERVICE_ACCOUNT_KEY secret/m,
    );
    expect(r.summary).toContain('CRM sync skipped');
  });

  it('with the key but no sync role: an error naming AWS_SYNC_ROLE_ARN and where it comes from', () => {
    const r = runGate({ KEY_SET: 'true', SYNC_ROLE: '' });
    expect(r.code).toBe(1);
    expect(r.output).toBe('');
    expect(r.stdout).toMatch(/^::error title=CRM sync::.*AWS_SYNC_ROLE_ARN.*SyncRoleArn/m);
  });

  it('with both: configured=true and nothing printed', () => {
    const r = runGate({
      KEY_SET: 'true',
      SYNC_ROLE: 'arn:aws:iam::123456789012:role/mcfpipe-dev-sheets-sync',
    });
    expect(r.code).toBe(0);
    expect(r.output).toBe('configured=true\n');
    expect(r.stdout).toBe('');
  });
});
