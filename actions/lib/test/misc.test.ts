import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cell, markdownTable } from '../../../core/summary.js';
import { backoffDelay, retry, sleep } from '../../../core/time.js';
import { VERSION } from '../../../core/version.js';
import { parseCommandFile } from '../testing/run-action.js';

describe('version', () => {
  it('matches package.json', () => {
    const pkg = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../../package.json'), 'utf8'),
    );
    expect(VERSION).toBe(pkg.version);
  });
});

describe('markdown', () => {
  it('escapes cells and builds tables', () => {
    expect(cell('a|b\n<c>')).toBe('a\\|b<br>&lt;c&gt;');
    expect(cell(undefined)).toBe('');
    expect(markdownTable(['A', 'B'], [[1, 'x|y']])).toBe(
      '| A | B |\n| --- | --- |\n| 1 | x\\|y |\n',
    );
    expect(markdownTable(['A'], [])).toBe('');
  });
});

describe('backoff and retry', () => {
  it('grows exponentially within bounds', () => {
    const max = () => 0.999999;
    expect(backoffDelay(1, { baseMs: 100, maxMs: 10_000, random: max })).toBe(99);
    expect(backoffDelay(4, { baseMs: 100, maxMs: 10_000, random: max })).toBe(799);
    expect(backoffDelay(20, { baseMs: 100, maxMs: 10_000, random: max })).toBe(9999);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 10_000, random: () => 0 })).toBe(50);
  });

  it('retries retryable errors and gives up on others', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const onRetry = vi.fn();
      const p = retry(
        async () => {
          calls++;
          if (calls < 3) throw new Error('busy');
          return 'ok';
        },
        { attempts: 5, baseMs: 10, maxMs: 100, retryable: () => true, onRetry },
      );
      await vi.runAllTimersAsync();
      await expect(p).resolves.toBe('ok');
      expect(onRetry).toHaveBeenCalledTimes(2);

      const fatal = retry(async () => Promise.reject(new Error('fatal')), {
        attempts: 5,
        baseMs: 10,
        maxMs: 100,
        retryable: () => false,
      });
      await expect(fatal).rejects.toThrow('fatal');

      let n = 0;
      const exhausted = retry(async () => Promise.reject(new Error(`try ${++n}`)), {
        attempts: 3,
        baseMs: 10,
        maxMs: 100,
        retryable: () => true,
      });
      const settled = exhausted.catch((e: Error) => e.message);
      await vi.runAllTimersAsync();
      expect(await settled).toBe('try 3');
    } finally {
      vi.useRealTimers();
    }
  });

  it('sleep rejects on abort', async () => {
    const controller = new AbortController();
    const p = sleep(60_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(p).rejects.toThrow('cancelled');
  });
});

describe('parseCommandFile', () => {
  it('reads heredoc blocks and plain lines', () => {
    expect(parseCommandFile('a<<EOF_1\nline1\nline2\nEOF_1\nb=2\n')).toEqual({
      a: 'line1\nline2',
      b: '2',
    });
  });
});
