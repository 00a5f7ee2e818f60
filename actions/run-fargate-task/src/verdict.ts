/**
 * What happened to a stopped task, in plain words, and whether the step
 * should count it as a success.
 *
 * A task succeeded only when the chosen container and every essential
 * container report exit code 0. A container with no exit code never ran (the
 * image could not be pulled, the task could not reach AWS, it was stopped
 * before it started) or was killed with the task: that is a failure too.
 * Stop reasons ECS gives in its own terms (CannotPullContainerError,
 * ResourceInitializationError, OutOfMemoryError, EssentialContainerExited,
 * UserInitiated, SpotInterruption) are translated into the cause and the fix.
 */
import type { Container, Task } from '@aws-sdk/client-ecs';

export interface TaskVerdict {
  ok: boolean;
  /** The chosen container's exit code; undefined when it has none. */
  exitCode?: number;
  /** One line: what happened. */
  reason: string;
  /** What to do about it, when something failed. */
  hint?: string;
}

export interface JudgeOptions {
  /** The container whose exit code is the step's. */
  container: string;
  /** Containers whose exit stops the task. */
  essential: string[];
  /** Memory of the task in MiB, for the out-of-memory explanation. */
  memory?: string;
  /** Why this step stopped the task itself (timeout, cancellation), if it did. */
  stoppedByStep?: string;
}

const SIGNALS: Record<number, string> = {
  126: 'the command is not executable',
  127: 'the command was not found in the image',
  134: 'aborted (SIGABRT)',
  137: 'killed (SIGKILL): out of memory, or it did not stop within the stop timeout',
  139: 'crashed (SIGSEGV)',
  143: 'terminated (SIGTERM)',
};

/** How an exit code reads: "1", "137 (killed ...)". */
export function describeExit(code: number): string {
  return SIGNALS[code] ? `${code}, ${SIGNALS[code]}` : String(code);
}

function containerNamed(task: Task, name: string): Container | undefined {
  return task.containers?.find((c) => c.name === name);
}

export function judgeTask(task: Task, opts: JudgeOptions): TaskVerdict {
  const chosen = containerNamed(task, opts.container);
  const exitCode = chosen?.exitCode;
  const watched = [...new Set([opts.container, ...opts.essential])];
  const bad = watched
    .map((name) => ({ name, container: containerNamed(task, name) }))
    .filter(({ container }) => container?.exitCode !== 0);
  const base = exitCode === undefined ? {} : { exitCode };
  if (bad.length === 0) {
    return { ok: true, ...base, reason: `${opts.container} exited with code 0` };
  }
  const explained = explainStop(task, opts, bad);
  return { ok: false, ...base, ...explained };
}

type Bad = Array<{ name: string; container: Container | undefined }>;

