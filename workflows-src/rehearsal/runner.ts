/**
 * A local runner for the generated workflows, for the rehearsal: it reads a
 * workflow with @actions/workflow-parser (GitHub's parser, the model the
 * runner executes) and runs its jobs in `needs` order and their steps in
 * order, as the GitHub runner does:
 *
 * - `if:` conditions, `env:`, `with:` and job outputs are evaluated with
 *   @actions/expressions over the github, inputs, vars, env, steps, needs,
 *   runner and job contexts;
 * - `uses: ./actions/<name>` runs the committed bundle (runs.main of its
 *   action.yml) with node: inputs as INPUT_<NAME> (declared defaults
 *   filled in), fresh GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV /
 *   GITHUB_STEP_SUMMARY / GITHUB_PATH files, outputs read back; a `post:`
 *   runs at the end of the job with the saved state as STATE_<name>, when
 *   its post-if holds;
 * - `run:` steps run in `bash --noprofile --norc -eo pipefail` (the
 *   workflows' `shell: bash`), in the workspace;
 * - what GITHUB_ENV sets reaches the later steps of the job;
 * - a job with a `strategy.matrix` runs once per combination (after its
 *   `if:` holds), with the `matrix` context; its result is failure when any
 *   combination failed;
 * - a job whose `uses:` is a reusable workflow of this repository
 *   (`./.github/workflows/<file>.yml`) runs that workflow's jobs, after its
 *   `if:` holds: `with:` is checked against on.workflow_call.inputs (an
 *   undeclared input, a missing required one or a value of another type is
 *   an error, as on GitHub; defaults fill the rest) and evaluated in the
 *   caller's contexts; the called jobs keep the caller's github context
 *   (event_name too) and get the secrets passed (`secrets: inherit`, the
 *   named ones, else none); on.workflow_call.outputs become the job's
 *   outputs (needs.<job>.outputs), and the job fails when a called job
 *   failed, so later jobs that need it are skipped unless their `if:` says
 *   otherwise. Another repository's workflow, a matrix of calls and nesting
 *   beyond GitHub's four levels are refused, naming the job.
 *
 * Steps that need GitHub itself or a Docker engine are replaced by the
 * stand-ins given (stand-ins.ts lists them all); environment differences of
 * the emulator are handled by hooks around steps (moto.ts), never in the
 * workflows.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  convertWorkflowTemplate,
  isMapping,
  isSequence,
  NoOperationTraceWriter,
  parseWorkflow,
} from '@actions/workflow-parser';
import type {
  ActionStep,
  Job,
  ReusableWorkflowJob,
  RunStep,
  WorkflowJob,
  WorkflowTemplate,
} from '@actions/workflow-parser/model/workflow-template';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { parseCommandFile } from '../../actions/lib/testing/run-action.js';
import { localAction } from '../local-actions.js';
import { type Contexts, condition, type Status, tokenString, tokenValue } from './evaluate.js';

/** What a stand-in or a hook sees of the step it replaces or surrounds. */
export interface StepContext {
  workflow: string;
  job: string;
  stepId: string;
  /** The `uses:` of an action step (`./actions/deploy-stack`, `owner/repo@sha`). */
  uses?: string;
  /** The evaluated inputs; a `before` hook may change them. */
  with: Record<string, string>;
  /** The step process's environment. */
  env: Record<string, string>;
  /** After the step: its outputs. */
  outputs: Record<string, string>;
  runnerTemp: string;
}

export interface StepMatch {
  /** `uses:` without the @ref (`aws-actions/configure-aws-credentials`, `./actions/deploy-stack`). */
  uses?: string;
  id?: string;
  job?: string;
  workflow?: string;
}

/** Replaces a step that cannot run here; `standsFor` says what it stands for. */
export interface StandIn {
  match: StepMatch;
  standsFor: string;
  run(
    ctx: StepContext,
  ): Promise<{ outputs?: Record<string, string>; env?: Record<string, string> }>;
}

