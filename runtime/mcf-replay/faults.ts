/**
 * Fault injection for the replay server: which requests get a 429, a 5xx,
 * a 403 block, a timeout, a reset connection, a malformed body or extra
 * latency. Rules pick requests by route, job, position (first N, every Nth,
 * after N) or a seeded probability, so every test run sees the same faults.
 */
import { createRandom, type Random } from './random.js';

export type Route = 'jobs' | 'search' | 'detail' | 'page' | 'other';
export const ROUTES: readonly Route[] = ['jobs', 'search', 'detail', 'page', 'other'];

export const FAULT_KINDS = [
  'latency',
  '429',
  '5xx',
  '403',
  'timeout',
  'reset',
  'malformed',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  /** Routes the rule applies to (default: every route). */
  routes?: Route[];
  /** Only requests about this job (detail and page routes). */
  uuid?: string;
  /** Skip the first N matching requests. */
  after?: number;
  /** Only the first N matching requests (after `after`). */
  first?: number;
  /** Every Nth matching request (after `after`). */
  every?: number;
  /** Each matching request with this probability (seeded). */
  probability?: number;
  /** Stop after firing this many times. */
  times?: number;
  /** 5xx: the status (default 503). */
  status?: number;
  /** 429 (default 1) and 503: the Retry-After header, seconds. */
  retryAfterS?: number;
  /** 403: every request is refused for this long afterwards (default: only this one). */
  blockMs?: number;
  /** latency: extra delay, ms. */
  delayMs?: number;
}

export interface FaultDecision {
  /** Extra latency from `latency` rules. */
  delayMs: number;
  /** The first firing non-latency rule. */
  fault?: FaultRule;
}

interface RuleState {
  rule: FaultRule;
  seen: number;
  fired: number;
}

export class FaultPlan {
  private states: RuleState[] = [];
  private readonly random: Random;
  private blockedUntil = 0;

  constructor(rules: FaultRule[] = [], seed = 1) {
    this.random = createRandom(seed);
    this.set(rules);
  }

  set(rules: FaultRule[]): void {
    for (const rule of rules) validateRule(rule);
    this.states = rules.map((rule) => ({ rule, seen: 0, fired: 0 }));
    this.blockedUntil = 0;
  }

  /** Whether a 403 block is in force at `now`. */
  blocked(now: number): boolean {
    return now < this.blockedUntil;
  }

  decide(route: Route, uuid: string | undefined, now: number): FaultDecision {
    const out: FaultDecision = { delayMs: 0 };
    for (const s of this.states) {
      const r = s.rule;
      if (r.routes && !r.routes.includes(route)) continue;
      if (r.uuid && r.uuid !== uuid) continue;
      if (out.fault && r.kind !== 'latency') continue;
      s.seen++;
      if (!fires(s, this.random)) continue;
      s.fired++;
      if (r.kind === 'latency') out.delayMs += r.delayMs ?? 0;
      else {
        out.fault = r;
        if (r.kind === '403' && r.blockMs) this.blockedUntil = now + r.blockMs;
      }
    }
    return out;
  }
}

function fires(s: RuleState, random: Random): boolean {
  const r = s.rule;
  if (r.times !== undefined && s.fired >= r.times) return false;
  const position = s.seen - (r.after ?? 0);
  if (position < 1) return false;
  if (r.first !== undefined && position > r.first) return false;
  if (r.every !== undefined && position % r.every !== 0) return false;
  if (r.probability !== undefined && !random.chance(r.probability)) return false;
  return true;
}

function validateRule(rule: FaultRule): void {
  if (!FAULT_KINDS.includes(rule.kind)) {
    throw new Error(
      `Fault kind ${JSON.stringify(rule.kind)} is not known; kinds: ${FAULT_KINDS.join(', ')}`,
    );
  }
  for (const route of rule.routes ?? []) {
    if (!ROUTES.includes(route))
      throw new Error(
        `Fault route ${JSON.stringify(route)} is not known; routes: ${ROUTES.join(', ')}`,
      );
  }
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
    throw new Error(`Fault probability ${rule.probability} is not between 0 and 1`);
  }
}

/**
 * Parses the command line's fault syntax: `KIND[:PROBABILITY][@ROUTE,ROUTE]`,
 * e.g. `429:0.05@detail`, `5xx:0.02`, `403:0.001`, `timeout:0.01@jobs`.
 */
export function parseFaultSpec(spec: string): FaultRule {
  const m = /^([a-z0-9]+)(?::([0-9.]+))?(?:@([a-z,]+))?$/.exec(spec.trim());
  if (!m)
    throw new Error(
      `Fault ${JSON.stringify(spec)} is not KIND[:PROBABILITY][@ROUTE,...], e.g. 429:0.05@detail`,
    );
  const rule: FaultRule = { kind: m[1] as FaultKind };
  if (m[2] !== undefined) rule.probability = Number(m[2]);
  if (m[3]) rule.routes = m[3].split(',') as Route[];
  if (rule.kind === '403') rule.blockMs = 60_000;
  validateRule(rule);
  return rule;
}
