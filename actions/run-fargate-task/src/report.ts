/**
 * The step's outputs and job summary: per task its status, exit code, how
 * long it ran, why it stopped (in plain words), its last log lines and links
 * to the task and its log stream in the console.
 */
import * as core from '@actions/core';
import type { Task } from '@aws-sdk/client-ecs';
import { cell, code } from '../../../core/summary.js';
import { formatDuration } from '../../../core/values.js';
import { logStreamConsoleUrl, taskConsoleUrl } from './log-target.js';
import type { TaskVerdict } from './verdict.js';
import type { WatchedTask } from './watch.js';

export interface RunReport {
  taskDefinition: string;
  registered: boolean;
  cluster: string;
  region: string;
  container: string;
  tasks: WatchedTask[];
  /** Per task, in the same order; absent when the step did not wait. */
  verdicts?: TaskVerdict[];
  logGroup?: string;
  logRegion?: string;
  streams: Array<string | undefined>;
  /** Why logs are not streamed, when they are not. */
  logsUnavailable?: string;
  /** The failure shown at the top, when the step fails. */
  failure?: { message: string; hint?: string };
  startedAt: number;
  endedAt: number;
}

/** Seconds from the first task's creation to the last one's stop. */
export function durationSeconds(tasks: Task[], fallback: { from: number; to: number }): number {
  const created = tasks
    .map((t) => t.createdAt?.getTime())
    .filter((v): v is number => v !== undefined);
  const stopped = tasks
    .map((t) => t.stoppedAt?.getTime())
    .filter((v): v is number => v !== undefined);
  const from = created.length ? Math.min(...created) : fallback.from;
  const to = stopped.length === tasks.length && stopped.length ? Math.max(...stopped) : fallback.to;
  return Math.max(0, Math.round((to - from) / 1000));
}

/** The step's exit code: the first non-zero one across tasks; '' when a task has none. */
export function combinedExitCode(verdicts: TaskVerdict[]): string {
  const nonZero = verdicts.find((v) => v.exitCode !== undefined && v.exitCode !== 0);
  if (nonZero) return String(nonZero.exitCode);
  if (verdicts.some((v) => v.exitCode === undefined)) return '';
  return '0';
}

export function setOutputs(report: RunReport): void {
  core.setOutput('task-arns', report.tasks.map((t) => t.arn).join('\n'));
  core.setOutput('log-group', report.logGroup ?? '');
  core.setOutput('log-stream', report.streams.filter(Boolean).join('\n'));
  if (!report.verdicts) return;
  const failing = report.verdicts.findIndex((v) => !v.ok);
  const reasonOf = report.tasks[failing >= 0 ? failing : 0]?.task.stoppedReason ?? '';
  core.setOutput('exit-code', combinedExitCode(report.verdicts));
  core.setOutput('stopped-reason', reasonOf);
  core.setOutput(
    'duration-seconds',
    String(
      durationSeconds(
        report.tasks.map((t) => t.task),
        { from: report.startedAt, to: report.endedAt },
      ),
    ),
  );
}

function ranFor(task: Task): string {
  const from = task.startedAt ?? task.createdAt;
  if (!from || !task.stoppedAt) return '';
  return formatDuration(Math.max(0, task.stoppedAt.getTime() - from.getTime()));
}

function link(text: string, url: string): string {
  return `<a href="${cell(url)}">${cell(text)}</a>`;
}

export function summaryMarkdown(report: RunReport): string {
  const { verdicts } = report;
  const failed = verdicts?.filter((v) => !v.ok).length ?? 0;
  const state = !verdicts
    ? `started ${report.tasks.length} task${report.tasks.length === 1 ? '' : 's'} (not waiting)`
    : failed
      ? `failed (${failed} of ${report.tasks.length} task${report.tasks.length === 1 ? '' : 's'})`
      : 'succeeded';
  const out: string[] = [
    `## run-fargate-task: ${code(report.taskDefinition)}: ${state}`,
    '',
    `Cluster ${code(report.cluster)} in ${report.region}, container ${code(report.container)}${
      report.registered
        ? `; task definition ${code(report.taskDefinition)} registered by this step`
        : ''
    }.`,
    '',
  ];
  if (report.failure) {
    out.push(
      `> [!CAUTION]\n> ${cell(report.failure.message)}${report.failure.hint ? `<br>${cell(report.failure.hint)}` : ''}`,
      '',
    );
  }
  // Built by hand rather than with markdownTable: the task column holds links.
  const header = ['shard', 'task', 'status', 'exit code', 'ran for', 'result'];
  out.push(`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`);
  report.tasks.forEach((t, i) => {
    const v = verdicts?.[i];
    const stream = report.streams[i];
    const logs =
      stream && report.logGroup
        ? ` ${link('logs', logStreamConsoleUrl(report.logRegion ?? report.region, report.logGroup, stream))}`
        : '';
    const result = v
      ? `${v.ok ? '' : '❌ '}${v.reason}${t.task.stoppedReason ? ` (${t.task.stoppedReason})` : ''}`
      : '';
    const cells = [
      cell(t.shard),
      `${link(t.id, taskConsoleUrl(report.region, report.cluster, t.id))}${logs}`,
      cell(t.task.lastStatus),
      cell(v?.exitCode),
      cell(ranFor(t.task)),
      cell(result),
    ];
    out.push(`| ${cells.join(' | ')} |`);
  });
  out.push('');
  if (report.logsUnavailable)
    out.push(`Logs were not streamed: ${cell(report.logsUnavailable)}`, '');
  const withLines = report.tasks
    .map((t, i) => ({ t, v: verdicts?.[i] }))
    .sort((a, b) => Number(a.v?.ok ?? true) - Number(b.v?.ok ?? true))
    .filter(({ t }) => t.recent.length || t.logError)
    .slice(0, 10);
  for (const { t } of withLines) {
    const title = `Last ${t.recent.length} log line${t.recent.length === 1 ? '' : 's'} of task ${t.id}${report.tasks.length > 1 ? ` (shard ${t.shard})` : ''}`;
    const body = t.recent.length
      ? `\n\n\`\`\`text\n${t.recent
          .map((l) => (l.length > 500 ? `${l.slice(0, 500)}…` : l))
          .join('\n')
          .replace(/```/g, '`\u200b``')}\n\`\`\`\n`
      : `\n\nLogs unavailable: ${cell(t.logError)}\n`;
    out.push(
      report.tasks.length > 1
        ? `<details><summary>${cell(title)}</summary>${body}</details>`
        : `### ${cell(title)}${body}`,
      '',
    );
  }
  return out.join('\n');
}
