/**
 * Test tiers that need a tool from outside npm: moto, cfn-lint, Chromium.
 *
 * `tierAvailable` says whether the tool is there. When it is not: in CI
 * (CI=true), with MCFPIPE_REQUIRE_TIERS=1, or with the tier's own variable
 * (`requiredBy`, such as MCFPIPE_REQUIRE_MOTO) set to 1, it throws, so a missing tool
 * fails the run instead of silently testing less; elsewhere it prints why
 * the tier is skipped (vitest's default reporter shows the line under the
 * test file) and returns false, for `describe.skipIf(!...)`.
 */

export function tierAvailable(
  tier: string,
  found: boolean,
  missing: string,
  requiredBy?: string,
): boolean {
  if (found) return true;
  const env = process.env;
  if (
    env.CI === 'true' ||
    env.MCFPIPE_REQUIRE_TIERS === '1' ||
    (requiredBy !== undefined && env[requiredBy] === '1')
  ) {
    throw new Error(`The ${tier} tests are required in CI, and ${missing}.`);
  }
  console.warn(`Skipped: the ${tier} tests, because ${missing}.`);
  return false;
}
