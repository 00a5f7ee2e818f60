/**
 * Every action's metadata as the runner reads it: action.yml must be valid
 * YAML (the runner refuses the whole action otherwise), run on node24 from
 * the committed bundle, and document every input (with its default) and
 * output; the README's section for the action must name every input and
 * output, so the docs cannot drift from the metadata.
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

/** The README section of one action: from its "### name" heading to the next heading of that level. */
function readmeSection(name: string): string {
  const start = readme.indexOf(`\n### ${name}\n`);
  if (start < 0) return '';
  const next = readme.slice(start + 1).search(/\n#{2,3} /);
  return next < 0 ? readme.slice(start) : readme.slice(start, start + 1 + next);
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

  it('has a README section naming every input and output', () => {
    const meta = metadata(name);
    const section = readmeSection(name);
    expect(section, `README.md has no "### ${name}" section`).not.toBe('');
    const missing = [...Object.keys(meta.inputs ?? {}), ...Object.keys(meta.outputs ?? {})].filter(
      (key) => !section.includes(`\`${key}\``),
    );
    expect(missing).toEqual([]);
  });
});