/** Runs around a step to make up for an emulator difference (`difference` says which). */
export interface Hook {
  match: StepMatch;
  when: 'before' | 'after';
  difference: string;
  run(ctx: StepContext): Promise<void>;
}

export interface StepResult {
  job: string;
  id: string;
  name: string;
  uses?: string;
  outcome: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  log: string;
  /** `::error::` / `::warning::` messages the step printed. */
  annotations: string[];
  summary: string;
  /** What the stand-in stood for, when one ran instead of the step. */
  standIn?: string;
  /** The inputs the step got (action steps). */
  inputs: Record<string, string>;
  /** How long the step took, its post step included. */
  durationMs: number;
}

export interface JobResult {
  /** For a matrix job: failure when any combination failed. */
  result: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  /** The evaluated `environment:` (GitHub environment) and concurrency group. */
  environment?: string;
  concurrency?: string;
  steps: StepResult[];
  summary: string;
  /** The matrix combination this run of the job had. */
  matrix?: Record<string, unknown>;
  /** A matrix job's runs, one per combination (steps and summary above are all of theirs). */
  legs?: JobResult[];
  /** A job calling a reusable workflow: its file, the inputs it got, and its jobs' results. */
  workflow?: string;
  inputs?: Record<string, unknown>;
  called?: Record<string, JobResult>;
}

export interface WorkflowRun {
  file: string;
  jobs: Record<string, JobResult>;
  ok: boolean;
  /** Every step, in the order they ran. */
  steps: StepResult[];
  step(id: string, job?: string): StepResult;
}

export interface RunnerOptions {
  /** The repository checkout: GITHUB_WORKSPACE. */
  workspace: string;
  /** The runner machine's environment (PATH, HOME, AWS_ENDPOINT_URL, ...). */
  machineEnv: Record<string, string>;
  vars: Record<string, string>;
  /** The repository's and GitHub environment's secrets (the `secrets` context). */
  secrets?: Record<string, string>;
  repository: string;
  standIns: StandIn[];
  hooks: Hook[];
  /** Kills a step running longer (a hung step fails the rehearsal instead of hanging it). */
  stepTimeoutMs?: number;
}

export interface Dispatch {
  event: 'workflow_dispatch' | 'schedule' | 'workflow_run';
  inputs?: Record<string, string | boolean>;
  /** The event's payload: the github.event context (workflow_run: { workflow_run: {...} }). */
  payload?: Record<string, unknown>;
}

/** GitHub connects at most four levels of workflows (a caller and three nested calls). */
const MAX_WORKFLOW_LEVELS = 4;

interface LoadedWorkflow {
  template: WorkflowTemplate;
  raw: MappingToken;
}

/** What the jobs of one workflow (the caller's, or a called one's) run with. */
interface RunState {
  github: Record<string, unknown>;
  inputs: Record<string, unknown>;
  secrets: Record<string, string>;
  runId: string;
  /** 1 for the workflow run, 2 for a workflow it calls, ... */
  depth: number;
}

let runCounter = 1000;

export class LocalRunner {
  constructor(private readonly opts: RunnerOptions) {}

  async run(file: string, dispatch: Dispatch): Promise<WorkflowRun> {
    const workflow = await this.load(file);
    const runId = String(++runCounter);
    const github = {
      event_name: dispatch.event,
      repository: this.opts.repository,
      repository_owner: this.opts.repository.split('/')[0],
      run_id: runId,
      run_attempt: '1',
      workflow: file.replace(/\.yml$/, ''),
      ref: 'refs/heads/main',
      sha: this.opts.machineEnv.GITHUB_SHA ?? '0'.repeat(40),
      server_url: 'https://github.com',
      actor: 'rehearsal',
      event: dispatch.payload ?? {},
    };
    const inputs = { ...dispatchDefaults(workflow.template), ...(dispatch.inputs ?? {}) };
    const { jobs, steps } = await this.runJobs(file, workflow, {
      github,
      inputs,
      secrets: this.opts.secrets ?? {},
      runId,
      depth: 1,
    });
    return {
      file,
      jobs,
      steps,
      ok: Object.values(jobs).every((j) => j.result !== 'failure'),
      step(id: string, job?: string) {
        const found = steps.find((s) => s.id === id && (!job || s.job === job));
        if (!found) throw new Error(`${file}: no step ${id}${job ? ` in job ${job}` : ''} ran`);
        return found;
      },
    };
  }

