/**
 * Reading a job page's elements from the job's own block only.
 *
 * An MCF job page also shows suggested jobs, as cards that reuse some of the
 * job's own test ids (`salary-range`, `salary-type`, `company-hire-info`).
 * When the job's own element is missing (a hidden salary), the first element
 * with that id on the page is a card's, and belongs to another job. So an
 * element is read only when it lies outside every *foreign* container:
 *
 * - anything holding a link to another job's page (`/job/...-<uuid>` with
 *   another uuid), widened to the largest container that holds none of the
 *   job's own elements (a card, or the whole "similar jobs" section);
 * - anything whose test id names a card or a suggestion (`card`, `suggest`,
 *   `similar`, `recommend`) and holds none of the job's own elements, for
 *   cards that navigate without links. (Class names are not read: styling
 *   classes such as `salary-card` can sit on the job's own blocks.)
 *
 * The job's own elements are the `job-details-info-*` ids, the description
 * and the skills: ids that cards do not use.
 *
 * The page is walked once (no CSS selector scans): a rendered page is a few
 * thousand nodes, and the browser path reads hundreds of pages a second.
 */
import type { AnyNode, Document, Element } from 'domhandler';
import { uuidFromJobUrl } from '../mcf/urls.js';
import { OWN_TESTIDS } from './testids.js';

const CARDISH = /(^|[\s_-])(card|cards|suggest\w*|similar|recommend\w*)([\s_-]|$)/i;

/** What one walk of the page finds. */
export interface PageIndex {
  /** Elements by test id, in document order. */
  testIds: Map<string, Element[]>;
  /** `<script type="application/ld+json">` elements. */
  jsonLd: Element[];
  /** The hrefs of the `<link rel="canonical">` elements, in document order. */
  canonicals: string[];
  /** `<a href>` elements. */
  links: Element[];
  /** How deep elements nest (the root's children are at depth 1). */
  depth: number;
}

function isElement(n: AnyNode): n is Element {
  return n.type === 'tag' || n.type === 'script' || n.type === 'style';
}

export function indexPage(root: Document): PageIndex {
  const index: PageIndex = { testIds: new Map(), jsonLd: [], canonicals: [], links: [], depth: 0 };
  const stack: Array<[AnyNode, number]> = [...root.children].reverse().map((n) => [n, 1]);
  while (stack.length) {
    const [n, depth] = stack.pop()!;
    if (!isElement(n)) continue;
    if (depth > index.depth) index.depth = depth;
    const a = n.attribs;
    const id = a['data-testid'];
    if (id !== undefined) {
      const list = index.testIds.get(id);
      if (list) list.push(n);
      else index.testIds.set(id, [n]);
    }
    if (n.name === 'a' && a.href !== undefined) index.links.push(n);
    else if (n.name === 'script' && a.type === 'application/ld+json') index.jsonLd.push(n);
    else if (
      n.name === 'link' &&
      a.href !== undefined &&
      (a.rel ?? '').toLowerCase().split(/\s+/).includes('canonical')
    )
      index.canonicals.push(a.href);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i]!, depth + 1]);
  }
  return index;
}

export interface OwnBlock {
  /** The first element with this test id that is not inside a foreign container. */
  byTestId(id: string): Element | undefined;
  /** Whether the page has any of the job's own elements. */
  readonly found: boolean;
}

export function ownBlock(index: PageIndex, uuid: string | undefined): OwnBlock {
  const own = new Set<AnyNode>();
  for (const id of OWN_TESTIDS) {
    for (const el of index.testIds.get(id) ?? []) {
      for (let n: AnyNode | null = el; n && !own.has(n); n = n.parent) own.add(n);
    }
  }
  const foreign = new Set<AnyNode>();
  for (const a of index.links) {
    const other = uuidFromJobUrl(a.attribs.href ?? '');
    if (!other || other === uuid) continue;
    let n: AnyNode = a;
    while (n.parent && !own.has(n.parent)) n = n.parent;
    if (!own.has(n)) foreign.add(n);
  }
  for (const [id, els] of index.testIds) {
    if (!CARDISH.test(id)) continue;
    for (const el of els) if (!own.has(el)) foreign.add(el);
  }
  const isForeign = (el: AnyNode): boolean => {
    for (let n: AnyNode | null = el; n; n = n.parent) if (foreign.has(n)) return true;
    return false;
  };
  return {
    found: own.size > 0,
    byTestId: (id) => index.testIds.get(id)?.find((el) => !isForeign(el)),
  };
}
