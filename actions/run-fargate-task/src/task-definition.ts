/**
 * The task definition to run.
 *
 * - A family, family:revision or ARN is described as it is.
 * - A JSON file (the RegisterTaskDefinition shape, or what
 *   `aws ecs describe-task-definition` prints) is registered as a new
 *   revision only when it differs from the family's latest ACTIVE revision;
 *   otherwise that revision is used, so a workflow that runs every hour does
 *   not add a revision every hour.
 * - `image` replaces the chosen container's image. RunTask's overrides cannot
 *   change an image, so this needs a revision with the new image: one is
 *   registered only when the latest revision of the family is not already
 *   exactly that.
 *
 * Differences are compared on what a revision means, not on how it is
 * written: defaults AWS fills in (essential: true, cpu: 0, protocol: tcp,
 * empty lists), the order of environment variables and numbers written as
 * strings do not count as changes.
 */
import { readFileSync } from 'node:fs';
import {
  type ContainerDefinition,
  DescribeTaskDefinitionCommand,
  paginateListTaskDefinitionFamilies,
  paginateListTaskDefinitions,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ActionError, errorCode } from '../../../core/errors.js';
import type { Context } from './context.js';
import type { TaskDefinitionRef } from './inputs.js';

/** The fields of RegisterTaskDefinition that define a revision. */
const REVISION_FIELDS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const;

/** Fields describe-task-definition prints that a registration does not take. */
const READ_ONLY_FIELDS = new Set([
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
]);

export type Revision = Pick<RegisterTaskDefinitionCommandInput, (typeof REVISION_FIELDS)[number]>;

export interface ResolvedTaskDefinition {
  definition: TaskDefinition;
  /** family:revision */
  label: string;
  /** Whether this step registered the revision. */
  registered: boolean;
}

export function labelOf(def: TaskDefinition): string {
  return `${def.family}:${def.revision}`;
}

export function isMissingTaskDefinition(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return (
    errorCode(err) === 'ClientException' && /unable to describe task definition/i.test(message)
  );
}

/** Describes a task definition; its tags only when asked (they are copied to a new revision). */
async function describe(
  ctx: Context,
  name: string,
  withTags = false,
): Promise<{ definition: TaskDefinition; tags: Tag[] } | undefined> {
  try {
    const out = await ctx.ecs.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: name,
        ...(withTags && { include: ['TAGS'] }),
      }),
    );
    if (!out.taskDefinition) return undefined;
    return { definition: out.taskDefinition, tags: out.tags ?? [] };
  } catch (err) {
    if (isMissingTaskDefinition(err)) return undefined;
    throw err;
  }
}

/** The error for a task definition that does not exist, listing what does. */
async function notFound(ctx: Context, name: string): Promise<ActionError> {
  const family = name.slice(name.lastIndexOf('/') + 1).split(':')[0]!;
  const families: string[] = [];
  for await (const page of paginateListTaskDefinitionFamilies(
    { client: ctx.ecs },
    { status: 'ACTIVE' },
  )) {
    families.push(...(page.families ?? []));
    if (families.length >= 200) break;
  }
  let exists: string;
  if (families.includes(family)) {
    const revisions: number[] = [];
    for await (const page of paginateListTaskDefinitions(
      { client: ctx.ecs },
      { familyPrefix: family, status: 'ACTIVE' },
    )) {
      for (const arn of page.taskDefinitionArns ?? []) {
        const [f, r] = arn.slice(arn.lastIndexOf('/') + 1).split(':');
        if (f === family) revisions.push(Number(r));
      }
    }
    revisions.sort((a, b) => b - a);
    exists = `Active revisions of ${family}: ${revisions
      .slice(0, 10)
      .map((r) => `${family}:${r}`)
      .join(', ')}${revisions.length > 10 ? ', ...' : ''}.`;
  } else {
    families.sort();
    exists = `Task definition families in ${ctx.region}: ${families.join(', ') || '(none)'}.`;
  }
  return new ActionError(
    `Input "task-definition": ${name} does not exist (or is not ACTIVE) in ${ctx.region}. ${exists}`,
    'Check the name and the region, or give a JSON file to register it.',
  );
}

/** The container to run: by name, else the first essential one. */
export function pickContainer(def: TaskDefinition, name: string | undefined): ContainerDefinition {
  const containers = def.containerDefinitions ?? [];
  if (name) {
    const found = containers.find((c) => c.name === name);
    if (found) return found;
    throw new ActionError(
      `Input "container": task definition ${labelOf(def)} has no container "${name}". Its containers: ${
        containers
          .map((c) => `${c.name}${c.essential === false ? '' : ' (essential)'}`)
          .join(', ') || '(none)'
      }.`,
    );
  }
  const chosen = containers.find((c) => c.essential !== false) ?? containers[0];
  if (!chosen) throw new ActionError(`Task definition ${labelOf(def)} has no containers.`);
  return chosen;
}

