// Stands in for @actions/http-client in the action bundles (.ci/bundle.mjs).
// @actions/core imports it only for core.getIDToken (GitHub's OIDC token),
// which no mcfpipe action calls: credentials come from
// aws-actions/configure-aws-credentials. Leaving it out keeps undici (about
// 0.4 MB) out of every bundle. Anything that does use it fails loudly.
const message =
  '@actions/http-client is not bundled with mcfpipe actions (core.getIDToken is not supported here).';

export class HttpClient {
  constructor() {
    throw new Error(message);
  }
}

export class BearerCredentialHandler {
  constructor() {
    throw new Error(message);
  }
}
