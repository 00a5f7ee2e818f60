/**
 * Reading untrusted JSON by path: each reader returns the value when it has
 * the expected type, `undefined` when it is null or missing (MCF leaves any
 * field out now and then), and records a problem when it is there with the
 * wrong type, so a drifted record is quarantined rather than half-written.
 */
import { zonedDate, zonedTimestamp } from './zoned-time.js';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

export class Reader {
  readonly problems: string[] = [];

  problem(path: string, expected: string, value: unknown): undefined {
    this.problems.push(`${path}: expected ${expected}, got ${typeName(value)}`);
    return undefined;
  }

  object(v: unknown, path: string): Json | undefined {
    if (v === null || v === undefined) return undefined;
    return isObject(v) ? v : this.problem(path, 'an object', v);
  }

  string(v: unknown, path: string): string | undefined {
    if (v === null || v === undefined) return undefined;
    return typeof v === 'string' ? v : this.problem(path, 'a string', v);
  }

  /** A string or a number, as text (codes such as ssocCode come as either). */
  code(v: unknown, path: string): string | undefined {
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    return this.string(v, path);
  }

  number(v: unknown, path: string): number | undefined {
    if (v === null || v === undefined) return undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : this.problem(path, 'a number', v);
  }

  /** A whole number (a finite number is rounded). */
  integer(v: unknown, path: string): number | undefined {
    const n = this.number(v, path);
    return n === undefined ? undefined : Math.round(n);
  }

  boolean(v: unknown, path: string): boolean | undefined {
    if (v === null || v === undefined) return undefined;
    return typeof v === 'boolean' ? v : this.problem(path, 'true or false', v);
  }

  /** The labels of a list of objects (`[{employmentType: "Full Time"}]` -> `["Full Time"]`), deduplicated. */
  labels(v: unknown, key: string, path: string): string[] | undefined {
    if (v === null || v === undefined) return undefined;
    if (!Array.isArray(v)) return this.problem(path, `a list of {${key}}`, v);
    const out: string[] = [];
    v.forEach((item, i) => {
      const label = isObject(item)
        ? this.string(item[key], `${path}[${i}].${key}`)
        : this.problem(`${path}[${i}]`, `{${key}}`, item);
      const text = label?.replace(/\s+/g, ' ').trim();
      if (text && !out.includes(text)) out.push(text);
    });
    return out;
  }

  /** An ISO_DATE from `YYYY-MM-DD` or an ISO 8601 timestamp (its date in the schema's timezone). */
  date(v: unknown, path: string): string | undefined {
    const s = this.string(v, path);
    if (s === undefined || s.trim() === '') return undefined;
    const text = s.trim();
    // The schema's ISO_DATE rule (with its calendar check) follows in the normaliser.
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
    const ms = parseTimestamp(text);
    return ms === undefined ? this.problem(path, 'a date', v) : zonedDate(ms);
  }

  /** An ISO_TIMESTAMP (schema timezone, to the minute) from an ISO 8601 timestamp. */
  timestamp(v: unknown, path: string): string | undefined {
    const s = this.string(v, path);
    if (s === undefined || s.trim() === '') return undefined;
    const ms = parseTimestamp(s.trim());
    return ms === undefined ? this.problem(path, 'an ISO 8601 timestamp', v) : zonedTimestamp(ms);
  }
}

const ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/** Epoch ms of an ISO 8601 timestamp; one without a zone is Singapore time (UTC+8, as MCF shows it). */
export function parseTimestamp(text: string): number | undefined {
  if (ZONED.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'));
    return Number.isNaN(ms) ? undefined : ms;
  }
  const m = LOCAL.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]! - 8, +m[5]!, +(m[6] ?? 0));
  return Number.isNaN(ms) ? undefined : ms;
}
