/**
 * `re` values (§7.7): a leading inline flag group becomes flags, PCRE-only constructs are
 * rejected instead of being silently misread by JavaScript, and patterns with nested unbounded
 * quantifiers (the shape of exponential backtracking, `(a+)+`) are found at load time.
 *
 * Such a pattern cannot hang a run: `enableRegexBacktrackingGuard()` tells V8 to fall back to its
 * linear-time engine after a bounded number of backtracks. {@link compileSigmaRegex} turns it on
 * itself before compiling anything, so the guarantee holds whatever the entry point (CLI, library,
 * vitest route, scan worker): a rule gets the same verdict everywhere. That engine does not take the `i` flag, so a risky pattern's
 * case-insensitivity is rewritten into explicit two-case classes; a risky pattern that the
 * linear engine cannot run (back-references, look-arounds) is rejected as catastrophic.
 */
import { setFlagsFromString } from 'node:v8';

let guardEnabled = false;

/**
 * Makes V8 bound regex backtracking (process-wide; affects regexes compiled afterwards).
 * Idempotent; called by {@link compileSigmaRegex} before every compilation.
 */
export function enableRegexBacktrackingGuard(): void {
  if (guardEnabled) return;
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  // Lets us ask V8 (the `l` flag) whether a pattern can run on the linear-time engine at all.
  setFlagsFromString('--enable-experimental-regexp-engine');
  setFlagsFromString('--regexp-backtracks-before-fallback=20000');
  guardEnabled = true;
}

export interface SigmaRegex {
  regex: RegExp;
  /** The pattern as the rule wrote it. */
  source: string;
  /** Set when the pattern has the shape of catastrophic backtracking (evaluation is bounded). */
  risk?: string;
}

const INLINE_FLAGS = /^\(\?([imsx]+)\)/;

/** Finds PCRE-only syntax outside character classes; returns a description or undefined. */
function pcreOnly(src: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (!inClass && (n === 'A' || n === 'Z' || n === 'z')) return `\\${n} (a PCRE anchor; use ^ or $)`;
      if (!inClass && (n === 'Q' || n === 'E')) return `\\${n} (PCRE quoting)`;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (src[i + 1] === '^') i++;
      if (src[i + 1] === ']') i++;
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2);
      if (rest.startsWith('P<') || rest.startsWith('P=') || rest.startsWith('P>')) return '(?P...) (a Python/PCRE named group; use (?<name>...))';
      if (rest.startsWith('>')) return '(?>...) (an atomic group)';
      if (/^[imsx-]+[:)]/.test(rest)) return 'an inline flag group after the start of the pattern (put it first, or use the i/m/s modifiers)';
      if (rest.startsWith('#')) return '(?#...) (a PCRE comment)';
    }
    if ((c === '*' || c === '+' || c === '?' || c === '}') && src[i + 1] === '+') {
      return `${c}+ (a possessive quantifier)`;
    }
  }
  return undefined;
}

/**
 * Nested unbounded quantifiers: a group repeated by `*`, `+` or `{n,}` whose body itself holds an
 * unbounded quantifier. This is the star-height-2 shape behind exponential backtracking.
 */
export function backtrackingRisk(src: string): string | undefined {
  // Stack of groups: does the group's body hold an unbounded quantifier?
  const stack: { unbounded: boolean; start: number }[] = [{ unbounded: false, start: 0 }];
  const top = (): { unbounded: boolean } => stack[stack.length - 1] as { unbounded: boolean };
  let inClass = false;
  const quantAt = (i: number): { unbounded: boolean; max: number; len: number } | undefined => {
    const c = src[i];
    if (c === '*' || c === '+') return { unbounded: true, max: Infinity, len: 1 };
    if (c === '?') return { unbounded: false, max: 1, len: 1 };
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (m) {
        const unbounded = m[2] !== undefined && m[3] === '';
        const max = unbounded ? Infinity : Number(m[3] ?? m[1]);
        return { unbounded, max, len: m[0].length };
      }
    }
    return undefined;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      if (quantAt(i + 1)?.unbounded) top().unbounded = true;
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        if (quantAt(i + 1)?.unbounded) top().unbounded = true;
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (src[i + 1] === '^') i++;
      if (src[i + 1] === ']') i++;
      continue;
    }
    if (c === '(') {
      stack.push({ unbounded: false, start: i });
      continue;
    }
    if (c === ')') {
      const g = stack.pop();
      if (g === undefined || stack.length === 0) return undefined; // unbalanced: RegExp reports it
      const q = quantAt(i + 1);
      const text = (): string => src.slice(g.start, i + 1 + (q?.len ?? 0));
      if (q !== undefined && g.unbounded && (q.unbounded || q.max >= 10)) {
        return `the group '${text()}' repeats an expression that is itself repeated without bound (catastrophic backtracking)`;
      }
      if (g.unbounded || q?.unbounded) top().unbounded = true;
      continue;
    }
    if (quantAt(i + 1)?.unbounded) top().unbounded = true;
  }
  return undefined;
}

