/**
 * The cluster to run in: the `cluster` input (name or ARN), or, when it is
 * empty, the account's only cluster in the region. Anything else is an error
 * that lists the clusters there are.
 */
import {
  type Cluster,
  DescribeClustersCommand,
  type ECSClient,
  paginateListClusters,
} from '@aws-sdk/client-ecs';
import { ActionError } from '../../../core/errors.js';
import type { Context } from './context.js';
import type { Capacity } from './inputs.js';

export interface ResolvedCluster {
  name: string;
  arn: string;
  /** Capacity providers associated with the cluster. */
  capacityProviders: string[];
}

/** Cluster names in the region (at most `limit`). */
export async function listClusterNames(ecs: ECSClient, limit = 100): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListClusters({ client: ecs }, {})) {
    for (const arn of page.clusterArns ?? []) names.push(nameOf(arn));
    if (names.length >= limit) break;
  }
  return names.sort();
}

/** The name in a cluster ARN (arn:...:cluster/NAME), or the value itself. */
export function nameOf(arnOrName: string): string {
  return arnOrName.slice(arnOrName.lastIndexOf('/') + 1);
}

function listed(names: string[]): string {
  return names.length ? names.join(', ') : '(none)';
}

export async function resolveCluster(
  ctx: Context,
  input: string | undefined,
): Promise<ResolvedCluster> {
  let wanted = input;
  if (!wanted) {
    const names = await listClusterNames(ctx.ecs);
    if (names.length !== 1) {
      throw new ActionError(
        names.length === 0
          ? `There is no ECS cluster in ${ctx.region}.`
          : `Input "cluster" is empty and ${ctx.region} has ${names.length} ECS clusters: ${listed(names)}.`,
        names.length === 0
          ? 'Deploy the stack that creates the cluster first, or check the region.'
          : 'Set the cluster input to one of them.',
      );
    }
    wanted = names[0]!;
    ctx.log(`Cluster: ${wanted} (the only one in ${ctx.region}).`);
  }
  const out = await ctx.ecs.send(new DescribeClustersCommand({ clusters: [wanted] }));
  const cluster: Cluster | undefined = out.clusters?.find((c) => c.status === 'ACTIVE');
  if (!cluster?.clusterArn) {
    const names = await listClusterNames(ctx.ecs);
    const inactive = out.clusters?.[0]?.status;
    throw new ActionError(
      `Input "cluster": ECS cluster "${wanted}" ${inactive ? `is ${inactive}` : 'does not exist'} in ${ctx.region}. Clusters there: ${listed(names)}.`,
      'Check the name and the region (input "region" or AWS_REGION).',
    );
  }
  return {
    name: cluster.clusterName ?? nameOf(cluster.clusterArn),
    arn: cluster.clusterArn,
    capacityProviders: cluster.capacityProviders ?? [],
  };
}

/** A capacity provider strategy may only name providers associated with the cluster. */
export function checkCapacity(cluster: ResolvedCluster, capacity: Capacity): void {
  if (!('capacityProviderStrategy' in capacity)) return;
  const missing = capacity.capacityProviderStrategy
    .map((s) => s.capacityProvider!)
    .filter((p) => !cluster.capacityProviders.includes(p));
  if (missing.length === 0) return;
  throw new ActionError(
    `Cluster ${cluster.name} has no capacity provider ${missing.join(', ')} (it has: ${listed(cluster.capacityProviders)}).`,
    `Associate it with the cluster (CapacityProviders on the AWS::ECS::Cluster, or aws ecs put-cluster-capacity-providers --cluster ${cluster.name} --capacity-providers FARGATE FARGATE_SPOT --default-capacity-provider-strategy capacityProvider=FARGATE,weight=1), or use launch-type: FARGATE.`,
  );
}