function explainStop(task: Task, opts: JudgeOptions, bad: Bad): { reason: string; hint?: string } {
  const stopped = task.stoppedReason ?? '';
  const containerReasons = (task.containers ?? []).map((c) => c.reason ?? '').join('\n');
  const all = `${stopped}\n${containerReasons}`;
  const image = containerNamed(task, opts.container)?.image;

  if (opts.stoppedByStep) return { reason: opts.stoppedByStep };
  if (/CannotPullContainerError/.test(all))
    return pullError(quote(all, 'CannotPullContainerError'), image);
  // Checked before ResourceInitializationError: the runtime's start errors
  // (a missing executable) are worded as one inside CannotStartContainerError.
  const initialisation = /ResourceInitializationError/.test(all);
  if (
    /CannotStartContainerError/.test(all) ||
    (task.stopCode === 'TaskFailedToStart' && !initialisation)
  ) {
    const exec = /executable file not found|no such file or directory/i.test(all);
    return {
      reason: `The task failed to start: ${firstLine(all) || 'no reason given'}.`,
      hint: exec
        ? 'The command (or the image entry point) names a program the image does not have; check the command input and the image.'
        : 'Check the stop reason above; it is often the image, the task role or the network.',
    };
  }
  if (initialisation) return initError(quote(all, 'ResourceInitializationError'));
  const oom = (task.containers ?? []).find((c) => /OutOfMemory/i.test(c.reason ?? ''));
  if (oom) {
    return {
      reason: `${oom.name} ran out of memory and was killed (OutOfMemoryError${oom.exitCode !== undefined ? `, exit code ${oom.exitCode}` : ''})${opts.memory ? `; the task has ${opts.memory} MiB` : ''}.`,
      hint: 'Give the task more memory (the memory input, or memory in the task definition), or make the program use less.',
    };
  }
  if (task.stopCode === 'SpotInterruption') {
    return {
      reason: `Fargate Spot took the capacity back and stopped the task (${stopped || 'SpotInterruption'}).`,
      hint: 'Run it again, or use launch-type: FARGATE for work that must not be interrupted.',
    };
  }
  if (task.stopCode === 'UserInitiated') {
    return {
      reason: `The task was stopped from outside this step (StopTask${stopped ? `: ${stopped}` : ''}) before it finished.`,
      hint: 'Someone or something (the console, the CLI, another workflow, a scheduler) called StopTask on it.',
    };
  }
  const ran = bad.filter(({ container }) => container?.exitCode !== undefined);
  if (ran.length) {
    const first = ran[0]!;
    const code = first.container!.exitCode!;
    const also =
      task.stopCode === 'EssentialContainerExited' && first.name !== opts.container
        ? ` The container is essential, so ECS stopped the whole task when it exited.`
        : '';
    return {
      reason: `${first.name} exited with code ${describeExit(code)}.${also}`,
      hint: 'The program itself failed: its last log lines are above and in the job summary.',
    };
  }
  const never = bad.map(({ name }) => name).join(', ');
  return {
    reason: `The task stopped before ${never} ran to an exit code (${stopped || task.stopCode || 'no reason given'}).`,
    hint: 'The container never ran or was killed with the task; the stop reason above says why.',
  };
}

function quote(text: string, marker: string): string {
  return text.split('\n').find((line) => line.includes(marker)) ?? marker;
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '') ?? '';
}

function pullError(detail: string, image: string | undefined): { reason: string; hint: string } {
  const what = image ? `the image ${image}` : 'the image';
  const reason = `ECS could not pull ${what}: ${detail}`;
  if (/not found|manifest unknown|does not exist|name unknown/i.test(detail)) {
    return {
      reason,
      hint: `${what[0]!.toUpperCase()}${what.slice(1)} does not exist: check the repository, the tag, and that the image was pushed to this region.`,
    };
  }
  if (/403|forbidden|denied|not authorized|unauthorized/i.test(detail)) {
    return {
      reason,
      hint: "The task's execution role may not pull it: give it AmazonECSTaskExecutionRolePolicy (ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer), and allow the role in the repository policy for another account's repository.",
    };
  }
  return {
    reason,
    hint: 'The task has no route to ECR. With no NAT gateway, run it in a public subnet with assign-public-ip: ENABLED, or add VPC endpoints for ecr.api, ecr.dkr and S3 (gateway) to its subnets.',
  };
}

function initError(detail: string): { reason: string; hint: string } {
  const reason = `The task could not be set up before its containers started: ${detail}`;
  if (/log group does not exist|ResourceNotFoundException/i.test(detail)) {
    return {
      reason,
      hint: 'The log group of the awslogs configuration does not exist: create it (the stack that defines the task should), or set "awslogs-create-group": "true" and allow logs:CreateLogGroup to the execution role.',
    };
  }
  if (/AccessDenied|not authorized|KMS/i.test(detail)) {
    return {
      reason,
      hint: "The execution role may not read the task's secrets or registry credentials: allow secretsmanager:GetSecretValue / ssm:GetParameters (and kms:Decrypt for a customer key) on them.",
    };
  }
  return {
    reason,
    hint: 'The task has no route to ECR or Secrets Manager/SSM to fetch its image credentials and secrets. With no NAT gateway, it needs a public IP in a public subnet (assign-public-ip: ENABLED) or VPC endpoints (ecr.api, ecr.dkr, S3, logs, secretsmanager, ssm) in its subnets.',
  };
}
