/**
 * Lints every Dockerfile under runtime/ (CI has no Docker engine to build
 * them). Two layers:
 *
 * - dockerfile-utils' validator (the one behind the VS Code Docker
 *   extension): syntax, unknown instructions and flags, bad JSON forms,
 *   repeated CMD/ENTRYPOINT, relative WORKDIR; warnings count as failures.
 * - mcfpipe's rules, on dockerfile-ast's parse: every FROM of an image sets
 *   --platform=linux/amd64 (Fargate tasks and Lambda run x86_64; a FROM of an
 *   earlier stage inherits it); every base image is pinned to a full version
 *   or a digest; every image stage (a stage no other stage builds on or
 *   copies from: each --target) runs as a non-root USER and starts in exec
 *   (JSON) form so the process gets ECS's SIGTERM; no ADD from a URL; no
 *   secret-looking ENV/ARG defaults.
 *
 * (dockerfilelint and hadolint were passed over: the former is unmaintained
 * and misses multi-stage builds, the latter is a Haskell binary npm cannot
 * install.) Each rule is also shown failing on a bad Dockerfile below.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { ValidationSeverity, validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const RUNTIME = join(ROOT, 'runtime');

interface LintProblem {
  line: number;
  rule: string;
  message: string;
}

function isDockerfile(name: string): boolean {
  return (
    name === 'Dockerfile' ||
    (/^Dockerfile\.[A-Za-z0-9_.-]+$/.test(name) && !name.endsWith('.dockerignore')) ||
    /\.[Dd]ockerfile$/.test(name)
  );
}

function findDockerfiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findDockerfiles(path));
    else if (isDockerfile(name)) out.push(path);
  }
  return out.sort();
}

const FULL_VERSION = /^v?\d+\.\d+\.\d+([.-].*)?$/;
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|ACCESS_KEY|PRIVATE_KEY|API_KEY)/i;
const ROOT_USERS = new Set(['root', '0', '0:0', 'root:root']);

function lintDockerfile(text: string): LintProblem[] {
  const problems: LintProblem[] = [];
  const add = (
    i: Instruction | { getRange(): { start: { line: number } } },
    rule: string,
    message: string,
  ) => problems.push({ line: i.getRange().start.line + 1, rule, message });

  for (const d of validate(text, {
    deprecatedMaintainer: ValidationSeverity.ERROR,
    instructionCasing: ValidationSeverity.ERROR,
    instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
    instructionWorkdirRelative: ValidationSeverity.ERROR,
    emptyContinuationLine: ValidationSeverity.ERROR,
  })) {
    problems.push({
      line: d.range.start.line + 1,
      rule: 'dockerfile-utils',
      message: typeof d.message === 'string' ? d.message : d.message.value,
    });
  }

  const dockerfile = DockerfileParser.parse(text);
  const instructions = dockerfile.getInstructions();
  const stageNames = new Set<string>();
  /** Every stage, and the stages others build on or copy from (the rest are images). */
  const stages: Array<{ name?: string; instructions: Instruction[] }> = [];
  const usedStages = new Set<string>();
  const froms = dockerfile.getFROMs();
  if (froms.length === 0) problems.push({ line: 1, rule: 'from', message: 'no FROM instruction' });

  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const from = froms.find(
        (f) => f.getRange().start.line === instruction.getRange().start.line,
      )!;
      const image = from.getImageName();
      const stage = from.getBuildStage();
      stages.push({ ...(stage && { name: stage }), instructions: [instruction] });
      const isStage =
        image !== null && stageNames.has(image) && !from.getImageTag() && !from.getImageDigest();
      if (isStage) usedStages.add(image);
      const platform = from.getPlatformFlag()?.getValue();
      if (!isStage && platform !== 'linux/amd64') {
        add(
          instruction,
          'platform',
          `FROM must set --platform=linux/amd64 (Fargate and Lambda run x86_64)${platform ? `, not ${platform}` : ''}`,
        );
      }
      if (!isStage && image !== 'scratch') {
        const tag = from.getImageTag();
        const digest = from.getImageDigest();
        if (!digest && (!tag || !FULL_VERSION.test(tag))) {
          add(
            instruction,
            'pinned-base',
            `base image ${from.getImageName()}${tag ? `:${tag}` : ''} is not pinned: use a full version tag (e.g. node:24.21.0-trixie-slim) or a @sha256 digest`,
          );
        }
      }
      if (stage) stageNames.add(stage);
      continue;
    }
    stages.at(-1)?.instructions.push(instruction);
    const args = instruction.getArgumentsContent() ?? '';
    const copyFrom =
      instruction instanceof Copy ? instruction.getFromFlag()?.getValue() : undefined;
    if (copyFrom) usedStages.add(copyFrom);
    if (keyword === 'ADD' && /(^|\s)(https?:\/\/|git@|ftp:\/\/)/i.test(args)) {
      add(
        instruction,
        'no-add-url',
        'ADD from a URL fetches unverified content at build time; download with a checksum in RUN, or COPY',
      );
    }
    if (keyword === 'ENV' || keyword === 'ARG') {
      for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*[= ]\s*("[^"]*"|'[^']*'|\S+)/g)) {
        const value = m[2]!.replace(/^["']|["']$/g, '');
        if (SECRET_NAME.test(m[1]!) && value !== '' && !value.startsWith('$')) {
          add(
            instruction,
            'no-secret',
            `${keyword} ${m[1]} has a default value; secrets come from the task definition (Secrets Manager), never the image`,
          );
        }
      }
    }
  }

  for (const image of stages.filter((s) => !s.name || !usedStages.has(s.name))) {
    checkImageStage(image.instructions, add);
  }
  return problems.sort((a, b) => a.line - b.line);
}

