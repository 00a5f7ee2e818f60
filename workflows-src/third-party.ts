/**
 * The third-party actions the workflows use, pinned to the full commit SHA of
 * a release (a tag can be moved; a commit cannot), with the release in a
 * comment beside every `uses:`. Inputs and outputs are the ones the release's
 * action.yml declares, so the generator checks `with:` keys and output
 * references against them as it does for our own actions.
 *
 * To update one: find the release's commit (`git ls-remote --tags
 * https://github.com/<repo> <tag>`; for an annotated tag, the `^{}` line),
 * read its action.yml, change the row, run `npm run workflows`.
 */

export interface PinnedAction {
  repo: string;
  sha: string;
  version: string;
  /** Inputs the action.yml declares; `required` ones must be given. */
  inputs: string[];
  required: string[];
  outputs: string[];
}

export const THIRD_PARTY = {
  checkout: {
    repo: 'actions/checkout',
    sha: '3d3c42e5aac5ba805825da76410c181273ba90b1',
    version: 'v7.0.1',
    inputs: [
      'repository',
      'ref',
      'token',
      'ssh-key',
      'ssh-known-hosts',
      'ssh-strict',
      'ssh-user',
      'persist-credentials',
      'path',
      'clean',
      'filter',
      'sparse-checkout',
      'sparse-checkout-cone-mode',
      'fetch-depth',
      'fetch-tags',
      'show-progress',
      'lfs',
      'submodules',
      'set-safe-directory',
      'github-server-url',
      'allow-unsafe-pr-checkout',
    ],
    required: [],
    outputs: ['ref', 'commit'],
  },
  setupNode: {
    repo: 'actions/setup-node',
    sha: '820762786026740c76f36085b0efc47a31fe5020',
    version: 'v7.0.0',
    inputs: [
      'node-version',
      'node-version-file',
      'architecture',
      'check-latest',
      'registry-url',
      'scope',
      'token',
      'cache',
      'package-manager-cache',
      'cache-dependency-path',
      'mirror',
      'mirror-token',
    ],
    required: [],
    outputs: ['cache-hit', 'cache-primary-key', 'cache-matched-key', 'node-version'],
  },
  awsCredentials: {
    repo: 'aws-actions/configure-aws-credentials',
    sha: 'e6de054238d6b7531b4efff3b6587d9aade6a06c',
    version: 'v6.2.3',
    inputs: [
      'aws-region',
      'aws-profile',
      'overwrite-aws-profile',
      'role-to-assume',
      'aws-access-key-id',
      'aws-secret-access-key',
      'aws-session-token',
      'web-identity-token-file',
      'role-chaining',
      'audience',
      'http-proxy',
      'no-proxy',
      'mask-aws-account-id',
      'role-duration-seconds',
      'role-external-id',
      'role-session-name',
      'role-skip-session-tagging',
      'transitive-tag-keys',
      'inline-session-policy',
      'managed-session-policies',
      'output-credentials',
      'output-env-credentials',
      'unset-current-credentials',
      'disable-retry',
      'retry-max-attempts',
      'special-characters-workaround',
      'use-existing-credentials',
      'allowed-account-ids',
      'force-skip-oidc',
      'action-timeout-s',
      'custom-tags',
      'sts-endpoint',
    ],
    required: ['aws-region'],
    outputs: [
      'aws-account-id',
      'aws-access-key-id',
      'aws-secret-access-key',
      'aws-session-token',
      'aws-expiration',
    ],
  },
} as const satisfies Record<string, PinnedAction>;

export type ThirdPartyName = keyof typeof THIRD_PARTY;

/** `owner/repo@<sha>`. */
export function pinnedRef(action: PinnedAction): string {
  return `${action.repo}@${action.sha}`;
}

export function thirdPartyByRepo(repo: string): PinnedAction | undefined {
  return Object.values(THIRD_PARTY).find((a) => a.repo === repo);
}
