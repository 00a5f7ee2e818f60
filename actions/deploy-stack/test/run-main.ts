/**
 * Runs the whole deploy-stack step in-process, as the runner would: inputs
 * as INPUT_* variables, outputs and summary read back from the
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, a failure explained the way
 * the step shows it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStepInProcess, type StepRun } from '../../lib/testing/run-step.js';
import { main } from '../src/action.js';
import type { Context } from '../src/context.js';

export type { StepRun };

export function runStep(inputs: Record<string, string>, ctx: Context): Promise<StepRun> {
  return runStepInProcess(() => main(() => ctx), { inputs });
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
