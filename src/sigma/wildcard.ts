/**
 * Whole-value matching of a Sigma string pattern (semantics §5.2) in time linear in the text,
 * whatever the pattern: no backtracking over wildcards.
 *
 * The reference meaning is the anchored regex of {@link patternRegex} (`[\s\S]*` for `*`,
 * `[\s\S]` for `?`, flags `iu` unless cased). Run by a backtracking engine, that regex takes time
 * polynomial in the text with the number of `*` (`*a*a*a*a*a*b` against 200 `a`s runs for
 * minutes). Here the pattern is cut at its `*` tokens into **segments**: each a fixed sequence of
 * atoms (a literal character, `?`, a windash class) that consumes exactly one code point each
 * (simple case folding maps one code point to one, so a segment's width in code points is fixed
 * whatever the case). Then, as for any glob whose pieces have a fixed width:
 *
 * - without `*`, the one segment must match the whole text;
 * - else the first segment must match at the start (unless the pattern starts with `*`), the last
 *   one at the end (unless it ends with `*`), and every segment in between is taken at its
 *   **leftmost** occurrence after the previous one. Greedy is exact: if some match places a
 *   middle segment at position p, its leftmost occurrence q ≤ p ends earlier (same width), so
 *   everything after it still fits; by induction the greedy choice succeeds whenever any does.
 *
 * Each segment is found or tested in O(text × segment) at worst, so a pattern costs
 * O(text × pattern) and never more: no choice is ever revisited.
 *
 * Two ways to compare a segment with the text, the same answers:
 * - **folded** (most patterns): every literal character is ASCII or caseless (or the pattern is
 *   cased) and none is a lone surrogate. Then, as case-fold.ts shows, comparing the folded text
 *   ({@link foldText}, same length and positions as the text) with the folded literal code unit by
 *   code unit gives the regex's answer; `?` steps over one code point, a windash class tests one
 *   of five characters. Literal runs are found with `indexOf`.
 * - **regex** (the rest: cased letters outside ASCII, lone surrogates): each segment is its own
 *   small regex without quantifiers (so without backtracking), with the `iu` or `u` flags of the
 *   reference regex, run sticky at a position or searched from one. The comparison of each
 *   character is then V8's own, exactly as in the whole-pattern regex.
 */
import { assertNever } from '../diagnostics/diagnostics.js';
import { foldText } from './case-fold.js';
import { escapeRegex, patternSource, WINDASH_CHARS } from './pattern.js';
import type { Pattern, PatternToken } from './pattern.js';

/** A windash class as a bit test on the code unit: `-` `/` `–` `—` `―`. */
function isDash(c: number): boolean {
  return c === 0x2d || c === 0x2f || c === 0x2013 || c === 0x2014 || c === 0x2015;
}

const DASH_CLASS = `[${WINDASH_CHARS.map((c) => escapeRegex(c).replace('-', '\\-')).join('')}]`;

/** Atom kinds of a folded segment: a literal run (code units), one code point, a windash class. */
type Atom = { k: 'lit'; s: string } | { k: 'one' } | { k: 'dash' };

/** A segment compared on the folded text. */
interface FoldedSegment {
  atoms: Atom[];
  /** The literal run the segment starts with ('' when it starts with `?` or a dash): found by indexOf. */
  head: string;
  /** Width in code units when the segment has no `?` (then fixed), else -1. */
  units: number;
  /** Width in code points. */
  points: number;
}

/**
 * Atoms per regex of a {@link RegexSegment}: V8's regex compiler recurses over a sequence, and a
 * literal of 100,000 characters overflows its stack (a `fieldref` compares two event values).
 */
const ATOMS_PER_REGEX = 1000;

/**
 * A segment compared by V8's regex engine: its atoms in regexes of at most
 * {@link ATOMS_PER_REGEX}, matched one after the other (each consumes a fixed number of code
 * points, so matching them in turn is matching their concatenation).
 */
class RegexSegment {
  /** Sticky forms (match at `lastIndex` only), in order. */
  private readonly sticky: RegExp[];
  /** The global form of the first part: the leftmost place it matches from `lastIndex` on. */
  private readonly first: RegExp;

  constructor(
    sources: readonly string[],
    flags: string,
    /** Width in code points. */
    readonly points: number,
  ) {
    this.sticky = sources.map((src) => new RegExp(src, `${flags}y`));
    this.first = new RegExp(sources[0] ?? '', `${flags}g`);
  }

  /** Where the segment ends when it matches at `i`, else -1. */
  matchAt(t: string, i: number): number {
    // It consumes `points` code points, each at least one code unit.
    if (t.length - i < this.points) return -1;
    let p = i;
    for (const re of this.sticky) {
      re.lastIndex = p;
      if (!re.test(t)) return -1;
      p = re.lastIndex;
    }
    return p;
  }

