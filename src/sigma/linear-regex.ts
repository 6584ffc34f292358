/**
 * A linear-time matcher for the `|re` patterns V8's own linear-time engine refuses only for their
 * size: bounded repeats beyond its replication limit (`.{2,128}`, `[^\\]{1,256}`, `(a|aa){16,}`),
 * which its backtracking engine would otherwise run without any bound. 22 SigmaHQ patterns are of
 * that kind.
 *
 * The pattern is parsed (JavaScript syntax without the `u` flag, Annex B included, as V8 reads a
 * `|re` value) into a tree, compiled into a Thompson automaton (bounded repeats copied out) and run
 * by simulating every state at once over the text (a Pike VM without captures): each character is
 * read once per state, so a test costs O(text × automaton) whatever the pattern, with no
 * backtracking. `test` answers "is there a match anywhere", all a rule needs: greedy and lazy
 * quantifiers, and capturing groups, make no difference to that.
 *
 * Exactness: the automaton decides where characters are consumed; whether one character fits an
 * atom (a literal, a class, `.`, `\d`, `\w`, `\s`...) is asked of V8 itself, with a one-character
 * regex of that atom under the pattern's `i` and `s` flags, memoised per code unit. So case
 * folding, class syntax and Annex B quirks are V8's. Anything outside the subset below makes
 * {@link parseLinearRegex} return undefined (the caller then keeps V8): back-references, look-
 * arounds, escapes of letters other than `d D w W s S b B f n r t v`, `\xHH`, `\uHHHH` and `\cX`,
 * digit escapes other than `\0`, and automata larger than {@link MAX_STATES}.
 */

/** A node of the parsed pattern. */
export type RegexNode =
  | { t: 'alt'; alts: RegexNode[] }
  | { t: 'seq'; items: RegexNode[] }
  /** One code unit that the V8 source `src` (a literal, class, `.` or class escape) accepts. */
  | { t: 'char'; src: string }
  | { t: 'rep'; body: RegexNode; min: number; max: number }
  | { t: 'bol' }
  | { t: 'eol' }
  | { t: 'word'; negate: boolean }
  /** Only from {@link parseRegexForAnalysis}: a look-around and a back-reference. */
  | { t: 'look'; body: RegexNode }
  | { t: 'backref' };

/** The largest automaton simulated (states after bounded repeats are copied out). */
export const MAX_STATES = 200_000;

/** Nesting of groups the parser follows (deeper patterns stay with V8). */
const MAX_GROUP_DEPTH = 100;

const SYNTAX = '^$\\.*+?()[]{}|/';
/** A `{n}`, `{n,}` or `{n,m}` quantifier at `lastIndex` (any other `{` is a literal, as in Annex B). */
const QUANTIFIER = /\{(\d+)(,(\d*))?\}/y;

/**
 * Parses a regex source (no `u` flag) into a tree; undefined when the pattern uses anything
 * outside the subset (see the module comment). The source must already be valid for V8.
 */
export function parseLinearRegex(src: string): RegexNode | undefined {
  return parse(src, false);
}

/**
 * Parses any valid regex source (no `u` flag) for {@link backtrackingPaths}: as
 * {@link parseLinearRegex}, with look-arounds, back-references and other escapes read too.
 * Undefined only for nesting beyond the parser's depth.
 */
export function parseRegexForAnalysis(src: string): RegexNode | undefined {
  return parse(src, true);
}

interface Frame {
  alts: RegexNode[];
  seq: RegexNode[];
  look: boolean;
}

