import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  formatDuration,
  InputError,
  MissingInputError,
  parseDuration,
  parseInteger,
  parseKeyValues,
} from '../../../core/values.js';
import {
  getBoolean,
  getChoice,
  getDuration,
  getInteger,
  getJson,
  getKeyValues,
  getList,
  getString,
} from '../inputs.js';

function setInput(name: string, value: string) {
  vi.stubEnv(`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value);
}

afterEach(() => vi.unstubAllEnvs());

describe('getString', () => {
  it('returns the trimmed value, undefined when empty', () => {
    setInput('name', '  my-stack \n');
    expect(getString('name')).toBe('my-stack');
    expect(getString('missing')).toBeUndefined();
  });

  it('names the input when a required one is missing', () => {
    expect(() => getString('template', { required: true, hint: 'Give a path.' })).toThrow(
      new MissingInputError('template', 'Give a path.'),
    );
    expect(() => getString('template', { required: true })).toThrow(
      'Input "template" is required and was not supplied.',
    );
  });
});

describe('getBoolean', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['1', true],
    ['false', false],
    ['No', false],
    ['off', false],
  ])('reads %s as %s', (value, expected) => {
    setInput('dry-run', value);
    expect(getBoolean('dry-run', !expected)).toBe(expected);
  });

  it('falls back when empty and rejects anything else with the accepted values', () => {
    expect(getBoolean('dry-run', true)).toBe(true);
    setInput('dry-run', 'maybe');
    expect(() => getBoolean('dry-run', false)).toThrow(
      'Input "dry-run": "maybe" is not valid. Accepted: true or false (also yes/no, on/off, 1/0).',
    );
  });
});

describe('getInteger', () => {
  it('parses within range and falls back when empty', () => {
    setInput('count', '3');
    expect(getInteger('count', 1, { min: 1, max: 10 })).toBe(3);
    expect(getInteger('other', 7)).toBe(7);
    expect(getInteger('other', undefined)).toBeUndefined();
  });

  it.each(['0', '11', '2.5', 'ten', '1e3', ''])('rejects %j for a range 1..10', (value) => {
    if (value === '') return;
    expect(() => parseInteger('count', value, { min: 1, max: 10 })).toThrow(
      `Input "count": ${JSON.stringify(value)} is not valid. Accepted: a whole number from 1 to 10.`,
    );
  });

  it('describes one-sided ranges', () => {
    expect(() => parseInteger('n', '-1', { min: 0 })).toThrow('a whole number of at least 0');
    expect(() => parseInteger('n', '9', { max: 5 })).toThrow('a whole number of at most 5');
  });
});

describe('getChoice', () => {
  it('matches case-insensitively and returns the canonical spelling', () => {
    setInput('mode', 'PLAN');
    expect(getChoice('mode', ['deploy', 'plan', 'drift'] as const, 'deploy')).toBe('plan');
  });
  it('lists the choices on error', () => {
    setInput('mode', 'apply');
    expect(() => getChoice('mode', ['deploy', 'plan', 'drift'] as const, 'deploy')).toThrow(
      'Accepted: one of deploy, plan, drift.',
    );
  });
});

describe('getList', () => {
  it('splits on commas and newlines, drops blanks and comments', () => {
    setInput(
      'capabilities',
      'CAPABILITY_IAM, CAPABILITY_NAMED_IAM\n# note\n\nCAPABILITY_AUTO_EXPAND,',
    );
    expect(getList('capabilities')).toEqual([
      'CAPABILITY_IAM',
      'CAPABILITY_NAMED_IAM',
      'CAPABILITY_AUTO_EXPAND',
    ]);
    expect(getList('none')).toEqual([]);
  });
});

describe('getKeyValues', () => {
  it('reads KEY=value lines; values keep = , and spaces', () => {
    setInput('parameters', 'Env=dev\n# comment\n\nUrl=https://x.example/?a=1,b=2\nName = my name ');
    expect(getKeyValues('parameters')).toEqual({
      Env: 'dev',
      Url: 'https://x.example/?a=1,b=2',
      Name: 'my name',
    });
  });

  it('names the line of a bad pair', () => {
    expect(() => parseKeyValues('parameters', 'Env=dev\njustakey')).toThrow(
      'Input "parameters (line 2)": "justakey" is not valid. Accepted: KEY=value lines, one pair per line.',
    );
    expect(() => parseKeyValues('tags', '=value')).toThrow('Input "tags": "=value"');
  });

  it('rejects a repeated key', () => {
    expect(() => parseKeyValues('tags', 'a=1\na=2')).toThrow('each KEY at most once');
  });

  it('rejects keys outside the pattern', () => {
    expect(() => parseKeyValues('environment', 'BAD KEY=1', /^[A-Z_][A-Z0-9_]*$/)).toThrow(
      'KEY=value lines where KEY matches',
    );
  });

  it('with secretValues, shows keys and line numbers but never a value', () => {
    const secret = { secretValues: true };
    const errors = [
      () => parseKeyValues('environment', 'TOKEN=s3cr3t\nTOKEN=s3cr3t2', undefined, secret),
      () => parseKeyValues('environment', 'BAD KEY=s3cr3t', /^[A-Z_]+$/, secret),
      () => parseKeyValues('environment', 'PEM=-----BEGIN\ns3cr3t\n-----END', undefined, secret),
    ].map((f) => {
      try {
        f();
      } catch (err) {
        return err as InputError;
      }
      throw new Error('expected an error');
    });
    expect(errors.map((e) => e.message)).toEqual([
      'Input "environment (line 2)": "TOKEN"=(value not shown) is not valid. Accepted: each KEY at most once.',
      'Input "environment": "BAD KEY"=(value not shown) is not valid. Accepted: KEY=value lines where KEY matches /^[A-Z_]+$/.',
      'Input "environment (line 2)": a line without "KEY=" (not shown: it may be part of a value) is not valid. Accepted: KEY=value lines, one pair per line (a value cannot span lines).',
    ]);
    for (const e of errors) expect(JSON.stringify({ ...e, m: e.message })).not.toContain('s3cr3t');
  });
});

describe('getJson', () => {
  it('parses JSON and explains a syntax error', () => {
    setInput('command', '["node","x.js"]');
    expect(getJson('command')).toEqual(['node', 'x.js']);
    setInput('command', '["node",');
    expect(() => getJson('command')).toThrow(InputError);
    expect(() => getJson('command')).toThrow(
      /Input "command": "\[\\"node\\",".*Accepted: valid JSON/,
    );
    expect(getJson('absent')).toBeUndefined();
  });
});

describe('durations', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['2d', 172_800_000],
    ['PT15M', 900_000],
    ['pt1h2m3s', 3_723_000],
    ['1.5h', 5_400_000],
  ])('parses %s', (value, ms) => {
    expect(parseDuration('timeout', value)).toBe(ms);
  });

  it('uses the bare unit given', () => {
    expect(parseDuration('timeout-minutes', '30', { bareUnit: 'm' })).toBe(1_800_000);
  });

  it.each(['', 'soon', '10x', '-5m', 'PT', '1h-2m'])('rejects %j', (value) => {
    expect(() => parseDuration('timeout', value)).toThrow(
      /Input "timeout": .* Accepted: a duration/,
    );
  });

  it('enforces bounds and states them', () => {
    expect(() => parseDuration('timeout', '0', { minMs: 60_000, maxMs: 43_200_000 })).toThrow(
      'at least 1m and at most 12h',
    );
    setInput('timeout', '');
    expect(getDuration('timeout', 1000)).toBe(1000);
  });

  it('formats durations for messages', () => {
    expect(formatDuration(500)).toBe('500ms');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(61_000)).toBe('1m1s');
    // Rounding carries into the minute and the hour instead of showing 60s.
    expect(formatDuration(59_960)).toBe('1m');
    expect(formatDuration(119_600)).toBe('2m');
    expect(formatDuration(3_599_700)).toBe('1h');
    expect(formatDuration(59_940)).toBe('59.9s');
  });
});
