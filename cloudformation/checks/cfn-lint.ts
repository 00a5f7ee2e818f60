/**
 * Runs cfn-lint (the AWS CloudFormation linter, a Python tool:
 * `pip install cfn-lint`) on template files and returns its findings.
 *
 * Locally a missing cfn-lint skips the check with a reason; in CI (CI=true) or
 * with MCFPIPE_REQUIRE_CFN_LINT=1 it is an error, so CI never silently checks
 * less (as core/testing/moto.ts does for moto).
 */
import { execFile, execFileSync } from 'node:child_process';

const CFN_LINT = process.env.MCFPIPE_CFN_LINT ?? 'cfn-lint';

/**
 * Informational rules that count like errors here. cfn-lint reports I-level
 * rules only when asked: I3011, a stateful resource (a log group, a table)
 * without explicit DeletionPolicy and UpdateReplacePolicy.
 */
export const INCLUDED_INFORMATIONAL_RULES = ['I3011'];

export interface LintFinding {
  /** E (error), W (warning) or I (informational) followed by the rule number. */
  rule: string;
  level: string;
  message: string;
  file: string;
  line: number;
}

/** cfn-lint's version when it can run here; undefined when not (locally); throws in CI. */
export function cfnLintVersion(): string | undefined {
  try {
    return execFileSync(CFN_LINT, ['--version'], { encoding: 'utf8', timeout: 60_000 }).trim();
  } catch {
    if (process.env.CI === 'true' || process.env.MCFPIPE_REQUIRE_CFN_LINT === '1') {
      throw new Error(
        `cfn-lint is required in CI but "${CFN_LINT} --version" failed. Install it with: pip install cfn-lint`,
      );
    }
    return undefined;
  }
}

interface RawMatch {
  Rule: { Id: string };
  Level: string;
  Message: string;
  Filename: string;
  Location: { Start: { LineNumber: number } };
}

/**
 * Lints the files in one cfn-lint run (about two seconds each on this
 * machine): errors, warnings and INCLUDED_INFORMATIONAL_RULES.
 */
export function runCfnLint(files: string[], extraArgs: string[] = []): Promise<LintFinding[]> {
  return new Promise((resolve, reject) => {
    execFile(
      CFN_LINT,
      [
        '--format',
        'json',
        '--include-checks',
        ...INCLUDED_INFORMATIONAL_RULES,
        ...extraArgs,
        '--',
        ...files,
      ],
      { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        // cfn-lint exits non-zero when it finds something; the JSON says what.
        let matches: RawMatch[];
        try {
          matches = JSON.parse(stdout || '[]') as RawMatch[];
        } catch {
          reject(
            new Error(
              `cfn-lint did not print JSON (${err?.message ?? 'no error'}): ${stderr || stdout}`,
            ),
          );
          return;
        }
        resolve(
          matches.map((m) => ({
            rule: m.Rule.Id,
            level: m.Level,
            message: m.Message,
            file: m.Filename,
            line: m.Location.Start.LineNumber,
          })),
        );
      },
    );
  });
}
