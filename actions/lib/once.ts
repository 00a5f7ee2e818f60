/** Lazy values: what an action makes or loads only when a run needs it (a client, a chunk of the bundle). */

/** Calls `make` once, on first use, and hands every caller the same value (or the same promise). */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

/** {@link once} per key: one value for each key, made on first use of that key. */
export function oncePer<K, T>(make: (key: K) => T): (key: K) => T {
  const made = new Map<K, T>();
  return (key) => {
    if (!made.has(key)) made.set(key, make(key));
    return made.get(key)!;
  };
}
