/**
 * Cell values and their canonical text. Every comparison of the sync (sheet
 * vs database vs last synced value) is between canonical texts, so a date held
 * as a serial number in the Sheet equals the same ISO date in the database,
 * and a list typed as "a,b" equals ["a", "b"].
 */
import type { ColumnSpec } from './layout.js';

/** A cell's value as a spreadsheet holds it; null is an empty cell. */
export type Cell = string | number | boolean | null;

export type Read = { ok: true; value: string } | { ok: false; problem: string };

const DAY_MS = 86_400_000;
/** Day 0 of spreadsheet serial dates (Google Sheets and Excel's 1900 system after March 1900). */
const SERIAL_EPOCH_MS = Date.UTC(1899, 11, 30);
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function serialToIsoDate(serial: number): string {
  return new Date(SERIAL_EPOCH_MS + Math.floor(serial) * DAY_MS).toISOString().slice(0, 10);
}

export function isoDateToSerial(iso: string): number {
  const m = ISO_DATE.exec(iso);
  if (!m) throw new RangeError(`not an ISO date: ${iso}`);
  return (Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - SERIAL_EPOCH_MS) / DAY_MS;
}

function isCalendarDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

function numberText(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(15)));
}

export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function shown(cell: Cell): string {
  const text = String(cell);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** The canonical text of a cell for a column, or why the cell is not a valid value there. */
export function readCell(col: ColumnSpec, cell: Cell): Read {
  if (cell === null || cell === '') return { ok: true, value: '' };
  switch (col.kind) {
    case 'text':
      return { ok: true, value: typeof cell === 'number' ? numberText(cell) : String(cell) };
    case 'number': {
      if (typeof cell === 'number') return { ok: true, value: numberText(cell) };
      const text = String(cell).trim();
      const n = Number(text);
      if (text !== '' && Number.isFinite(n) && typeof cell === 'string')
        return { ok: true, value: numberText(n) };
      return { ok: false, problem: `${shown(cell)} is not a number` };
    }
    case 'date': {
      if (typeof cell === 'number') return { ok: true, value: serialToIsoDate(cell) };
      const text = String(cell).trim();
      if (isCalendarDate(text)) return { ok: true, value: text };
      return { ok: false, problem: `${shown(cell)} is not a date; use YYYY-MM-DD` };
    }
    case 'boolean': {
      if (typeof cell === 'boolean') return { ok: true, value: cell ? 'TRUE' : 'FALSE' };
      const text = String(cell).trim().toUpperCase();
      if (text === 'TRUE' || text === 'FALSE') return { ok: true, value: text };
      return { ok: false, problem: `${shown(cell)} is not TRUE or FALSE` };
    }
    case 'list':
      return { ok: true, value: splitList(String(cell)).join(', ') };
    case 'choice': {
      const text = String(cell).trim();
      if (col.choices?.includes(text)) return { ok: true, value: text };
      return {
        ok: false,
        problem: `unknown ${col.header} ${shown(cell)}; one of ${col.choices?.join(', ')}`,
      };
    }
  }
}

/** The canonical text of a database value for a column. */
export function fromDb(col: ColumnSpec, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return numberText(value);
  if (col.kind === 'list') return splitList(String(value)).join(', ');
  return String(value);
}

/** The database value of a canonical text (undefined for an empty cell). */
export function toDb(col: ColumnSpec, text: string): unknown {
  if (text === '') return undefined;
  switch (col.kind) {
    case 'number':
      return Number(text);
    case 'boolean':
      return text === 'TRUE';
    case 'list':
      return splitList(text);
    default:
      return text;
  }
}

/** The cell to write for a canonical text: dates as serial numbers (so they sort), numbers as numbers. */
export function toCell(col: ColumnSpec, text: string): Cell {
  if (text === '') return null;
  switch (col.kind) {
    case 'number':
      return Number(text);
    case 'date':
      return isoDateToSerial(text);
    case 'boolean':
      return text === 'TRUE';
    default:
      return text;
  }
}
