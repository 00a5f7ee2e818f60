/**
 * Runs the whole deploy-stack step in-process, as the runner would: inputs
 * as INPUT_* variables, outputs and summary read back from the
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, a failure explained the way
 * the step shows it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { explainError } from '../../lib/errors.js';
import { parseCommandFile } from '../../lib/testing/run-action.js';
import { main } from '../src/action.js';
import type { Context } from '../src/context.js';

export interface StepRun {
  /** The step's failure message, as core.setFailed would show it; undefined on success. */
  error: string | undefined;
  outputs: Record<string, string>;
  summary: string;
  /** Everything written to stdout (workflow commands such as ::add-mask::). */
  stdout: string;
}

// @actions/core remembers the summary file's path after its first write, so
// every run in this process uses the same files, emptied before each run.
const DIR = mkdtempSync(join(tmpdir(), 'deploy-stack-'));

export async function runStep(inputs: Record<string, string>, ctx: Context): Promise<StepRun> {
  const files = { GITHUB_OUTPUT: join(DIR, 'output'), GITHUB_STEP_SUMMARY: join(DIR, 'summary') };
  for (const [k, f] of Object.entries(files)) {
    writeFileSync(f, '');
    vi.stubEnv(k, f);
  }
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) vi.stubEnv(k, '');
  for (const [k, v] of Object.entries(inputs)) vi.stubEnv(`INPUT_${k.toUpperCase()}`, v);
  let stdout = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  let error: string | undefined;
  try {
    await main(() => ctx);
  } catch (err) {
    error = explainError(err);
  } finally {
    write.mockRestore();
  }
  return {
    error,
    outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    stdout,
  };
}

/** Writes a template into a fresh temporary directory; returns its path. */
export function templateFile(text: string, name = 'template.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-stack-tpl-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

export const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Description: jobs queue
Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, staging, prod]
  ApiKey:
    Type: String
    NoEcho: true
    Default: ''
  Retention:
    Type: Number
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '\${AWS::StackName}-\${Env}'
      MessageRetentionPeriod: !Ref Retention
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  QueueUrl:
    Value: !Ref Queue
  TopicArn:
    Value: !Ref Topic
`;
