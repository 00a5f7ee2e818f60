/**
 * cfn-lint on every template as deployed (db-api merged with the generated
 * tables): no errors, no warnings, and none of the informational rules the
 * project counts (I3011). Skipped when cfn-lint is not installed,
 * except in CI (CI=true), where that is a failure.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tierAvailable } from '../../core/testing/tiers.js';
import { cfnLintVersion, runCfnLint } from '../checks/cfn-lint.js';
import { LAYERS, templateFile } from '../checks/templates.js';
import { DEFAULT_SCHEMA, renderMerged } from '../tables/cli.js';

const version = cfnLintVersion();
const available = tierAvailable(
  'cfn-lint',
  version !== undefined,
  'cfn-lint is not installed: pip install cfn-lint',
  'MCFPIPE_REQUIRE_CFN_LINT',
);

/** Lints a template given as lines. */
function lintLines(name: string, lines: string[]) {
  const file = join(mkdtempSync(join(tmpdir(), 'mcfpipe-cfn-lint-')), name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return runCfnLint([file]);
}

describe.skipIf(!available)(`cfn-lint (${version ?? 'not installed'})`, () => {
  it('finds nothing in any template', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcfpipe-cfn-lint-'));
    const files = LAYERS.map((layer) => {
      if (layer !== 'db-api') return templateFile(layer);
      const merged = join(dir, 'db-api.merged.yaml');
      writeFileSync(merged, renderMerged(templateFile('db-api'), DEFAULT_SCHEMA));
      return merged;
    });
    const findings = await runCfnLint(files);
    expect(
      findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`),
      'cfn-lint findings',
    ).toEqual([]);
  }, 120_000);

  it('reports an error in a broken template (the runner reads its findings)', async () => {
    const findings = await lintLines('broken.yaml', [
      'Resources:',
      '  Queue:',
      '    Type: AWS::SQS::Queue',
      '    Properties:',
      '      VisibilityTimeout: !Ref Missing',
    ]);
    const error = findings.find((f) => f.rule.startsWith('E') && f.message.includes('Missing'));
    expect(error?.line).toBe(5);
  }, 60_000);

  it('counts I3011: a log group without DeletionPolicy and UpdateReplacePolicy', async () => {
    const findings = await lintLines('logs.yaml', [
      'Resources:',
      '  Logs:',
      '    Type: AWS::Logs::LogGroup',
      '    Properties:',
      '      RetentionInDays: 14',
      '  Kept:',
      '    Type: AWS::Logs::LogGroup',
      '    DeletionPolicy: Delete',
      '    UpdateReplacePolicy: Delete',
      '    Properties:',
      '      RetentionInDays: 14',
    ]);
    expect(findings.map((f) => `${f.rule}:${f.line}`).sort()).toEqual(['I3011:2', 'I3011:2']);
  }, 60_000);
});
