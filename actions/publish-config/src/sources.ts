/**
 * The values to publish: a stack's outputs, a file, inline JSON and KEY=value
 * pairs, merged in that order (a later source wins for the same key).
 */
import { readFile } from 'node:fs/promises';
import { ActionError } from '../../../core/errors.js';
import type { ConfigPairs, ParsedConfig } from '../../lib/config-store.js';
import { parseConfigDocument } from '../../lib/config-store.js';
import type { EntryDetails } from '../../lib/config-write.js';
import { describeStack } from '../../lib/stack-wait.js';
import type { Context } from './context.js';
import type { Sources } from './inputs.js';

export interface Gathered {
  pairs: ConfigPairs;
  /** Description and ExportName of stack outputs, kept in the published entries. */
  details: EntryDetails;
  /** Where each key's value came from (the last source that set it). */
  origin: Record<string, string>;
  /** For the object's metadata and the summary, e.g. "stack mcfpipe-dev-network + set". */
  description: string;
  /** Keys a file or json source marks `"Secret": true` (they stay secret when overridden). */
  secretKeys: string[];
}

/** Stack states whose outputs describe resources that exist and are settled. */
const PUBLISHABLE = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);

export async function gather(ctx: Context, sources: Sources): Promise<Gathered> {
  const out: Gathered = { pairs: {}, details: {}, origin: {}, description: '', secretKeys: [] };
  const names: string[] = [];
  const merge = ({ pairs, secretKeys }: ParsedConfig, origin: string) => {
    for (const k of secretKeys) if (!out.secretKeys.includes(k)) out.secretKeys.push(k);
    for (const [k, v] of Object.entries(pairs)) {
      out.pairs[k] = v;
      out.origin[k] = origin;
      // The stack's description of an output no longer fits a value set elsewhere.
      delete out.details[k];
    }
  };
  if (sources.stackName) {
    const name = `stack ${sources.stackName}`;
    names.push(name);
    const outputs = await stackOutputs(ctx, sources.stackName);
    for (const o of outputs) {
      if (!o.OutputKey) continue;
      out.pairs[o.OutputKey] = o.OutputValue ?? '';
      out.origin[o.OutputKey] = name;
      const detail: EntryDetails[string] = {};
      if (o.Description) detail.Description = o.Description;
      if (o.ExportName) detail.ExportName = o.ExportName;
      if (Object.keys(detail).length) out.details[o.OutputKey] = detail;
    }
  }
  if (sources.file) {
    const name = `file ${sources.file.shown}`;
    names.push(name);
    let text: string;
    try {
      text = await readFile(sources.file.path, 'utf8');
    } catch (err) {
      throw new ActionError(
        `Input "file": cannot read ${sources.file.shown} (${sources.file.path}): ${(err as Error).message}`,
        'Give a path relative to the workspace; check out the repository first (actions/checkout) if the file is in it.',
        { cause: err },
      );
    }
    merge(parseConfigDocument(text, `file ${sources.file.shown}`), name);
  }
  if (sources.json !== undefined) {
    names.push('json input');
    merge(parseConfigDocument(sources.json, 'the "json" input'), 'json input');
  }
  if (Object.keys(sources.set).length) {
    names.push('set input');
    merge({ pairs: sources.set, secretKeys: [] }, 'set input');
  }
  out.description = names.join(' + ');
  return out;
}

async function stackOutputs(ctx: Context, stackName: string) {
  const stack = await describeStack(ctx.cfn, stackName);
  if (!stack) {
    throw new ActionError(
      `Input "stack-name": stack ${stackName} does not exist in ${ctx.region}.`,
      'Deploy it first (deploy-stack), or check the name and the region.',
    );
  }
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!PUBLISHABLE.has(status)) {
    throw new ActionError(
      `Stack ${stackName} is ${status}: its outputs are not those of a settled, working deployment, so they are not published.`,
      `Publish after a successful deploy (status ${[...PUBLISHABLE].slice(0, 2).join(' or ')}).`,
    );
  }
  const outputs = stack.Outputs ?? [];
  if (outputs.length === 0) {
    ctx.warn(`Stack ${stackName} has no outputs.`);
  }
  return outputs;
}
