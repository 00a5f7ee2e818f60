import { describe, expect, it } from 'vitest';
import { parsePattern, scopeOf } from '../src/patterns.js';
import { deletionPrerequisites } from '../src/stack-order.js';
import { cfnMock, ecrMock, FakeAws, logsMock, s3Mock, stsMock } from './fake-aws.js';

describe('bad input fails with a clear error and nothing deleted (no AWS call at all)', () => {
  it.each([
    [
      {},
      /^Input "stacks" is required and was not supplied\. Nothing to clean up: give at least one of/,
    ],
    [
      { stacks: 'mcfpipe-dev-*', 'dry-run': 'perhaps' },
      'Input "dry-run": "perhaps" is not valid. Accepted: true or false (also yes/no, on/off, 1/0).',
    ],
    [
      { 'stack-prefix': 'mcfpipe-dev', 'exclude-stacks': 'mcfpipe-dev-[a-z]*' },
      /^Input "exclude-stacks": "mcfpipe-dev-\[a-z\]\*" is not valid\. Accepted: stack names .*no other wildcards/,
    ],
    [
      { stacks: 'a-stack', force: '2' },
      'Input "force": "2" is not valid. Accepted: true or false (also yes/no, on/off, 1/0).',
    ],
    [
      { stacks: '*' },
      /^Input "stacks": "\*" is not valid\. Accepted: a wildcard within the scope mcfpipe-\* .*"\*" would match more than that scope allows/,
    ],
    [
      { env: 'dev', stacks: 'mcfpipe-*' },
      /^Input "stacks": "mcfpipe-\*" is not valid\. Accepted: a wildcard within the scope mcfpipe-dev-\* .*would match more than that scope allows; for example mcfpipe-dev-\*/,
    ],
    [
      { env: 'dev', buckets: 'mcfpipe-dev*' },
      /^Input "buckets": "mcfpipe-dev\*" is not valid\. .*would match more than that scope allows/,
    ],
    [
      { 'stack-prefix': 'mcfpipe-qa', buckets: 'other-team-*' },
      /^Input "buckets": "other-team-\*" is not valid\. Accepted: a wildcard within the scope mcfpipe-qa-\* .*is outside it/,
    ],
    [
      { stacks: 'mcfpipe-*-network' },
      /^Input "stacks": "mcfpipe-\*-network" is not valid\. Accepted: .* \(no other wildcards\)/,
    ],
    [{ buckets: 'mcfpipe-?' }, /^Input "buckets": "mcfpipe-\?" is not valid/],
    [
      { 'log-groups': '/aws/lambda/*' },
      /^Input "log-groups": "\/aws\/lambda\/\*" is not valid\. .*would match more than that scope allows; for example \/aws\/lambda\/mcfpipe-dev-\*/,
    ],
    [
      { 'stack-prefix': 'mc' },
      /^Input "stack-prefix": "mc" is not valid\. Accepted: the beginning of stack names, at least 4 characters/,
    ],
    [
      { env: 'Prod!' },
      'Input "env": "Prod!" is not valid. Accepted: lowercase letters, digits and hyphens, such as dev or prod.',
    ],
    [
      { buckets: 'Bad_Bucket' },
      'Input "buckets": "Bad_Bucket" is not valid. Accepted: S3 bucket names (3 to 63 lowercase letters, digits, dots and hyphens).',
    ],
    [
      { stacks: 'x', 'timeout-minutes': '0' },
      'Input "timeout-minutes": "0" is not valid. Accepted: a whole number from 1 to 720.',
    ],
  ])('%j', async (inputs, expected) => {
    const step = await new FakeAws().run(inputs as Record<string, string>);
    if (typeof expected === 'string') expect(step.error).toBe(expected);
    else expect(step.error).toMatch(expected);
    for (const m of [cfnMock, s3Mock, ecrMock, logsMock, stsMock])
      expect(m.calls()).toHaveLength(0);
  });
});

describe('wildcard scope', () => {
  const rules = (scope: string, pathLike = false) => ({
    input: 'x',
    valid: /^[A-Za-z0-9/._-]+$/,
    accepted: 'names',
    scope,
    pathLike,
  });

  it('the scope comes from stack-prefix, else the env, else mcfpipe', () => {
    expect(scopeOf('acme-dev', 'dev')).toBe('acme-dev-');
    expect(scopeOf(undefined, 'dev')).toBe('mcfpipe-dev-');
    expect(scopeOf(undefined, undefined)).toBe('mcfpipe-');
  });

  it('accepts wildcards within the scope, including ECR namespaces and log group paths', () => {
    expect(parsePattern('mcfpipe-dev-*', rules('mcfpipe-dev-'))).toEqual({
      kind: 'prefix',
      prefix: 'mcfpipe-dev-',
    });
    expect(parsePattern('mcfpipe-dev-raw-*', rules('mcfpipe-dev-'))).toEqual({
      kind: 'prefix',
      prefix: 'mcfpipe-dev-raw-',
    });
    expect(parsePattern('mcfpipe-dev/*', rules('mcfpipe-dev-'))).toEqual({
      kind: 'prefix',
      prefix: 'mcfpipe-dev/',
    });
    expect(parsePattern('/ecs/mcfpipe-dev-*', rules('mcfpipe-dev-', true))).toEqual({
      kind: 'prefix',
      prefix: '/ecs/mcfpipe-dev-',
    });
    // Exact names are not limited by the scope: they are named on purpose.
    expect(parsePattern('legacy-bucket', rules('mcfpipe-dev-'))).toEqual({
      kind: 'exact',
      name: 'legacy-bucket',
    });
  });

  it.each(['mcfpipe-d*', 'mcfpipe-dev*', 'mcfpipe-*', 'mcfpipe-devx-*', '/ecs/*'])(
    'refuses %s with scope mcfpipe-dev-',
    (item) => {
      expect(() => parsePattern(item, rules('mcfpipe-dev-', item.startsWith('/')))).toThrow(
        /is not valid/,
      );
    },
  );
});

