/**
 * Generation-time checks: what would otherwise fail on the runner, or pass
 * there and do the wrong thing, is an error before any YAML is written.
 *
 * - `uses: ./actions/x` passes only inputs x's action.yml declares, and every
 *   required one; the same for the pinned third-party actions.
 * - Every `steps.<id>.outputs.<name>` names an earlier step of the job that
 *   sets that output: an output its action.yml declares (for deploy-stack,
 *   also the deployed template's Outputs; for publish-config in read mode,
 *   the keys it is told to require), or one a run step declares.
 * - Every `needs.<job>.outputs.<name>` names a job in `needs` that has it;
 *   every `inputs.<name>` an input of the workflow; every `matrix.<key>` a key
 *   of the job's matrix.
 * - A `run:` script holds no `${{ }}`: values reach scripts through `env:`,
 *   so an input or output can never be spliced into the shell as code.
 * - Every job has a timeout and explicit permissions, and `id-token: write`
 *   exactly when it requests OIDC credentials.
 */
import { didYouMean as suggest } from '../core/suggest.js';
import { contextPaths, embeddedExpressions } from './expressions.js';
import { localAction, templateOutputs } from './local-actions.js';
import type {
  CallJob,
  LocalActionStep,
  Permissions,
  Step,
  StepsJob,
  Text,
  Workflow,
} from './model.js';
import { type PinnedAction, THIRD_PARTY } from './third-party.js';

