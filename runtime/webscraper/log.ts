/**
 * The scraper's log: one line per event on stdout (CloudWatch Logs on
 * Fargate), as text for people or JSON lines for machines.
 */
export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/**
 * Characters that would let logged text (a scraped uuid, a record's reason)
 * end the line, start a new one (a forged log line or `::` workflow command),
 * or drive the terminal (escape sequences): whitespace other than the space,
 * control and format characters, line and paragraph separators.
 */
const UNSAFE = /[^\S ]|[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const HAS_UNSAFE = new RegExp(UNSAFE.source, 'u');
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text made one inert line: unsafe characters written as escapes (`\n`,
 * `\u001b`), which are also valid inside JSON strings, so JSON text stays JSON.
 */
export function oneLine(text: string): string {
  return text.replace(
    UNSAFE,
    (c) =>
      SHORT[c] ??
      Array.from(
        { length: c.length },
        (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`,
      ).join(''),
  );
}

/** A field value: bare when it is a plain word, else JSON (quoted, escaped). */
function fieldValue(v: unknown): string {
  return typeof v === 'string' && v !== '' && !/[\s"]/.test(v) && !HAS_UNSAFE.test(v)
    ? v
    : oneLine(JSON.stringify(v) ?? String(v));
}

/** The log line formats: `key=value` text, or one JSON object a line. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function createLogger(
  format: LogFormat = 'text',
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Logger {
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    const time = new Date().toISOString();
    if (format === 'json') {
      write(oneLine(JSON.stringify({ time, level, msg, ...fields })));
      return;
    }
    const extra = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${oneLine(k)}=${fieldValue(v)}`)
      .join(' ');
    write(`${time} ${level.toUpperCase().padEnd(5)} ${oneLine(msg)}${extra ? ` ${extra}` : ''}`);
  };
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & {
  lines: Array<{ level: LogLevel; msg: string; fields: LogFields }>;
} {
  const lines: Array<{ level: LogLevel; msg: string; fields: LogFields }> = [];
  return {
    lines,
    info: (msg, fields = {}) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields = {}) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields = {}) => lines.push({ level: 'error', msg, fields }),
  };
}
