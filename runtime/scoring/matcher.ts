/**
 * Finds a keyword library's phrases (each keyword and its synonyms) in text,
 * in one pass over its words: a map from a phrase's first word to the
 * phrases starting with it, longest first, so `machine learning engineer`
 * counts once, not also as `machine learning`. Matches do not overlap.
 */
import { words } from './text.js';

interface Phrase {
  /** Index of the keyword the phrase belongs to. */
  keyword: number;
  words: string[];
}

export interface FieldMatches {
  /** Words in the field. */
  length: number;
  /** Occurrences per keyword index (only those found). */
  counts: Map<number, number>;
  /** Words inside matches: how much of the field is keywords. */
  matchedWords: number;
}

export class PhraseMatcher {
  private readonly byFirst = new Map<string, Phrase[]>();

  /** `phrases[i]`: the phrases of keyword i (its text and its synonyms). */
  constructor(phrases: readonly (readonly string[])[]) {
    phrases.forEach((list, keyword) => {
      const seen = new Set<string>();
      for (const text of list) {
        const w = words(text);
        const key = w.join(' ');
        if (w.length === 0 || seen.has(key)) continue;
        seen.add(key);
        const bucket = this.byFirst.get(w[0]!) ?? [];
        bucket.push({ keyword, words: w });
        this.byFirst.set(w[0]!, bucket);
      }
    });
    for (const bucket of this.byFirst.values())
      bucket.sort((a, b) => b.words.length - a.words.length || a.keyword - b.keyword);
  }

  /** Matches in a text field, or in each item of a list field (skills) separately. */
  match(text: string | readonly string[] | undefined): FieldMatches {
    const out: FieldMatches = { length: 0, counts: new Map(), matchedWords: 0 };
    if (text === undefined) return out;
    if (typeof text === 'string') this.scan(words(text), out);
    else for (const t of text) this.scan(words(t), out);
    return out;
  }

  /** Matches in text already split into words. */
  matchWords(w: readonly string[]): FieldMatches {
    const out: FieldMatches = { length: 0, counts: new Map(), matchedWords: 0 };
    this.scan(w, out);
    return out;
  }

  private scan(w: readonly string[], out: FieldMatches): void {
    out.length += w.length;
    let i = 0;
    while (i < w.length) {
      const bucket = this.byFirst.get(w[i]!);
      let taken = 0;
      if (bucket) {
        for (const phrase of bucket) {
          const len = phrase.words.length;
          if (i + len > w.length) continue;
          let j = 1;
          while (j < len && phrase.words[j] === w[i + j]) j++;
          if (j === len) {
            out.counts.set(phrase.keyword, (out.counts.get(phrase.keyword) ?? 0) + 1);
            out.matchedWords += len;
            taken = len;
            break;
          }
        }
      }
      i += taken || 1;
    }
  }
}
