/**
 * Parsing of untrusted JSON request bodies.
 *
 * - Nesting is limited before parsing, by a linear scan of the text (no
 *   recursion): JSON.parse itself copes with 10,000 levels, but everything
 *   that walks the value afterwards (JSON.stringify of an error echoing it,
 *   structuredClone, the AWS SDK's marshaller) recurses and overflows the
 *   stack, which in Lambda is an invocation error with no request log.
 * - `__proto__`, `constructor` and `prototype` are refused as keys anywhere
 *   in the body. JSON.parse makes `"__proto__"` an own property, harmless by
 *   itself, but any later `target[key] = value` or Object.assign with it
 *   replaces the target's prototype, and lookups by such names reach
 *   Object.prototype.
 */
import { RESERVED_NAMES } from '../../schema/schema.js';
import { shownName } from '../../schema/validate.js';
import type { ProblemDetail } from '../contract.js';

export class JsonBodyError extends Error {
  constructor(
    readonly code: 'invalid_json' | 'validation_failed',
    message: string,
    readonly details: ProblemDetail[],
  ) {
    super(message);
  }
}

/** Most reserved keys reported for one body (the rest are counted in the message). */
const MAX_REPORTED = 20;

/** The deepest nesting of `{` and `[` in JSON text, or `limit + 1` as soon as it is passed. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return deepest;
}

/** Where reserved keys sit in a parsed value, as `items[0].__proto__` paths (walked without recursion). */
export function reservedKeyPaths(
  value: unknown,
  max = MAX_REPORTED,
): { paths: string[]; total: number } {
  const paths: string[] = [];
  let total = 0;
  const stack: Array<{ v: unknown; path: string }> = [{ v: value, path: '' }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}[${i}]` });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const at = path ? `${path}.${shownName(key)}` : shownName(key);
      if (RESERVED_NAMES.has(key)) {
        total++;
        if (paths.length < max) paths.push(at);
      } else stack.push({ v: (v as Record<string, unknown>)[key], path: at });
    }
  }
  return { paths, total };
}

/** Parses a request body: depth-limited, no reserved keys. Throws {@link JsonBodyError}. */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (jsonDepth(text, maxDepth) > maxDepth) {
    throw new JsonBodyError(
      'invalid_json',
      `the body nests objects and lists deeper than ${maxDepth} levels`,
      [
        {
          field: '(body)',
          rule: 'maxDepth',
          value: null,
          message: `nests deeper than ${maxDepth} levels (the limit); items are flat objects`,
        },
      ],
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JsonBodyError('invalid_json', 'the body is not valid JSON', [
      { field: '(body)', rule: 'json', value: null, message: (err as Error).message.slice(0, 200) },
    ]);
  }
  const reserved = reservedKeyPaths(value);
  if (reserved.total) {
    const names = [...RESERVED_NAMES].join(', ');
    throw new JsonBodyError(
      'validation_failed',
      `the body uses ${reserved.total} reserved name${reserved.total === 1 ? '' : 's'} as keys (${names})${
        reserved.total > reserved.paths.length
          ? `; the first ${reserved.paths.length} are listed`
          : ''
      }`,
      reserved.paths.map((field) => ({
        field,
        rule: 'reserved_name',
        value: null,
        message: `${names} are reserved names, never fields or keys`,
      })),
    );
  }
  return value;
}
