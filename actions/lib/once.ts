/** Lazy values: what an action loads only when a run needs it (a chunk of the bundle). */

/** Calls `load` once, on first use, and hands every caller the same promise. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}
