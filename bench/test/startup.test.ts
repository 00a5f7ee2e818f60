import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'mcfpipe-startup-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the benchmark to its end: exit code, stdout, stderr. */
function startup(args: string[]) {
  const r = spawnSync(process.execPath, ['bench/startup.mjs', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A "Node" for --node: this Node behind a script that reports `version`, and
 * runs `bare` instead of a bare `node -e ""` and `first` before anything else.
 * bash, not sh: dash drops variables such as INPUT_STACK-NAME from the
 * environment it passes on.
 */
function wrappedNode(name: string, version: string, bare: string, first: string): string {
  const file = join(scratch, name);
  writeFileSync(
    file,
    [
      '#!/bin/bash',
      `if [ "$1" = --version ]; then echo ${version}; exit 0; fi`,
      `if [ "$1" = -e ]; then ${bare}; fi`,
      first,
      `exec "${process.execPath}" "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(file, 0o755);
  return file;
}

describe('bench/startup.mjs', () => {
  it('an action over 4x bare node and one that cannot be measured are misses, each naming the action and the Node: exit 1', () => {
    // A bare start that runs no Node at all: any action is far over 4x it, however loaded the machine.
    const slow = wrappedNode('slow-node', 'v99.0.0-slow', 'exit 0', ':');
    const broken = wrappedNode('broken-node', 'v98.0.0-broken', 'exec true', 'exit 3');
    const out = join(scratch, 'startup.md');
    const r = startup([
      'publish-config',
      '--runs',
      '1',
      '--no-reference',
      '--node',
      slow,
      '--node',
      broken,
      '--out',
      out,
    ]);
    expect(r.code).toBe(1);
    const md = readFileSync(out, 'utf8');
    expect(md).toBe(r.stdout);
    // The start-up target on this Node depends on the machine's load: only the two built to fail are asserted.
    expect(md).toMatch(
      /\| publish-config on Node v99\.0\.0-slow: start-up at most 4x bare node \| [\d.]+x \(\d+ ms against \d+ ms\) \| \*\*MISSED\*\* \|/,
    );
    expect(md).toContain(
      '| publish-config on Node v98.0.0-broken: start-up at most 4x bare node | not measured: exited with 3 before any AWS request | **MISSED** |',
    );
    expect(md).toContain('| publish-config: dist/index.js at most 3 MB |');
    expect(md).toMatch(/^Verdict: \*\*\d of 4 targets missed\*\*: .*publish-config on Node v99/m);
    expect(r.stderr).toMatch(/targets missed/);
    // One file: the run header, then a section per Node.
    expect(md).toMatch(/^Date: .* UTC\. Commit: /m);
    expect(md).toContain(`Machine: `);
    expect(md).toContain(`Nodes measured: ${process.version}, v99.0.0-slow, v98.0.0-broken.`);
    for (const version of [process.version, 'v99.0.0-slow', 'v98.0.0-broken'])
      expect(md).toContain(`## Node ${version}\n`);
    expect(md).not.toContain('reference: the CloudFormation client');
  });

  it.each([
    [['--runs', '0'], '--runs must be a whole number of at least 1, not "0"'],
    [['--runs', '1.5'], '--runs must be a whole number of at least 1, not "1.5"'],
    [['no-such-action'], 'not a bundled action: "no-such-action"; the bundled actions'],
    [['--node', '/no/such/node'], '--node "/no/such/node": not a Node that runs'],
  ])('refuses %j with exit 2 and says why', (args, message) => {
    const r = startup(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('names the bundled actions when refusing one', () => {
    const r = startup(['deploy-stack', 'deploy-stak']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/are .*deploy-stack.*publish-config/);
  });
});