export class WorkflowCheckError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The workflow definitions have ${problems.length} problem(s):\n- ${problems.join('\n- ')}`,
    );
  }
}

/** Fails with every problem of every workflow, or returns nothing. */
export function checkWorkflows(workflows: Workflow[]): void {
  const problems = workflows.flatMap((w) => workflowProblems(w, workflows));
  if (problems.length) throw new WorkflowCheckError(problems);
}

export function workflowProblems(workflow: Workflow, all: Workflow[]): string[] {
  const problems: string[] = [];
  const where = (job: string, rest = '') => `${workflow.file} jobs.${job}${rest}`;
  const inputs = new Set([
    ...Object.keys(workflow.on.workflowDispatch?.inputs ?? {}),
    ...Object.keys(workflow.on.workflowCall?.inputs ?? {}),
  ]);
  for (const text of [workflow.concurrency?.group, ...Object.values(workflow.env ?? {})]) {
    if (text) problems.push(...referenceProblems(text, `${workflow.file}`, { inputs }));
  }
  for (const [id, job] of Object.entries(workflow.jobs)) {
    for (const need of job.needs ?? []) {
      if (!workflow.jobs[need])
        problems.push(`${where(id)}: needs ${need}, which is not a job here`);
    }
    const needs = Object.fromEntries(
      (job.needs ?? []).map((n) => [n, jobOutputs(workflow.jobs[n], all)]),
    );
    const scope = { inputs, needs };
    if (job.if) problems.push(...referenceProblems(job.if, where(id, '.if'), scope, true));
    if (job.kind === 'call') problems.push(...referenceProblems(job.name, where(id), scope));
    if (job.kind === 'call') {
      problems.push(...callJobProblems(id, job, workflow, all));
      continue;
    }
    problems.push(...stepsJobProblems(id, job, workflow, scope));
  }
  return problems;
}

interface Scope {
  inputs: Set<string>;
  needs?: Record<string, string[]>;
  steps?: Map<string, string[]>;
  matrix?: Set<string>;
}

function stepsJobProblems(id: string, job: StepsJob, workflow: Workflow, scope: Scope): string[] {
  const problems: string[] = [];
  const where = (rest = '') => `${workflow.file} jobs.${id}${rest}`;
  if (!(job.timeoutMinutes > 0)) problems.push(`${where()}: no timeout-minutes`);
  const oidc = job.steps.some((s) => s.kind === 'remote' && s.action === 'awsCredentials');
  if (oidc !== (job.permissions['id-token'] === 'write')) {
    problems.push(
      oidc
        ? `${where()}: requests AWS credentials through OIDC but lacks permissions id-token: write`
        : `${where()}: has id-token: write but requests no OIDC credentials`,
    );
  }
  const matrix = new Set(Object.keys(job.strategy?.matrix ?? {}));
  const steps = new Map<string, string[]>();
  const jobScope = { ...scope, matrix };
  for (const text of [
    job.name,
    job.environment,
    job.concurrency?.group,
    ...Object.values(job.env ?? {}),
  ]) {
    if (text) problems.push(...referenceProblems(text, where(), jobScope));
  }
  let checkedOut = false;
  job.steps.forEach((step, i) => {
    const at = where(`.steps[${i}] (${step.id ?? step.name})`);
    if (step.id && steps.has(step.id)) problems.push(`${at}: step id ${step.id} is used twice`);
    if (step.kind === 'remote' && step.action === 'checkout') checkedOut = true;
    if (step.kind === 'local' && !checkedOut) {
      problems.push(
        `${at}: ./actions/${step.action} is read from the repository, which no earlier step of this job checks out (GitHub fails it: "Can't find 'action.yml'"); put checkout() before it`,
      );
    }
    problems.push(...inputProblems(step, at));
    const stepScope = { ...jobScope, steps };
    for (const [key, text] of stepTexts(step)) {
      problems.push(...referenceProblems(text, `${at} ${key}`, stepScope, key === 'if'));
    }
    if (step.kind === 'run' && embeddedExpressions(step.run).length) {
      problems.push(
        `${at} run: holds \${{ ${embeddedExpressions(step.run)[0]} }}; pass values to scripts through env: instead`,
      );
    }
    if (step.id) steps.set(step.id, stepOutputs(step));
  });
  for (const [name, text] of Object.entries(job.outputs ?? {})) {
    problems.push(...referenceProblems(text, where(`.outputs.${name}`), { ...jobScope, steps }));
  }
  return problems;
}

function callJobProblems(id: string, job: CallJob, workflow: Workflow, all: Workflow[]): string[] {
  const where = `${workflow.file} jobs.${id}`;
  const called = all.find((w) => `./.github/workflows/${w.file}` === job.workflow);
  if (!called) return [`${where}: calls ${job.workflow}, which is not generated here`];
  const declared = called.on.workflowCall?.inputs;
  if (!declared) return [`${where}: ${called.file} has no workflow_call trigger`];
  const problems: string[] = [];
  for (const key of Object.keys(job.with)) {
    if (!declared[key]) {
      problems.push(
        `${where} with.${key}: ${called.file} declares no input ${key} (inputs: ${Object.keys(declared).join(', ')})`,
      );
    }
  }
  for (const [key, input] of Object.entries(declared)) {
    if (input.required && !(key in job.with)) {
      problems.push(`${where}: ${called.file} requires input ${key}`);
    }
  }
  const needsOidc = Object.values(called.jobs).some(
    (j) => j.kind === 'steps' && j.permissions['id-token'] === 'write',
  );
  if (needsOidc && job.permissions['id-token'] !== 'write') {
    problems.push(`${where}: ${called.file} requests OIDC credentials; grant id-token: write`);
  }
  for (const [key, value] of Object.entries(called.permissions)) {
    if (!covers(job.permissions, key as keyof Permissions, value)) {
      problems.push(`${where}: ${called.file} needs ${key}: ${value}`);
    }
  }
  return problems;
}

function covers(granted: Permissions, key: keyof Permissions, wanted: string): boolean {
  const rank = { none: 0, read: 1, write: 2 } as const;
  return rank[granted[key] ?? 'none'] >= rank[wanted as keyof typeof rank];
}

function inputProblems(step: Step, at: string): string[] {
  if (step.kind === 'run') return [];
  const given = Object.keys(step.with ?? {});
  if (step.kind === 'local') {
    const meta = localAction(step.action);
    const problems = given
      .filter((k) => !meta.inputs[k])
      .map(
        (k) =>
          `${at} with.${k}: ./actions/${step.action} declares no input ${k}${suggest(k, Object.keys(meta.inputs))}`,
      );
    for (const [k, input] of Object.entries(meta.inputs)) {
      if (input.required && !given.includes(k)) {
        problems.push(`${at}: ./actions/${step.action} requires input ${k}`);
      }
    }
    return problems;
  }
  const pinned = pinnedAction(step.action);
  if (!pinned) return [`${at}: ${step.action} is not a pinned third-party action (third-party.ts)`];
  return [
    ...given
      .filter((k) => !pinned.inputs.includes(k))
      .map(
        (k) =>
          `${at} with.${k}: ${pinned.repo}@${pinned.version} declares no input ${k}${suggest(k, pinned.inputs)}`,
      ),
    ...pinned.required
      .filter((k) => !given.includes(k))
      .map((k) => `${at}: ${pinned.repo} requires input ${k}`),
  ];
}

function pinnedAction(name: string): PinnedAction | undefined {
  return (THIRD_PARTY as Record<string, PinnedAction>)[name];
}

/** The outputs a step sets, as far as can be known before it runs. */
export function stepOutputs(step: Step): string[] {
  if (step.kind === 'run') return step.outputs ?? [];
  if (step.kind === 'remote') return [...(pinnedAction(step.action)?.outputs ?? [])];
  const declared = localAction(step.action).outputs;
  return [...declared, ...extraOutputs(step)];
}

function extraOutputs(step: LocalActionStep): string[] {
  if (step.action === 'deploy-stack') {
    const template = step.stackOutputsFrom ?? step.with?.template;
    if (template && !template.includes('${{') && !/^(https|s3):\/\//.test(template)) {
      return templateOutputs(template);
    }
  }
  if (step.action === 'publish-config' && step.with?.mode === 'read') {
    return (step.with.keys ?? '')
      .split(/[\n,]/)
      .map((k) => k.trim())
      .filter(Boolean);
  }
  return [];
}

function jobOutputs(job: StepsJob | CallJob | undefined, all: Workflow[]): string[] {
  if (!job) return [];
  if (job.kind === 'steps') return Object.keys(job.outputs ?? {});
  const called = all.find((w) => `./.github/workflows/${w.file}` === job.workflow);
  // Reusable workflows here declare no workflow_call outputs.
  return called ? [] : [];
}

/** The strings of a step that may hold expressions, with where they are. */
function stepTexts(step: Step): [string, Text][] {
  const texts: [string, Text][] = [['name', step.name]];
  if (step.if) texts.push(['if', step.if]);
  if (step.kind !== 'run') {
    for (const [k, v] of Object.entries(step.with ?? {})) texts.push([`with.${k}`, v]);
  }
  for (const [k, v] of Object.entries(step.env ?? {})) texts.push([`env.${k}`, v]);
  return texts;
}

/**
 * Problems with the context references of a string (or of a bare `if:`
 * expression).
 */
function referenceProblems(text: Text, at: string, scope: Scope, bareIf = false): string[] {
  const expressions = bareIf && !text.includes('${{') ? [text] : embeddedExpressions(text);
  const problems: string[] = [];
  for (const expression of expressions) {
    let paths: string[][];
    try {
      paths = contextPaths(expression);
    } catch (err) {
      problems.push(`${at}: ${expression}: ${(err as Error).message}`);
      continue;
    }
    for (const path of paths) {
      const problem = pathProblem(path, scope);
      if (problem) problems.push(`${at}: ${path.join('.')}: ${problem}`);
    }
  }
  return problems;
}

function pathProblem(path: string[], scope: Scope): string | undefined {
  const [context, name, property, output] = path;
  switch (context) {
    case 'inputs':
      if (name && !scope.inputs.has(name)) {
        return `the workflow has no input ${name}${suggest(name, [...scope.inputs])}`;
      }
      return undefined;
    case 'matrix':
      if (name && !scope.matrix?.has(name)) return `the job's matrix has no key ${name}`;
      return undefined;
    case 'steps': {
      if (!name) return undefined;
      const outputs = scope.steps?.get(name);
      if (!outputs) {
        const known = [...(scope.steps?.keys() ?? [])];
        return `no earlier step of this job has id ${name}${suggest(name, known)}`;
      }
      if (property === 'outputs' && output && !outputs.includes(output)) {
        return `step ${name} sets no output ${output}${suggest(output, outputs)}. It sets: ${outputs.join(', ') || 'none'}`;
      }
      if (property && !['outputs', 'outcome', 'conclusion'].includes(property)) {
        return `steps have outputs, outcome and conclusion, not ${property}`;
      }
      return undefined;
    }
    case 'needs': {
      if (!name) return undefined;
      const outputs = scope.needs?.[name];
      if (!outputs) return `${name} is not in this job's needs`;
      if (property === 'outputs' && output && !outputs.includes(output)) {
        return `job ${name} has no output ${output}${suggest(output, outputs)}`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
