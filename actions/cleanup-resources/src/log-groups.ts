/**
 * CloudWatch log groups to delete, by name or prefix. They are not checked
 * for ownership tags: the log groups of Lambda functions and of the ECS
 * awslogs driver are created untagged by AWS; a wildcard cannot reach
 * beyond the scope prefix (patterns.ts).
 */
import {
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  type LogGroup,
} from '@aws-sdk/client-cloudwatch-logs';
import { errorCode } from '../../../core/errors.js';
import type { Context } from './context.js';
import { formatBytes } from './outcome.js';
import { type NamePattern, showPattern } from './patterns.js';
import { emptyPlan, type TargetPlan } from './targets.js';

async function groupsWithPrefix(ctx: Context, prefix: string): Promise<LogGroup[]> {
  const groups: LogGroup[] = [];
  let nextToken: string | undefined;
  do {
    const page = await (await ctx.logs()).send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, ...(nextToken && { nextToken }) }),
    );
    groups.push(...(page.logGroups ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return groups;
}

export async function planLogGroups(ctx: Context, patterns: NamePattern[]): Promise<TargetPlan> {
  const plan = emptyPlan();
  const found = new Map<string, LogGroup>();
  for (const p of patterns) {
    const prefix = p.kind === 'exact' ? p.name : p.prefix;
    const groups = (await groupsWithPrefix(ctx, prefix)).filter(
      (g) => g.logGroupName && (p.kind === 'prefix' || g.logGroupName === p.name),
    );
    if (!groups.length) {
      if (p.kind === 'exact') plan.gone.push({ kind: 'log group', name: p.name });
      else plan.unmatched.push(`log-groups pattern ${showPattern(p)}`);
    }
    for (const g of groups) found.set(g.logGroupName!, g);
  }
  for (const group of found.values()) {
    const name = group.logGroupName!;
    plan.targets.push({
      kind: 'log group',
      name,
      measure: async () => `${formatBytes(group.storedBytes ?? 0)} stored`,
      remove: async () => {
        try {
          await (await ctx.logs()).send(new DeleteLogGroupCommand({ logGroupName: name }));
          return 'deleted';
        } catch (err) {
          if (errorCode(err) === 'ResourceNotFoundException') return 'already gone';
          throw err;
        }
      },
    });
  }
  return plan;
}
