import { describe, expect, it } from 'vitest';
import { InputError } from '../../../core/values.js';
import { type OptionSpec, Options } from '../options.js';

const SPECS: OptionSpec[] = [
  { flag: 'log-format', env: 'LOG_FORMAT', def: 'text', help: 'text or json' },
  { flag: 'user', env: 'APP_USER', config: 'app.user', help: 'the user' },
];

function options(values: Record<string, string>, env: NodeJS.ProcessEnv = {}): Options {
  return new Options(SPECS, values, env);
}

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('Options.oneOf', () => {
  it('gives the value from the flag, the environment or the default', () => {
    expect(options({ 'log-format': 'json' }).oneOf('log-format', ['text', 'json'])).toBe('json');
    expect(options({}, { LOG_FORMAT: 'json' }).oneOf('log-format', ['text', 'json'])).toBe('json');
    expect(options({}).oneOf('log-format', ['text', 'json'])).toBe('text');
    expect(options({}).oneOf('user', ['a', 'b'])).toBeUndefined();
  });

  it('refuses another value, naming every place it can come from and the choices', () => {
    const err = thrown(() =>
      options({}, { LOG_FORMAT: 'yaml' }).oneOf('log-format', ['text', 'json']),
    );
    expect(err.message).toBe(
      'Input "--log-format / LOG_FORMAT": "yaml" is not valid. Accepted: one of text, json.',
    );
  });
});

describe('Options.userId', () => {
  it("accepts a user id of db_schema.json's USER_ID format, and nothing when unset", () => {
    expect(options({ user: 'ana_1' }).userId()).toBe('ana_1');
    expect(options({}).userId()).toBeUndefined();
  });

  it.each([['Ana'], ['ana smith'], ['-ana'], ['a'.repeat(65)]])(
    'refuses %j with what a user id is',
    (user) => {
      const err = thrown(() => options({}, { APP_USER: user }).userId());
      expect(err.input).toBe('--user / APP_USER');
      expect(err.value).toBe(user);
      expect(err.accepted).toBe(
        'a user id: lowercase letters, digits, _ and -, up to 64 characters',
      );
    },
  );
});
