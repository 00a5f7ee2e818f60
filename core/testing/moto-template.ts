/**
 * Test support: a CloudFormation template rewritten for what moto (the AWS
 * emulator the integration tests use) cannot do, so the rest of it deploys
 * there. Each rewrite is a moto gap, not something AWS needs; templates in
 * the repository stay as AWS takes them.
 *
 * - `Fn::Select` over `Fn::Cidr`: moto cannot evaluate Fn::Cidr. The blocks
 *   are computed here, from the parameter's value (or its Default).
 * - Resource types moto does not model (`UNMODELLED_TYPES`): moto skips them
 *   but fails the whole stack on an Output, Fn::GetAtt, Ref or Fn::Sub that
 *   names one. They are removed, and every reference to them becomes a
 *   placeholder string (`moto-unmodelled-<LogicalId>`; an HTTP API's
 *   ApiEndpoint becomes an execute-api URL with a 10-character API id, as
 *   AWS's are).
 */
import { createHash } from 'node:crypto';
import type { Template } from '../cfn-template.js';

/** Types our templates use that moto 5.2 cannot create through CloudFormation. */
export const UNMODELLED_TYPES = new Set([
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Stage',
  'AWS::IAM::RolePolicy',
  'AWS::Scheduler::Schedule',
]);

/** Fn::Cidr's answer: `count` blocks of 2^bits addresses from the start of an IPv4 range. */
export function cidrBlocks(range: string, count: number, bits: number): string[] {
  const address = range.split('/')[0]!;
  const base = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  return Array.from({ length: count }, (_, i) => {
    const n = base + i * 2 ** bits;
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256);
    return `${octets.join('.')}/${32 - bits}`;
  });
}

export interface MotoTemplateOptions {
  /** Parameter values the stack is deployed with (else each parameter's Default). */
  parameters?: Record<string, string>;
  region?: string;
}

export interface MotoTemplate {
  template: Template;
  /** Logical ids of the resources removed (unmodelled types). */
  removed: string[];
}

type Json = unknown;

export function templateForMoto(source: Template, opts: MotoTemplateOptions = {}): MotoTemplate {
  const template = structuredClone(source) as Template & {
    Resources?: Record<string, { Type?: string; DependsOn?: string | string[] }>;
    Parameters?: Record<string, { Default?: unknown }>;
  };
  const region = opts.region ?? 'us-east-1';
  const removed = Object.entries(template.Resources ?? {})
    .filter(([, r]) => UNMODELLED_TYPES.has(String(r.Type)))
    .map(([id]) => id);
  for (const id of removed) delete template.Resources![id];
  const gone = new Set(removed);
  const parameter = (name: string): string =>
    opts.parameters?.[name] ?? String(template.Parameters?.[name]?.Default ?? '');
  const placeholder = (id: string, attribute?: string): string =>
    attribute === 'ApiEndpoint'
      ? `https://${createHash('sha256').update(id).digest('hex').slice(0, 10)}.execute-api.${region}.amazonaws.com`
      : `moto-unmodelled-${id}`;

  const rewrite = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== 'object') return value;
    const node = value as Record<string, Json>;
    if (typeof node.Ref === 'string' && gone.has(node.Ref)) return placeholder(node.Ref);
    const getAtt = node['Fn::GetAtt'];
    if (getAtt) {
      const [id, attribute] = Array.isArray(getAtt) ? getAtt : String(getAtt).split('.');
      if (gone.has(String(id))) return placeholder(String(id), String(attribute));
    }
    const sub = node['Fn::Sub'];
    if (sub) {
      const text = (t: string) =>
        t.replace(
          /\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9]+))?\}/g,
          (whole, id: string, attr?: string) => (gone.has(id) ? placeholder(id, attr) : whole),
        );
      return {
        'Fn::Sub': Array.isArray(sub) ? [text(String(sub[0])), rewrite(sub[1])] : text(String(sub)),
      };
    }
    const select = node['Fn::Select'] as
      | [number, { 'Fn::Cidr'?: [Json, number, number] }]
      | undefined;
    const cidr = select?.[1]?.['Fn::Cidr'];
    if (select && cidr) {
      const range = cidr[0] as { Ref?: string } | string;
      const block = typeof range === 'string' ? range : parameter(String(range.Ref));
      return cidrBlocks(block, Number(cidr[1]), Number(cidr[2]))[Number(select[0])];
    }
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'DependsOn') {
        const kept = (Array.isArray(v) ? v : [v]).filter((d) => !gone.has(String(d)));
        if (kept.length) out[k] = kept;
      } else out[k] = rewrite(v);
    }
    return out;
  };
  return { template: rewrite(template) as Template, removed };
}