/** An image's own stage: it runs as a non-root user and starts in exec form. */
function checkImageStage(
  finalStage: Instruction[],
  add: (i: Instruction, rule: string, message: string) => void,
): void {
  const users = finalStage.filter((i) => i.getKeyword() === 'USER');
  const lastUser = users.at(-1)?.getArgumentsContent()?.trim();
  if (finalStage.length > 0) {
    if (!lastUser) {
      add(
        finalStage[0]!,
        'non-root',
        'the final stage has no USER: the container would run as root; add USER with an unprivileged user (e.g. node)',
      );
    } else if (ROOT_USERS.has(lastUser)) {
      add(
        users.at(-1)!,
        'non-root',
        `the final stage runs as ${lastUser}; switch to an unprivileged user`,
      );
    }
    const start = finalStage
      .filter((i) => i.getKeyword() === 'ENTRYPOINT' || i.getKeyword() === 'CMD')
      .at(-1);
    if (start && !(start.getArgumentsContent() ?? '').trim().startsWith('[')) {
      add(
        start,
        'exec-form',
        `${start.getKeyword()} in shell form runs under /bin/sh, which does not pass SIGTERM on; use the JSON form ["node", ...]`,
      );
    }
  }
}

describe('Dockerfiles under runtime/', () => {
  const files = findDockerfiles(RUNTIME);

  it('include the one Dockerfile of both images', () => {
    expect(files.map((f) => relative(ROOT, f))).toEqual(['runtime/Dockerfile']);
  });

  for (const file of files) {
    it(`${relative(ROOT, file)} passes the lint`, () => {
      const problems = lintDockerfile(readFileSync(file, 'utf8')).map(
        (p) => `${relative(ROOT, file)}:${p.line}: [${p.rule}] ${p.message}`,
      );
      expect(problems).toEqual([]);
    });
  }
});

