/**
 * Case-insensitive comparison against ASCII literals without a regex (semantics §5.2). Under
 * Unicode simple case folding (the `iu` regex flags) an ASCII character equals only its two
 * ASCII cases, and exactly two characters outside ASCII fold into ASCII: U+017F (ſ → s) and
 * U+212A (Kelvin sign → k); no other character equals any ASCII character (checked over every
 * code point in case-fold.test.ts). So for an ASCII literal `n` (lowercase),
 * `/^…n…$/iu` on a text equals the same literal test on {@link foldText} of the text, whatever
 * the text holds: other characters can only ever meet themselves. The same holds for literals
 * whose other characters are caseless (not `\p{Cased}`: emoji, symbols, most scripts): such a
 * character equals only itself under folding (also checked over every code point).
 */

const ASCII_ONLY = /^[\x00-\x7f]*$/;
const FOLDS_TO_ASCII = /[A-Z\u017f\u212a]/g;

/** The code a text character compares as against ASCII needles: lowercase ASCII, or itself. */
export function foldCode(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c === 0x17f) return 115; // ſ
  if (c === 0x212a) return 107; // Kelvin sign
  return c;
}

function foldChar(ch: string): string {
  return String.fromCharCode(foldCode(ch.charCodeAt(0)));
}

/** The text with ASCII letters lowercased and ſ, K folded to s, k; every other character kept. */
export function foldText(text: string): string {
  return ASCII_ONLY.test(text) ? text.toLowerCase() : text.replace(FOLDS_TO_ASCII, foldChar);
}

export function isAscii(text: string): boolean {
  return ASCII_ONLY.test(text);
}
