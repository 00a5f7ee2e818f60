import { describe, expect, it } from 'vitest';
import { parseCommand } from '../src/command.js';
import { checkFargateSize, parseCpu, parseMemory } from '../src/sizes.js';

describe('parseCommand', () => {
  it.each([
    ['python -m scraper --pages 5', ['python', '-m', 'scraper', '--pages', '5']],
    ['  spaced   out\targs\n', ['spaced', 'out', 'args']],
    [
      `echo 'single quoted $HOME' "double \\"quoted\\""`,
      ['echo', 'single quoted $HOME', 'double "quoted"'],
    ],
    [`printf '%s\\n' a`, ['printf', '%s\\n', 'a']],
    [`say it\\ together`, ['say', 'it together']],
    [`empty '' ""`, ['empty', '', '']],
    [`con"cat"'enated'`, ['concatenated']],
    [`line \\\ncontinued`, ['line', 'continued']],
    [`find . -exec rm {} \\;`, ['find', '.', '-exec', 'rm', '{}', ';']],
    [`quoted '|' pipe`, ['quoted', '|', 'pipe']],
    ['price $5', ['price', '$5']],
    ['["sh", "-c", "echo $HOME | wc -c"]', ['sh', '-c', 'echo $HOME | wc -c']],
    ['  ["python", "app.py"]  ', ['python', 'app.py']],
  ])('%s', (value, words) => {
    expect(parseCommand('command', value)).toEqual(words);
  });

  it.each([
    ['[]', 'a JSON array of strings'],
    ['["a",', 'valid JSON'],
    ['[["nested"]]', 'a JSON array of strings'],
    [`it's`, "a ' quote is not closed"],
    ['trailing \\', 'ends with a lone backslash'],
    ['a && b', '["sh", "-c"'],
    ['a ; b', '["sh", "-c"'],
    ['a > out.txt', '["sh", "-c"'],
    ['run ${VAR}', '["sh", "-c"'],
    ['run "$(date)"', '["sh", "-c"'],
    ['run `date`', '["sh", "-c"'],
  ])('refuses %s', (value, accepted) => {
    expect(() => parseCommand('command', value)).toThrow(accepted);
  });
});

describe('Fargate sizes', () => {
  it('reads CPU units and vCPUs', () => {
    expect(parseCpu('cpu', '1024')).toBe(1024);
    expect(parseCpu('cpu', '0.25 vCPU')).toBe(256);
    expect(parseCpu('cpu', '16vcpu')).toBe(16384);
    expect(() => parseCpu('cpu', '3 vCPU')).toThrow('Input "cpu": "3 vCPU" is not valid.');
  });

  it('reads MiB and GB', () => {
    expect(parseMemory('memory', '2048')).toBe(2048);
    expect(parseMemory('memory', '0.5 GB')).toBe(512);
    expect(parseMemory('memory', '30GB')).toBe(30720);
    expect(parseMemory('memory', '3072 MiB')).toBe(3072);
    expect(() => parseMemory('memory', '1.3GB')).toThrow('is not valid');
  });

  it('accepts the combinations Fargate has and names the valid ones otherwise', () => {
    expect(() => checkFargateSize(512, 4096, 'inputs')).not.toThrow();
    expect(() => checkFargateSize(8192, 20480, 'inputs')).not.toThrow();
    expect(() => checkFargateSize(8192, 18432, 'inputs')).toThrow(
      expect.objectContaining({
        hint: 'With 8192 CPU units, memory must be one of: 16384 to 61440 in steps of 4096 MiB.',
      }),
    );
    expect(() => checkFargateSize(1024, 1024, 'inputs')).toThrow(
      'Fargate has no task size with 1024 CPU units and 1024 MiB of memory (inputs).',
    );
  });
});