  /** Reads a workflow with GitHub's parser; its errors are the rehearsal's. */
  private async load(file: string): Promise<LoadedWorkflow> {
    const text = readFileSync(join(this.opts.workspace, '.github/workflows', file), 'utf8');
    const parsed = parseWorkflow({ name: file, content: text }, new NoOperationTraceWriter());
    const errors = parsed.context.errors.getErrors();
    if (errors.length || !parsed.value) {
      throw new Error(`${file} does not parse: ${errors.map((e) => e.message).join('; ')}`);
    }
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    if (template.errors?.length) {
      throw new Error(`${file}: ${template.errors.map((e) => e.Message).join('; ')}`);
    }
    return { template, raw: parsed.value as MappingToken };
  }

  /** A workflow's jobs in `needs` order (the caller's, or a called workflow's). */
  private async runJobs(
    file: string,
    workflow: LoadedWorkflow,
    run: RunState,
  ): Promise<{ jobs: Record<string, JobResult>; steps: StepResult[] }> {
    const jobs: Record<string, JobResult> = {};
    const steps: StepResult[] = [];
    for (const job of jobOrder(workflow.template)) {
      const result =
        job.type === 'job'
          ? await this.runJob(file, job, workflow.raw, { ...run, jobs })
          : await this.runCall(file, job, { ...run, jobs });
      jobs[job.id.value] = result;
      steps.push(...result.steps);
    }
    return { jobs, steps };
  }

  /**
   * A job that calls a reusable workflow of this repository (`uses:
   * ./.github/workflows/<file>.yml`), as GitHub runs one: its `with:` checked against
   * the called workflow's on.workflow_call.inputs and evaluated in the caller's contexts,
   * the called workflow's jobs run with those inputs, the caller's github context (its
   * event_name too) and the secrets passed (`secrets: inherit`, the named ones, else
   * none); on.workflow_call.outputs become the job's outputs, and the job fails when
   * any called job failed.
   */
  private async runCall(
    file: string,
    job: ReusableWorkflowJob,
    run: RunState & { jobs: Record<string, JobResult> },
  ): Promise<JobResult> {
    const id = job.id.value;
    const where = `${file} job ${id}`;
    const { base, needsOk } = this.jobContexts(job, run);
    if (!condition(job.if, base, { ok: needsOk })) {
      return { result: 'skipped', outputs: {}, steps: [], summary: '' };
    }
    const ref = job.ref.value;
    const local = /^\.\/\.github\/workflows\/([^/]+\.ya?ml)$/.exec(ref);
    if (!local) {
      throw new Error(
        `${where}: uses: ${ref}: the rehearsal runs only reusable workflows of this repository (./.github/workflows/<file>.yml), not another repository's (owner/repo/.github/workflows/<file>.yml@ref)`,
      );
    }
    if (run.depth >= MAX_WORKFLOW_LEVELS) {
      throw new Error(
        `${where}: uses: ${ref} would be level ${run.depth + 1} of nested workflows; GitHub connects at most ${MAX_WORKFLOW_LEVELS}`,
      );
    }
    if (job.strategy) throw new Error(`${where}: the rehearsal runs no matrix of a workflow call`);
    const calledFile = local[1]!;
    const called = await this.load(calledFile);
    const call = called.template.events.workflow_call;
    if (!call) {
      throw new Error(`${where}: ${calledFile} cannot be called: it has no on.workflow_call`);
    }
    const status: Status = { ok: true };
    const inputs = callInputs(
      `${where} (${calledFile})`,
      call.inputs ?? {},
      job['input-values'],
      base,
    );
    const secrets = job['inherit-secrets']
      ? run.secrets
      : callSecrets(`${where} (${calledFile})`, call.secrets ?? {}, job['secret-values'], base);
    const inner = await this.runJobs(calledFile, called, {
      ...run,
      inputs,
      secrets,
      depth: run.depth + 1,
    });
    const jobsContext = Object.fromEntries(
      Object.entries(inner.jobs).map(([k, j]) => [k, { result: j.result, outputs: j.outputs }]),
    );
    const outputs: Record<string, string> = {};
    for (const { key, value } of callOutputs(called.raw)) {
      const name = tokenString(key, {}, status);
      const valueToken = isMapping(value) ? value.find('value') : undefined;
      if (!valueToken)
        throw new Error(`${calledFile}: on.workflow_call.outputs.${name} has no value`);
      outputs[name] = tokenString(
        valueToken,
        { github: run.github, inputs, vars: this.opts.vars, jobs: jobsContext },
        status,
      );
    }
    const results = Object.values(inner.jobs);
    return {
      result: results.some((j) => j.result === 'failure') ? 'failure' : 'success',
      outputs,
      steps: inner.steps,
      summary: results.map((j) => j.summary).join(''),
      workflow: calledFile,
      inputs,
      called: inner.jobs,
    };
  }

