/**
 * The files a container image is built from, as git pathspecs: the
 * Dockerfile, its .dockerignore, every source the Dockerfile COPYs from the
 * build context, minus what the .dockerignore excludes. The image workflows
 * hash exactly these (`git ls-files -s`) for the image tag, so a change to
 * any of them, and nothing else, makes a new image.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { ROOT } from './local-actions.js';

export function imageSources(dockerfile: string, root = ROOT): string[] {
  const text = readFileSync(join(root, dockerfile), 'utf8');
  const copied = DockerfileParser.parse(text)
    .getCOPYs()
    .filter((copy) => !copy.getFromFlag())
    .flatMap((copy) =>
      copy
        .getArguments()
        .slice(0, -1)
        .map((a) => a.getValue())
        .filter((a) => !a.startsWith('--')),
    );
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
