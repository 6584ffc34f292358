/**
 * A multi-needle substring search (Aho–Corasick, compiled to a dense DFA over the needles' own
 * alphabet): one pass over a text reports every target whose needle occurs in it. Texts are
 * folded character by character ({@link foldCode}); characters outside the alphabet reset to
 * the root, and every character still outside ASCII after folding is the one symbol of
 * {@link NON_ASCII}. Used by the rule index to find the rules an event can possibly match.
 */
import { foldCode } from './needles.js';
import type { NON_ASCII } from './needles.js';

/**
 * How rare the pair of characters ending at `k` is in event text (higher: rarer). Digits, hex
 * letters and path punctuation fill GUIDs, times and paths; other letters are rarer.
 */
function pairRarity(n: string, k: number): number {
  return charRarity(n.charCodeAt(k - 1)) + charRarity(n.charCodeAt(k)) - (COMMON_PAIRS.has(n.slice(k - 1, k + 1)) ? 4 : 0);
}

/** Character pairs of words found in most Windows events (channels, paths, accounts). */
const COMMON_PAIRS = new Set(
  [
    'microsoft-windows-sysmon/operational', 'security-auditing', 'powershell', 'program files',
    'c:\\windows\\system32\\', 'syswow64', 'c:\\users\\', 'appdata\\local\\temp', 'roaming',
    'programdata', 'nt authority\\system', 'network service', 'local service', '.exe', '.dll',
    'desktop-', 'corp.', '.local', '.com', 'service', 'process', 'registry', 'machine', 'software',
    'current', 'version', 'control', 'true', 'false', 'user', 'admin', 'domain', 'logon', 'information',
  ].flatMap((w) => Array.from({ length: w.length - 1 }, (_, i) => w.slice(i, i + 2))),
);

function charRarity(c: number): number {
  if (c >= 48 && c <= 57) return 0;
  if (c >= 97 && c <= 102) return 1;
  if (c >= 103 && c <= 122) return 3;
  if (c === 32 || c === 46 || c === 92 || c === 45 || c === 58 || c === 95 || c === 47 || c === 44 || c === 61) return 1;
  return 2;
}