function parse(src: string, analysis: boolean): RegexNode | undefined {
  // Each open group: its alternatives so far and its current sequence.
  const stack: Frame[] = [{ alts: [], seq: [], look: false }];
  const top = (): Frame => stack[stack.length - 1] as Frame;
  const close = (g: Frame): RegexNode => {
    const alts = [...g.alts, { t: 'seq', items: g.seq } as RegexNode];
    const body: RegexNode = alts.length === 1 ? (alts[0] as RegexNode) : { t: 'alt', alts };
    return g.look ? { t: 'look', body } : body;
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    const g = top();
    if (c === '|') {
      g.alts.push({ t: 'seq', items: g.seq });
      g.seq = [];
      i++;
      continue;
    }
    if (c === '(') {
      let look = false;
      if (src[i + 1] === '?') {
        if (src[i + 2] === ':') i += 3;
        else if (src[i + 2] === '<' && /[A-Za-z_$]/.test(src[i + 3] ?? '')) {
          const end = src.indexOf('>', i);
          if (end < 0) return undefined;
          i = end + 1;
        } else if (analysis && (src[i + 2] === '=' || src[i + 2] === '!')) {
          look = true;
          i += 3;
        } else if (analysis && src[i + 2] === '<' && (src[i + 3] === '=' || src[i + 3] === '!')) {
          look = true;
          i += 4;
        } else return undefined; // look-arounds
      } else i++;
      if (stack.length > MAX_GROUP_DEPTH) return undefined;
      stack.push({ alts: [], seq: [], look });
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) return undefined;
      stack.pop();
      top().seq.push(close(g));
      i++;
      continue;
    }
    QUANTIFIER.lastIndex = i;
    const braces = c === '{' ? QUANTIFIER.exec(src) : null;
    if (c === '*' || c === '+' || c === '?' || braces !== null) {
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else {
        const m = braces as RegExpExecArray;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        i += m[0].length - 1;
      }
      i++;
      if (src[i] === '?') i++; // lazy: the same set of matches
      const last = g.seq.pop();
      if (last === undefined || last.t === 'bol' || last.t === 'eol' || last.t === 'word' || last.t === 'rep') return undefined;
      if (last.t === 'look' && !analysis) return undefined;
      if (!Number.isSafeInteger(min) || min > MAX_STATES || (max !== Infinity && (!Number.isSafeInteger(max) || max > MAX_STATES))) return undefined;
      g.seq.push({ t: 'rep', body: last, min, max });
      continue;
    }
    if (c === '^') {
      g.seq.push({ t: 'bol' });
      i++;
      continue;
    }
    if (c === '$') {
      g.seq.push({ t: 'eol' });
      i++;
      continue;
    }
    if (c === '.') {
      g.seq.push({ t: 'char', src: '.' });
      i++;
      continue;
    }
    if (c === '[') {
      const end = classEnd(src, i);
      if (end < 0) return undefined;
      g.seq.push({ t: 'char', src: src.slice(i, end + 1) });
      i = end + 1;
      continue;
    }
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) return undefined;
      if (n === 'b' || n === 'B') {
        g.seq.push({ t: 'word', negate: n === 'B' });
        i += 2;
        continue;
      }
      if ('dDwWsSfnrtv'.includes(n)) {
        g.seq.push({ t: 'char', src: `\\${n}` });
        i += 2;
        continue;
      }
      if (n === 'x' || n === 'u') {
        const k = n === 'x' ? 2 : 4;
        const hex = src.slice(i + 2, i + 2 + k);
        if (hex.length !== k || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
        g.seq.push({ t: 'char', src: src.slice(i, i + 2 + k) });
        i += 2 + k;
        continue;
      }
      if (n === 'c') {
        if (!/[A-Za-z]/.test(src[i + 2] ?? '')) return undefined;
        g.seq.push({ t: 'char', src: src.slice(i, i + 3) });
        i += 3;
        continue;
      }
      if (n === '0' && !/[0-9]/.test(src[i + 2] ?? '')) {
        g.seq.push({ t: 'char', src: '\\0' });
        i += 2;
        continue;
      }
      if (/[A-Za-z0-9]/.test(n)) {
        if (!analysis) return undefined; // back-references, \k, \p, Annex B letter escapes
        // For the analysis: a back-reference matches a variable text without choices; any other
        // escape one character (or a few, `\101`: still no choice).
        if (/[1-9]/.test(n) || (n === 'k' && src[i + 2] === '<')) {
          let j = i + 2;
          if (n === 'k') j = src.indexOf('>', i) + 1 || src.length;
          else while (/[0-9]/.test(src[j] ?? '')) j++;
          g.seq.push({ t: 'backref' });
          i = j;
        } else {
          g.seq.push({ t: 'char', src: `\\${n}` });
          i += 2;
        }
        continue;
      }
      // An escaped surrogate half is still one code unit; anything else escaped stands for itself.
      g.seq.push({ t: 'char', src: `\\${n}` });
      i += 2;
      continue;
    }
    // A literal code unit (`]`, `{` and `}` are literals here, as in Annex B).
    g.seq.push({ t: 'char', src: SYNTAX.includes(c) ? `\\${c}` : c });
    i++;
  }
  if (stack.length !== 1) return undefined;
  return close(top());
}

