import { describe, expect, it, vi } from 'vitest';
import { tierAvailable } from '../testing/tiers.js';

describe('tierAvailable', () => {
  it('is true when the tool is there, saying nothing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(tierAvailable('moto', true, 'moto is missing')).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('outside CI, skips and says why', () => {
    vi.stubEnv('CI', '');
    vi.stubEnv('MCFPIPE_REQUIRE_TIERS', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(
      tierAvailable('cfn-lint', false, 'cfn-lint is not installed: pip install cfn-lint'),
    ).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      'Skipped: the cfn-lint tests, because cfn-lint is not installed: pip install cfn-lint.',
    );
  });

  it.each([
    ['CI', 'true'],
    ['MCFPIPE_REQUIRE_TIERS', '1'],
    ['MCFPIPE_REQUIRE_MOTO', '1'],
  ])('with %s=%s a missing tool fails instead of testing less', (name, value) => {
    vi.stubEnv('CI', '');
    vi.stubEnv(name, value);
    expect(() =>
      tierAvailable('moto', false, 'moto is not installed', 'MCFPIPE_REQUIRE_MOTO'),
    ).toThrow('The moto tests are required in CI, and moto is not installed.');
  });
});
