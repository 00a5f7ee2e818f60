/**
 * Where a container's logs are: the awslogs configuration of its task
 * definition (group, stream prefix, region). The stream of one task is
 * `<prefix>/<container>/<task id>`, known as soon as the task is started.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';

export interface LogTarget {
  group: string;
  region: string;
  prefix: string;
}

/** The container's awslogs target, or why its logs cannot be streamed. */
export function awslogsOf(
  container: ContainerDefinition,
  defaultRegion: string,
): LogTarget | { unavailable: string } {
  const config = container.logConfiguration;
  if (!config) {
    return {
      unavailable: `container ${container.name} has no logConfiguration, so its output is not kept anywhere. Add "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "...", "awslogs-region": "...", "awslogs-stream-prefix": "..."}} to the task definition.`,
    };
  }
  if (config.logDriver !== 'awslogs') {
    return {
      unavailable: `container ${container.name} logs with ${config.logDriver}, not awslogs; only CloudWatch Logs (awslogs) can be streamed here.`,
    };
  }
  const options = config.options ?? {};
  const group = options['awslogs-group'];
  const prefix = options['awslogs-stream-prefix'];
  if (!group || !prefix) {
    return {
      unavailable: `the awslogs configuration of container ${container.name} has no ${group ? 'awslogs-stream-prefix' : 'awslogs-group'} (Fargate needs both).`,
    };
  }
  return { group, prefix, region: options['awslogs-region'] ?? defaultRegion };
}

export function streamName(target: LogTarget, container: string, taskId: string): string {
  return `${target.prefix}/${container}/${taskId}`;
}

/** The task id: the last part of its ARN. */
export function taskIdOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The CloudWatch console encodes names twice, with $ for %. */
function consoleEncode(value: string): string {
  return encodeURIComponent(encodeURIComponent(value)).replace(/%/g, '$');
}

export function logStreamConsoleUrl(region: string, group: string, stream: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${consoleEncode(group)}/log-events/${consoleEncode(stream)}`;
}

export function taskConsoleUrl(region: string, cluster: string, taskId: string): string {
  return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/tasks/${taskId}/configuration?region=${region}`;
}
