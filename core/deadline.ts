/**
 * A time limit on one piece of work, with a timer that lives as long as the
 * work does.
 *
 * Why not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20
 * the composite signal holds its sources weakly, and nothing else holds the
 * timeout signal, so a garbage collection during the request drops the
 * timer; a 1 s timeout then never fires (seen: a scrape shard stalled for
 * minutes). Here the timer is an ordinary setTimeout, referenced by Node's
 * timer list until it fires or is cleared, and it is cleared when the work
 * settles, along with the listener on the parent signal.
 */

/**
 * Runs `work` with a signal that aborts after `ms` (reason: a DOMException
 * named TimeoutError, as AbortSignal.timeout gives) or when `parent` aborts
 * (its reason). The timer and the parent listener are removed when `work`
 * settles, so nothing outlives it.
 */
export async function withDeadline<T>(
  ms: number,
  parent: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')),
    ms,
  );
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}
