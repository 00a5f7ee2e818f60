/**
 * The template to deploy: a local file (parsed here first, so syntax errors
 * and unknown parameters fail before any AWS call) or an https/S3 URL (its
 * parameters read with GetTemplateSummary). Local templates larger than
 * CloudFormation's inline limit are uploaded to the template bucket under a
 * content-addressed key, so a re-run writes the same object.
 */
import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import {
  GetTemplateSummaryCommand,
  type GetTemplateSummaryCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { readTemplate, type Template } from '../../../core/cfn-template.js';
import { ActionError, errorCode } from '../../../core/errors.js';
import type { Context } from './context.js';
import { type DeployInputs, s3HttpsUrl, type TemplateSource } from './inputs.js';
import { type Declared, declaredFromTemplate } from './parameters.js';
import { noEchoOutputs } from './secret-outputs.js';

/** CloudFormation's limit for TemplateBody. */
export const INLINE_LIMIT = 51_200;
/** CloudFormation's limit for a template read from S3. */
export const URL_LIMIT = 1_048_576;

export interface PreparedTemplate {
  /** For messages: the path or URL as given. */
  where: string;
  /** The local template's text (undefined for URL templates). */
  body?: string;
  /** A URL CloudFormation reads the template from (URL templates, or after upload). */
  url?: string;
  declared: Declared;
  /** Logical id -> type, for local templates. */
  resources: Array<{ logicalId: string; type: string }>;
  /**
   * Whether an identical deployed template with identical settings is an
   * exact no-op. Not so when CloudFormation resolves something at deploy time
   * that the text does not show: transforms/macros (also Fn::Transform inside
   * the template), nested stack templates, modules, SSM parameter types.
   */
  exact: boolean;
  /** Why it is not exact, for the log. */
  inexactReason?: string;
  /** Outputs that reference a NoEcho parameter (local templates; see secret-outputs.ts). */
  secretOutputs?: string[];
}

/** The logical id of the first resource whose definition holds a `Fn::Transform` (e.g. AWS::Include). */
function transformInside(template: Template): string | undefined {
  const holds = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(holds);
    if (!node || typeof node !== 'object') return false;
    return Object.entries(node).some(([k, v]) => k === 'Fn::Transform' || holds(v));
  };
  for (const section of ['Resources', 'Outputs', 'Conditions', 'Mappings', 'Rules'] as const) {
    const entries = Object.entries((template[section] as Record<string, unknown>) ?? {});
    const found = entries.find(([, v]) => holds(v));
    if (found) return found[0];
  }
  return undefined;
}

function inexactReason(template: Template, declared: Declared): string | undefined {
  if (template.Transform !== undefined) return 'the template uses a Transform';
  // A snippet included from S3 (AWS::Include) or another macro can change
  // while the template text stays the same.
  const transformed = transformInside(template);
  if (transformed) return `${transformed} uses Fn::Transform`;
  const nested = Object.entries(template.Resources ?? {}).find(
    ([, r]) => r?.Type === 'AWS::CloudFormation::Stack',
  );
  if (nested) return `it has a nested stack (${nested[0]})`;
  // A module's registered version can change while the template stays the same.
  const mod = Object.entries(template.Resources ?? {}).find(([, r]) =>
    String(r?.Type ?? '').endsWith('::MODULE'),
  );
  if (mod) return `it uses a module (${mod[0]})`;
  const ssm = Object.entries(declared).find(([, d]) => d.type.startsWith('AWS::SSM::Parameter'));
  if (ssm) return `parameter ${ssm[0]} is read from SSM at deploy time`;
  return undefined;
}

/** Reads and parses a local template. No AWS call. */
export function prepareLocalTemplate(path: string): PreparedTemplate {
  const { text, template } = readTemplate(path);
  const size = Buffer.byteLength(text, 'utf8');
  if (size > URL_LIMIT) {
    throw new ActionError(
      `Template ${path} is ${size.toLocaleString('en-US')} bytes; CloudFormation accepts at most ${URL_LIMIT.toLocaleString('en-US')} bytes.`,
      'Split it into nested stacks, or shorten it (for example move inline code into an S3 asset).',
    );
  }
  const declared = declaredFromTemplate(
    template.Parameters as Record<string, Record<string, unknown>> | undefined,
  );
  const reason = inexactReason(template, declared);
  return {
    where: path,
    body: text,
    declared,
    resources: Object.entries(template.Resources ?? {}).map(([logicalId, r]) => ({
      logicalId,
      type: String(r?.Type ?? ''),
    })),
    exact: reason === undefined,
    ...(reason && { inexactReason: reason }),
    secretOutputs: noEchoOutputs(template, declared),
  };
}

