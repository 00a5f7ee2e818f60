/**
 * The files a container image is built from, as git pathspecs: the
 * Dockerfile, its .dockerignore, every source that the stages of the image's
 * target COPY from the build context, minus what the .dockerignore excludes.
 * The image workflows hash exactly these (`git ls-files -s`) for the image
 * tag, so a change to any of them, and nothing else, makes a new image: the
 * tester's tag does not move when only the webscraper's sources change,
 * although both are built from runtime/Dockerfile.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Copy, DockerfileParser, From, type Instruction } from 'dockerfile-ast';
import { ROOT } from './local-actions.js';

export interface DockerStage {
  /** The stage's name (`AS name`), or its index when it has none. */
  name: string;
  instructions: Instruction[];
}

/**
 * The stages building `target` takes, in build order: the ones it is based
 * on (`FROM <stage>`) or copies from (`COPY --from=<stage>`), then the target
 * itself. Without a target, the last stage (what `docker build` builds).
 */
export function targetStages(text: string, target?: string): DockerStage[] {
  const stages: DockerStage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction instanceof From) {
      stages.push({
        name: instruction.getBuildStage() ?? String(stages.length),
        instructions: [],
      });
    }
    stages.at(-1)?.instructions.push(instruction);
  }
  const byName = new Map(stages.map((s) => [s.name, s]));
  const wanted = target === undefined ? stages.at(-1) : byName.get(target);
  if (!wanted) {
    throw new Error(
      `no stage ${target} in the Dockerfile; stages: ${stages.map((s) => s.name).join(', ')}`,
    );
  }
  const order: DockerStage[] = [];
  const visit = (stage: DockerStage) => {
    if (order.includes(stage)) return;
    for (const instruction of stage.instructions) {
      const ref =
        instruction instanceof From
          ? instruction.getImageName()
          : instruction instanceof Copy
            ? instruction.getFromFlag()?.getValue()
            : undefined;
      const dependency = ref ? byName.get(ref) : undefined;
      if (dependency && dependency !== stage) visit(dependency);
    }
    order.push(stage);
  };
  visit(wanted);
  return order;
}

/** Sources the stages COPY from the build context (not from another stage). */
export function contextCopies(stages: DockerStage[]): string[] {
  return stages.flatMap((stage) =>
    stage.instructions
      .filter((i): i is Copy => i instanceof Copy && !i.getFromFlag())
      .flatMap((copy) =>
        copy
          .getArguments()
          .map((a) => a.getValue())
          .slice(0, -1),
      ),
  );
}

/**
 * The image's sources (see above) for `target` of `dockerfile` (the last
 * stage without one); paths are relative to `root`, the repository.
 */
export function imageSources(
  dockerfile: string,
  { target, root = ROOT }: { target?: string; root?: string } = {},
): string[] {
  const text = readFileSync(join(root, dockerfile), 'utf8');
  const copied = contextCopies(targetStages(text, target));
  if (copied.length === 0) throw new Error(`${dockerfile}: no COPY from the build context`);
  const ignore = `${dockerfile}.dockerignore`;
  const excluded = existsSync(join(root, ignore))
    ? readFileSync(join(root, ignore), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#') && !l.startsWith('!') && l !== '*')
        .map((pattern) => `:(exclude,glob)${pattern}`)
    : [];
  return [
    dockerfile,
    ...(existsSync(join(root, ignore)) ? [ignore] : []),
    ...[...new Set(copied.map((p) => p.replace(/\/+$/, '')))].sort(),
    ...excluded,
  ];
}
