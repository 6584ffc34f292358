/**
 * A multi-needle substring search (Aho–Corasick, compiled to a dense DFA over the needles' own
 * alphabet): one pass over a text reports every target whose needle occurs in it. Texts are
 * folded character by character ({@link foldCode}); characters outside the alphabet reset to
 * the root, and every character still outside ASCII after folding is the one symbol of
 * {@link NON_ASCII}. Used by the rule index to find the rules an event can possibly match.
 */
import { foldCode } from '../sigma/case-fold.js';
import type { NON_ASCII } from './needles.js';
import { PairFilter } from './pair-filter.js';
import type { TargetList } from './target-list.js';

/**
 * The symbol a text character scans as: folded ({@link foldCode}), then its alphabet symbol;
 * every character still outside ASCII is the one symbol at 128, the alphabet's {@link NON_ASCII}.
 * ASCII characters, nearly all of them, take one load from `fold` (folding included).
 */
function symbolOf(fold: Uint8Array, symbols: Uint8Array, code: number): number {
  if (code < 128) return fold[code] as number;
  const c = foldCode(code);
  return symbols[c < 128 ? c : 128] as number;
}

/** Texts made only of what a finite number renders as. */
const NUMBER_TEXT = /^[0-9.e+-]+$/;

/** Can the text of a finite number (`12`, `-3.5`, `1e+21`) hold one of these needles? */
export function numberTextNeedles(needles: readonly string[]): boolean {
  return needles.some((n) => NUMBER_TEXT.test(n));
}

/** The root state (0 is no state: a transition not written yet while the trie is built). */
const ROOT = 1;
/** States are 16-bit and 0 is reserved. */
const MAX_STATES = 0xffff;

export class NeedleAutomaton {
  private readonly symbols = new Uint8Array(129);
  /** The symbol of each ASCII text character, case folded (`symbols` of its lowercase). */
  private readonly fold = new Uint8Array(128);
  /**
   * Can the text of a finite number (`12`, `-3.5`, `1e+21`) hold a needle? Only when some needle
   * is made of digits, `.`, `e`, `+` and `-` alone: most fields' automata cannot, and skip numbers.
   */
  readonly numberText: boolean;
  private readonly width: number;
  /**
   * The transitions, `delta[state * width + symbol]`; 0: not worked out yet. The trie's edges
   * are written when the automaton is built, every other transition the first time a scan takes
   * it ({@link step}): texts visit few of the states (mostly the root's and shallow ones), and
   * completing every row up front cost 240 ms for the automata of 10,000 real events (14 million
   * cells), a first-scan cost paid on every run. 16-bit states halve the table (cache misses
   * dominate scanning); one type keeps the loops monomorphic.
   */
  private readonly delta: Uint16Array;
  /** The failure state of each state (the longest proper suffix that is a trie state). */
  private readonly fail: Uint16Array;
  /** Outputs of state s: targets[outStart[s] .. outStart[s+1]). */
  private readonly outStart: Int32Array;
  private readonly targets: Int32Array;
  /** Number of states, the root included. */
  readonly states: number;
  private pairFilter: PairFilter | undefined;
  /** The automaton's needles, kept for {@link filter}. */
  private readonly needles: readonly string[];

