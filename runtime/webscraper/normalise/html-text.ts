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

const TAG =
  /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)\b(?:[^>"']|"[^"]*"|'[^']*')*(>|$)|<![^>]*>|<\?[^>]*>/g;

/** Whitespace a browser would collapse or show as a plain space (a test is cheaper than a replace). */
const COLLAPSIBLE = /\s\s|[^\S ]/;

/** Builds the text: collapses whitespace, and turns the strongest pending break into "\n" or "\n\n". */
class TextBuilder {
  private readonly parts: string[] = [];
  /** 0 none, 1 line break, 2 paragraph break: waits for the next text. */
  private pending = 0;
  private prefix = '';
  private endsWithSpace = true;

  text(raw: string): void {
    if (raw === '') return;
    let text = raw.includes('&') ? decodeHTML(raw) : raw;
    if (COLLAPSIBLE.test(text)) text = text.replace(/\s+/g, ' ');
    if (this.pending > 0 || this.endsWithSpace) text = text.trimStart();
    if (text === '') return;
    if (this.pending > 0 && this.parts.length > 0) {
      const last = this.parts.length - 1;
      this.parts[last] = this.parts[last]!.trimEnd();
      this.parts.push(this.pending === 2 ? '\n\n' : '\n');
    }
    if (this.prefix) this.parts.push(this.prefix);
    this.parts.push(text);
    this.pending = 0;
    this.prefix = '';
    this.endsWithSpace = text.endsWith(' ');
  }

  /** A break before the next text (the strongest asked for wins). */
  break(level: 1 | 2, prefix = ''): void {
    if (level > this.pending) this.pending = level;
    if (prefix) this.prefix = prefix;
  }

  /** A list ended: an item marker still waiting for text is dropped. */
  endList(): void {
    this.prefix = '';
    this.break(2);
  }

  /** A space between cells. */
  space(): void {
    if (!this.endsWithSpace && this.pending === 0) {
      this.parts.push(' ');
      this.endsWithSpace = true;
    }
  }

  toString(): string {
    return this.parts.join('').trimEnd();
  }
}

export function htmlToText(html: string): string {
  if (!html) return '';
  const out = new TextBuilder();
  let last = 0;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m !== null; m = TAG.exec(html)) {
    out.text(html.slice(last, m.index));
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
    if (name === 'li' && !closing) out.break(1, '- ');
    else if ((name === 'ul' || name === 'ol') && closing) out.endList();
    else if (PARAGRAPH.has(name)) out.break(2);
    else if (LINE.has(name)) out.break(1);
    else if ((name === 'td' || name === 'th') && closing) out.space();
  }
  out.text(html.slice(last));
  return out.toString();
}
