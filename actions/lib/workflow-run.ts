/**
 * The GitHub workflow run a step belongs to, read from the runner's
 * environment, for naming and tagging what the step creates in AWS.
 * Outside GitHub (a local run) the fields are undefined.
 */

export interface WorkflowRun {
  /** GITHUB_RUN_ID, when it is a number. */
  runId?: string;
  /** GITHUB_RUN_ATTEMPT ("1" when unknown). */
  attempt: string;
  /** owner/name (GITHUB_REPOSITORY). */
  repository?: string;
  /** The workflow's name (GITHUB_WORKFLOW). */
  workflow?: string;
  /** The job's id (GITHUB_JOB). */
  job?: string;
  /** https://github.com unless GITHUB_SERVER_URL says otherwise. */
  serverUrl: string;
}

export function workflowRunFrom(env: NodeJS.ProcessEnv = process.env): WorkflowRun {
  const value = (name: string) => env[name]?.trim() || undefined;
  const runId = value('GITHUB_RUN_ID');
  const attempt = value('GITHUB_RUN_ATTEMPT');
  const run: WorkflowRun = {
    attempt: attempt && /^\d+$/.test(attempt) ? attempt : '1',
    serverUrl: (value('GITHUB_SERVER_URL') ?? 'https://github.com').replace(/\/+$/, ''),
  };
  if (runId && /^\d+$/.test(runId)) run.runId = runId;
  const repository = value('GITHUB_REPOSITORY');
  if (repository) run.repository = repository;
  const workflow = value('GITHUB_WORKFLOW');
  if (workflow) run.workflow = workflow;
  const job = value('GITHUB_JOB');
  if (job) run.job = job;
  return run;
}

/** The run's page on GitHub, when the run and repository are known. */
export function workflowRunUrl(run: WorkflowRun): string | undefined {
  if (!run.runId || !run.repository) return undefined;
  return `${run.serverUrl}/${run.repository}/actions/runs/${run.runId}/attempts/${run.attempt}`;
}
