import { describe, expect, it } from 'vitest';
import { commit, MISSED, machine, runHeader, Verdicts } from '../verdict.mjs';

describe('Verdicts', () => {
  it('every target met: a table of met rows and exit code 0', () => {
    const v = new Verdicts();
    expect(v.check('calls per minute, at most 30', '28.5', true)).toBe('met');
    expect(v.check('latency under 15 s', 9, true)).toBe('met');
    expect(v.exitCode()).toBe(0);
    expect(v.summary()).toBe('Verdict: every target met (2).');
    expect(v.table().split('\n')).toEqual([
      '| target | measured | verdict |',
      '| --- | --- | --- |',
      '| calls per minute, at most 30 | 28.5 | met |',
      '| latency under 15 s | 9 | met |',
    ]);
  });

  it('one miss makes the exit code 1 and is named in the summary', () => {
    const v = new Verdicts();
    v.check('a', '1', true);
    expect(v.check('busiest minute, at most 30 calls', '34', false)).toBe(MISSED);
    expect(v.misses).toEqual(['busiest minute, at most 30 calls']);
    expect(v.exitCode()).toBe(1);
    expect(v.summary()).toBe(
      'Verdict: **1 of 2 targets missed**: busiest minute, at most 30 calls.',
    );
    expect(v.table()).toContain('| busiest minute, at most 30 calls | 34 | **MISSED** |');
  });

  it('a target that could not be measured is a miss, and so is a run that checked nothing', () => {
    const v = new Verdicts();
    expect(v.exitCode()).toBe(1);
    expect(v.summary()).toContain('no target was checked');
    v.notMeasured('moto: batched faster', 'moto is not installed');
    expect(v.exitCode()).toBe(1);
    expect(v.rows[0]).toEqual({
      target: 'moto: batched faster',
      measured: 'not measured: moto is not installed',
      met: false,
    });
  });

  it('keeps a measured text with a pipe or a newline inside its table cell', () => {
    const v = new Verdicts();
    v.check('p50 | p99', 'a\nb', true);
    expect(v.table().split('\n')[2]).toBe('| p50 \\| p99 | a b | met |');
  });

  it('exit() sets process.exitCode without ending the process', () => {
    const before = process.exitCode;
    try {
      const v = new Verdicts();
      v.check('x', '1', true);
      expect(v.exit()).toBe(0);
      expect(process.exitCode).toBe(0);
    } finally {
      process.exitCode = before;
    }
  });
});

describe('runHeader', () => {
  it('records the date, the commit, the machine, the Node version and the load average', () => {
    const m = machine();
    expect(m.commit).toMatch(/^[0-9a-f]{7,}( with uncommitted changes)?$/);
    expect(commit('/')).toMatch(/^unknown/);
    const header = runHeader({
      ...m,
      date: '2026-12-06T03:20:11.000Z',
      commit: 'abc1234',
      cpus: 2,
      model: 'Some CPU',
      node: 'v20.19.0',
      platform: 'linux x64',
      loadAtStart: [5.25, 4, 3],
      loadAtEnd: [7, 6.04, 3.5],
    });
    expect(header.split('\n')).toEqual([
      'Date: 2026-12-06 03:20 UTC. Commit: abc1234.',
      'Machine: 2 × Some CPU (linux x64), Node v20.19.0.',
      'Load average (1 / 5 / 15 min): 5.3 / 4.0 / 3.0 at the start, 7.0 / 6.0 / 3.5 at the end, on 2 CPUs.',
    ]);
  });
});
