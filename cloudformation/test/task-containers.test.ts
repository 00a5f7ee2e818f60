/**
 * The Fargate containers as the task definitions and the images agree to run
 * them: a read-only root file system, no Linux capabilities, and for the
 * webscraper (Chromium without its sandbox) one writable scratch volume that
 * the image points HOME and TMPDIR at, so the browser profile and temporary
 * files have somewhere to go.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTemplate } from '../../core/cfn-template.js';
import { targetStages } from '../../workflows-src/image-sources.js';
import { templateFile } from '../checks/templates.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface Container {
  Name: string;
  ReadonlyRootFilesystem?: boolean;
  MountPoints?: Array<{ SourceVolume: string; ContainerPath: string; ReadOnly?: boolean }>;
  LinuxParameters?: { Capabilities?: { Add?: string[]; Drop?: string[] } };
}

function taskDefinition(layer: 'tester' | 'webscraper') {
  const { template } = readTemplate(templateFile(layer));
  const props = template.Resources!.TaskDefinition!.Properties as {
    Volumes?: Array<Record<string, unknown>>;
    ContainerDefinitions: Container[];
  };
  return { volumes: props.Volumes ?? [], containers: props.ContainerDefinitions };
}

/** The VOLUME paths, ENV values and RUN commands of an image's own stage (its target). */
function finalStage(target: string) {
  const instructions = targetStages(
    readFileSync(resolve(ROOT, 'runtime/Dockerfile'), 'utf8'),
    target,
  ).at(-1)!.instructions;
  const volumes: string[] = [];
  const env: Record<string, string> = {};
  const runs: string[] = [];
  for (const i of instructions) {
    const args = i.getArgumentsContent() ?? '';
    if (i.getKeyword() === 'RUN') runs.push(args);
    if (i.getKeyword() === 'VOLUME') volumes.push(...(JSON.parse(args) as string[]));
    if (i.getKeyword() === 'ENV') {
      for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S+)/g)) env[m[1]!] = m[2]!;
    }
  }
  return { runs: runs.join('\n'), volumes, env };
}

describe('task containers', () => {
  it.each(['tester', 'webscraper'] as const)(
    '%s: read-only root file system, every capability dropped, none added',
    (layer) => {
      for (const c of taskDefinition(layer).containers) {
        expect(c.ReadonlyRootFilesystem, c.Name).toBe(true);
        expect(c.LinuxParameters?.Capabilities?.Drop, c.Name).toEqual(['ALL']);
        expect(c.LinuxParameters?.Capabilities?.Add, c.Name).toBeUndefined();
      }
    },
  );

  it('webscraper: one scratch volume on task storage, where the image keeps HOME and TMPDIR', () => {
    const { volumes, containers } = taskDefinition('webscraper');
    const scraper = containers.find((c) => c.Name === 'webscraper')!;
    const mounts = scraper.MountPoints ?? [];
    expect(mounts).toHaveLength(1);
    const [mount] = mounts;
    // A task volume with no host path, EFS or Docker volume: Fargate's ephemeral storage.
    expect(volumes).toEqual([{ Name: mount!.SourceVolume }]);
    expect(mount!.ReadOnly).toBe(false);

    const image = finalStage('webscraper');
    // ECS fills the volume from the image only when the image declares the same path.
    expect(image.volumes).toEqual([mount!.ContainerPath]);
    for (const name of ['HOME', 'TMPDIR', 'SCRAPER_STATE']) {
      expect(
        `${image.env[name]}/`.startsWith(`${mount!.ContainerPath}/`),
        `${name}=${image.env[name]} is under ${mount!.ContainerPath}`,
      ).toBe(true);
    }
  });

  it('webscraper image: Chromium without the setuid sandbox helper', () => {
    const { runs } = finalStage('webscraper');
    expect(runs).toMatch(/apt-get install -y --no-install-recommends chromium\s/);
    expect(runs).not.toMatch(/chromium-sandbox|chrome-sandbox|chmod\s+[0-7]*4[0-7]{3}|u\+s/);
  });
});