/** Names of the containers whose exit stops the task. */
export function essentialNames(def: TaskDefinition): string[] {
  return (def.containerDefinitions ?? []).filter((c) => c.essential !== false).map((c) => c.name!);
}

/** Refuses a definition Fargate cannot run, before anything starts. */
export function checkFargate(def: TaskDefinition): void {
  if (def.compatibilities && !def.compatibilities.includes('FARGATE')) {
    throw new ActionError(
      `Task definition ${labelOf(def)} cannot run on Fargate (compatibilities: ${def.compatibilities.join(', ')}).`,
      'Register it with "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc" and task-level cpu and memory.',
    );
  }
  if (def.networkMode && def.networkMode !== 'awsvpc') {
    throw new ActionError(
      `Task definition ${labelOf(def)} uses network mode ${def.networkMode}; Fargate needs awsvpc.`,
      'Register it with "networkMode": "awsvpc".',
    );
  }
}

export async function resolveTaskDefinition(
  ctx: Context,
  ref: TaskDefinitionRef,
  opts: { image?: string; container?: string; registeredBy: string },
): Promise<ResolvedTaskDefinition> {
  if (ref.kind === 'registered') {
    const found = await describe(ctx, ref.value);
    if (!found) throw await notFound(ctx, ref.value);
    const container = pickContainer(found.definition, opts.container);
    if (!opts.image || container.image === opts.image) {
      return { definition: found.definition, label: labelOf(found.definition), registered: false };
    }
    const revision = withImage(revisionOf(found.definition), container.name!, opts.image);
    const tags = (await describe(ctx, found.definition.taskDefinitionArn!, true))?.tags ?? [];
    return ensureRevision(ctx, revision, tags, {
      what: `${labelOf(found.definition)} with image ${opts.image}`,
      registeredBy: opts.registeredBy,
    });
  }
  const { revision, tags } = readRevisionFile(ref.path, ref.shown);
  const named = pickContainer(revision as TaskDefinition, opts.container);
  const wanted = opts.image ? withImage(revision, named.name!, opts.image) : revision;
  return ensureRevision(ctx, wanted, tags, {
    what: opts.image ? `${ref.shown} with image ${opts.image}` : ref.shown,
    registeredBy: opts.registeredBy,
  });
}

/** Uses the family's latest revision when it equals `wanted`; registers `wanted` otherwise. */
async function ensureRevision(
  ctx: Context,
  wanted: Revision,
  tags: Tag[],
  opts: { what: string; registeredBy: string },
): Promise<ResolvedTaskDefinition> {
  const latest = await describe(ctx, wanted.family!);
  if (latest) {
    const diff = differences(wanted, latest.definition);
    if (diff.length === 0) {
      ctx.log(
        `Task definition ${labelOf(latest.definition)} already is ${opts.what}; no new revision registered.`,
      );
      return {
        definition: latest.definition,
        label: labelOf(latest.definition),
        registered: false,
      };
    }
    ctx.log(
      `${opts.what} differs from ${labelOf(latest.definition)} in ${diff.slice(0, 8).join(', ')}${diff.length > 8 ? ', ...' : ''}.`,
    );
  }
  const allTags = [
    ...tags.filter((t) => t.key !== 'mcfpipe:registered-by'),
    { key: 'mcfpipe:registered-by', value: opts.registeredBy },
  ];
  const out = await ctx.ecs.send(
    new RegisterTaskDefinitionCommand({
      ...wanted,
      tags: allTags,
    } as RegisterTaskDefinitionCommandInput),
  );
  const definition = out.taskDefinition;
  if (!definition)
    throw new ActionError(
      `RegisterTaskDefinition returned no task definition for ${wanted.family}.`,
    );
  ctx.log(`Registered task definition ${labelOf(definition)} (${opts.what}).`);
  return { definition, label: labelOf(definition), registered: true };
}

/** The registration fields of a described (or written) task definition. */
export function revisionOf(def: object): Revision {
  const out: Record<string, unknown> = {};
  for (const field of REVISION_FIELDS) {
    const value = (def as Record<string, unknown>)[field];
    if (value !== undefined && value !== null) out[field] = value;
  }
  return out as Revision;
}