  /** A job's contexts before its steps, and whether all its needs succeeded. */
  private jobContexts(
    job: WorkflowJob,
    run: RunState & { jobs: Record<string, JobResult> },
  ): { base: Contexts; needsOk: boolean } {
    const needs = Object.fromEntries(
      (job.needs ?? []).map((n) => [
        n.value,
        { result: run.jobs[n.value]?.result, outputs: run.jobs[n.value]?.outputs ?? {} },
      ]),
    );
    const base: Contexts = {
      github: { ...run.github, job: job.id.value },
      inputs: run.inputs,
      vars: this.opts.vars,
      secrets: run.secrets,
      needs,
    };
    return { base, needsOk: Object.values(needs).every((n) => n.result === 'success') };
  }

  private async runJob(
    file: string,
    job: Job,
    raw: MappingToken,
    run: RunState & { jobs: Record<string, JobResult> },
  ): Promise<JobResult> {
    const id = job.id.value;
    const { base, needsOk } = this.jobContexts(job, run);
    if (!condition(job.if, base, { ok: needsOk })) {
      return { result: 'skipped', outputs: {}, steps: [], summary: '' };
    }
    if (!job.strategy) return this.runLeg(file, job, raw, run, base);
    const legs: JobResult[] = [];
    for (const matrix of matrixLegs(`${file} ${id}`, job.strategy, base)) {
      legs.push(await this.runLeg(file, job, raw, run, { ...base, matrix }, matrix));
    }
    return {
      result: legs.some((l) => l.result === 'failure') ? 'failure' : 'success',
      outputs: Object.assign({}, ...legs.map((l) => l.outputs)),
      steps: legs.flatMap((l) => l.steps),
      summary: legs.map((l) => l.summary).join(''),
      legs,
    };
  }

