/**
 * The needle scan of one event field for one set of rules (the rule index makes one per field
 * and logsource group, shared by groups with the same needles): the field's needles and the
 * group's keyword needles, which every value meets, behind a pair test ({@link PairFilter}) and
 * a memo of results per text. Values of a field repeat a lot in event streams (image paths,
 * users, channels, registry keys), so most texts are looked up rather than scanned; the memo
 * switches itself off for a field whose texts hardly repeat (times, GUIDs, most command lines).
 */
import { foldCode } from '../sigma/case-fold.js';
import { automataFor, numberTextNeedles } from './needle-automaton.js';
import type { NeedleAutomaton } from './needle-automaton.js';
import { PairFilter } from './pair-filter.js';
import { TextMemo } from './text-memo.js';
import { TargetList } from './target-list.js';

/** Scratch marks shared by the scanners of one index, for collecting a text's hits. */
export interface ScanScratch {
  mark: Int32Array;
  epoch: number;
}

const NO_HITS = new Int32Array(0);
/** Texts longer than this are scanned every time (they seldom repeat, and hashing them costs). */
const MAX_REMEMBERED_TEXT = 512;
const MAX_REMEMBERED = 4096;
/** How often the memo's hit rate is checked. */
const REVIEW_EVERY = 2048;

export class FieldScanner {
  private memo: TextMemo<Int32Array> | undefined = new TextMemo(MAX_REMEMBERED);
  private hits = 0;
  private misses = 0;
  /** The automata's pair test first (all of them in one), while it turns most of this field's texts away. */
  private prefilter = true;
  private readonly filter: PairFilter;
  private checks = 0;
  private passes = 0;
  private readonly out = new TargetList();
  /** Texts left to test needle by needle before the automata are built (see {@link run}). */
  private naiveLeft = NAIVE_TEXTS;

  /** Can the text of a finite number hold one of the needles? (See {@link NeedleAutomaton.numberText}.) */
  readonly numberText: boolean;
  /**
   * Built when a text first passes the pair test: many scanners (keyword needles on most
   * fields, fields of rare kinds of event) turn every text away and never need them.
   */
  private built: NeedleAutomaton[] | undefined;

  /** `needles[i]` (lowercase ASCII, non-empty, or NON_ASCII) reports `targets[i]`. */
  constructor(
    private readonly needles: readonly string[],
    private readonly targets: readonly number[],
    private readonly scratch: ScanScratch,
  ) {
    this.numberText = numberTextNeedles(needles);
    this.filter = PairFilter.of(needles);
  }

  private get automata(): NeedleAutomaton[] {
    this.built ??= automataFor(this.needles, this.targets);
    return this.built;
  }

  /**
   * Adds to `found` every target with a needle in `text` whose `mark` is not yet `epoch` (marking
   * it). Returns the text's targets when it has them as a list (none, or remembered), so that a
   * caller may keep them for the same text again; undefined when they went straight to `found`.
   */
  scan(text: string, mark: Int32Array, epoch: number, found: TargetList): Int32Array | undefined {
    if (this.prefilter && !this.mayHold(text)) return NO_HITS;
    const memo = this.memo;
    if (memo === undefined || text.length > MAX_REMEMBERED_TEXT) {
      this.run(text, mark, epoch, found);
      return undefined;
    }
    let hits = memo.get(text);
    if (hits !== undefined) this.hits++;
    else {
      this.misses++;
      const out = this.out;
      out.clear();
      const e = ++this.scratch.epoch;
      this.run(text, this.scratch.mark, e, out);
      hits = out.length === 0 ? NO_HITS : out.toArray();
      memo.set(text, hits);
      if ((this.hits + this.misses) % REVIEW_EVERY === 0 && this.hits < this.misses) this.memo = undefined;
    }
    addHits(hits, mark, epoch, found);
    return hits;
  }

  /**
   * Adds to `out` every target with a needle in `text` whose `mark` is not yet `epoch` (marking
   * it). The first texts that get this far are tested needle by needle (`includes` on the text
   * folded as the automata fold it), while that is little work: building the automata of a large
   * needle set costs tens of milliseconds, all of a short scan's matching (one event, a handful).
   */
  private run(text: string, mark: Int32Array, epoch: number, out: TargetList): void {
    const { needles, targets } = this;
    if (this.built === undefined && this.naiveLeft > 0 && needles.length * text.length <= NAIVE_WORK) {
      this.naiveLeft--;
      const folded = foldedAsNeedles(text);
      for (let i = 0; i < needles.length; i++) {
        if (!folded.includes(needles[i] as string)) continue;
        const t = targets[i] as number;
        if (mark[t] !== epoch) {
          mark[t] = epoch;
          out.push(t);
        }
      }
      return;
    }
    const automata = this.automata;
    for (let k = 0; k < automata.length; k++) (automata[k] as NeedleAutomaton).run(text, mark, epoch, out);
  }

  private mayHold(text: string): boolean {
    const pass = this.filter.mayHold(text);
    this.checks++;
    if (pass) this.passes++;
    // Stop testing where most texts pass anyway.
    if (this.checks % REVIEW_EVERY === 0 && this.passes * 2 > this.checks) this.prefilter = false;
    return pass;
  }
}

/** Texts a scanner tests needle by needle before it builds its automata ({@link FieldScanner}). */
const NAIVE_TEXTS = 16;
/** At most this many needles × characters per text tested that way. */
const NAIVE_WORK = 1 << 20;

/**
 * A text as the needle automata read it: ASCII letters lowercased, other characters folded
 * ({@link foldCode}) and, if still beyond ASCII, all the one character U+0080 (a needle's
 * {@link NON_ASCII}, see needles.ts).
 */
export function foldedAsNeedles(text: string): string {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) < 128) i++;
  if (i === text.length) return text.toLowerCase();
  let out = text.slice(0, i).toLowerCase();
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const f = c < 128 ? (c >= 65 && c <= 90 ? c + 32 : c) : foldCode(c);
    out += f < 128 ? String.fromCharCode(f) : '\u0080';
  }
  return out;
}

/** Adds to `found` each of `hits` whose `mark` is not yet `epoch` (marking it). */
export function addHits(hits: Int32Array, mark: Int32Array, epoch: number, found: TargetList): void {
  for (let j = 0; j < hits.length; j++) {
    const t = hits[j] as number;
    if (mark[t] !== epoch) {
      mark[t] = epoch;
      found.push(t);
    }
  }
}
