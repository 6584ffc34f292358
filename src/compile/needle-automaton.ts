/**
 * A multi-needle substring search (Aho–Corasick, compiled to a dense DFA over the needles' own
 * alphabet): one pass over a text reports every target whose needle occurs in it. Texts are
 * folded character by character ({@link foldCode}); characters outside the alphabet reset to
 * the root, and every character still outside ASCII after folding is the one symbol of
 * {@link NON_ASCII}. Used by the rule index to find the rules an event can possibly match.
 */
import { foldCode } from './needles.js';
import type { NON_ASCII } from './needles.js';

export class NeedleAutomaton {
  private readonly symbols = new Uint8Array(129);
  private readonly width: number;
  /** 16-bit states halve the table (cache misses dominate scanning); one type keeps `scan` monomorphic. */
  private readonly delta: Uint16Array;
  /** Outputs of state s: targets[outStart[s] .. outStart[s+1]). */
  private readonly outStart: Int32Array;
  private readonly targets: Int32Array;
  readonly states: number;

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

  /** Remembered results per text, while remembering pays (image paths, companies, users repeat; command lines rarely). */
  private memo: Map<string, Int32Array> | undefined = new Map();
  private memoHits = 0;
  private memoMisses = 0;
  private ownMark: Int32Array | undefined;
  private ownEpoch = 0;

  /**
   * Adds to `found` every target whose needle occurs in `text` and whose `mark` is not yet
   * `epoch` (marking it).
   */
  scan(text: string, mark: Int32Array, epoch: number, found: number[]): void {
    const memo = this.memo;
    if (memo === undefined || text.length > 512) {
      this.run(text, mark, epoch, found);
      return;
    }
    let hits = memo.get(text);
    if (hits !== undefined) this.memoHits++;
    else {
      this.memoMisses++;
      this.ownMark ??= new Int32Array(this.maxTarget() + 1);
      const out: number[] = [];
      this.run(text, this.ownMark, ++this.ownEpoch, out);
      hits = Int32Array.from(out);
      if (memo.size < 4096) memo.set(text, hits);
      // Stop remembering where texts hardly repeat.
      if ((this.memoHits + this.memoMisses) % 2048 === 0 && this.memoHits < this.memoMisses) this.memo = undefined;
    }
    for (let j = 0; j < hits.length; j++) {
      const t = hits[j] as number;
      if (mark[t] !== epoch) {
        mark[t] = epoch;
        found.push(t);
      }
    }
  }

  private maxTarget(): number {
    let m = 0;
    for (let i = 0; i < this.targets.length; i++) m = Math.max(m, this.targets[i] as number);
    return m;
  }

  private run(text: string, mark: Int32Array, epoch: number, found: number[]): void {
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
