/**
 * How mcfpipe marks what it owns, and how it decides whether it may delete
 * something.
 *
 * Every resource mcfpipe creates carries two tags:
 *
 * - `mcfpipe:managed-by` = `mcfpipe`: created by mcfpipe (publish-config's
 *   config bucket, the stacks' resources through their stack tags);
 * - `mcfpipe:env` = `dev` | `staging` | `prod` | ...: the environment it belongs to.
 *
 * cleanup-resources deletes a bucket or ECR repository only when it carries
 * the first tag (and, when an environment is given, the second with that
 * value), unless the user forces it.
 */

export const MANAGED_BY_KEY = 'mcfpipe:managed-by';
export const MANAGED_BY_VALUE = 'mcfpipe';
export const ENV_KEY = 'mcfpipe:env';

/** Environment names: lowercase letters, digits and hyphens, as in stack names. */
export const ENV_NAME = /^[a-z][a-z0-9-]{0,31}$/;

export interface Tag {
  Key: string;
  Value: string;
}

/** The ownership tags, with the environment tag when `env` is given. */
export function ownershipTags(env?: string): Tag[] {
  const tags: Tag[] = [{ Key: MANAGED_BY_KEY, Value: MANAGED_BY_VALUE }];
  if (env) tags.push({ Key: ENV_KEY, Value: env });
  return tags;
}

/** Tags as a record, from the {Key, Value} lists S3 and CloudFormation return. */
export function tagRecord(
  tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

export type Ownership = { owned: true } | { owned: false; reason: string };

/**
 * Whether tags say mcfpipe owns the resource (for environment `env`, when given).
 * The reason says what is missing, for a refusal message.
 */
export function ownership(tags: Record<string, string>, env?: string): Ownership {
  const managedBy = tags[MANAGED_BY_KEY];
  if (managedBy !== MANAGED_BY_VALUE) {
    return {
      owned: false,
      reason:
        managedBy === undefined
          ? `not tagged ${MANAGED_BY_KEY}=${MANAGED_BY_VALUE}`
          : `tagged ${MANAGED_BY_KEY}=${managedBy}, not ${MANAGED_BY_VALUE}`,
    };
  }
  if (env !== undefined && tags[ENV_KEY] !== env) {
    const actual = tags[ENV_KEY];
    return {
      owned: false,
      reason:
        actual === undefined
          ? `not tagged ${ENV_KEY}=${env}`
          : `tagged ${ENV_KEY}=${actual}, not ${env}`,
    };
  }
  return { owned: true };
}
