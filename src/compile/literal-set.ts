/**
 * One test for a long list of literals of the same mode, for compiled matchers: "does the
 * lowercase ASCII text equal / start with / end with / contain any of these?". Sigma lists run to
 * hundreds of values (`ImageLoaded|endswith` of 400 DLL names, `CommandLine|contains` of 60
 * cmdlets); testing them one by one costs a call per value. Here:
 * - eq: a Set;
 * - startswith / endswith: the text's prefixes (suffixes) are hashed in one pass and looked up
 *   only at the lengths some literal has, then compared exactly;
 * - contains: {@link NeedleAutomaton}s over the ASCII literals (their pair test first); literals
 *   with characters outside ASCII (emoji lists: caseless, so compared as they are) by their
 *   length, one pass over a text holding such characters per distinct length.
 * Results equal `literals.some((t) => text[mode](t))`; literal-set.test.ts checks that.
 */
import { automataFor } from './needle-automaton.js';
import type { NeedleAutomaton } from './needle-automaton.js';
import { assertNever } from '../diagnostics/diagnostics.js';
import { maxOf } from '../util/arrays.js';

export type LiteralMode = 'eq' | 'startswith' | 'endswith' | 'contains';

const ASCII = /^[\x00-\x7f]*$/;

/** From this many literals of one mode on, a compiled item uses a LiteralSet. */
export const MIN_LITERALS: Record<LiteralMode, number> = { eq: 4, startswith: 6, endswith: 6, contains: 12 };

export class LiteralSet {
  private built = false;
  private exact: Set<string> | undefined;
  /** startswith/endswith: literals by (hash of their text, length). */
  private byHash: Map<number, string[]> | undefined;
  /** startswith/endswith: 1 at the lengths some literal has. */
  private lengths: Uint8Array | undefined;
  private maxLength = 0;
  private automata: NeedleAutomaton[] | undefined;
  /** contains: the literals with characters outside ASCII, by length. */
  private wide: Map<number, Set<string>> | undefined;
  /** An empty literal: every text starts with, ends with and contains it. */
  private always = false;

  /** `literals`: folded (case-fold.ts `foldText`), as literal shapes are. The lookup structures are built on the first test. */
  constructor(
    readonly mode: LiteralMode,
    readonly literals: readonly string[],
  ) {}

  private build(): void {
    const { mode, literals } = this;
    this.built = true;
    this.always = mode !== 'eq' && literals.includes('');
    const texts = literals.filter((t) => t !== '');
    if (mode === 'eq') this.exact = new Set(literals);
    else if (mode === 'contains') {
      const ascii = texts.filter((t) => ASCII.test(t));
      this.automata = automataFor(ascii, ascii.map((_, i) => i));
      for (const t of texts) {
        if (ASCII.test(t)) continue;
        this.wide ??= new Map();
        let set = this.wide.get(t.length);
        if (set === undefined) this.wide.set(t.length, (set = new Set()));
        set.add(t);
      }
    }
    else {
      this.maxLength = maxOf(texts.map((t) => t.length), 0);
      this.lengths = new Uint8Array(this.maxLength + 1);
      this.byHash = new Map();
      for (const t of texts) {
        this.lengths[t.length] = 1;
        const key = keyOf(mode === 'startswith' ? prefixHash(t, t.length) : suffixHash(t, t.length), t.length);
        const list = this.byHash.get(key);
        if (list === undefined) this.byHash.set(key, [t]);
        else list.push(t);
      }
    }
  }

  /** Does the lowercase text `l` hold one of the literals (in the set's mode)? */
  test(l: string): boolean {
    if (!this.built) this.build();
    if (this.always) return true;
    switch (this.mode) {
      case 'eq':
        return (this.exact as Set<string>).has(l);
      case 'contains':
        for (const a of this.automata as NeedleAutomaton[]) if (a.mayHold(l) && a.anyHit(l)) return true;
        // A literal with a character outside ASCII is only in a text that has one.
        if (this.wide !== undefined && !ASCII.test(l)) {
          for (const [n, set] of this.wide) for (let k = 0; k + n <= l.length; k++) if (set.has(l.slice(k, k + n))) return true;
        }
        return false;
      case 'startswith':
        return this.ends(l, true);
      case 'endswith':
        return this.ends(l, false);
      default:
        return assertNever(this.mode);
    }
  }

  private ends(l: string, start: boolean): boolean {
    const lengths = this.lengths as Uint8Array;
    const byHash = this.byHash as Map<number, string[]>;
    const n = Math.min(l.length, this.maxLength);
    let h = 0;
    for (let k = 1; k <= n; k++) {
      h = (Math.imul(h, 31) + l.charCodeAt(start ? k - 1 : l.length - k)) | 0;
      if (lengths[k] !== 1) continue;
      const list = byHash.get(keyOf(h, k));
      if (list === undefined) continue;
      for (const t of list) if (start ? l.startsWith(t) : l.endsWith(t)) return true;
    }
    return false;
  }
}

function prefixHash(t: string, n: number): number {
  let h = 0;
  for (let k = 0; k < n; k++) h = (Math.imul(h, 31) + t.charCodeAt(k)) | 0;
  return h;
}

/** The hash of the last `n` characters, read from the end (as {@link LiteralSet} reads texts). */
function suffixHash(t: string, n: number): number {
  let h = 0;
  for (let k = 1; k <= n; k++) h = (Math.imul(h, 31) + t.charCodeAt(t.length - k)) | 0;
  return h;
}

function keyOf(h: number, length: number): number {
  return (Math.imul(h, 0x9e3779b1) ^ length) | 0;
}
