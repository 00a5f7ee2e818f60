/**
 * Parses CloudFormation templates locally, YAML or JSON, with the short-form
 * intrinsic functions (!Ref, !Sub, !GetAtt, ..., and the rule functions
 * !Contains, !EachMemberEquals, !EachMemberIn, !RefAll, !ValueOf, !ValueOfAll)
 * turned into their long form ({"Ref": ...}, {"Fn::Sub": ...},
 * {"Fn::GetAtt": [...]}, {"Fn::Contains": [...]}), so a template can be
 * inspected (parameters, resources) before any AWS call. A syntax error names
 * the file and line.
 */
import { readFileSync } from 'node:fs';
import { type CollectionTag, parseDocument, type ScalarTag, YAMLMap, YAMLSeq } from 'yaml';

export class TemplateParseError extends Error {
  override readonly name = 'TemplateParseError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`Cannot parse template ${file}${line ? ` at line ${line}` : ''}: ${detail}`);
  }
}

/** Short-form tag name -> long-form key. */
const INTRINSICS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  Sub: 'Fn::Sub',
  GetAtt: 'Fn::GetAtt',
  Join: 'Fn::Join',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  FindInMap: 'Fn::FindInMap',
  Base64: 'Fn::Base64',
  Cidr: 'Fn::Cidr',
  ImportValue: 'Fn::ImportValue',
  GetAZs: 'Fn::GetAZs',
  Transform: 'Fn::Transform',
  Length: 'Fn::Length',
  ToJsonString: 'Fn::ToJsonString',
  ForEach: 'Fn::ForEach',
  // Rule-specific functions (the Rules section's RuleCondition and Assert).
  Contains: 'Fn::Contains',
  EachMemberEquals: 'Fn::EachMemberEquals',
  EachMemberIn: 'Fn::EachMemberIn',
  RefAll: 'Fn::RefAll',
  ValueOf: 'Fn::ValueOf',
  ValueOfAll: 'Fn::ValueOfAll',
};

function intrinsicTags(): Array<ScalarTag | CollectionTag> {
  const tags: Array<ScalarTag | CollectionTag> = [];
  for (const [short, long] of Object.entries(INTRINSICS)) {
    tags.push({
      tag: `!${short}`,
      resolve: (value: string) =>
        // !GetAtt Resource.Attribute is the scalar form of ["Resource", "Attribute"].
        short === 'GetAtt' ? { [long]: splitGetAtt(value) } : { [long]: value },
    });
    tags.push({
      tag: `!${short}`,
      collection: 'seq',
      nodeClass: YAMLSeq,
      resolve: (seq: YAMLSeq) => ({ [long]: seq.toJSON() }),
    } as CollectionTag);
    tags.push({
      tag: `!${short}`,
      collection: 'map',
      nodeClass: YAMLMap,
      resolve: (map: YAMLMap) => ({ [long]: map.toJSON() }),
    } as CollectionTag);
  }
  return tags;
}

function splitGetAtt(value: string): string[] {
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

const TAGS = intrinsicTags();

export type Template = Record<string, unknown> & {
  Parameters?: Record<string, TemplateParameter>;
  Resources?: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }
  >;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown }; [k: string]: unknown }>;
  Conditions?: Record<string, unknown>;
};

export interface TemplateParameter {
  Type: string;
  Default?: unknown;
  NoEcho?: boolean | string;
  AllowedValues?: unknown[];
  Description?: string;
  [k: string]: unknown;
}

/** Parses template text (YAML or JSON). `file` is used in error messages. */
export function parseTemplate(text: string, file = 'template'): Template {
  if (text.trimStart().startsWith('{')) return checkShape(parseJsonTemplate(text, file), file);
  const doc = parseDocument(text, { customTags: TAGS, uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) {
    throw new TemplateParseError(file, problem.linePos?.[0]?.line, firstLine(problem.message));
  }
  const warning = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (warning) {
    throw new TemplateParseError(file, warning.linePos?.[0]?.line, firstLine(warning.message));
  }
  return checkShape(doc.toJS({ maxAliasCount: 1000 }), file);
}

/** The first line of a yaml error, without its trailing position (the line is reported separately). */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function parseJsonTemplate(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    // V8 names the position of some errors only: find it ourselves otherwise.
    const offset = position ? Number(position) : jsonErrorOffset(text);
    const line = offset === undefined ? undefined : text.slice(0, offset).split('\n').length;
    throw new TemplateParseError(file, line, message.replace(/ in JSON at position \d+.*$/, ''));
  }
}

/**
 * The offset of the first syntax error in JSON text (a small recursive-descent
 * scan), or undefined when the scan finds none.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (at) {
    return typeof at === 'number' ? at : undefined;
  }
}

function checkShape(value: unknown, file: string): Template {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TemplateParseError(
      file,
      undefined,
      'a template is a mapping with a Resources section',
    );
  }
  const template = value as Template;
  if (typeof template.Resources !== 'object' || template.Resources === null) {
    throw new TemplateParseError(file, undefined, 'the template has no Resources section');
  }
  return template;
}

/** Reads and parses a template file; a missing file is a TemplateParseError too. */
export function readTemplate(file: string): { text: string; template: Template } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TemplateParseError(
      file,
      undefined,
      code === 'ENOENT' ? 'the file does not exist' : (err as Error).message,
    );
  }
  return { text, template: parseTemplate(text, file) };
}
