/**
 * `re` values (§7.7): a leading inline flag group becomes flags, PCRE-only constructs are
 * rejected instead of being silently misread by JavaScript, and patterns with nested unbounded
 * quantifiers (the shape of exponential backtracking, `(a+)+`) are found at load time.
 *
 * Such a pattern cannot hang a run: `enableRegexBacktrackingGuard()` (called by the CLI and the
 * test setup before any rule loads) tells V8 to fall back to its linear-time engine after a
 * bounded number of backtracks. That engine does not take the `i` flag, so a risky pattern's
 * case-insensitivity is rewritten into explicit two-case classes; a risky pattern that the
 * linear engine cannot run (back-references, look-arounds) is rejected as catastrophic.
 */
import { setFlagsFromString } from 'node:v8';

let guardEnabled = false;

/** Makes V8 bound regex backtracking (process-wide; affects regexes compiled afterwards). */
export function enableRegexBacktrackingGuard(): void {
  if (guardEnabled) return;
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
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
  // Stack of groups: does the group's body contain an unbounded quantifier?
  const stack: { unbounded: boolean; start: number }[] = [{ unbounded: false, start: 0 }];
  let inClass = false;
  const quantAt = (i: number): { unbounded: boolean; len: number } | undefined => {
    const c = src[i];
    if (c === '*' || c === '+') return { unbounded: true, len: 1 };
    if (c === '?') return { unbounded: false, len: 1 };
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (m) return { unbounded: m[2] !== undefined && m[3] === '', len: m[0].length };
    }
    return undefined;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      const q = quantAt(i + 1);
      if (q?.unbounded) (stack[stack.length - 1] as { unbounded: boolean }).unbounded = true;
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        const q = quantAt(i + 1);
        if (q?.unbounded) (stack[stack.length - 1] as { unbounded: boolean }).unbounded = true;
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
      if (q?.unbounded && g.unbounded) {
        return `the group '${src.slice(g.start, i + 1 + q.len)}' repeats an expression that is itself repeated without bound (catastrophic backtracking)`;
      }
      if (g.unbounded || q?.unbounded) (stack[stack.length - 1] as { unbounded: boolean }).unbounded = true;
      continue;
    }
    const q = quantAt(i + 1);
    if (q?.unbounded && c !== ')') (stack[stack.length - 1] as { unbounded: boolean }).unbounded = true;
  }
  return undefined;
}

/** Rewrites ASCII letters into two-case forms so a pattern needs no `i` flag. */
export function explicitCase(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      // \p{..}, \k<..>, \u and \x escapes keep their letters; so do class escapes like \d.
      out += c + n;
      i++;
      if ((n === 'u' || n === 'x' || n === 'c') && !inClass) {
        const m = /^(\{[0-9a-fA-F]+\}|[0-9a-fA-F]{2,4}|[A-Za-z])/.exec(src.slice(i + 1));
        if (m) {
          out += m[0];
          i += m[0].length;
        }
      }
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        out += c;
        continue;
      }
      const range = /^([A-Za-z])-([A-Za-z])/.exec(src.slice(i));
      if (range) {
        const [whole, a, b] = range as unknown as [string, string, string];
        out += whole;
        const other = (x: string): string => (x === x.toLowerCase() ? x.toUpperCase() : x.toLowerCase());
        if ((a === a.toLowerCase()) === (b === b.toLowerCase())) out += `${other(a)}-${other(b)}`;
        i += whole.length - 1;
        continue;
      }
      out += /[A-Za-z]/.test(c) ? c + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
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
    out += /[A-Za-z]/.test(c) ? `[${c}${c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()}]` : c;
  }
  return out;
}

/**
 * Compiles a Sigma `re` value with the given modifier flags (`i`, `m`, `s`). Returns an error
 * message for invalid or PCRE-only patterns.
 */
export function compileSigmaRegex(source: string, flags: { i: boolean; m: boolean; s: boolean }): SigmaRegex | string {
  let src = source;
  let { i, m, s } = flags;
  const inline = INLINE_FLAGS.exec(src);
  if (inline) {
    const f = inline[1] as string;
    if (f.includes('x')) return `the inline flag (?x) (extended mode) is not supported`;
    i ||= f.includes('i');
    m ||= f.includes('m');
    s ||= f.includes('s');
    src = src.slice(inline[0].length);
  }
  const pcre = pcreOnly(src);
  if (pcre !== undefined) return `the regular expression uses ${pcre}, which JavaScript would misread`;
  const risk = backtrackingRisk(src);
  const flagText = `${m ? 'm' : ''}${s ? 's' : ''}`;
  let regex: RegExp;
  try {
    regex = risk !== undefined && i ? new RegExp(explicitCase(src), flagText) : new RegExp(src, `${i ? 'i' : ''}${flagText}`);
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
  if (risk !== undefined && /\\[1-9]|\\k<|\(\?<?[=!]/.test(src)) {
    return `${risk}, and it uses back-references or look-arounds, so its evaluation cannot be bounded`;
  }
  const out: SigmaRegex = { regex, source };
  if (risk !== undefined) out.risk = risk;
  return out;
}