  /** The end of its leftmost match at or after `from`, else -1. */
  search(t: string, from: number): number {
    let at = from;
    while (t.length - at >= this.points) {
      this.first.lastIndex = at;
      const m = this.first.exec(t);
      if (m === null) return -1;
      const end = this.matchAt(t, m.index);
      if (end >= 0) return end;
      at = nextPoint(t, m.index);
    }
    return -1;
  }
}

const ASCII_OR_CASELESS = /^[\x00-\x7f\P{Cased}]*$/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Index just after the code point that starts at `i` (a surrogate pair is one). */
function nextPoint(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return i + 2;
  }
  return i + 1;
}

/** Index of the start of the code point that ends at `i` (exclusive). */
function prevPoint(s: string, i: number): number {
  const c = s.charCodeAt(i - 1);
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
    const h = s.charCodeAt(i - 2);
    if (h >= 0xd800 && h <= 0xdbff) return i - 2;
  }
  return i - 1;
}

/** Splits a pattern's tokens at its `*`: the segments in order, and whether `*` leads and ends it. */
function splitAtStars(tokens: readonly PatternToken[]): { segments: PatternToken[][]; lead: boolean; trail: boolean; stars: number } {
  const segments: PatternToken[][] = [];
  let cur: PatternToken[] = [];
  let stars = 0;
  for (const t of tokens) {
    if (t.t === 'any') {
      stars++;
      segments.push(cur);
      cur = [];
    } else cur.push(t);
  }
  segments.push(cur);
  const lead = tokens[0]?.t === 'any';
  const trail = tokens.length > 0 && tokens[tokens.length - 1]?.t === 'any';
  return { segments, lead, trail, stars };
}

/**
 * A compiled whole-value matcher of a pattern: `test(text)` gives the answer of the anchored
 * regex of the pattern (§5.2) in time linear in the text.
 */
export class WildcardMatcher {
  /** The regex source of the pattern's reference meaning (for display: `--dump-js`). */
  readonly source: string;
  readonly flags: string;
  /** Unresolved placeholder: matches nothing (the loader rejects such rules anyway). */
  private readonly never: boolean;
  private readonly lead: boolean;
  private readonly trail: boolean;
  /** No `*` at all: the single segment is the whole value. */
  private readonly exact: boolean;
  private readonly folded: FoldedSegment[] | undefined;
  private readonly regexes: RegexSegment[] | undefined;
  private readonly cased: boolean;

  constructor(p: Pattern, cased: boolean, source: string) {
    this.source = source;
    this.flags = cased ? 'u' : 'iu';
    this.cased = cased;
    this.never = p.tokens.some((t) => t.t === 'ph');
    const { segments, lead, trail, stars } = splitAtStars(this.never ? [] : p.tokens);
    this.lead = lead;
    this.trail = trail;
    this.exact = stars === 0;
    // Empty segments (between `**`, or at a leading/trailing `*`) constrain nothing.
    const kept = segments.filter((s, i) => s.length > 0 || (stars === 0 && i === 0));
    if (kept.every((s) => s.every((t) => t.t !== 'lit' || foldable(t.s, cased)))) {
      this.folded = kept.map((s) => foldedSegment(s, cased));
    } else this.regexes = kept.map((s) => regexSegment(s, this.flags));
  }

  /**
   * Does the pattern match the whole text? `folded` may give {@link foldText} of the text when
   * the caller has it already (it is computed otherwise, when needed).
   */
  test(text: string, folded?: string): boolean {
    if (this.never) return false;
    if (this.folded !== undefined) return this.testFolded(this.cased ? text : (folded ?? foldText(text)));
    return this.testRegex(text);
  }

  /** Whether {@link test} compares the folded text (so a caller may pass it). */
  get usesFoldedText(): boolean {
    return this.folded !== undefined && !this.cased;
  }

  private testFolded(f: string): boolean {
    const segs = this.folded as FoldedSegment[];
    const n = segs.length;
    if (this.exact) {
      const s = segs[0] as FoldedSegment;
      return matchFoldedAt(s, f, 0) === f.length;
    }
    let pos = 0;
    let first = 0;
    let last = n;
    if (!this.lead) {
      const s = segs[0];
      if (s === undefined) return true;
      const end = matchFoldedAt(s, f, 0);
      if (end < 0) return false;
      pos = end;
      first = 1;
    }
    let tail: FoldedSegment | undefined;
    if (!this.trail && last > first) {
      tail = segs[n - 1];
      last = n - 1;
    }
    for (let k = first; k < last; k++) {
      const end = searchFolded(segs[k] as FoldedSegment, f, pos);
      if (end < 0) return false;
      pos = end;
    }
    if (tail === undefined) return true;
    // The last segment is the text's end: it starts `points` code points before it.
    let start = f.length;
    if (tail.units >= 0) start -= tail.units;
    else for (let k = 0; k < tail.points && start > 0; k++) start = prevPoint(f, start);
    if (start < pos) return false;
    return matchFoldedAt(tail, f, start) === f.length;
  }

