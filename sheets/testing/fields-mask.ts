/**
 * Google's partial-response `fields` parameter: `a,b(c,d/e),f.g` keeps only
 * those paths of a JSON response (arrays are filtered element by element).
 */
export type Mask = Map<string, Mask | true>;

export function parseMask(text: string): Mask {
  let i = 0;
  const parseList = (): Mask => {
    const mask: Mask = new Map();
    for (;;) {
      let name = '';
      while (i < text.length && !',()'.includes(text[i]!)) name += text[i++];
      name = name.trim();
      let sub: Mask | true = true;
      if (text[i] === '(') {
        i++;
        sub = parseList();
        if (text[i] !== ')') throw new Error(`bad fields mask near ${i}: ${text}`);
        i++;
      }
      if (name) addPath(mask, name.split(/[./]/), sub);
      if (text[i] === ',') {
        i++;
        continue;
      }
      return mask;
    }
  };
  const mask = parseList();
  if (i !== text.length) throw new Error(`bad fields mask near ${i}: ${text}`);
  return mask;
}

function addPath(mask: Mask, path: string[], leaf: Mask | true): void {
  const [head, ...rest] = path;
  if (!head) return;
  if (!rest.length) {
    const prior = mask.get(head);
    if (prior instanceof Map && leaf instanceof Map) for (const [k, v] of leaf) prior.set(k, v);
    else mask.set(head, leaf === true || !(prior instanceof Map) ? leaf : prior);
    return;
  }
  let next = mask.get(head);
  if (next === true) return;
  if (!next) {
    next = new Map();
    mask.set(head, next);
  }
  addPath(next, rest, leaf);
}

export function applyMask(value: unknown, mask: Mask | true): unknown {
  if (mask === true || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => applyMask(v, mask));
  const out: Record<string, unknown> = {};
  for (const [k, sub] of mask) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = applyMask(v, sub);
  }
  return out;
}

/**
 * The keys a mask keeps at the end of a path (`sheets.data.rowData.values`
 * -> userEnteredValue, effectiveValue...); undefined when it keeps all of
 * them (no mask, or the path is kept whole), an empty set when none.
 */
export function keptAt(text: string | null | undefined, path: string[]): Set<string> | undefined {
  if (!text) return undefined;
  let m: Mask | true | undefined = parseMask(text);
  for (const name of path) {
    if (m === true) return undefined;
    m = m.get(name);
    if (m === undefined) return new Set();
  }
  return m === true ? undefined : new Set(m.keys());
}
