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
    // The trie, as per-state child maps, then breadth-first failure links.
    const children: Array<Map<number, number>> = [new Map()];
    const outs: Array<Set<number>> = [new Set()];
    needles.forEach((n, i) => {
      let s = 0;
      for (let k = 0; k < n.length; k++) {
        const a = this.symbols[n.charCodeAt(k)] as number;
        let next = children[s]?.get(a);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          outs.push(new Set());
          children[s]?.set(a, next);
        }
        s = next;
      }
      outs[s]?.add(targetOf[i] as number);
    });
    const states = children.length;
    this.states = states;
    if (states > 0xffff) throw new Error('too many needle states for one automaton; split the needles');
    const delta = new Uint16Array(states * width);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (const [a, t] of children[0] ?? []) {
      delta[a] = t;
      queue.push(t);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q] as number;
      const f = fail[s] as number;
      for (const t of outs[f] ?? []) outs[s]?.add(t);
      for (let a = 1; a < width; a++) {
        const child = children[s]?.get(a);
        if (child !== undefined) {
          fail[child] = delta[f * width + a] as number;
          delta[s * width + a] = child;
          queue.push(child);
        } else delta[s * width + a] = delta[f * width + a] as number;
      }
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
    this.outStart = new Int32Array(states + 1);
    let total = 0;
    for (let s = 0; s < states; s++) {
      this.outStart[s] = total;
      total += outs[s]?.size ?? 0;
    }
    this.outStart[states] = total;
    this.targets = new Int32Array(total);
    let k = 0;
    for (let s = 0; s < states; s++) for (const t of outs[s] ?? []) this.targets[k++] = t;
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