function withImage(revision: Revision, container: string, image: string): Revision {
  return {
    ...revision,
    containerDefinitions: (revision.containerDefinitions ?? []).map((c) =>
      c.name === container ? { ...c, image } : c,
    ),
  };
}

/** Reads a task definition file; errors name the file and the field. */
export function readRevisionFile(path: string, shown: string): { revision: Revision; tags: Tag[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ActionError(
      `Input "task-definition": ${shown} is not valid JSON: ${(err as Error).message}`,
    );
  }
  if (doc && typeof doc === 'object' && 'taskDefinition' in doc) {
    doc = (doc as { taskDefinition: unknown }).taskDefinition;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ActionError(
      `Input "task-definition": ${shown} must hold a JSON object with family and containerDefinitions (the RegisterTaskDefinition request, or the output of aws ecs describe-task-definition).`,
    );
  }
  const record = doc as Record<string, unknown>;
  const known = new Set<string>([...REVISION_FIELDS, ...READ_ONLY_FIELDS, 'tags']);
  const unknown = Object.keys(record).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new ActionError(
      `Input "task-definition": ${shown} has fields RegisterTaskDefinition does not take: ${unknown.join(', ')}.`,
      `Fields it takes: ${REVISION_FIELDS.join(', ')}, tags.`,
    );
  }
  if (typeof record.family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(record.family)) {
    throw new ActionError(
      `Input "task-definition": ${shown} needs "family": up to 255 letters, digits, _ and -.`,
    );
  }
  const containers = record.containerDefinitions;
  if (
    !Array.isArray(containers) ||
    containers.length === 0 ||
    !containers.every(
      (c) =>
        c && typeof c === 'object' && typeof c.name === 'string' && typeof c.image === 'string',
    )
  ) {
    throw new ActionError(
      `Input "task-definition": ${shown} needs "containerDefinitions": a list of containers, each with a "name" and an "image".`,
    );
  }
  const tags = Array.isArray(record.tags) ? (record.tags as Tag[]) : [];
  const revision = revisionOf(record);
  // The API takes task-level cpu and memory as strings; files often have numbers.
  if (revision.cpu !== undefined) revision.cpu = String(revision.cpu);
  if (revision.memory !== undefined) revision.memory = String(revision.memory);
  return { revision, tags };
}

/** Paths where two task definitions differ in meaning (see the module comment). */
export function differences(a: object, b: object): string[] {
  const out: string[] = [];
  diff(canonical(revisionOf(a)), canonical(revisionOf(b)), '', out);
  return out;
}

function canonical(rev: Revision): unknown {
  const copy: Record<string, unknown> = { ...rev };
  if (copy.cpu !== undefined) copy.cpu = String(copy.cpu);
  if (copy.memory !== undefined) copy.memory = String(copy.memory);
  const awsvpc = rev.networkMode === 'awsvpc';
  // Keyed by name so a difference reads containerDefinitions.app.image; the
  // order is kept separately (it decides the default container).
  copy.containerOrder = (rev.containerDefinitions ?? []).map((c) => c.name);
  copy.containerDefinitions = Object.fromEntries(
    (rev.containerDefinitions ?? []).map((c) => [c.name, canonicalContainer(c, awsvpc)]),
  );
  if (Array.isArray(copy.requiresCompatibilities)) {
    copy.requiresCompatibilities = [...(copy.requiresCompatibilities as string[])].sort();
  }
  return prune(copy);
}

function canonicalContainer(c: ContainerDefinition, awsvpc: boolean): unknown {
  const copy: Record<string, unknown> = { ...c };
  if (copy.essential === true) delete copy.essential;
  if (copy.cpu === 0) delete copy.cpu;
  const byName = (list: unknown) =>
    Array.isArray(list)
      ? Object.fromEntries(list.map((e: { name?: string }) => [e.name, e]))
      : list;
  copy.environment = byName(c.environment);
  copy.secrets = byName(c.secrets);
  copy.portMappings = c.portMappings?.map((p) => {
    const m: Record<string, unknown> = { ...p };
    if (m.protocol === 'tcp') delete m.protocol;
    if (awsvpc && m.hostPort === m.containerPort) delete m.hostPort;
    return m;
  });
  return copy;
}

/** Drops undefined, null, empty lists and empty objects, recursively. */
function prune(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, prune(v)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value === null ? undefined : value;
}

function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (a === b) return;
  const isObject = (v: unknown) => v !== null && typeof v === 'object';
  if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
    for (const k of keys) {
      const sub = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      diff(ao[k], bo[k], sub, out);
    }
    return;
  }
  out.push(path || '(everything)');
}