/**
 * The README's wildcard rule in every combination of env and stack-prefix,
 * for each input that takes wildcards: accepted (the step runs, here as a
 * dry run with nothing to find), or refused before any AWS call with why.
 */
describe('wildcards in every combination of env and stack-prefix', () => {
  const MORE = 'would match more than that scope allows';
  const OUTSIDE = 'is outside it';
  const EVERY_ENV = "would match every environment's names";
  const BEGINS = 'would also match names that only begin like the environment';
  const combos: Array<[string, Record<string, string>]> = [
    ['neither', {}],
    ['env dev', { env: 'dev' }],
    ['stack-prefix mcfpipe-dev', { 'stack-prefix': 'mcfpipe-dev' }],
    ['env dev and stack-prefix acme-dev', { env: 'dev', 'stack-prefix': 'acme-dev' }],
  ];
  // input, item, then the verdict per combination above (true: accepted).
  const table: Array<[string, string, Array<true | string>]> = [
    ['stacks', 'mcfpipe-*', [EVERY_ENV, MORE, MORE, OUTSIDE]],
    ['stacks', 'mcfpipe-d*', [BEGINS, MORE, MORE, OUTSIDE]],
    ['stacks', 'mcfpipe-dev*', [BEGINS, MORE, MORE, OUTSIDE]],
    ['stacks', 'mcfpipe-dev-*', [true, true, true, OUTSIDE]],
    ['stacks', 'mcfpipe-dev-raw-*', [true, true, true, OUTSIDE]],
    ['stacks', 'mcfpipe-devx-*', [true, OUTSIDE, OUTSIDE, OUTSIDE]],
    ['stacks', 'acme-dev-*', [OUTSIDE, OUTSIDE, OUTSIDE, true]],
    ['stacks', 'other-team-*', [OUTSIDE, OUTSIDE, OUTSIDE, OUTSIDE]],
    ['stacks', '*', [MORE, MORE, MORE, MORE]],
    ['buckets', 'mcfpipe-dev*', [BEGINS, MORE, MORE, OUTSIDE]],
    ['buckets', 'mcfpipe-dev-raw-*', [true, true, true, OUTSIDE]],
    ['ecr-repositories', 'mcfpipe/*', [EVERY_ENV, OUTSIDE, OUTSIDE, OUTSIDE]],
    ['ecr-repositories', 'mcfpipe-dev/*', [true, true, true, OUTSIDE]],
    ['log-groups', '/aws/lambda/mcfpipe-*', [EVERY_ENV, MORE, MORE, OUTSIDE]],
    ['log-groups', '/aws/lambda/mcfpipe-dev*', [BEGINS, MORE, MORE, OUTSIDE]],
    ['log-groups', '/aws/lambda/mcfpipe-dev-*', [true, true, true, OUTSIDE]],
  ];
  const cases = table.flatMap(([input, item, verdicts]) =>
    combos.map(([combo, scope], i) => ({ input, item, combo, scope, verdict: verdicts[i]! })),
  );

  it.each(cases)('$input: $item with $combo: $verdict', async ({ input, item, scope, verdict }) => {
    const step = await new FakeAws().run({ ...scope, [input]: item, 'dry-run': 'true' });
    if (verdict === true) {
      expect(step.error).toBeUndefined();
      return;
    }
    expect(step.error).toMatch(new RegExp(`^Input "${input}": ".*" is not valid\\. Accepted: `));
    expect(step.error).toContain(verdict);
    for (const m of [cfnMock, s3Mock, ecrMock, logsMock, stsMock])
      expect(m.calls()).toHaveLength(0);
  });

  it('without env, mcfpipe-dev* is refused and mcfpipe-dev-* leaves mcfpipe-development-... alone', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-network');
    aws.addStack('mcfpipe-development-x');
    const refused = await aws.run({ stacks: 'mcfpipe-dev*' });
    expect(refused.error).toBe(
      'Input "stacks": "mcfpipe-dev*" is not valid. Accepted: a wildcard that names the environment after mcfpipe- (without env or stack-prefix the scope mcfpipe-* spans every environment): "mcfpipe-dev*" would also match names that only begin like the environment dev (such as mcfpipe-devx-...); for example mcfpipe-dev-*, or give env or stack-prefix.',
    );
    const step = await aws.run({ stacks: 'mcfpipe-dev-*' });
    expect(step.error).toBeUndefined();
    expect(aws.stacks.map((s) => [s.name, s.deleted])).toEqual([
      ['mcfpipe-dev-network', true],
      ['mcfpipe-development-x', false],
    ]);
  });
});

describe('deletion order', () => {
  it('a circle of imports and layers is an error naming it', () => {
    expect(() =>
      deletionPrerequisites([
        { name: 'p-network', importers: [] },
        // The network importing from db-api closes a circle with the layer order.
        { name: 'p-db-api', importers: ['p-network'] },
      ]),
    ).toThrow(
      'The stacks cannot be deleted in any order: p-network must go before p-db-api must go before p-network',
    );
  });

  it('layers of different prefixes do not wait for each other', () => {
    const before = deletionPrerequisites([
      { name: 'a-network', importers: [] },
      { name: 'b-db-api', importers: [] },
    ]);
    expect([...before.values()].map((s) => [...s])).toEqual([[], []]);
  });
});