  private testRegex(t: string): boolean {
    const segs = this.regexes as RegexSegment[];
    const n = segs.length;
    if (this.exact) return (segs[0] as RegexSegment).matchAt(t, 0) === t.length;
    let pos = 0;
    let first = 0;
    let last = n;
    if (!this.lead) {
      const s = segs[0];
      if (s === undefined) return true;
      const end = s.matchAt(t, 0);
      if (end < 0) return false;
      pos = end;
      first = 1;
    }
    let tail: RegexSegment | undefined;
    if (!this.trail && last > first) {
      tail = segs[n - 1];
      last = n - 1;
    }
    for (let k = first; k < last; k++) {
      const end = (segs[k] as RegexSegment).search(t, pos);
      if (end < 0) return false;
      pos = end;
    }
    if (tail === undefined) return true;
    let start = t.length;
    for (let k = 0; k < tail.points; k++) {
      if (start <= pos) return false;
      start = prevPoint(t, start);
    }
    if (start < pos) return false;
    return tail.matchAt(t, start) === t.length;
  }
}

/** Can a literal run be compared on the folded text (see the module comment)? */
function foldable(s: string, cased: boolean): boolean {
  if (LONE_SURROGATE.test(s)) return false;
  return cased || ASCII_OR_CASELESS.test(s);
}

function foldedSegment(tokens: readonly PatternToken[], cased: boolean): FoldedSegment {
  const atoms: Atom[] = [];
  let points = 0;
  let units = 0;
  let fixed = true;
  for (const t of tokens) {
    switch (t.t) {
      case 'lit': {
        const s = cased ? t.s : foldText(t.s);
        atoms.push({ k: 'lit', s });
        points += codePoints(s);
        units += s.length;
        break;
      }
      case 'one':
        atoms.push({ k: 'one' });
        points++;
        fixed = false;
        break;
      case 'dash':
        atoms.push({ k: 'dash' });
        points++;
        units++;
        break;
      case 'any':
      case 'ph':
        throw new Error('a segment holds no * and no placeholder');
      default:
        return assertNever(t);
    }
  }
  const first = atoms[0];
  return { atoms, head: first?.k === 'lit' ? first.s : '', units: fixed ? units : -1, points };
}

/** Where the segment ends when it matches the folded text at `i` (a code point boundary), else -1. */
function matchFoldedAt(seg: FoldedSegment, f: string, i: number): number {
  let p = i;
  const atoms = seg.atoms;
  for (let a = 0; a < atoms.length; a++) {
    const atom = atoms[a] as Atom;
    switch (atom.k) {
      case 'lit':
        if (!f.startsWith(atom.s, p)) return -1;
        p += atom.s.length;
        break;
      case 'one':
        if (p >= f.length) return -1;
        p = nextPoint(f, p);
        break;
      case 'dash':
        if (p >= f.length || !isDash(f.charCodeAt(p))) return -1;
        p++;
        break;
      default:
        return assertNever(atom);
    }
  }
  return p;
}

/** The end of the leftmost match of the segment in the folded text at or after `from`, else -1. */
function searchFolded(seg: FoldedSegment, f: string, from: number): number {
  if (seg.head !== '') {
    // Candidates are the occurrences of the leading literal (always at code point boundaries:
    // it holds no lone surrogate).
    for (let i = f.indexOf(seg.head, from); i >= 0; i = f.indexOf(seg.head, i + 1)) {
      const end = matchFoldedAt(seg, f, i);
      if (end >= 0) return end;
    }
    return -1;
  }
  for (let i = from; i < f.length; i = nextPoint(f, i)) {
    const end = matchFoldedAt(seg, f, i);
    if (end >= 0) return end;
  }
  return -1;
}

function regexSegment(tokens: readonly PatternToken[], flags: string): RegexSegment {
  // One regex source per ATOMS_PER_REGEX atoms (a literal's code points, `?`, a dash class).
  const sources: string[] = [];
  let src = '';
  let atoms = 0;
  let points = 0;
  const add = (atom: string): void => {
    if (atoms === ATOMS_PER_REGEX) {
      sources.push(src);
      src = '';
      atoms = 0;
    }
    src += atom;
    atoms++;
    points++;
  };
  for (const t of tokens) {
    switch (t.t) {
      case 'lit':
        for (const ch of t.s) add(escapeRegex(ch));
        break;
      case 'one':
        add('[\\s\\S]');
        break;
      case 'dash':
        add(DASH_CLASS);
        break;
      case 'any':
      case 'ph':
        throw new Error('a segment holds no * and no placeholder');
      default:
        return assertNever(t);
    }
  }
  sources.push(src);
  return new RegexSegment(sources, flags, points);
}

/** The linear-time whole-value matcher of a pattern (§5.2), `cased` or case-insensitive. */
export function compileWildcard(p: Pattern, cased: boolean): WildcardMatcher {
  return new WildcardMatcher(p, cased, `^(?:${patternSource(p)})$`);
}
