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
import { errorCode } from '../../../core/errors.js';
import type { Context } from './context.js';
import { count, formatBytes } from './outcome.js';
import type { NamePattern } from './patterns.js';
import { type OwnershipRules, planOwned, type TargetPlan } from './targets.js';

const NOT_FOUND = 'RepositoryNotFoundException';

async function describe(ctx: Context, names?: string[]): Promise<Repository[]> {
  const repos: Repository[] = [];
  let nextToken: string | undefined;
  do {
    const page = await (await ctx.ecr()).send(
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
    const page = await (await ctx.ecr()).send(
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
    await (await ctx.ecr()).send(
      new DeleteRepositoryCommand({ repositoryName: name, force: true }),
    );
    return 'deleted with its images';
  } catch (err) {
    if (errorCode(err) === NOT_FOUND) return 'already gone';
    throw err;
  }
}

/** The repository's tags, or undefined when it does not exist (found by `known` or by name). */
async function repositoryTags(
  ctx: Context,
  name: string,
  known: Repository | undefined,
): Promise<Record<string, string> | undefined> {
  const repo = known ?? (await one(ctx, name));
  if (!repo) return undefined;
  try {
    const out = await (await ctx.ecr()).send(
      new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }),
    );
    return Object.fromEntries((out.tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  } catch (err) {
    if (errorCode(err) === NOT_FOUND) return undefined;
    throw err;
  }
}

export function planRepositories(
  ctx: Context,
  patterns: NamePattern[],
  rules: OwnershipRules,
): Promise<TargetPlan> {
  // Every repository, listed once for all the wildcards.
  let listing: Promise<Map<string, Repository>> | undefined;
  const all = () => {
    listing ??= describe(ctx).then(
      (repos) => new Map(repos.filter((r) => r.repositoryName).map((r) => [r.repositoryName!, r])),
    );
    return listing;
  };
  return planOwned(
    patterns,
    {
      kind: 'repository',
      input: 'ecr-repositories',
      list: async (prefix) => [...(await all()).keys()].filter((n) => n.startsWith(prefix)),
      tags: async (name) => repositoryTags(ctx, name, listing && (await listing).get(name)),
      measure: (name) => measure(ctx, name),
      remove: (name) => remove(ctx, name),
    },
    rules,
  );
}
