import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('Env', 'Env')).toBe(0);
    expect(editDistance('Envv', 'Env')).toBe(1);
    expect(editDistance('Env', 'Enx')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('didYouMean', () => {
  const known = ['Environment', 'ImageUri', 'Env', 'Subnets'];

  it('names the closest known name within two edits', () => {
    expect(didYouMean('Envv', known)).toBe(' (did you mean Env?)');
    expect(didYouMean('ImagUrl', known)).toBe(' (did you mean ImageUri?)');
  });

  it('a case-only difference counts as none, ahead of a closer spelling', () => {
    expect(didYouMean('env', known)).toBe(' (did you mean Env?)');
    expect(didYouMean('SUBNETS', known)).toBe(' (did you mean Subnets?)');
  });

  it('nothing when no name is within two edits, or nothing is known', () => {
    expect(didYouMean('Colour', known)).toBe('');
    expect(didYouMean('Env', [])).toBe('');
  });
});