  /** One run of a job's steps (one combination of its matrix, if it has one). */
  private async runLeg(
    file: string,
    job: Job,
    raw: MappingToken,
    run: { github: Record<string, unknown>; runId: string },
    base: Contexts,
    matrix?: Record<string, unknown>,
  ): Promise<JobResult> {
    const id = job.id.value;
    const temp = mkdtempSync(join(tmpdir(), `mcfpipe-rehearsal-${id}-`));
    const status: Status = { ok: true };
    const runnerEnv: Record<string, string> = {};
    const stepsContext: Record<
      string,
      { outputs: Record<string, string>; outcome: string; conclusion: string }
    > = {};
    const contexts = (): Contexts => ({
      ...base,
      env: { ...jobEnv, ...runnerEnv },
      steps: stepsContext,
      runner: { temp, os: 'Linux', arch: 'X64', name: 'rehearsal' },
      job: { status: status.ok ? 'success' : 'failure' },
    });
    const jobEnv: Record<string, string> = {};
    for (const { key, value } of job.env ?? []) {
      jobEnv[String(key)] = tokenString(value, contexts(), status);
    }
    const environment = job.environment
      ? environmentName(job.environment, contexts(), status)
      : undefined;
    const concurrencyGroup = job.concurrency
      ? concurrencyName(job.concurrency, contexts(), status)
      : undefined;
    const rawSteps = rawJobSteps(raw, id);
    const results: StepResult[] = [];
    const posts: (() => Promise<void>)[] = [];
    try {
      for (const [i, step] of job.steps.entries()) {
        if (!('run' in step) && !('uses' in step)) {
          throw new Error(`${file} ${id}: step ${step.id} is neither run: nor uses:`);
        }
        const rawStep = rawSteps[i]!;
        const name = step.name ? tokenString(step.name, contexts(), status) : step.id;
        const record: StepResult = {
          job: id,
          id: step.id,
          name,
          ...('uses' in step && { uses: step.uses.value }),
          outcome: 'skipped',
          outputs: {},
          log: '',
          annotations: [],
          summary: '',
          inputs: {},
          durationMs: 0,
        };
        results.push(record);
        const started = Date.now();
        if (condition(step.if, contexts(), status)) {
          const env = { ...jobEnv, ...runnerEnv, ...evaluateMapping(step.env, contexts(), status) };
          const withInputs = evaluateMapping(rawStep.find('with'), contexts(), status);
          const post = await this.runStep(file, id, step, record, {
            env,
            with: withInputs,
            temp,
            runnerEnv,
            run,
          });
          if (post) posts.push(post);
        }
        record.durationMs = Date.now() - started;
        const continueOnError = step['continue-on-error'] === true;
        if (record.outcome === 'failure' && !continueOnError) status.ok = false;
        stepsContext[step.id] = {
          outputs: record.outputs,
          outcome: record.outcome,
          conclusion: record.outcome === 'failure' && continueOnError ? 'success' : record.outcome,
        };
      }
      for (const post of posts.reverse()) await post();
      const outputs = job.outputs ? evaluateMapping(job.outputs, contexts(), status) : {};
      return {
        result: status.ok ? 'success' : 'failure',
        outputs,
        ...(matrix && { matrix }),
        ...(environment && { environment }),
        ...(concurrencyGroup && { concurrency: concurrencyGroup }),
        steps: results,
        summary: results.map((s) => s.summary).join(''),
      };
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }

  /** Runs one step; returns its post step, to run at the end of the job, if it has one. */
  private async runStep(
    file: string,
    jobId: string,
    step: ActionStep | RunStep,
    record: StepResult,
    s: {
      env: Record<string, string>;
      with: Record<string, string>;
      temp: string;
      runnerEnv: Record<string, string>;
      run: { github: Record<string, unknown>; runId: string };
    },
  ): Promise<(() => Promise<void>) | undefined> {
    const uses = 'uses' in step ? step.uses.value : undefined;
    const ctx: StepContext = {
      workflow: file,
      job: jobId,
      stepId: step.id,
      ...(uses && { uses }),
      with: s.with,
      env: s.env,
      outputs: record.outputs,
      runnerTemp: s.temp,
    };
    for (const hook of this.matching(this.opts.hooks, ctx).filter((h) => h.when === 'before')) {
      await hook.run(ctx);
    }
    record.inputs = ctx.with;
    const standIn = this.matching(this.opts.standIns, ctx)[0];
    let post: (() => Promise<void>) | undefined;
    if (standIn) {
      record.standIn = standIn.standsFor;
      try {
        const done = await standIn.run(ctx);
        Object.assign(record.outputs, done.outputs ?? {});
        Object.assign(s.runnerEnv, done.env ?? {});
        record.outcome = 'success';
      } catch (err) {
        record.log = (err as Error).message;
        record.outcome = 'failure';
      }
    } else if (uses?.startsWith('./actions/')) {
      const meta = localAction(uses.slice('./actions/'.length), this.opts.workspace);
      const inputs = { ...defaultsOf(meta.inputs), ...ctx.with };
      const main = await this.process(
        jobId,
        s,
        record,
        [join(this.opts.workspace, meta.path, meta.runs.main)],
        inputs,
        {},
      );
      Object.assign(record.outputs, main.outputs);
      if (meta.runs.post) {
        const postScript = join(this.opts.workspace, meta.path, meta.runs.post);
        post = async () => {
          const postStarted = Date.now();
          const postRecord: StepResult = {
            ...record,
            name: `Post ${record.name}`,
            outputs: {},
            log: '',
            annotations: [],
            summary: '',
          };
          await this.process(jobId, s, postRecord, [postScript], inputs, main.state);
          record.log += `\n--- post ---\n${postRecord.log}`;
          record.summary += postRecord.summary;
          if (postRecord.outcome === 'failure') record.outcome = 'failure';
          record.durationMs += Date.now() - postStarted;
        };
      }
    } else if (uses) {
      throw new Error(`${file} ${jobId} ${step.id}: ${uses} has no stand-in (stand-ins.ts)`);
    } else if ('run' in step) {
      const script = join(s.temp, `${step.id}.sh`);
      writeFileSync(script, tokenString(step.run, {}, { ok: true }));
      const done = await this.process(
        jobId,
        s,
        record,
        ['bash', '--noprofile', '--norc', '-eo', 'pipefail', script],
        {},
        {},
      );
      Object.assign(record.outputs, done.outputs);
    }
    for (const hook of this.matching(this.opts.hooks, ctx).filter((h) => h.when === 'after')) {
      if (record.outcome === 'success') await hook.run(ctx);
    }
    return post;
  }

  /** Runs a node script or a shell the way the runner starts a step's process. */
  private async process(
    jobId: string,
    s: {
      env: Record<string, string>;
      temp: string;
      runnerEnv: Record<string, string>;
      run: { github: Record<string, unknown>; runId: string };
    },
    record: StepResult,
    command: string[],
    inputs: Record<string, string>,
    state: Record<string, string>,
  ): Promise<{ outputs: Record<string, string>; state: Record<string, string> }> {
    const dir = join(s.temp, `files-${record.id}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(dir);
    const files = {
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STATE: join(dir, 'state'),
      GITHUB_ENV: join(dir, 'env'),
      GITHUB_PATH: join(dir, 'path'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const env: Record<string, string> = {
      ...this.opts.machineEnv,
      ...s.env,
      ...files,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_WORKSPACE: this.opts.workspace,
      GITHUB_REPOSITORY: this.opts.repository,
      GITHUB_RUN_ID: s.run.runId,
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: String(s.run.github.workflow),
      GITHUB_EVENT_NAME: String(s.run.github.event_name),
      GITHUB_JOB: jobId,
      GITHUB_ACTION: record.id,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SERVER_URL: 'https://github.com',
      RUNNER_TEMP: s.temp,
      RUNNER_OS: 'Linux',
    };
    for (const [k, v] of Object.entries(inputs))
      env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
    for (const [k, v] of Object.entries(state)) env[`STATE_${k}`] = v;
    const [program, ...args] = command[0]!.endsWith('.js')
      ? [process.execPath, ...command]
      : command;
    const { code, output } = await new Promise<{ code: number; output: string }>(
      (resolve, reject) => {
        const child = spawn(program!, args, {
          cwd: this.opts.workspace,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (c: Buffer) => (output += c.toString()));
        child.stderr.on('data', (c: Buffer) => (output += c.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.stepTimeoutMs ?? 180_000);
        child.on('error', reject);
        child.on('close', (c) => {
          clearTimeout(timer);
          resolve({ code: c ?? -1, output });
        });
      },
    );
    const read = (f: string) => readFileSync(f, 'utf8');
    Object.assign(s.runnerEnv, parseCommandFile(read(files.GITHUB_ENV)));
    const extraPath = read(files.GITHUB_PATH).split('\n').filter(Boolean);
    if (extraPath.length)
      s.runnerEnv.PATH = [...extraPath, s.runnerEnv.PATH ?? this.opts.machineEnv.PATH].join(':');
    record.log += output;
    record.annotations.push(
      ...[...output.matchAll(/^::(?:error|warning)[^:]*::(.*)$/gm)].map((m) =>
        m[1]!.replace(/%0A/g, '\n'),
      ),
    );
    record.summary += read(files.GITHUB_STEP_SUMMARY);
    record.outcome = code === 0 ? 'success' : 'failure';
    return {
      outputs: parseCommandFile(read(files.GITHUB_OUTPUT)),
      state: parseCommandFile(read(files.GITHUB_STATE)),
    };
  }

  private matching<T extends { match: StepMatch }>(items: T[], ctx: StepContext): T[] {
    const uses = ctx.uses?.split('@')[0];
    return items.filter(
      ({ match }) =>
        (!match.uses || match.uses === uses) &&
        (!match.id || match.id === ctx.stepId) &&
        (!match.job || match.job === ctx.job) &&
        (!match.workflow || match.workflow === ctx.workflow),
    );
  }
}

/**
 * The combinations of a job's `strategy.matrix` (each key's list, or an expression giving
 * it, such as fromJSON(...)), in the order GitHub expands them. include/exclude are not
 * supported: no workflow here uses them.
 */
function matrixLegs(
  where: string,
  strategy: TemplateToken,
  contexts: Contexts,
): Record<string, unknown>[] {
  const status = { ok: true };
  const matrix = isMapping(strategy) ? strategy.find('matrix') : undefined;
  if (!matrix) throw new Error(`${where}: a strategy without a matrix`);
  const value = tokenValue(matrix, contexts, status);
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${where}: the matrix is not a mapping: ${JSON.stringify(value)}`);
  let legs: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(value)) {
    if (key === 'include' || key === 'exclude')
      throw new Error(`${where}: the rehearsal does not expand matrix ${key}`);
    if (!Array.isArray(values) || !values.length)
      throw new Error(`${where}: matrix.${key} is not a non-empty list: ${JSON.stringify(values)}`);
    legs = legs.flatMap((leg) => values.map((v: unknown) => ({ ...leg, [key]: v })));
  }
  return legs;
}

/** Jobs in an order where every job comes after its needs. */
function jobOrder(template: WorkflowTemplate): WorkflowTemplate['jobs'] {
  const done = new Set<string>();
  const order: WorkflowTemplate['jobs'] = [];
  const pending = [...template.jobs];
  while (pending.length) {
    const next = pending.findIndex((j) => (j.needs ?? []).every((n) => done.has(n.value)));
    if (next < 0) throw new Error('jobs need each other in a circle');
    const [job] = pending.splice(next, 1);
    order.push(job!);
    done.add(job!.id.value);
  }
  return order;
}

type CallInputs = NonNullable<NonNullable<WorkflowTemplate['events']['workflow_call']>['inputs']>;
type CallSecrets = NonNullable<NonNullable<WorkflowTemplate['events']['workflow_call']>['secrets']>;

/**
 * A workflow call's inputs as GitHub checks them: an input the called workflow does not
 * declare is an error, a required one missing is, and a value of another type than the
 * declared one (string, number, boolean) is; the declared defaults fill the rest.
 */
function callInputs(
  where: string,
  declared: CallInputs,
  given: MappingToken | undefined,
  contexts: Contexts,
): Record<string, unknown> {
  const status = { ok: true };
  const values: Record<string, unknown> = {};
  for (const { key, value } of given ?? []) {
    const name = tokenString(key, contexts, status);
    const input = declared[name];
    if (!input) {
      throw new Error(
        `${where}: with.${name} is not an input of the called workflow (it declares: ${Object.keys(declared).join(', ') || 'none'})`,
      );
    }
    const v = tokenValue(value, contexts, status);
    const type = String(input.type);
    if (typeof v !== type) {
      throw new Error(
        `${where}: with.${name} is ${JSON.stringify(v)} (a ${typeof v}); the input's type is ${type}`,
      );
    }
    values[name] = v;
  }
  for (const [name, input] of Object.entries(declared)) {
    if (name in values) continue;
    if (input.required) throw new Error(`${where}: the required input ${name} is not given`);
    const d = input.default;
    values[name] =
      d !== undefined && typeof d === 'object'
        ? tokenValue(d, contexts, status)
        : (d ??
          (String(input.type) === 'boolean' ? false : String(input.type) === 'number' ? 0 : ''));
  }
  return values;
}

/** The secrets a call names (`secrets: { name: value }`), checked against the declared ones. */
function callSecrets(
  where: string,
  declared: CallSecrets,
  given: MappingToken | undefined,
  contexts: Contexts,
): Record<string, string> {
  const status = { ok: true };
  const values: Record<string, string> = {};
  for (const { key, value } of given ?? []) {
    const name = tokenString(key, contexts, status);
    if (!declared[name]) {
      throw new Error(`${where}: secrets.${name} is not a secret of the called workflow`);
    }
    values[name] = tokenString(value, contexts, status);
  }
  for (const [name, secret] of Object.entries(declared)) {
    if (secret.required && !(name in values))
      throw new Error(`${where}: the required secret ${name} is not passed`);
  }
  return values;
}

/** The called workflow's on.workflow_call.outputs (name -> { value }). */
function callOutputs(root: MappingToken): { key: TemplateToken; value: TemplateToken }[] {
  const on = root.find('on');
  const call = on && isMapping(on) ? on.find('workflow_call') : undefined;
  const outputs = call && isMapping(call) ? call.find('outputs') : undefined;
  return outputs && isMapping(outputs) ? [...outputs] : [];
}

function dispatchDefaults(template: WorkflowTemplate): Record<string, unknown> {
  const inputs = template.events.workflow_dispatch?.inputs ?? {};
  return Object.fromEntries(
    Object.entries(inputs)
      .filter(([, i]) => i.default !== undefined)
      .map(([k, i]) => [k, i.default]),
  );
}

function defaultsOf(
  inputs: Record<string, { default: string | undefined }>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, i]) => {
      if (i.default?.includes('${{'))
        throw new Error(`input ${k}: expression defaults are not supported here`);
      return [k, i.default ?? ''];
    }),
  );
}