/** The index of the `]` closing the class opened at `i` (JavaScript reading: `[]`, `[^]`). */
function classEnd(src: string, i: number): number {
  let j = i + 1;
  if (src[j] === '^') j++;
  while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
  return j < src.length ? j : -1;
}

// Instructions of the automaton.
const CHAR = 0;
const SPLIT = 1;
const JMP = 2;
const BOL = 3;
const EOL = 4;
const WORD = 5;
const NOT_WORD = 6;
const MATCH = 7;

/** Which code units one atom accepts: asked of V8 once per code unit (a table for ASCII, a map beyond). */
class CharTest {
  private readonly ascii = new Uint8Array(128);
  private readonly other = new Map<number, boolean>();
  private readonly re: RegExp;
  constructor(src: string, flags: string) {
    this.re = new RegExp(`^(?:${src})$`, flags);
  }
  test(c: number): boolean {
    if (c < 128) {
      let k = this.ascii[c] as number;
      if (k === 0) {
        k = this.re.test(String.fromCharCode(c)) ? 1 : 2;
        this.ascii[c] = k;
      }
      return k === 1;
    }
    let k = this.other.get(c);
    if (k === undefined) {
      k = this.re.test(String.fromCharCode(c));
      if (this.other.size >= 4096) this.other.clear();
      this.other.set(c, k);
    }
    return k;
  }
}

function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