  /** `needles[i]` (lowercase ASCII, non-empty) reports `targets[i]`. */
  constructor(needles: readonly string[], targetOf: readonly number[]) {
    let width = 1;
    for (const n of needles) {
      for (let i = 0; i < n.length; i++) {
        const c = n.charCodeAt(i);
        if (c > 128) throw new Error('needles must be ASCII or NON_ASCII');
        if (this.symbols[c] === 0) this.symbols[c] = width++;
      }
    }
    this.width = width;
    this.numberText = numberTextNeedles(needles);
    for (let c = 0; c < 128; c++) this.fold[c] = this.symbols[c >= 65 && c <= 90 ? c + 32 : c] as number;
    let maxStates = ROOT + 1;
    for (const n of needles) maxStates += n.length;
    maxStates = Math.min(maxStates, MAX_STATES + 1);
    const delta = new Uint16Array(maxStates * width);
    // The trie, its edges written straight into the table.
    const ownHead = new Int32Array(maxStates).fill(-1);
    const ownNext = new Int32Array(needles.length);
    // Each state's trie children, as lists: first child, next sibling, and the symbol into each.
    const firstChild = new Int32Array(maxStates);
    const nextSibling = new Int32Array(maxStates);
    const symbolInto = new Int32Array(maxStates);
    let last = ROOT;
    needles.forEach((n, i) => {
      let s = ROOT;
      for (let k = 0; k < n.length; k++) {
        const at = s * width + (this.symbols[n.charCodeAt(k)] as number);
        let child = delta[at] as number;
        if (child === 0) {
          if (last >= MAX_STATES) throw new Error('too many needle states for one automaton; split the needles');
          child = ++last;
          delta[at] = child;
          symbolInto[child] = at - s * width;
          nextSibling[child] = firstChild[s] as number;
          firstChild[s] = child;
        }
        s = child;
      }
      ownNext[i] = ownHead[s] as number;
      ownHead[s] = i;
    });
    this.states = last;
    // Failure states breadth-first: a trie edge leads to a child, whose failure state is the
    // failure state's transition on the same symbol (worked out lazily, see step; the failure
    // state is shallower, so its own failure state is known).
    this.delta = delta;
    const fail = new Uint16Array(last + 1);
    this.fail = fail;
    fail[ROOT] = ROOT;
    const order = new Int32Array(last);
    order[0] = ROOT;
    let queued = 1;
    for (let q = 0; q < queued; q++) {
      const s = order[q] as number;
      for (let c = firstChild[s] as number; c !== 0; c = nextSibling[c] as number) {
        fail[c] = s === ROOT ? ROOT : this.step(fail[s] as number, symbolInto[c] as number);
        order[queued++] = c;
      }
    }
    // Outputs: a state's own needles, then its failure state's outputs (complete: reached earlier).
    const count = new Int32Array(last + 1);
    for (let q = 0; q < queued; q++) {
      const s = order[q] as number;
      let own = 0;
      for (let i = ownHead[s] as number; i >= 0; i = ownNext[i] as number) own++;
      count[s] = own + (s === ROOT ? 0 : (count[fail[s] as number] as number));
    }
    this.outStart = new Int32Array(last + 2);
    for (let s = 0; s <= last; s++) this.outStart[s + 1] = (this.outStart[s] as number) + (count[s] as number);
    this.targets = new Int32Array(this.outStart[last + 1] as number);
    for (let q = 1; q < queued; q++) {
      const s = order[q] as number;
      let k = this.outStart[s] as number;
      for (let i = ownHead[s] as number; i >= 0; i = ownNext[i] as number) this.targets[k++] = targetOf[i] as number;
      const f = fail[s] as number;
      for (let j = this.outStart[f] as number; j < (this.outStart[f + 1] as number); j++) this.targets[k++] = this.targets[j] as number;
    }
    this.needles = needles;
  }

  /**
   * Adds to `found` every target whose needle occurs in `text` and whose `mark` is not yet
   * `epoch` (marking it).
   */
  scan(text: string, mark: Int32Array, epoch: number, found: TargetList): void {
    if (this.mayHold(text)) this.run(text, mark, epoch, found);
  }

  /** The cheap test to run before the automaton, built on first use (the rule index builds its own per field). */
  get filter(): PairFilter {
    this.pairFilter ??= PairFilter.of(this.needles);
    return this.pairFilter;
  }

  /** False when `text` holds none of the needles' chosen pairs, so no needle (see {@link PairFilter}). */
  mayHold(text: string): boolean {
    return this.filter.mayHold(text);
  }

  /**
   * The transition from `state` on `symbol` when not yet in the table: where the failure state
   * goes on it (the root stays at the root on a symbol without a trie edge), written to the table
   * for the next time. A failure state is shallower, so the recursion ends (at the root).
   */
  private step(state: number, symbol: number): number {
    const at = state * this.width + symbol;
    let to = this.delta[at] as number;
    if (to === 0) {
      to = state === ROOT ? ROOT : this.step(this.fail[state] as number, symbol);
      this.delta[at] = to;
    }
    return to;
  }

  /** Does any needle occur in `text`? Stops at the first. */
  anyHit(text: string): boolean {
    const { symbols, fold, delta, width, outStart } = this;
    let s = ROOT;
    for (let i = 0; i < text.length; i++) {
      const a = symbolOf(fold, symbols, text.charCodeAt(i));
      const to = delta[s * width + a] as number;
      s = to !== 0 ? to : this.step(s, a);
      if ((outStart[s] as number) < (outStart[s + 1] as number)) return true;
    }
    return false;
  }

  /** {@link scan} without the pair test. */
  run(text: string, mark: Int32Array, epoch: number, found: TargetList): void {
    const { symbols, fold, delta, width, outStart, targets } = this;
    let s = ROOT;
    for (let i = 0; i < text.length; i++) {
      const a = symbolOf(fold, symbols, text.charCodeAt(i));
      const to = delta[s * width + a] as number;
      s = to !== 0 ? to : this.step(s, a);
      const o = outStart[s] as number;
      const end = outStart[s + 1] as number;
      for (let j = o; j < end; j++) {
        const target = targets[j] as number;
        if (mark[target] !== epoch) {
          mark[target] = epoch;
          found.push(target);
        }
      }
    }
  }
}

/** Automata for needles, split so that each stays within 16-bit states. */
export function automataFor(needles: readonly string[], targets: readonly number[]): NeedleAutomaton[] {
  const out: NeedleAutomaton[] = [];
  let start = 0;
  let chars = 0;
  for (let i = 0; i <= needles.length; i++) {
    const n = needles[i];
    if (i === needles.length || chars + (n?.length ?? 0) >= 0xfff0) {
      if (i > start) out.push(new NeedleAutomaton(needles.slice(start, i), targets.slice(start, i)));
      start = i;
      chars = 0;
    }
    chars += n?.length ?? 0;
  }
  return out;
}
