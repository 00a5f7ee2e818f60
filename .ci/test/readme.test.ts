import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const ciRun = readFileSync(resolve(root, '.ci/run'), 'utf8');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

function quickStartCommands(): string[] {
  const section = readme.split(/^## Quick start$/m)[1]?.split(/^## /m)[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('git clone'));
}

describe('README quick start', () => {
  it('is two commands after cloning, and CI runs the README test command', () => {
    const commands = quickStartCommands();
    expect(commands).toHaveLength(2);
    const testCommand = commands[1]!;
    expect(testCommand).toBe('npm test');
    expect(ciRun).toMatch(new RegExp(`^${testCommand}$`, 'm'));
  });

  it('names only npm scripts that exist', () => {
    for (const match of readme.matchAll(/`npm run ([a-z:-]+)/g)) {
      expect(pkg.scripts, `README mentions npm run ${match[1]}`).toHaveProperty(match[1]!);
    }
  });
});
