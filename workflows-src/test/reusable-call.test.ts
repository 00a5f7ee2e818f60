/**
 * The rehearsal runner's workflow calls (`uses: ./.github/workflows/<file>.yml`), on small
 * workflows of run: steps in a scratch checkout: inputs checked and evaluated as GitHub does,
 * the called workflow's outputs reaching the jobs that need the call, secrets passed only
 * when the call passes them, the caller's event kept, and what the runner refuses.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRunner } from '../rehearsal/runner.js';

const CALLED = `
on:
  workflow_call:
    inputs:
      name: { type: string, required: true }
      loud: { type: boolean, required: false, default: false }
    secrets:
      TOKEN: { required: false }
    outputs:
      greeting:
        value: \${{ jobs.greet.outputs.greeting }}
jobs:
  greet:
    runs-on: ubuntu-24.04
    outputs:
      greeting: \${{ steps.say.outputs.greeting }}
    steps:
      - id: say
        run: |
          echo "greeting=hello $NAME loud=$LOUD event=$EVENT token=\${TOKEN:+set}" >> "$GITHUB_OUTPUT"
          test "$NAME" != fail
        env:
          NAME: \${{ inputs.name }}
          LOUD: \${{ inputs.loud }}
          EVENT: \${{ github.event_name }}
          TOKEN: \${{ secrets.TOKEN }}
`;

function caller(call: string, after = ''): string {
  return `
on: workflow_dispatch
jobs:
  call:
    uses: ./.github/workflows/called.yml
${call}
  after:
    needs: [call]
${after}    runs-on: ubuntu-24.04
    steps:
      - id: echo
        run: echo "got=$GOT" >> "$GITHUB_OUTPUT"
        env:
          GOT: \${{ needs.call.outputs.greeting }}
`;
}

describe('the rehearsal runner: a job calling a reusable workflow', () => {
  let root: string;
  let runner: LocalRunner;
  const write = (file: string, text: string) =>
    writeFileSync(join(root, '.github/workflows', file), text);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mcfpipe-call-'));
    mkdirSync(join(root, '.github/workflows'), { recursive: true });
    write('called.yml', CALLED);
    runner = new LocalRunner({
      workspace: root,
      machineEnv: { PATH: process.env.PATH ?? '' },
      vars: { WHO: 'world' },
      secrets: { TOKEN: 'repository-secret' },
      repository: 'octo-org/mcfpipe',
      standIns: [],
      hooks: [],
    });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("runs the called jobs with the inputs evaluated in the caller's contexts and its event, and its outputs reach needs.<job>.outputs", async () => {
    write('caller.yml', caller('    with:\n      name: ${{ vars.WHO }}\n'));
    const run = await runner.run('caller.yml', { event: 'workflow_dispatch' });
    expect(run.ok).toBe(true);
    expect(run.jobs.call?.inputs).toEqual({ name: 'world', loud: false });
    expect(run.jobs.call?.outputs).toEqual({
      greeting: 'hello world loud=false event=workflow_dispatch token=',
    });
    expect(run.step('echo', 'after').outputs.got).toBe(
      'hello world loud=false event=workflow_dispatch token=',
    );
  });

  it('passes secrets only when the call does: inherit, or by name', async () => {
    write('caller.yml', caller('    with: { name: a, loud: true }\n    secrets: inherit\n'));
    const inherit = await runner.run('caller.yml', { event: 'workflow_dispatch' });
    expect(inherit.jobs.call?.outputs.greeting).toBe(
      'hello a loud=true event=workflow_dispatch token=set',
    );
    write('caller.yml', caller('    with: { name: a }\n    secrets:\n      TOKEN: x\n'));
    const named = await runner.run('caller.yml', { event: 'workflow_dispatch' });
    expect(named.jobs.call?.outputs.greeting).toMatch(/token=set$/);
  });

  it('a failed called job fails the call; the jobs that need it are skipped unless their if: says otherwise', async () => {
    write('caller.yml', caller('    with: { name: fail }\n'));
    const run = await runner.run('caller.yml', { event: 'workflow_dispatch' });
    expect(run.ok).toBe(false);
    expect(run.jobs.call?.result).toBe('failure');
    expect(run.jobs.after?.result).toBe('skipped');
    write('caller.yml', caller('    with: { name: fail }\n', '    if: always()\n'));
    const always = await runner.run('caller.yml', { event: 'workflow_dispatch' });
    expect(always.jobs.after?.result).toBe('success');
  });

  it.each([
    [
      '    with: { name: a, colour: red }\n',
      /with\.colour is not an input of the called workflow \(it declares: name, loud\)/,
    ],
    ['    with: { loud: true }\n', /the required input name is not given/],
    [
      "    with: { name: a, loud: 'yes' }\n",
      /with\.loud is "yes" \(a string\); the input's type is boolean/,
    ],
    [
      '    with: { name: a }\n    secrets:\n      KEY: x\n',
      /secrets\.KEY is not a secret of the called workflow/,
    ],
  ])('refuses a call GitHub refuses, naming the job: %s', async (call, message) => {
    write('caller.yml', caller(call));
    await expect(runner.run('caller.yml', { event: 'workflow_dispatch' })).rejects.toThrow(
      new RegExp(`caller\\.yml job call \\(called\\.yml\\): ${message.source}`),
    );
  });

  it("runs four levels of workflows and refuses a fifth, GitHub's limit, naming the job", async () => {
    const level = (n: number, last: boolean) =>
      last
        ? 'on: workflow_call\njobs:\n  leaf:\n    runs-on: ubuntu-24.04\n    steps:\n      - id: leaf\n        run: "true"\n'
        : `on: ${n === 1 ? 'workflow_dispatch' : 'workflow_call'}\njobs:\n  down:\n    uses: ./.github/workflows/level${n + 1}.yml\n`;
    for (const n of [1, 2, 3]) write(`level${n}.yml`, level(n, false));
    write('level4.yml', level(4, true));
    const four = await runner.run('level1.yml', { event: 'workflow_dispatch' });
    expect(four.ok).toBe(true);
    expect(four.step('leaf', 'leaf').outcome).toBe('success');
    write('level4.yml', level(4, false));
    write('level5.yml', level(5, true));
    await expect(runner.run('level1.yml', { event: 'workflow_dispatch' })).rejects.toThrow(
      /level4\.yml job down: uses: \.\/\.github\/workflows\/level5\.yml would be level 5 of nested workflows; GitHub connects at most 4/,
    );
  });

  it("refuses another repository's workflow, naming the job", async () => {
    write(
      'caller.yml',
      caller('    with: { name: a }\n').replace(
        './.github/workflows/called.yml',
        'octo-org/other/.github/workflows/called.yml@v1',
      ),
    );
    await expect(runner.run('caller.yml', { event: 'workflow_dispatch' })).rejects.toThrow(
      /caller\.yml job call: uses: octo-org\/other\/\.github\/workflows\/called\.yml@v1: the rehearsal runs only reusable workflows of this repository/,
    );
  });
});