describe('the lint rules catch', () => {
  const rules = (text: string) => lintDockerfile(text).map((p) => p.rule);
  const GOOD_TAIL = 'USER node\nENTRYPOINT ["node", "/app/x.mjs"]\n';

  it('a good multi-stage Dockerfile passes', () => {
    expect(
      lintDockerfile(
        'FROM --platform=linux/amd64 node:24.21.0-slim AS build\nRUN echo hi\n' +
          'FROM --platform=linux/amd64 node@sha256:' +
          'a'.repeat(64) +
          '\nCOPY --from=build /out /app\n' +
          GOOD_TAIL,
      ),
    ).toEqual([]);
  });

  it('one file, several targets: each image stage is checked, stages built on are not', () => {
    const base = 'FROM --platform=linux/amd64 node:24.21.0-slim AS base\n';
    const build = 'FROM base AS build\nRUN echo hi\n';
    // The base and build stages are built on, so they need no USER; FROM base inherits the platform.
    expect(
      rules(
        `${base}${build}FROM base AS one\nCOPY --from=build /out /app\n${GOOD_TAIL}` +
          `FROM base AS two\nCOPY --from=build /out /app\n${GOOD_TAIL}`,
      ),
    ).toEqual([]);
    // A target left running as root is caught even when it is not the last stage.
    expect(
      rules(
        `${base}${build}FROM base AS one\nCOPY --from=build /out /app\nENTRYPOINT ["node"]\n` +
          `FROM base AS two\nCOPY --from=build /out /app\n${GOOD_TAIL}`,
      ),
    ).toEqual(['non-root']);
  });

  it('a missing or other platform', () => {
    expect(rules(`FROM node:24.21.0-slim\n${GOOD_TAIL}`)).toEqual(['platform']);
    expect(rules(`FROM --platform=linux/arm64 node:24.21.0-slim\n${GOOD_TAIL}`)).toEqual([
      'platform',
    ]);
  });

  it('unpinned base images', () => {
    for (const image of [
      'node',
      'node:latest',
      'node:24-slim',
      'node:lts',
      'public.ecr.aws/lambda/nodejs:22',
    ]) {
      expect(rules(`FROM --platform=linux/amd64 ${image}\n${GOOD_TAIL}`)).toEqual(['pinned-base']);
    }
  });

  it('a final stage running as root', () => {
    expect(rules('FROM --platform=linux/amd64 node:24.21.0-slim\nENTRYPOINT ["node"]\n')).toEqual([
      'non-root',
    ]);
    expect(
      rules(
        'FROM --platform=linux/amd64 node:24.21.0-slim\nUSER node\nUSER root\nENTRYPOINT ["node"]\n',
      ),
    ).toEqual(['non-root']);
    // A non-root user in an earlier stage does not count.
    expect(
      rules(
        'FROM --platform=linux/amd64 node:24.21.0-slim AS b\nUSER node\nFROM --platform=linux/amd64 node:24.21.0-slim\nENTRYPOINT ["node"]\n',
      ),
    ).toEqual(['non-root']);
  });

  it('ADD from a URL, secrets in ENV/ARG and a shell-form entry point', () => {
    expect(
      rules(
        'FROM --platform=linux/amd64 node:24.21.0-slim\nADD https://example.com/x.tgz /x\nARG NPM_TOKEN=abc123\nENV DB_PASSWORD="hunter2" REGION=x\nUSER node\nENTRYPOINT node /app/x.mjs\n',
      ),
    ).toEqual(['no-add-url', 'no-secret', 'no-secret', 'exec-form']);
    // A secret passed through from the environment is fine.
    expect(
      rules(
        'FROM --platform=linux/amd64 node:24.21.0-slim\nARG NPM_TOKEN\nENV TOKEN_FILE=$NPM_TOKEN\nUSER node\n',
      ),
    ).toEqual([]);
  });

  it('syntax problems, via dockerfile-utils', () => {
    expect(
      rules(`FROM --platform=linux/amd64 node:24.21.0-slim\nWORKDIR app\n${GOOD_TAIL}`),
    ).toContain('dockerfile-utils');
    expect(
      rules(`FROM --platform=linux/amd64 node:24.21.0-slim\nCOPYY a b\n${GOOD_TAIL}`),
    ).toContain('dockerfile-utils');
    expect(rules(`FROM --platform=linux/amd64 node:24.21.0-slim\nEXPOSE\n${GOOD_TAIL}`)).toContain(
      'dockerfile-utils',
    );
  });

  it('only files named like Dockerfiles', () => {
    expect(['Dockerfile', 'Dockerfile.lambda', 'scraper.Dockerfile'].every(isDockerfile)).toBe(
      true,
    );
    expect(['Dockerfile.dockerignore', 'dockerfile.md', 'README.md'].some(isDockerfile)).toBe(
      false,
    );
  });
});