export class NeedleAutomaton {
  private readonly symbols = new Uint8Array(129);
  private readonly width: number;
  /** 16-bit states halve the table (cache misses dominate scanning); one type keeps `scan` monomorphic. */
  private readonly delta: Uint16Array;
  /** Outputs of state s: targets[outStart[s] .. outStart[s+1]). */
  private readonly outStart: Int32Array;
  private readonly targets: Int32Array;
  readonly states: number;
  /**
   * A cheap test to run before the automaton: one chosen character pair of every needle
   * (`pairs[a * width + b]`, symbols a then b) or a needle's only character (`singles`). A text
   * holding none of them holds no needle.
   */
  private readonly pairs: Uint8Array;
  private readonly singles: Uint8Array;

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
    // The trie, written straight into the transition table (0 = no child: the root is nobody's
    // child), then completed breadth-first: a state's row is still its trie edges when it is
    // reached, and its failure state's row is already complete.
    let maxStates = 1;
    for (const n of needles) maxStates += n.length;
    if (maxStates > 0x10000) maxStates = 0x10000;
    let delta = new Uint16Array(maxStates * width);
    const ownHead = new Int32Array(maxStates).fill(-1);
    const ownNext = new Int32Array(needles.length);
    let states = 1;
    needles.forEach((n, i) => {
      let s = 0;
      for (let k = 0; k < n.length; k++) {
        const at = s * width + (this.symbols[n.charCodeAt(k)] as number);
        let next = delta[at] as number;
        if (next === 0) {
          if (states > 0xffff) throw new Error('too many needle states for one automaton; split the needles');
          next = states++;
          delta[at] = next;
        }
        s = next;
      }
      ownNext[i] = ownHead[s] as number;
      ownHead[s] = i;
    });
    this.states = states;
    delta = delta.slice(0, states * width);
    const fail = new Int32Array(states);
    const order = new Int32Array(states);
    let queued = 1;
    for (let q = 0; q < queued; q++) {
      const s = order[q] as number;
      const f = fail[s] as number;
      for (let a = 1; a < width; a++) {
        const at = s * width + a;
        const child = delta[at] as number;
        const viaFail = s === 0 ? 0 : (delta[f * width + a] as number);
        if (child !== 0) {
          fail[child] = viaFail;
          order[queued++] = child;
        } else delta[at] = viaFail;
      }
    }
    // Outputs: a state's own needles, then its failure state's outputs (complete: reached earlier).
    const count = new Int32Array(states);
    for (let q = 0; q < states; q++) {
      const s = order[q] as number;
      let own = 0;
      for (let i = ownHead[s] as number; i >= 0; i = ownNext[i] as number) own++;
      count[s] = own + (s === 0 ? 0 : (count[fail[s] as number] as number));
    }
    this.outStart = new Int32Array(states + 1);
    for (let s = 0; s < states; s++) this.outStart[s + 1] = (this.outStart[s] as number) + (count[s] as number);
    this.targets = new Int32Array(this.outStart[states] as number);
    for (let q = 1; q < states; q++) {
      const s = order[q] as number;
      let k = this.outStart[s] as number;
      for (let i = ownHead[s] as number; i >= 0; i = ownNext[i] as number) this.targets[k++] = targetOf[i] as number;
      const f = fail[s] as number;
      for (let j = this.outStart[f] as number; j < (this.outStart[f + 1] as number); j++) this.targets[k++] = this.targets[j] as number;
    }
    this.delta = delta;
    this.pairs = new Uint8Array(width * width);
    this.singles = new Uint8Array(width);
    for (const n of needles) {
      if (n.length === 1) {
        this.singles[this.symbols[n.charCodeAt(0)] as number] = 1;
        continue;
      }
      let best = 1;
      for (let k = 2; k < n.length; k++) if (pairRarity(n, k) > pairRarity(n, best)) best = k;
      this.pairs[(this.symbols[n.charCodeAt(best - 1)] as number) * width + (this.symbols[n.charCodeAt(best)] as number)] = 1;
    }
  }

  /**
   * Adds to `found` every target whose needle occurs in `text` and whose `mark` is not yet
   * `epoch` (marking it).
   */
  scan(text: string, mark: Int32Array, epoch: number, found: number[]): void {
    if (this.mayHold(text)) this.run(text, mark, epoch, found);
  }

  /**
   * False when `text` holds none of the needles' chosen pairs, so no needle. Several times
   * cheaper than the automaton (no chain of dependent table loads), and worth it where most
   * texts fail it (see FieldScanner).
   */
  mayHold(text: string): boolean {
    const { pairs, singles, symbols, width } = this;
    let prev = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 128) c = foldCode(c);
      else if (c >= 65 && c <= 90) c += 32;
      const a = symbols[c < 128 ? c : 128] as number;
      if (singles[a] === 1 || pairs[prev * width + a] === 1) return true;
      prev = a;
    }
    return false;
  }

  /** Does any needle occur in `text`? Stops at the first. */
  anyHit(text: string): boolean {
    const { symbols, delta, width, outStart } = this;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 128) c = foldCode(c);
      else if (c >= 65 && c <= 90) c += 32;
      s = delta[s * width + (symbols[c < 128 ? c : 128] as number)] as number;
      if ((outStart[s] as number) < (outStart[s + 1] as number)) return true;
    }
    return false;
  }

  /** {@link scan} without the pair test. */
  run(text: string, mark: Int32Array, epoch: number, found: number[]): void {
    const { symbols, delta, width, outStart, targets } = this;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 128) c = foldCode(c);
      else if (c >= 65 && c <= 90) c += 32;
      s = delta[s * width + (symbols[c < 128 ? c : 128] as number)] as number;
      const o = outStart[s] as number;
      const end = outStart[s + 1] as number;
      for (let j = o; j < end; j++) {
        const t = targets[j] as number;
        if (mark[t] !== epoch) {
          mark[t] = epoch;
          found.push(t);
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
