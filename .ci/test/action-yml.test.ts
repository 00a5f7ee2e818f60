/**
 * Every action's metadata as the runner reads it: action.yml must be valid
 * YAML (the runner refuses the whole action otherwise), run on node24 from
 * the committed bundle, and document every input (with its default) and
 * output; the action's own README (its reference page, linked from the
 * main README's table) must name every input and output, so the docs cannot
 * drift from the metadata.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const root = resolve(import.meta.dirname, '..', '..');
const actions = readdirSync(join(root, 'actions')).filter((name) =>
  existsSync(join(root, 'actions', name, 'action.yml')),
);
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const actionReadme = (name: string) =>
  readFileSync(join(root, 'actions', name, 'README.md'), 'utf8');

interface Metadata {
  name?: string;
  description?: string;
  branding?: { icon?: string; color?: string };
  inputs?: Record<string, { description?: string; required?: boolean; default?: unknown }>;
  outputs?: Record<string, { description?: string }>;
  runs?: { using?: string; main?: string; post?: string };
}

function metadata(name: string): Metadata {
  const text = readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8');
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    throw new Error(`actions/${name}/action.yml: ${doc.errors.map((e) => e.message).join('\n')}`);
  }
  return doc.toJS() as Metadata;
}

describe.each(actions)('actions/%s/action.yml', (name) => {
  it('is valid YAML with a name, a description and branding', () => {
    const meta = metadata(name);
    expect(meta.name).toBeTruthy();
    expect(meta.description).toBeTruthy();
    expect(meta.branding?.icon).toBeTruthy();
    expect(meta.branding?.color).toBeTruthy();
  });

  it('runs on node24 from the committed bundle, with the post step when there is one', () => {
    const meta = metadata(name);
    expect(meta.runs?.using).toBe('node24');
    expect(meta.runs?.main).toBe('dist/index.js');
    expect(existsSync(join(root, 'actions', name, 'dist', 'index.js'))).toBe(true);
    const hasPost = existsSync(join(root, 'actions', name, 'src', 'post.ts'));
    expect(meta.runs?.post).toBe(hasPost ? 'dist/post/index.js' : undefined);
  });

  it('documents every input with its default (or as required) and every output', () => {
    const meta = metadata(name);
    const undocumented = Object.entries(meta.inputs ?? {})
      .filter(([, input]) => !input.description || (!input.required && !('default' in input)))
      .map(([key]) => key);
    expect(undocumented).toEqual([]);
    const silent = Object.entries(meta.outputs ?? {})
      .filter(([, output]) => !output.description)
      .map(([key]) => key);
    expect(silent).toEqual([]);
  });

  it('has a README naming every input and output, linked from the main README', () => {
    const meta = metadata(name);
    expect(readme).toContain(`](actions/${name})`);
    const section = actionReadme(name);
    const missing = [...Object.keys(meta.inputs ?? {}), ...Object.keys(meta.outputs ?? {})].filter(
      (key) => !section.includes(`\`${key}\``),
    );
    expect(missing).toEqual([]);
  });
});

/** Every step in a YAML example of the docs that uses one of our actions, with where it is. */
function exampleSteps(): Array<{ where: string; action: string; with: Record<string, unknown> }> {
  const files = ['README.md', ...actions.map((name) => `actions/${name}/README.md`)].filter((f) =>
    existsSync(join(root, f)),
  );
  const steps: Array<{ where: string; action: string; with: Record<string, unknown> }> = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const block of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
      const line = text.slice(0, block.index).split('\n').length + 1;
      const doc = parseDocument(block[1]!, { uniqueKeys: true });
      if (doc.errors.length) {
        throw new Error(
          `${file}:${line}: the YAML example does not parse: ${doc.errors[0]!.message}`,
        );
      }
      const visit = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(visit);
        else if (node && typeof node === 'object') {
          const step = node as { uses?: unknown; with?: Record<string, unknown> };
          const used =
            typeof step.uses === 'string' ? /actions\/([a-z-]+)(@|$)/.exec(step.uses) : null;
          if (used && actions.includes(used[1]!)) {
            steps.push({ where: `${file}:${line}`, action: used[1]!, with: step.with ?? {} });
          }
          Object.values(node).forEach(visit);
        }
      };
      visit(doc.toJS());
    }
  }
  return steps;
}

describe('the workflow examples in the docs', () => {
  it('parse, and give our actions only inputs their action.yml declares', () => {
    const steps = exampleSteps();
    // Every action has at least one example.
    expect([...new Set(steps.map((s) => s.action))].sort()).toEqual([...actions].sort());
    const unknown = steps.flatMap((s) =>
      Object.keys(s.with)
        .filter((key) => !(key in (metadata(s.action).inputs ?? {})))
        .map((key) => `${s.where}: ${s.action} has no input "${key}"`),
    );
    expect(unknown).toEqual([]);
  });

  it('give every required input', () => {
    const missing = exampleSteps().flatMap((s) =>
      Object.entries(metadata(s.action).inputs ?? {})
        .filter(([key, input]) => input.required && !(key in s.with))
        .map(([key]) => `${s.where}: ${s.action} without its required input "${key}"`),
    );
    expect(missing).toEqual([]);
  });
});
