import { describe, expect, it } from 'vitest';
import { once, oncePer } from '../once.js';

describe('once', () => {
  it('makes nothing until first use, then hands every caller the same value', () => {
    let made = 0;
    const client = once(() => ({ n: ++made }));
    expect(made).toBe(0);
    const a = client();
    expect(client()).toBe(a);
    expect(made).toBe(1);
  });

  it('keeps a value that is undefined instead of making it again', () => {
    let made = 0;
    const nothing = once(() => {
      made++;
      return undefined;
    });
    nothing();
    nothing();
    expect(made).toBe(1);
  });

  it('hands concurrent callers of an async maker the same promise', async () => {
    let loads = 0;
    const chunk = once(async () => ++loads);
    expect(await Promise.all([chunk(), chunk()])).toEqual([1, 1]);
  });
});

describe('oncePer', () => {
  it('makes one value per key, on first use of that key', () => {
    const made: string[] = [];
    const forRegion = oncePer((region: string) => {
      made.push(region);
      return { region };
    });
    const a = forRegion('eu-west-1');
    expect(forRegion('eu-west-1')).toBe(a);
    expect(forRegion('us-east-1')).not.toBe(a);
    expect(made).toEqual(['eu-west-1', 'us-east-1']);
  });
});
