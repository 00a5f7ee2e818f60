/**
 * What a run shows while it works. On a terminal: log lines as they come,
 * and below them one status line redrawn in place with the current stage's
 * counts, rate and ETA. Into a log (not a terminal, or --log-format json):
 * plain lines only, progress as a line now and then.
 */
import { createLogger, type LogFields, type Logger } from '../webscraper/log.js';
import { formatSeconds } from '../webscraper/progress.js';

export interface ProgressLine {
  /** `done` of `total` items so far (total when known). */
  update(done: number, total?: number): void;
  /** Ends the line (a last report). */
  finish(): void;
}

export interface RunConsole {
  logger: Logger;
  progress(label: string, unit?: string): ProgressLine;
  /** Clears the status line. */
  close(): void;
}

export interface ConsoleOptions {
  tty: boolean;
  format: 'text' | 'json';
  write?: (text: string) => void;
  /** How often a progress line is logged when not on a terminal, ms (default 15 s). */
  logIntervalMs?: number;
  now?: () => number;
}

/** `progress` events of the scraper as a short status: `pages 3  new 120  stored 98  9.8 req/s  ETA 12s`. */
function compact(fields: LogFields): string {
  const shown = ['pages', 'new', 'updated', 'stored', 'failed', 'quarantined'];
  const parts = shown
    .filter((k) => fields[k] !== undefined && fields[k] !== 0)
    .map((k) => `${k} ${fields[k]}`);
  if (fields.requests_per_s !== undefined) parts.push(`${fields.requests_per_s} req/s`);
  if (fields.eta !== undefined) parts.push(`ETA ${fields.eta}`);
  return parts.join('  ');
}

export function createRunConsole(opts: ConsoleOptions): RunConsole {
  const write = opts.write ?? ((t: string) => process.stdout.write(t));
  const now = opts.now ?? Date.now;
  const live = opts.tty && opts.format === 'text';
  let status = '';
  const lines = createLogger(opts.format, (line) => {
    if (live && status) write('\r\x1b[K');
    write(`${line}\n`);
    if (live && status) write(status);
  });
  const setStatus = (text: string) => {
    status = text;
    write(`\r\x1b[K${text}`);
  };
  let stage = '';
  const logger: Logger = {
    info(msg, fields) {
      if (live && msg === 'progress' && fields)
        setStatus(`${stage ? `${stage}: ` : ''}${compact(fields)}`);
      else lines.info(msg, fields);
    },
    warn: (msg, fields) => lines.warn(msg, fields),
    error: (msg, fields) => lines.error(msg, fields),
  };
  return {
    logger,
    progress(label, unit = 'items') {
      stage = label;
      const started = now();
      let lastLog = started;
      let last = { done: 0, total: undefined as number | undefined };
      let updated = false;
      const report = (force: boolean) => {
        const elapsed = Math.max(1, now() - started) / 1000;
        const rate = last.done / elapsed;
        const eta =
          last.total !== undefined && rate > 0
            ? formatSeconds((last.total - last.done) / rate)
            : 'unknown';
        const fields = {
          stage: label,
          done: last.done,
          ...(last.total !== undefined ? { total: last.total } : {}),
          per_s: Math.round(rate * 10) / 10,
          eta,
        };
        if (live)
          setStatus(
            `${label}: ${last.done}${last.total !== undefined ? `/${last.total}` : ''} ${unit}  ${fields.per_s}/s  ETA ${eta}`,
          );
        else if (force || now() - lastLog >= (opts.logIntervalMs ?? 15_000)) {
          lastLog = now();
          lines.info('progress', fields);
        }
      };
      return {
        update(done, total) {
          updated = true;
          last = { done, total };
          report(false);
        },
        finish() {
          if (updated) report(true);
          if (live) {
            write('\r\x1b[K');
            status = '';
          }
        },
      };
    },
    close() {
      if (live && status) write('\r\x1b[K');
      status = '';
      stage = '';
    },
  };
}