function isWordChar(c: number): boolean {
  // Without the `u` flag, \w and \b use [A-Za-z0-9_] only, with or without `i`.
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Too many states: thrown while compiling, caught by {@link LinearRegex.compile}. */
class TooLarge {}

/**
 * A compiled linear-time regex: `test(text)` is true when the pattern matches somewhere in the
 * text, as `new RegExp(source, flags).test(text)` would answer.
 */
export class LinearRegex {
  private readonly op: number[] = [];
  private readonly a: number[] = [];
  private readonly b: number[] = [];
  private readonly chars: Array<CharTest | undefined> = [];
  private start = 0;
  private readonly multiline: boolean;
  // Per-test scratch: sparse sets of state lists.
  private cur: Int32Array = new Int32Array(0);
  private next: Int32Array = new Int32Array(0);
  private seen: Int32Array = new Int32Array(0);
  private stack: Int32Array = new Int32Array(0);
  private work: Int32Array = new Int32Array(0);
  private gen = 0;
  /**
   * The pattern is one atom repeated (`.{1000,}`, `(.){200,}`, `[^\\]{2,}` with no anchor): it
   * matches where `min` consecutive code units fit the atom (a longer run holds a match of
   * exactly `min`, within any `max` ≥ `min`), so a test counts the longest run instead of
   * simulating `min` states per character (`.{1000,}` over a 4 KB command line: 4 million steps).
   */
  private run: { char: CharTest; min: number } | undefined = undefined;

  /**
   * The atoms a match can begin with (the CHAR states the start reaches by empty moves, every
   * assertion taken as holding), with an ASCII table of their union; undefined when a match can
   * be empty. Where no thread is under way, positions whose character none of them accepts are
   * skipped without simulating anything: no match starts there (SigmaHQ's `\\[a-zA-Z0-9]{1,32}\.…`
   * begins only at backslashes).
   */
  private first: { ascii: Uint8Array; tests: CharTest[] } | undefined = undefined;

  private constructor(flags: string) {
    this.multiline = flags.includes('m');
  }

  /** Compiles a parsed pattern; undefined when the automaton would exceed {@link MAX_STATES}. */
  static compile(tree: RegexNode, flags: string): LinearRegex | undefined {
    const r = new LinearRegex(flags);
    const charFlags = `${flags.includes('i') ? 'i' : ''}${flags.includes('s') ? 's' : ''}`;
    const tests = new Map<string, CharTest>();
    const charTest = (src: string): CharTest => {
      let t = tests.get(src);
      if (t === undefined) tests.set(src, (t = new CharTest(src, charFlags)));
      return t;
    };
    try {
      const matchAt = r.emit(MATCH, -1, -1);
      r.start = r.build(tree, matchAt, charTest);
    } catch (e) {
      if (e instanceof TooLarge) return undefined;
      throw e;
    }
    r.first = r.firstChars();
    const single = singleRepeat(tree);
    if (single !== undefined) r.run = { char: charTest(single.src), min: single.min };
    const n = r.op.length;
    r.cur = new Int32Array(n);
    r.next = new Int32Array(n);
    r.seen = new Int32Array(n);
    r.stack = new Int32Array(n);
    // Each state enters the work stack at most once from `cur`, once as the start and twice per
    // split it is reached from: 3n + 1 bounds the pushes of one closure.
    r.work = new Int32Array(3 * n + 2);
    return r;
  }

  /** Number of states of the automaton. */
  get size(): number {
    return this.op.length;
  }

  private emit(op: number, a: number, b: number, char?: CharTest): number {
    if (this.op.length >= MAX_STATES) throw new TooLarge();
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    this.chars.push(char);
    return this.op.length - 1;
  }

  /**
   * Emits the automaton of `n` followed by the state `next`; returns its entry state. Built back
   * to front, so every state knows its successors when it is made. Sequences and repeats are
   * loops, not recursion; only group nesting recurses (bounded by the parser).
   */
  private build(n: RegexNode, next: number, charTest: (src: string) => CharTest): number {
    switch (n.t) {
      case 'char':
        return this.emit(CHAR, next, -1, charTest(n.src));
      case 'bol':
        return this.emit(BOL, next, -1);
      case 'eol':
        return this.emit(EOL, next, -1);
      case 'word':
        return this.emit(n.negate ? NOT_WORD : WORD, next, -1);
      case 'seq': {
        let at = next;
        for (let k = n.items.length - 1; k >= 0; k--) at = this.build(n.items[k] as RegexNode, at, charTest);
        return at;
      }
      case 'alt': {
        // A chain of splits: alt0 | (alt1 | (alt2 ...)).
        let at = this.build(n.alts[n.alts.length - 1] as RegexNode, next, charTest);
        for (let k = n.alts.length - 2; k >= 0; k--) at = this.emit(SPLIT, this.build(n.alts[k] as RegexNode, next, charTest), at);
        return at;
      }
      case 'rep': {
        let at = next;
        if (n.max === Infinity) {
          // A loop: the split either enters the body (which comes back to it) or leaves.
          const loop = this.emit(SPLIT, -1, next);
          const body = this.build(n.body, loop, charTest);
          this.a[loop] = body;
          at = loop;
        } else {
          // max − min optional copies, each one able to skip the rest.
          for (let k = 0; k < n.max - n.min; k++) at = this.emit(SPLIT, this.build(n.body, at, charTest), next);
        }
        for (let k = 0; k < n.min; k++) at = this.build(n.body, at, charTest);
        return at;
      }
      case 'look':
      case 'backref':
        throw new TooLarge(); // never built: only the analysis parser makes these
      default:
        throw new Error('unknown regex node');
    }
  }

  /** See {@link first}: the atoms the start state reaches, every assertion taken as holding. */
  private firstChars(): { ascii: Uint8Array; tests: CharTest[] } | undefined {
    const tests = new Set<CharTest>();
    const seen = new Set<number>();
    const work = [this.start];
    while (work.length > 0) {
      const s = work.pop() as number;
      if (seen.has(s)) continue;
      seen.add(s);
      const op = this.op[s];
      if (op === MATCH) return undefined;
      if (op === CHAR) tests.add(this.chars[s] as CharTest);
      else if (op === SPLIT) work.push(this.a[s] as number, this.b[s] as number);
      else work.push(this.a[s] as number); // JMP and the assertions
    }
    const list = [...tests];
    const ascii = new Uint8Array(128);
    for (let c = 0; c < 128; c++) if (list.some((t) => t.test(c))) ascii[c] = 1;
    return { ascii, tests: list };
  }

  /** Can a match begin with this code unit (see {@link first})? */
  private mayBegin(c: number): boolean {
    const first = this.first as { ascii: Uint8Array; tests: CharTest[] };
    if (c < 128) return first.ascii[c] === 1;
    for (const t of first.tests) if (t.test(c)) return true;
    return false;
  }

  /** Is there a match anywhere in the text? */
  test(text: string): boolean {
    const run = this.run;
    if (run !== undefined) return longestRunReaches(text, run.char, run.min);
    const n = text.length;
    if (this.gen > 0x3fffffff - n) {
      this.seen.fill(0);
      this.gen = 0;
    }
    let cur = this.cur;
    let next = this.next;
    let curLen = 0;
    const skips = this.first !== undefined;
    for (let i = 0; i <= n; i++) {
      // Nothing under way: on to the next character a match can begin with (none: no match).
      if (skips && curLen === 0) {
        while (i < n && !this.mayBegin(text.charCodeAt(i))) i++;
        if (i === n) break;
      }
      // The search may start here too (an unanchored pattern).
      const gen = ++this.gen;
      let nextLen = 0;
      // States reached by characters at the previous step are in `cur`; close them over the
      // empty moves at position i, with the start state.
      const closed = this.closure(cur, curLen, i, text, gen);
      if (closed < 0) return true;
      if (i === n) break;
      const c = text.charCodeAt(i);
      const list = this.stack;
      for (let k = 0; k < closed; k++) {
        const s = list[k] as number;
        if (this.op[s] === CHAR && (this.chars[s] as CharTest).test(c)) next[nextLen++] = this.a[s] as number;
      }
      const t = cur;
      cur = next;
      next = t;
      curLen = nextLen;
    }
    this.cur = cur;
    this.next = next;
    return false;
  }

  /**
   * The states reachable from `cur` (and the start state) by empty moves at position `i`: the
   * CHAR states among them are left in `this.stack[0 .. returned count)`. -1 when MATCH is reached.
   */
  private closure(cur: Int32Array, curLen: number, i: number, text: string, gen: number): number {
    const seen = this.seen;
    const work = this.work;
    const out = this.stack;
    let w = 0;
    let o = 0;
    // The start state last: states already under way come first (the order does not matter for test).
    work[w++] = this.start;
    for (let k = curLen - 1; k >= 0; k--) work[w++] = cur[k] as number;
    const multiline = this.multiline;
    while (w > 0) {
      const s = work[--w] as number;
      if (seen[s] === gen) continue;
      seen[s] = gen;
      switch (this.op[s]) {
        case CHAR:
          out[o++] = s;
          break;
        case MATCH:
          return -1;
        case SPLIT:
          work[w++] = this.b[s] as number;
          work[w++] = this.a[s] as number;
          break;
        case JMP:
          work[w++] = this.a[s] as number;
          break;
        case BOL:
          if (i === 0 || (multiline && isLineTerminator(text.charCodeAt(i - 1)))) work[w++] = this.a[s] as number;
          break;
        case EOL:
          if (i === text.length || (multiline && isLineTerminator(text.charCodeAt(i)))) work[w++] = this.a[s] as number;
          break;
        case WORD:
        case NOT_WORD: {
          const before = i > 0 && isWordChar(text.charCodeAt(i - 1));
          const after = i < text.length && isWordChar(text.charCodeAt(i));
          if ((before !== after) === (this.op[s] === WORD)) work[w++] = this.a[s] as number;
          break;
        }
        default:
          throw new Error('unknown regex state');
      }
    }
    return o;
  }
}

/** Does `text` hold `min` consecutive code units that `char` accepts? */
function longestRunReaches(text: string, char: CharTest, min: number): boolean {
  if (min === 0) return true;
  if (text.length < min) return false;
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    if (!char.test(text.charCodeAt(i))) length = 0;
    else if (++length >= min) return true;
  }
  return false;
}