const CLASS_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'b', 'B', 'n', 'r', 't', 'f', 'v', '0']);

/**
 * Rewrites ASCII letters into two-case forms so a pattern needs no `i` flag. Returns undefined
 * when it cannot do so exactly (hex/unicode/control escapes, letter escapes, ranges that span
 * letters, non-ASCII letters): the caller then keeps the `i` flag.
 */
export function explicitCase(src: string): string | undefined {
  if (/[^\x00-\x7f]/.test(src)) return undefined;
  const other = (x: string): string => (x === x.toLowerCase() ? x.toUpperCase() : x.toLowerCase());
  const isLetter = (x: string): boolean => /^[A-Za-z]$/.test(x);
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      if (isLetter(n) && !CLASS_ESCAPES.has(n)) {
        // \k<name> outside a class is a named back-reference; everything else is too subtle.
        if (n === 'k' && !inClass && src[i + 2] === '<') {
          const end = src.indexOf('>', i);
          out += src.slice(i, end + 1);
          i = end;
          continue;
        }
        return undefined;
      }
      if (/[1-9]/.test(n)) return undefined; // a back-reference would compare case-sensitively
      out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        out += c;
        continue;
      }
      if (src[i + 1] === '-' && src[i + 2] !== undefined && src[i + 2] !== ']') {
        const a = c;
        const b = src[i + 2] as string;
        if (b === '\\') return undefined;
        if (isLetter(a) && isLetter(b) && (a === a.toLowerCase()) === (b === b.toLowerCase())) {
          out += `${a}-${b}${other(a)}-${other(b)}`;
        } else {
          // A range that is not letter-to-letter of one case must not contain letters.
          const lo = a.charCodeAt(0);
          const hi = b.charCodeAt(0);
          if ((lo <= 0x7a && hi >= 0x61) || (lo <= 0x5a && hi >= 0x41)) return undefined;
          out += `${a}-${b}`;
        }
        i += 2;
        continue;
      }
      out += isLetter(c) ? c + other(c) : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      continue;
    }
    if (c === '(' && src[i + 1] === '?' && src[i + 2] === '<' && /[A-Za-z]/.test(src[i + 3] ?? '')) {
      const end = src.indexOf('>', i);
      out += src.slice(i, end + 1);
      i = end;
      continue;
    }
    if (c === '{') {
      const m = /^\{\d+(,\d*)?\}/.exec(src.slice(i));
      if (m) {
        out += m[0];
        i += m[0].length - 1;
        continue;
      }
    }
    out += isLetter(c) ? `[${c}${other(c)}]` : c;
  }
  return out;
}

