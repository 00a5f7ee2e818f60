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

export function createLogger(
  format: 'text' | 'json' = 'text',
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Logger {
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    const time = new Date().toISOString();
    if (format === 'json') {
      write(JSON.stringify({ time, level, msg, ...fields }));
      return;
    }
    const extra = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
      .join(' ');
    write(`${time} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? ` ${extra}` : ''}`);
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
