/**
 * Typed action inputs, validated at the edge.
 *
 * Every reader takes the input's name as written in action.yml and returns a
 * typed value, or throws an {@link InputError} that names the input, the bad
 * value and what is accepted. The pure `parse*` functions behind them live in
 * core/values.ts, so the runtime validates its flags with the same messages.
 */
import * as core from '@actions/core';
import {
  type DurationOptions,
  type IntegerOptions,
  MissingInputError,
  parseBoolean,
  parseChoice,
  parseDuration,
  parseInteger,
  parseJson,
  parseKeyValues,
  parseList,
} from '../../core/values.js';

/** The raw, trimmed value of an input; '' when not set. */
export function raw(name: string): string {
  return core.getInput(name);
}

export interface StringOptions {
  required?: boolean;
  /** Hint appended to the "required" error, e.g. how to find the value. */
  hint?: string;
}

/** A string input; `undefined` when empty and not required. */
export function getString(name: string, opts: StringOptions & { required: true }): string;
export function getString(name: string, opts?: StringOptions): string | undefined;
export function getString(name: string, opts: StringOptions = {}): string | undefined {
  const value = raw(name);
  if (value === '') {
    if (opts.required) throw new MissingInputError(name, opts.hint);
    return undefined;
  }
  return value;
}

/** A boolean input; `fallback` when empty. */
export function getBoolean(name: string, fallback: boolean): boolean {
  const value = raw(name);
  return value === '' ? fallback : parseBoolean(name, value);
}

/** An integer input; `fallback` when empty. */
export function getInteger(name: string, fallback: number, opts?: IntegerOptions): number;
export function getInteger(
  name: string,
  fallback: undefined,
  opts?: IntegerOptions,
): number | undefined;
export function getInteger(
  name: string,
  fallback: number | undefined,
  opts: IntegerOptions = {},
): number | undefined {
  const value = raw(name);
  return value === '' ? fallback : parseInteger(name, value, opts);
}

/** One of a fixed set of values (matched case-insensitively); `fallback` when empty. */
export function getChoice<T extends string>(name: string, choices: readonly T[], fallback: T): T;
export function getChoice<T extends string>(
  name: string,
  choices: readonly T[],
  fallback?: undefined,
): T | undefined;
export function getChoice<T extends string>(
  name: string,
  choices: readonly T[],
  fallback?: T,
): T | undefined {
  const value = raw(name);
  return value === '' ? fallback : parseChoice(name, value, choices);
}

/** A list input (comma- or newline-separated); [] when empty. */
export function getList(name: string): string[] {
  return parseList(raw(name));
}

/** `KEY=value` lines as a record; {} when empty. */
export function getKeyValues(name: string, keyPattern?: RegExp): Record<string, string> {
  return parseKeyValues(name, raw(name), keyPattern);
}

/** A JSON input; `undefined` when empty. */
export function getJson<T = unknown>(name: string): T | undefined {
  const value = raw(name);
  return value === '' ? undefined : parseJson<T>(name, value);
}

/** A duration input in milliseconds; `fallbackMs` when empty. */
export function getDuration(name: string, fallbackMs: number, opts?: DurationOptions): number;
export function getDuration(
  name: string,
  fallbackMs: undefined,
  opts?: DurationOptions,
): number | undefined;
export function getDuration(
  name: string,
  fallbackMs: number | undefined,
  opts: DurationOptions = {},
): number | undefined {
  const value = raw(name);
  return value === '' ? fallbackMs : parseDuration(name, value, opts);
}