/**
 * The atom and the minimum of a pattern that is one atom under one quantifier, with nothing
 * else but groups around them (`x{3,}`, `(?:.){5,9}`, `((a))*`); undefined for anything else.
 */
function singleRepeat(tree: RegexNode): { src: string; min: number } | undefined {
  const unwrap = (n: RegexNode): RegexNode => {
    let x = n;
    while (x.t === 'seq' && x.items.length === 1) x = x.items[0] as RegexNode;
    return x;
  };
  const top = unwrap(tree);
  if (top.t !== 'rep' || top.max < top.min) return undefined;
  const body = unwrap(top.body);
  return body.t === 'char' ? { src: body.src, min: top.min } : undefined;
}

/** Parses and compiles a `|re` source with flags (`i`, `m`, `s`); undefined outside the subset or the size limit. */
export function compileLinearRegex(src: string, flags: string): LinearRegex | undefined {
  const tree = parseLinearRegex(src);
  return tree === undefined ? undefined : LinearRegex.compile(tree, flags);
}

/**
 * An upper bound on the number of ways V8's backtracking engine can try to match the pattern from
 * one position (a sequence multiplies, alternatives add, a repeat {min,max} sums the powers of its
 * body from min to max, a look-around runs its body): finite for patterns without unbounded
 * repetition, whose time is then linear in the text (at most this many paths, each no longer
 * than the pattern's longest match, from each position). Infinity when some repeat is unbounded
 * (`x*` inside a look-ahead, `(\w+)\s\1`: quadratic or worse on some texts).
 */
export function backtrackingPaths(n: RegexNode): number {
  const cap = (x: number): number => (x > 1e15 ? Infinity : x);
  switch (n.t) {
    case 'char':
    case 'bol':
    case 'eol':
    case 'word':
    case 'backref':
      return 1;
    case 'look':
      return backtrackingPaths(n.body);
    case 'seq': {
      let p = 1;
      for (const x of n.items) p = cap(p * backtrackingPaths(x));
      return p;
    }
    case 'alt': {
      let p = 0;
      for (const x of n.alts) p = cap(p + backtrackingPaths(x));
      return p;
    }
    case 'rep': {
      if (n.max === Infinity) return Infinity;
      const b = backtrackingPaths(n.body);
      if (b === 1) return n.max - n.min + 1;
      let total = 0;
      let power = b ** n.min;
      for (let k = n.min; k <= n.max && total !== Infinity; k++) {
        total = cap(total + power);
        power = cap(power * b);
      }
      return cap(total);
    }
    default:
      throw new Error('unknown regex node');
  }
}
