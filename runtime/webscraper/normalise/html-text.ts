/**
 * HTML to clean plain text, for job descriptions: one pass over the tags
 * (no DOM), block elements become line breaks, list items become "- " lines,
 * scripts, styles and comments are dropped, entities decoded (the full HTML5
 * table, including legacy forms without ";"), whitespace collapsed as a
 * browser would. Broken HTML (unclosed or stray tags, a lone "<") never
 * throws: what is not a tag is text.
 */
import { decodeHTML } from 'entities';

/** Tags that end a paragraph (blank line). */
const PARAGRAPH = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'table',
  'blockquote',
  'pre',
  'section',
  'article',
  'dl',
  'hr',
]);
/** Tags that end a line. */
const LINE = new Set([
  'br',
  'div',
  'li',
  'tr',
  'dt',
  'dd',
  'header',
  'footer',
  'nav',
  'aside',
  'main',
  'figure',
  'address',
]);
/** Tags whose content is not text. */
const SKIP = new Set(['script', 'style', 'template', 'noscript', 'head', 'title', 'svg']);

/** Break markers, resolved by {@link tidy}: a run of breaks is one line break, or a blank line if any of them ends a paragraph. */
const LINE_BREAK = '\ue000';
const PARAGRAPH_BREAK = '\ue001';
const BREAKS = /\s*[\ue000\ue001][\s\ue000\ue001]*/g;

const TAG =
  /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)\b(?:[^>"']|"[^"]*"|'[^']*')*(>|$)|<![^>]*>|<\?[^>]*>/g;

function appendText(out: string[], text: string): void {
  if (text === '') return;
  const decoded = text.includes('&') ? decodeHTML(text) : text;
  out.push(decoded.replace(/[ \t\r\n\f]+/g, ' '));
}

export function htmlToText(html: string): string {
  if (!html) return '';
  const out: string[] = [];
  let last = 0;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m !== null; m = TAG.exec(html)) {
    appendText(out, html.slice(last, m.index));
    last = TAG.lastIndex;
    const name = m[2]?.toLowerCase();
    if (!name) continue; // comment, doctype, processing instruction
    const closing = m[1] === '/';
    if (!closing && SKIP.has(name)) {
      const end = html.toLowerCase().indexOf(`</${name}`, last);
      if (end < 0) {
        last = html.length;
        break;
      }
      const close = html.indexOf('>', end);
      last = close < 0 ? html.length : close + 1;
      TAG.lastIndex = last;
      continue;
    }
    if (PARAGRAPH.has(name)) out.push(PARAGRAPH_BREAK);
    else if (LINE.has(name)) out.push(LINE_BREAK);
    if (name === 'li' && !closing) out.push('- ');
    else if ((name === 'td' || name === 'th') && closing) out.push(' ');
  }
  appendText(out, html.slice(last));
  return tidy(out.join(''));
}

/** Resolves break markers, trims every line, keeps at most one blank line in a row. */
function tidy(text: string): string {
  return text
    .replace(BREAKS, (run) => (run.includes(PARAGRAPH_BREAK) ? '\n\n' : '\n'))
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' ').trim())
    .join('\n')
    .replace(/^- *$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
