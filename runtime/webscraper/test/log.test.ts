/**
 * The scraper's log (also `mcfpipe run`'s): text from MCF (a uuid, a reason
 * quoting a record) can neither start a new line (a forged log line or a
 * `::` workflow command) nor drive the terminal.
 */
import { describe, expect, it } from 'vitest';
import { createLogger, oneLine } from '../log.js';

const hostile = 'x\n::error::forged\r\u2028\u001b[2J\u200b\u{E0041}';

describe('scraper log', () => {
  it('writes hostile text in a message or a field as one inert line, in text and JSON', () => {
    for (const format of ['text', 'json'] as const) {
      const lines: string[] = [];
      const log = createLogger(format, (l) => lines.push(l));
      log.warn(`record quarantined: ${hostile}`, { uuid: hostile, reason: `a ${hostile}`, n: 3 });
      expect(lines).toHaveLength(1);
      const line = lines[0]!;
      for (const c of ['\n', '\r', '\u2028', '\u2029', '\u001b', '\u200b'])
        expect(line).not.toContain(c);
      expect(line).not.toMatch(/[\ud800-\udfff]/);
      expect(line).toContain('\\n::error::forged');
      if (format === 'json') {
        // Still JSON, and the text comes back exactly.
        const parsed = JSON.parse(line);
        expect(parsed.uuid).toBe(hostile);
        expect(parsed.msg).toBe(`record quarantined: ${hostile}`);
      } else {
        expect(line).toContain(
          'uuid="x\\n::error::forged\\r\\u2028\\u001b[2J\\u200b\\udb40\\udc41"',
        );
        expect(line).toMatch(/ n=3$/);
      }
    }
  });

  it('leaves plain text and plain field values as they are', () => {
    const lines: string[] = [];
    createLogger('text', (l) => lines.push(l)).info('search done', {
      term: 'data',
      uuid: 'a'.repeat(32),
      query: 'two words',
    });
    expect(lines[0]).toMatch(/ INFO {2}search done term=data uuid=a{32} query="two words"$/);
    expect(oneLine('a plain line: 100% "quoted"')).toBe('a plain line: 100% "quoted"');
  });
});