/** Fails before any AWS call when a large template has nowhere to go. */
export function checkSize(template: PreparedTemplate, inputs: DeployInputs): void {
  if (template.body === undefined || inputs.templateBucket) return;
  const size = Buffer.byteLength(template.body, 'utf8');
  if (size > INLINE_LIMIT) {
    throw new ActionError(
      `Template ${template.where} is ${size.toLocaleString('en-US')} bytes, over CloudFormation's inline limit of ${INLINE_LIMIT.toLocaleString('en-US')} bytes.`,
      'Set the "template-bucket" input to an S3 bucket in the stack\'s region: the template is uploaded there first.',
    );
  }
}

/** Reads a URL template's declared parameters with GetTemplateSummary (read-only). */
export async function prepareUrlTemplate(
  ctx: Context,
  source: Extract<TemplateSource, { kind: 'url' }>,
): Promise<PreparedTemplate> {
  // s3://BUCKET/KEY as the regional URL: the global one does not reach
  // buckets in every partition (China) or opt-in region.
  const url = source.s3 ? s3HttpsUrl(source.s3.bucket, source.s3.key, ctx.region) : source.url;
  let summary: GetTemplateSummaryCommandOutput;
  try {
    // Throttling slows this down like every other call, never fails it.
    summary = await ctx.cfn.send(new GetTemplateSummaryCommand({ TemplateURL: url }));
  } catch (err) {
    if (errorCode(err) === 'ValidationError') {
      throw new ActionError(
        `CloudFormation cannot read the template at ${source.given}: ${(err as Error).message}`,
        "Check the URL, that the object exists, and that the role can read it (s3:GetObject); the bucket must be in the stack's region.",
        { cause: err },
      );
    }
    throw err;
  }
  const declared: Declared = {};
  for (const p of summary.Parameters ?? []) {
    if (!p.ParameterKey) continue;
    declared[p.ParameterKey] = {
      type: p.ParameterType ?? 'String',
      noEcho: p.NoEcho === true,
      ...(p.DefaultValue !== undefined && { default: p.DefaultValue }),
      ...(p.ParameterConstraints?.AllowedValues?.length && {
        allowedValues: p.ParameterConstraints.AllowedValues,
      }),
    };
  }
  return {
    where: source.given,
    url,
    declared,
    resources: [],
    exact: false,
    inexactReason: 'the template is read from a URL',
  };
}

/** TemplateBody or TemplateURL for CloudFormation, uploading a large local template first. */
export async function templateArgument(
  template: PreparedTemplate,
  inputs: DeployInputs,
  ctx: Pick<Context, 's3' | 'region' | 'log' | 'clock'>,
): Promise<{ TemplateBody: string } | { TemplateURL: string }> {
  const { region, log } = ctx;
  if (template.url) return { TemplateURL: template.url };
  const body = template.body!;
  if (Buffer.byteLength(body, 'utf8') <= INLINE_LIMIT) return { TemplateBody: body };
  const { bucket, prefix } = inputs.templateBucket!;
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 20);
  const ext = extname(template.where) || '.yaml';
  const key = [prefix, 'mcfpipe-templates', inputs.name, `${hash}${ext}`].filter(Boolean).join('/');
  const client = await ctx.s3();
  // Loaded on demand, like the client: most templates go inline.
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    // Throttling (SlowDown) slows the upload down, never fails it.
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: ext === '.json' ? 'application/json' : 'text/yaml',
      }),
    );
  } catch (err) {
    const code = errorCode(err);
    if (code === 'NoSuchBucket') {
      throw new ActionError(
        `The template bucket ${bucket} does not exist.`,
        'Create it in the stack\'s region, or correct the "template-bucket" input.',
        { cause: err },
      );
    }
    throw err;
  }
  template.url = s3HttpsUrl(bucket, key, region);
  log(`Uploaded the template (${Buffer.byteLength(body, 'utf8')} bytes) to s3://${bucket}/${key}.`);
  return { TemplateURL: template.url };
}
