import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cell, markdownTable } from '../../../core/summary.js';
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

describe('parseCommandFile', () => {
  it('reads heredoc blocks and plain lines', () => {
    expect(parseCommandFile('a<<EOF_1\nline1\nline2\nEOF_1\nb=2\n')).toEqual({
      a: 'line1\nline2',
      b: '2',
    });
  });
});
