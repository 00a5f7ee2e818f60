/**
 * ECR repositories to delete, with their images: found by name or prefix,
 * refused unless tagged as mcfpipe's (or forced), measured for a dry run
 * (images and their size), deleted with DeleteRepository force.
 */
import {
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ListTagsForResourceCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import { errorCode } from '../../lib/errors.js';
import type { Context } from './context.js';
import { count, formatBytes } from './outcome.js';
import { matches, type NamePattern, showPattern } from './patterns.js';
import {
  applyOwnership,
  emptyPlan,
  mapLimit,
  type OwnershipRules,
  type Target,
  type TargetPlan,
} from './targets.js';

const NOT_FOUND = 'RepositoryNotFoundException';

async function describe(ctx: Context, names?: string[]): Promise<Repository[]> {
  const repos: Repository[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.ecr.send(
      new DescribeRepositoriesCommand({
        ...(names && { repositoryNames: names }),
        ...(nextToken && { nextToken }),
      }),
    );
    repos.push(...(page.repositories ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return repos;
}

async function one(ctx: Context, name: string): Promise<Repository | undefined> {
  try {
    return (await describe(ctx, [name]))[0];
  } catch (err) {
    if (errorCode(err) === NOT_FOUND) return undefined;
    throw err;
  }
}

async function measure(ctx: Context, name: string): Promise<string> {
  let images = 0;
  let bytes = 0;
  let nextToken: string | undefined;
  do {
    const page = await ctx.ecr.send(
      new DescribeImagesCommand({ repositoryName: name, ...(nextToken && { nextToken }) }),
    );
    for (const image of page.imageDetails ?? []) {
      images++;
      bytes += image.imageSizeInBytes ?? 0;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return `${count(images, 'image')}, ${formatBytes(bytes)}`;
}

async function remove(ctx: Context, name: string): Promise<string> {
  try {
    await ctx.ecr.send(new DeleteRepositoryCommand({ repositoryName: name, force: true }));
    return 'deleted with its images';
  } catch (err) {
    if (errorCode(err) === NOT_FOUND) return 'already gone';
    throw err;
  }
}

export async function planRepositories(
  ctx: Context,
  patterns: NamePattern[],
  rules: OwnershipRules,
): Promise<TargetPlan> {
  const plan = emptyPlan();
  const found = new Map<string, Repository>();
  const wildcards = patterns.filter((p) => p.kind === 'prefix');
  const all = wildcards.length ? await describe(ctx) : [];
  for (const p of patterns) {
    if (p.kind === 'exact') {
      const repo = await one(ctx, p.name);
      if (repo) found.set(p.name, repo);
      else plan.gone.push({ kind: 'repository', name: p.name });
    } else {
      const hits = all.filter((r) => r.repositoryName && matches(p, r.repositoryName));
      if (!hits.length) plan.unmatched.push(`ecr-repositories pattern ${showPattern(p)}`);
      for (const r of hits) found.set(r.repositoryName!, r);
    }
  }
  const repos = [...found.values()];
  const tagSets = await mapLimit(repos, 8, async (r) => {
    const out = await ctx.ecr.send(
      new ListTagsForResourceCommand({ resourceArn: r.repositoryArn }),
    );
    return Object.fromEntries((out.tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  });
  repos.forEach((repo, i) => {
    const name = repo.repositoryName!;
    const target: Target = {
      kind: 'repository',
      name,
      measure: () => measure(ctx, name),
      remove: () => remove(ctx, name),
    };
    plan.targets.push(applyOwnership(target, tagSets[i]!, rules));
  });
  return plan;
}
