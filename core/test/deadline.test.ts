import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { withDeadline } from '../deadline.js';

const waitForAbort = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));

describe('withDeadline', () => {
  it('aborts the work with a TimeoutError after the limit', async () => {
    const reason = await withDeadline(30, undefined, waitForAbort);
    expect(reason).toBeInstanceOf(DOMException);
    expect((reason as DOMException).name).toBe('TimeoutError');
  });

  it("passes the parent's abort and its reason on at once", async () => {
    const parent = new AbortController();
    const stopped = new Error('run stopped');
    setTimeout(() => parent.abort(stopped), 5);
    expect(await withDeadline(10_000, parent.signal, waitForAbort)).toBe(stopped);
  });

  it('starts aborted when the parent already is', async () => {
    const parent = new AbortController();
    parent.abort(new Error('gone'));
    await withDeadline(10_000, parent.signal, async (signal) => {
      expect(signal.aborted).toBe(true);
    });
  });

  it('leaves no listener on the parent and no timer once the work settles', async () => {
    const parent = new AbortController();
    let inner: AbortSignal | undefined;
    await expect(
      withDeadline(40, parent.signal, async (signal) => {
        inner = signal;
        expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(inner?.aborted).toBe(false);
  });
});
