/**
 * A cheap test to run before a needle automaton: one chosen character pair of every needle (the
 * rarest in event text), or a needle's only character, kept as a bit set over pairs of folded
 * character codes. A text holding none of them holds no needle. One table load per character,
 * with case folding built into the table (both cases of a letter are set), so it runs several
 * times faster than the automaton; most values of most fields fail it.
 *
 * Codes: ASCII as is (the table holds both cases), characters above ASCII folded
 * ({@link foldCode}) and, when still above ASCII, the one symbol {@link NON_ASCII_CODE}, as in
 * the needles themselves.
 */
import { foldCode } from '../sigma/case-fold.js';

/** The code of every character still above ASCII after folding (needles write it as U+0080). */
const NON_ASCII_CODE = 128;
const CODES = 129;

/**
 * How rare the pair of characters ending at `k` is in event text (higher: rarer). Digits, hex
 * letters and path punctuation fill GUIDs, times and paths; other letters are rarer.
 */
function pairRarity(n: string, k: number): number {
  const a = n.charCodeAt(k - 1);
  const b = n.charCodeAt(k);
  return charRarity(a) + charRarity(b) - (a < 128 && b < 128 && COMMON_PAIRS[a * 128 + b] === 1 ? 4 : 0);
}

/** Character pairs (`a * 128 + b`) of words found in most Windows events (channels, paths, accounts). */
const COMMON_PAIRS = new Uint8Array(128 * 128);
for (const w of [
    'microsoft-windows-sysmon/operational', 'security-auditing', 'powershell', 'program files',
    'c:\\windows\\system32\\', 'syswow64', 'c:\\users\\', 'appdata\\local\\temp', 'roaming',
    'programdata', 'nt authority\\system', 'network service', 'local service', '.exe', '.dll',
    'desktop-', 'corp.', '.local', '.com', 'service', 'process', 'registry', 'machine', 'software',
    'current', 'version', 'control', 'true', 'false', 'user', 'admin', 'domain', 'logon', 'information',
]) {
  for (let i = 1; i < w.length; i++) COMMON_PAIRS[w.charCodeAt(i - 1) * 128 + w.charCodeAt(i)] = 1;
}

function charRarity(c: number): number {
  if (c >= 48 && c <= 57) return 0;
  if (c >= 97 && c <= 102) return 1;
  if (c >= 103 && c <= 122) return 3;
  if (c === 32 || c === 46 || c === 92 || c === 45 || c === 58 || c === 95 || c === 47 || c === 44 || c === 61) return 1;
  return 2;
}

/** The other code a text may show a folded code as: a lowercase ASCII letter's uppercase, else itself. */
function otherCase(c: number): number {
  return c >= 97 && c <= 122 ? c - 32 : c;
}

export class PairFilter {
  private readonly bits = new Int32Array(Math.ceil((CODES * CODES) / 32));

  /** A filter for needles (lowercase ASCII and U+0080 for any non-ASCII character, non-empty). */
  static of(needles: readonly string[]): PairFilter {
    const f = new PairFilter();
    for (const n of needles) {
      if (n.length === 1) {
        const b = n.charCodeAt(0);
        for (let a = 0; a < CODES; a++) {
          f.set(a, b);
          f.set(a, otherCase(b));
        }
        continue;
      }
      let best = 1;
      let bestRarity = pairRarity(n, 1);
      for (let k = 2; k < n.length; k++) {
        const r = pairRarity(n, k);
        if (r > bestRarity) {
          best = k;
          bestRarity = r;
        }
      }
      const a = n.charCodeAt(best - 1);
      const b = n.charCodeAt(best);
      // Every case a text may show the pair in (setting a bit twice is harmless).
      f.set(a, b);
      f.set(otherCase(a), b);
      f.set(a, otherCase(b));
      f.set(otherCase(a), otherCase(b));
    }
    return f;
  }

  private set(a: number, b: number): void {
    if (a >= CODES || b >= CODES) throw new Error('needles must be ASCII or NON_ASCII');
    const k = a * CODES + b;
    this.bits[k >>> 5] = (this.bits[k >>> 5] as number) | (1 << (k & 31));
  }

  /** False when `text` holds none of the chosen pairs (and single characters), so no needle. */
  mayHold(text: string): boolean {
    const bits = this.bits;
    let prev = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c > 127) {
        c = foldCode(c);
        if (c > 127) c = NON_ASCII_CODE;
      }
      const k = prev * CODES + c;
      if (((bits[k >>> 5] as number) & (1 << (k & 31))) !== 0) return true;
      prev = c;
    }
    return false;
  }
}
