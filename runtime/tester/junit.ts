/** JUnit XML for the tester's results (the format CI systems and test reporters read). */
import type { SuiteResult } from './suite.js';

function xml(text: string): string {
  return (
    text
      // Characters XML 1.0 cannot hold at all.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function renderJUnit(
  suite: SuiteResult,
  opts: { name?: string; timestamp?: Date; url?: string } = {},
): string {
  const name = xml(opts.name ?? 'mcfpipe-db-api');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${name}" tests="${suite.results.length}" failures="${suite.failed}" errors="0" time="${seconds(suite.durationMs)}">`,
    `  <testsuite name="${name}" tests="${suite.results.length}" failures="${suite.failed}" errors="0" skipped="0" time="${seconds(suite.durationMs)}" timestamp="${(opts.timestamp ?? new Date()).toISOString().replace(/\.\d+Z$/, '')}">`,
  ];
  if (opts.url) {
    lines.push(
      '    <properties>',
      `      <property name="db_api_url" value="${xml(opts.url)}"/>`,
      '    </properties>',
    );
  }
  for (const r of suite.results) {
    const open = `    <testcase classname="${name}" name="${xml(r.name)}" time="${seconds(r.durationMs)}"`;
    if (r.passed) lines.push(`${open}/>`);
    else {
      lines.push(
        `${open}>`,
        `      <failure message="${xml(r.failure ?? 'failed')}" type="AssertionError">${xml(r.detail ?? r.failure ?? '')}</failure>`,
        '    </testcase>',
      );
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
