/**
 * The schema's two time formats, in the schema's timezone:
 * ISO_TIMESTAMP `YYYY-MM-DD HH:MM` and ISO_DATE `YYYY-MM-DD`.
 *
 * Every writer (the DB API's `created` / `last_modified`, the webscraper's
 * `first_seen` / `last_seen`, scoring's `scored_at`) formats through here, so
 * all timestamps compare as strings in one timezone.
 */
import { projectSchema } from './schema.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(date: Date, timeZone: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(date)) out[p.type] = p.value;
  return out;
}

/** `YYYY-MM-DD HH:MM` in `timeZone` (default: the schema's). */
export function isoTimestamp(date: Date, timeZone = projectSchema().timezone): string {
  const p = parts(date, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** `YYYY-MM-DD` in `timeZone` (default: the schema's). */
export function isoDate(date: Date, timeZone = projectSchema().timezone): string {
  const p = parts(date, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return m === 2 && leap ? 29 : MONTH_DAYS[m - 1]!;
}

/** Whether `YYYY-MM-DD` (the start of the string) names a real calendar day. */
export function isCalendarDate(value: string): boolean {
  const y = Number(value.slice(0, 4));
  const m = Number(value.slice(5, 7));
  const d = Number(value.slice(8, 10));
  if (!Number.isInteger(y) || m < 1 || m > 12 || d < 1) return false;
  // The common case without a Date per value: Gregorian month lengths (Date.UTC reads years 0-99 as 19xx).
  if (y >= 100 && Number.isInteger(m) && Number.isInteger(d)) return d <= daysInMonth(y, m);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}