/** Can V8's linear-time engine run this pattern (so the backtracking fallback applies)? */
function linearCapable(src: string, flags: string): boolean {
  try {
    new RegExp(src, `${flags}l`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles a Sigma `re` value with the given modifier flags (`i`, `m`, `s`).
 *
 * Whenever the linear-time engine can run the pattern, the regex is compiled in that form
 * (case-insensitivity spelled out as two-case classes, since that engine refuses `i`), so V8's
 * backtracking fallback bounds it. A pattern with the shape of catastrophic backtracking that the
 * linear engine cannot run is rejected.
 */
export function compileSigmaRegex(
  source: string,
  flags: { i: boolean; m: boolean; s: boolean },
): SigmaRegex | { code: 'REGEX_INVALID' | 'REGEX_CATASTROPHIC'; message: string } {
  enableRegexBacktrackingGuard();
  let src = source;
  let { i, m, s } = flags;
  const inline = INLINE_FLAGS.exec(src);
  if (inline) {
    const f = inline[1] as string;
    if (f.includes('x')) return { code: 'REGEX_INVALID', message: `the inline flag (?x) (extended mode) is not supported` };
    i ||= f.includes('i');
    m ||= f.includes('m');
    s ||= f.includes('s');
    src = src.slice(inline[0].length);
  }
  const pcre = pcreOnly(src);
  if (pcre !== undefined) return { code: 'REGEX_INVALID', message: `the regular expression uses ${pcre}, which JavaScript would misread` };
  const flagText = `${m ? 'm' : ''}${s ? 's' : ''}`;
  let regex: RegExp;
  try {
    regex = new RegExp(src, `${i ? 'i' : ''}${flagText}`);
  } catch (e) {
    return { code: 'REGEX_INVALID', message: `invalid regular expression: ${(e as Error).message}` };
  }
  const guarded = i ? explicitCase(src) : src;
  const bounded = guarded !== undefined && linearCapable(guarded, flagText);
  const risk = backtrackingRisk(src);
  if (bounded) regex = new RegExp(guarded, flagText);
  else if (risk !== undefined) {
    return {
      code: 'REGEX_CATASTROPHIC',
      message: `${risk}, and its evaluation cannot be bounded (the pattern uses back-references, look-arounds, large bounded repeats or escapes the linear-time engine does not run)`,
    };
  }
  const out: SigmaRegex = { regex, source };
  if (risk !== undefined) out.risk = risk;
  return out;
}

/**
 * The escape at `i` (a backslash) of a regex source read without the `u` flag, as JavaScript
 * reads it: how many source characters it spans, and how many text characters it consumes at
 * least (`\x41` spans 4 and consumes 1; a back-reference or boundary consumes 0; so does
 * anything whose reading is in doubt, which keeps {@link regexMinLength} a lower bound).
 */
export function regexEscape(src: string, i: number): { span: number; units: number } {
  const n = src[i + 1] ?? '';
  const hex = (k: number): boolean => /^[0-9a-fA-F]+$/.test(src.slice(i + 2, i + 2 + k)) && src.length >= i + 2 + k;
  if (n === 'x') return hex(2) ? { span: 4, units: 1 } : { span: 2, units: 1 };
  if (n === 'u') return hex(4) ? { span: 6, units: 1 } : { span: 2, units: 0 };
  if (n === 'c') return /[A-Za-z]/.test(src[i + 2] ?? '') ? { span: 3, units: 1 } : { span: 2, units: 0 };
  if (/[0-9]/.test(n)) {
    // A back-reference or a legacy octal escape: all its digits, at least nothing.
    let j = i + 1;
    while (/[0-9]/.test(src[j] ?? '')) j++;
    return { span: j - i, units: 0 };
  }
  if (n === 'k') {
    const end = src[i + 2] === '<' ? src.indexOf('>', i + 3) : -1;
    return { span: end > 0 ? end - i + 1 : 2, units: 0 };
  }
  if (n === 'b' || n === 'B' || n === '') return { span: 2, units: 0 };
  return { span: 2, units: 1 };
}

/**
 * Where the character class opened at `i` ends (the index of its `]`), read as JavaScript does:
 * `[]` is an empty class and `[^]` any character, both ending at once. -1 when it never ends.
 */
export function regexClassEnd(src: string, i: number): number {
  let j = i + 1;
  if (src[j] === '^') j++;
  while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
  return j < src.length ? j : -1;
}

/**
 * A lower bound on the length (UTF-16 code units) of any text a Sigma `re` value matches, read
 * conservatively from its source (after placeholder expansion): every character, class or `.`
 * consumes one unit, escapes as {@link regexEscape} says; quantifiers multiply by their minimum;
 * groups, anchors, boundaries and back-references count nothing; top-level alternatives take the
 * smallest bound. Compiled matchers skip the regex for shorter texts (`.{1000,}` on a
 * 90-character command line).
 */
export function regexMinLength(source: string): number {
  const src = source.replace(INLINE_FLAGS, '');
  let best = Infinity;
  let total = 0;
  /** The minimum count of the quantifier at `i` (1 when there is none) and where it ends. */
  const quantifier = (i: number): [number, number] => {
    const q = src[i];
    let min = 1;
    let end = i;
    if (q === '*' || q === '?') [min, end] = [0, i + 1];
    else if (q === '+') end = i + 1;
    else if (q === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(src.slice(i));
      if (m) [min, end] = [Number(m[1]), i + m[0].length];
    }
    if (end > i && src[end] === '?') end++; // lazy
    return [min, end];
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    let units = 1;
    let next = i + 1;
    if (c === '|') {
      best = Math.min(best, total);
      total = 0;
      i++;
      continue;
    } else if (c === '^' || c === '$') {
      units = 0;
    } else if (c === '\\') {
      const e = regexEscape(src, i);
      units = e.units;
      next = i + e.span;
    } else if (c === '[') {
      const end = regexClassEnd(src, i);
      if (end < 0) return 0;
      next = end + 1;
    } else if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < src.length; j++) {
        const d = src[j];
        if (d === '\\') j++;
        else if (d === '[') {
          j = regexClassEnd(src, j);
          if (j < 0) return 0;
        } else if (d === '(') depth++;
        else if (d === ')' && --depth === 0) break;
      }
      if (j >= src.length) return 0;
      units = 0;
      next = j + 1;
    }
    const [min, end] = quantifier(next);
    total += units * min;
    i = Math.max(end, next);
  }
  return Math.min(best, total);
}

/**
 * Literal strings every text a regex matches holds, in this order and without overlapping, read
 * conservatively from the regex as it runs (its `source` and `flags`): the runs of plain
 * characters and escaped punctuation at the top level, a character under a quantifier that
 * allows none left out, and everything else (classes, `.`, groups, look-arounds, other escapes,
 * anchors, braces) ending a run. With the `i` flag only characters without case count. A
 * top-level alternative means nothing is required (empty list). Testing these with `indexOf`
 * first decides most texts in linear time, before a pattern that backtracks over long texts
 * (`\w+`x`…`, `\+.*\+.*…`) runs at all; the regex still decides every text that holds them.
 */
export function regexRequiredLiterals(source: string, flags: string): string[] {
  const caseless = flags.includes('i');
  const out: string[] = [];
  let run = '';
  const end = (): void => {
    if (run.length > 0) out.push(run);
    run = '';
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    let lit: string | undefined;
    let next = i + 1;
    if (c === '|') return [];
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      const e = regexEscape(source, i);
      next = i + e.span;
      if (n !== '' && /[^A-Za-z0-9]/.test(n) && e.span === 2) lit = n;
    } else if (c === '[') {
      const close = regexClassEnd(source, i);
      if (close < 0) return [];
      next = close + 1;
    } else if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < source.length; j++) {
        const d = source[j];
        if (d === '\\') j++;
        else if (d === '[') {
          j = regexClassEnd(source, j);
          if (j < 0) return [];
        } else if (d === '|' && depth === 0) return [];
        else if (d === '(') depth++;
        else if (d === ')' && --depth === 0) break;
      }
      if (j >= source.length) return [];
      next = j + 1;
    } else if (!'.^$?*+{}]'.includes(c)) lit = c;
    // A surrogate half or a character with case under `i` is not taken as it is written.
    if (lit !== undefined && (/[\ud800-\udfff]/.test(lit) || (caseless && lit.toLowerCase() !== lit.toUpperCase()))) lit = undefined;
    // The quantifier after it: none (the character joins the run), at least one (it is required
    // once, then the run ends), or possibly none (left out).
    const q = source[next];
    let min = 1;
    let quantified = false;
    if (q === '*' || q === '?') [min, quantified, next] = [0, true, next + 1];
    else if (q === '+') [quantified, next] = [true, next + 1];
    else if (q === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(source.slice(next));
      if (m) [min, quantified, next] = [Number(m[1]), true, next + m[0].length];
    }
    if (quantified && source[next] === '?') next++;
    if (lit === undefined || min === 0) end();
    else {
      run += lit;
      if (quantified) end();
    }
    i = next;
  }
  end();
  return out;
}