function evaluateMapping(
  token: TemplateToken | undefined,
  contexts: Contexts,
  status: Status,
): Record<string, string> {
  if (!token) return {};
  if (!isMapping(token)) throw new Error(`expected a mapping at line ${token.line}`);
  const out: Record<string, string> = {};
  for (const { key, value } of token)
    out[tokenString(key, contexts, status)] = tokenString(value, contexts, status);
  return out;
}

function rawJobSteps(root: MappingToken, jobId: string): MappingToken[] {
  const jobs = root.find('jobs');
  const job = jobs && isMapping(jobs) ? jobs.find(jobId) : undefined;
  const steps = job && isMapping(job) ? job.find('steps') : undefined;
  if (!steps || !isSequence(steps)) throw new Error(`job ${jobId} has no steps`);
  return [...steps].map((s) => {
    if (!isMapping(s)) throw new Error(`job ${jobId}: a step is not a mapping`);
    return s;
  });
}

function environmentName(token: TemplateToken, contexts: Contexts, status: Status): string {
  if (isMapping(token)) {
    const name = token.find('name');
    return name ? tokenString(name, contexts, status) : '';
  }
  return tokenString(token, contexts, status);
}

function concurrencyName(token: TemplateToken, contexts: Contexts, status: Status): string {
  if (isMapping(token)) {
    const group = token.find('group');
    return group ? tokenString(group, contexts, status) : '';
  }
  return tokenString(token, contexts, status);
}
