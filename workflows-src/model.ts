/**
 * The small typed model the workflow definitions are written in. It follows
 * GitHub's workflow syntax one to one (same names, kebab-case keys spelled
 * in camelCase only where TypeScript needs it), so a definition reads like
 * the YAML it becomes, and the generator can check what YAML alone cannot:
 * inputs against each action's action.yml, every `steps.<id>.outputs.<name>`
 * against the step that sets it.
 */

/** A string that may hold `${{ ... }}` expressions. */
export type Text = string;

export type PermissionLevel = 'read' | 'write' | 'none';
export type Permissions = Partial<
  Record<
    | 'actions'
    | 'checks'
    | 'contents'
    | 'deployments'
    | 'id-token'
    | 'issues'
    | 'packages'
    | 'pull-requests'
    | 'statuses',
    PermissionLevel
  >
>;

export interface Concurrency {
  group: Text;
  cancelInProgress: boolean | Text;
}

export interface ChoiceInput {
  type: 'choice';
  description: string;
  required: boolean;
  default: string;
  options: string[];
}
export interface StringInput {
  type: 'string';
  description: string;
  required: boolean;
  default?: string;
}
export interface BooleanInput {
  type: 'boolean';
  description: string;
  required: boolean;
  default: boolean;
}
export type DispatchInput = ChoiceInput | StringInput | BooleanInput;

/** workflow_call inputs have no choice type: a choice becomes a string there. */
export type CallInput = StringInput | BooleanInput;

export interface Triggers {
  workflowDispatch?: { inputs: Record<string, DispatchInput> };
  workflowCall?: { inputs: Record<string, CallInput> };
  schedule?: { cron: string; comment: string }[];
  push?: { branches: string[] };
  pullRequest?: { branches?: string[] };
  workflowRun?: { workflows: string[]; types: ['completed']; branches: string[] };
}

interface ActionStepBase {
  name: string;
  id?: string;
  if?: Text;
  action: string;
  with?: Record<string, Text>;
  env?: Record<string, Text>;
}

/** A step running one of this repository's actions (./actions/<name>). */
export interface LocalActionStep extends ActionStepBase {
  kind: 'local';
  continueOnError?: boolean;
  /**
   * deploy-stack only: the template whose Outputs the step also sets as
   * outputs of their own names, when `with.template` is not a repository path
   * (a template built earlier in the job).
   */
  stackOutputsFrom?: string;
}

/** A step running a pinned third-party action (`action` names a row of third-party.ts). */
export interface RemoteActionStep extends ActionStepBase {
  kind: 'remote';
}

/** A `run:` step (bash). Outputs it writes to $GITHUB_OUTPUT are declared in `outputs`. */
export interface RunStep {
  kind: 'run';
  name: string;
  id?: string;
  if?: Text;
  run: string;
  env?: Record<string, Text>;
  outputs?: string[];
  continueOnError?: boolean;
  /**
   * Why the step cannot run outside GitHub's runner, when it cannot: the
   * rehearsal replaces such steps with the stand-in registered under this id.
   */
  needs?: 'docker' | 'npm-registry';
}

export type Step = LocalActionStep | RemoteActionStep | RunStep;

export interface StepsJob {
  kind: 'steps';
  name: Text;
  needs?: string[];
  if?: Text;
  runsOn: string;
  environment?: Text;
  permissions: Permissions;
  concurrency?: Concurrency;
  timeoutMinutes: number;
  strategy?: { matrix: Record<string, Text | string[]>; failFast: boolean };
  env?: Record<string, Text>;
  outputs?: Record<string, Text>;
  steps: Step[];
}

/** A job that calls one of the generated reusable workflows. */
export interface CallJob {
  kind: 'call';
  name: Text;
  needs?: string[];
  if?: Text;
  permissions: Permissions;
  workflow: string;
  with: Record<string, Text | boolean>;
}

export type Job = StepsJob | CallJob;

export interface Workflow {
  /** File name under .github/workflows/. */
  file: string;
  /** The definition's path, for the generated file's header. */
  source: string;
  name: string;
  /** One line on what the workflow is for, under the header. */
  summary: string;
  on: Triggers;
  permissions: Permissions;
  concurrency?: Concurrency;
  env?: Record<string, Text>;
  jobs: Record<string, Job>;
}

/** `${{ <expression> }}`. */
export function expr(expression: string): Text {
  return `\${{ ${expression} }}`;
}

/** `${{ steps.<id>.outputs.<name> }}`; the generator checks the step sets that output. */
export function stepOutput(id: string, name: string): Text {
  return expr(`steps.${id}.outputs.${name}`);
}