/** Does `text` hold every one of `literals` in order, without overlapping ({@link regexRequiredLiterals})? */
export function holdsInOrder(text: string, literals: readonly string[]): boolean {
  let at = 0;
  for (let k = 0; k < literals.length; k++) {
    const l = literals[k] as string;
    const p = text.indexOf(l, at);
    if (p < 0) return false;
    at = p + l.length;
  }
  return true;
}

/** Per regex: its required literals, and its last text with the verdict. */
interface RegexMemo {
  literals: readonly string[];
  text: string | undefined;
  result: boolean;
}

const memoOf = new WeakMap<RegExp, RegexMemo>();

/**
 * `re.test(text)`, the texts without its required literals ({@link regexRequiredLiterals})
 * refused first, and the last text's verdict remembered: a matching event is tested again by the
 * reference evaluator (mapped sources), and events repeat command lines.
 */
export function regexTest(re: RegExp, text: string): boolean {
  let memo = memoOf.get(re);
  if (memo === undefined) {
    memo = { literals: regexRequiredLiterals(re.source, re.flags), text: undefined, result: false };
    memoOf.set(re, memo);
  }
  if (memo.text === text) return memo.result;
  const result = (memo.literals.length === 0 || holdsInOrder(text, memo.literals)) && re.test(text);
  memo.text = text;
  memo.result = result;
  return result;
}
