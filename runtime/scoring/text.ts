/**
 * Words of job text and keywords, the same way for both: lower-cased runs
 * of letters and digits (any script), keeping a trailing `+` or `#` so
 * C++ and C# stay themselves. `CI/CD` is the two words `ci cd`, and so is
 * `CI-CD` in a posting: phrases match across punctuation.
 */
const WORD = /[\p{L}\p{N}]+[+#]*/gu;

export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}
