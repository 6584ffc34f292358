/**
 * A second, deliberately plain implementation of Sigma string patterns (§5): wildcard matching
 * over the token list by dynamic programming, case-insensitive by ASCII lowercasing. It shares no
 * code with the engine's regex compilation, so the fuzzer can hold the engine to it on ASCII
 * texts; disagreement is an engine bug (PROPERTY_FAILED).
 */
import type { Pattern } from '../sigma/pattern.js';
import { WINDASH_CHARS } from '../sigma/pattern.js';

const ASCII = /^[\x00-\x7f]*$/;
/** ASCII plus the three windash dashes outside it (none has case). */
const ASCII_OR_DASH = /^[\x00-\x7f\u2013\u2014\u2015]*$/;

/** Is the pattern and text pair within what the oracle decides (ASCII and dashes, no placeholders, no bytes)? */
export function oracleApplies(p: Pattern, text: string): boolean {
  return !p.bytes && ASCII_OR_DASH.test(text) && p.tokens.every((t) => t.t !== 'ph' && (t.t !== 'lit' || ASCII.test(t.s)));
}

/** Whole-text match of the pattern. */
export function oracleMatch(p: Pattern, cased: boolean, text: string): boolean {
  const fold = (s: string): string => (cased ? s : s.toLowerCase());
  const t = fold(text);
  // Expand the pattern into single-character steps.
  type Step = { kind: 'char'; c: string } | { kind: 'any' } | { kind: 'one' } | { kind: 'dash' };
  const steps: Step[] = [];
  for (const tok of p.tokens) {
    if (tok.t === 'lit') for (const c of fold(tok.s)) steps.push({ kind: 'char', c });
    else if (tok.t === 'any') steps.push({ kind: 'any' });
    else if (tok.t === 'one') steps.push({ kind: 'one' });
    else if (tok.t === 'dash') steps.push({ kind: 'dash' });
  }
  const chars = Array.from(t);
  // ok[j]: the steps so far can consume exactly the first j characters.
  let ok: boolean[] = Array.from({ length: chars.length + 1 }, (_, j) => j === 0);
  for (const s of steps) {
    const next: boolean[] = new Array<boolean>(chars.length + 1).fill(false);
    if (s.kind === 'any') {
      let seen = false;
      for (let j = 0; j <= chars.length; j++) {
        seen = seen || (ok[j] ?? false);
        next[j] = seen;
      }
    } else {
      for (let j = 1; j <= chars.length; j++) {
        if (!ok[j - 1]) continue;
        const c = chars[j - 1] as string;
        next[j] = s.kind === 'one' || (s.kind === 'dash' ? (WINDASH_CHARS as readonly string[]).includes(c) : c === s.c);
      }
    }
    ok = next;
  }
  return ok[chars.length] ?? false;
}
