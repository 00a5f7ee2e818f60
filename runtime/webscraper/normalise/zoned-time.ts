/**
 * The schema's ISO_TIMESTAMP and ISO_DATE of an instant, as
 * runtime/schema/timestamps.ts formats them, but with the timezone's offset
 * looked up once per quarter hour (every real zone changes its offset on a
 * quarter-hour boundary) instead of per call: the normaliser converts every
 * job's timestamps, and Intl formatting is its slowest step.
 */
import { isoTimestamp } from '../../schema/timestamps.js';

const QUARTER_MS = 15 * 60_000;
const offsets = new Map<number, number>();

function offsetAt(ms: number): number {
  const bucket = Math.floor(ms / QUARTER_MS);
  let offset = offsets.get(bucket);
  if (offset === undefined) {
    const start = bucket * QUARTER_MS;
    offset = Date.parse(`${isoTimestamp(new Date(start)).replace(' ', 'T')}:00Z`) - start;
    if (offsets.size >= 20_000) offsets.clear();
    offsets.set(bucket, offset);
  }
  return offset;
}

/** `YYYY-MM-DD HH:MM` in the schema's timezone. */
export function zonedTimestamp(ms: number): string {
  const local = new Date(ms + offsetAt(ms)).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`;
}

/** `YYYY-MM-DD` in the schema's timezone. */
export function zonedDate(ms: number): string {
  return new Date(ms + offsetAt(ms)).toISOString().slice(0, 10);
}
