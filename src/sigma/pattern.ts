/**
 * Sigma string patterns (semantics §5): parsing a YAML string into literal runs and wildcards,
 * the transformations modifiers apply to them (§7.1, §7.4 to §7.6, §7.13), and the anchored
 * regular expression that matches them.
 *
 * A pattern is a token list, never a string with `*` in it: wildcards added by `contains` are
 * real tokens and a value ending in a backslash can never escape them (§5.2).
 */
import { assertNever } from '../diagnostics/diagnostics.js';

/** A token of a pattern. `dash` is one of the five windash characters (§7.6). */
export type PatternToken =
  | { t: 'lit'; s: string }
  | { t: 'any' }
  | { t: 'one' }
  | { t: 'dash' }
  | { t: 'ph'; name: string };

export interface Pattern {
  tokens: PatternToken[];
  /** A byte pattern (after utf16*): each character stands for one byte U+0000–U+00FF. */
  bytes: boolean;
}

/** The five characters `windash` makes interchangeable: - / – — ―. */
export const WINDASH_CHARS = ['-', '/', '\u2013', '\u2014', '\u2015'] as const;
const WINDASH_SET = new Set<string>(WINDASH_CHARS);

function pushLit(tokens: PatternToken[], s: string): void {
  if (s === '') return;
  const last = tokens[tokens.length - 1];
  if (last?.t === 'lit') last.s += s;
  else tokens.push({ t: 'lit', s });
}

/**
 * Parses a Sigma string value (§5.1). `\` before `*`, `?` or `\` escapes it; any other
 * backslash is literal. With `expand`, `%name%` is a placeholder and `\%` a literal `%` (§7.13).
 */
export function parsePattern(text: string, expand = false): Pattern {
  // Most values are plain text: one literal token (or none), in an array of exactly that size.
  if (!SPECIAL.test(text) && !(expand && text.includes('%'))) return { tokens: text === '' ? [] : [{ t: 'lit', s: text }], bytes: false };
  const tokens: PatternToken[] = [];
  let lit = '';
  // The special characters are ASCII, so code units do (a surrogate pair is copied as it is).
  let runStart = 0;
  const flush = (end: number): void => {
    lit += text.slice(runStart, end);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      flush(i);
      const n = text[i + 1];
      if (n === '*' || n === '?' || n === '\\' || (expand && n === '%')) {
        lit += n;
        i++;
      } else lit += '\\';
      runStart = i + 1;
      continue;
    }
    if (c === '*' || c === '?') {
      flush(i);
      pushLit(tokens, lit);
      lit = '';
      tokens.push(c === '*' ? { t: 'any' } : { t: 'one' });
      runStart = i + 1;
      continue;
    }
    if (expand && c === '%') {
      const end = text.indexOf('%', i + 1);
      const name = end > i + 1 ? text.slice(i + 1, end) : '';
      if (end > i + 1 && /^[A-Za-z0-9_.-]+$/.test(name)) {
        flush(i);
        pushLit(tokens, lit);
        lit = '';
        tokens.push({ t: 'ph', name });
        i = end;
        runStart = i + 1;
        continue;
      }
    }
  }
  flush(text.length);
  pushLit(tokens, lit);
  return { tokens: tokens.slice(), bytes: false };
}

/** Characters that make a value more than one literal: escapes and wildcards. */
const SPECIAL = /[\\*?]/;

/** A pattern that is exactly the given literal text. */
export function literalPattern(text: string): Pattern {
  const tokens: PatternToken[] = [];
  pushLit(tokens, text);
  return { tokens, bytes: false };
}

export function hasWildcards(p: Pattern): boolean {
  return p.tokens.some((t) => t.t === 'any' || t.t === 'one');
}

/** `contains` / `startswith` / `endswith` (§7.1): a real wildcard unless one is already there. */
export function addWildcards(p: Pattern, start: boolean, end: boolean): Pattern {
  const t = p.tokens;
  const head = start && t[0]?.t !== 'any';
  // An empty pattern given a leading wildcard already ends with it.
  const tail = end && (t.length === 0 ? !head : t[t.length - 1]?.t !== 'any');
  // Built at its final size: patterns live as long as their rules.
  const tokens = new Array<PatternToken>(t.length + (head ? 1 : 0) + (tail ? 1 : 0));
  let k = 0;
  if (head) tokens[k++] = { t: 'any' };
  for (const tok of t) tokens[k++] = tok;
  if (tail) tokens[k] = { t: 'any' };
  return { tokens, bytes: p.bytes };
}

/** `windash` (§7.6): every dash-like character in literal runs becomes a one-of-five class. */
export function windash(p: Pattern): Pattern {
  const tokens: PatternToken[] = [];
  for (const tok of p.tokens) {
    if (tok.t !== 'lit') {
      tokens.push(tok);
      continue;
    }
    let run = '';
    for (const c of tok.s) {
      if (WINDASH_SET.has(c)) {
        pushLit(tokens, run);
        run = '';
        tokens.push({ t: 'dash' });
      } else run += c;
    }
    pushLit(tokens, run);
  }
  return { tokens, bytes: p.bytes };
}

/**
 * Replaces each dash class by each concrete dash, for the transformations that need concrete
 * text (base64, utf16). Returns undefined when that would exceed `limit` variants.
 */
export function enumerateDashes(p: Pattern, limit = 625): Pattern[] | undefined {
  const n = p.tokens.filter((t) => t.t === 'dash').length;
  if (n === 0) return [p];
  if (WINDASH_CHARS.length ** n > limit) return undefined;
  let out: PatternToken[][] = [[]];
  for (const tok of p.tokens) {
    if (tok.t === 'dash') {
      const next: PatternToken[][] = [];
      for (const prefix of out) for (const d of WINDASH_CHARS) next.push([...prefix, { t: 'lit', s: d }]);
      out = next;
    } else out = out.map((prefix) => [...prefix, tok]);
  }
  return out.map((toks) => {
    const tokens: PatternToken[] = [];
    for (const t of toks) {
      if (t.t === 'lit') pushLit(tokens, t.s);
      else tokens.push(t);
    }
    return { tokens, bytes: p.bytes };
  });
}

/** The bytes a wildcard-free pattern stands for: UTF-8 of text, or the byte characters. */
export function patternBytes(p: Pattern): Buffer {
  const text = p.tokens.map((t) => (t.t === 'lit' ? t.s : '')).join('');
  return p.bytes ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

/** `base64` (§7.4): the standard-alphabet encoding, padded. Input must be wildcard-free. */
export function base64Pattern(p: Pattern): Pattern {
  return literalPattern(patternBytes(p).toString('base64'));
}

/** `base64offset` (§7.4): the three encodings of the bytes at offsets 0, 1 and 2. */
export function base64OffsetPatterns(p: Pattern): Pattern[] {
  const b = patternBytes(p);
  const out: Pattern[] = [];
  const dropStart = [0, 2, 3];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i), b]).toString('base64');
    const rem = (b.length + i) % 3;
    const dropEnd = rem === 1 ? 3 : rem === 2 ? 2 : 0;
    out.push(literalPattern(enc.slice(dropStart[i] as number, enc.length - dropEnd)));
  }
  return out;
}

export type Utf16Kind = 'utf16le' | 'utf16be' | 'utf16';

/** `utf16le`/`wide`, `utf16be`, `utf16` (§7.5): literal runs become byte characters. */
export function utf16Pattern(p: Pattern, kind: Utf16Kind): Pattern {
  const tokens: PatternToken[] = [];
  if (kind === 'utf16') pushLit(tokens, '\xff\xfe');
  for (const tok of p.tokens) {
    if (tok.t !== 'lit') {
      tokens.push(tok);
      continue;
    }
    const le = Buffer.from(tok.s, 'utf16le');
    if (kind === 'utf16be') le.swap16();
    pushLit(tokens, le.toString('latin1'));
  }
  return { tokens, bytes: true };
}

/** Replaces placeholders by OR-groups of configured values; the cross product of all. */
export function expandPlaceholders(
  p: Pattern,
  values: (name: string) => readonly string[] | undefined,
): { patterns: Pattern[]; missing: string[] } {
  const missing: string[] = [];
  let out: PatternToken[][] = [[]];
  for (const tok of p.tokens) {
    if (tok.t !== 'ph') {
      out = out.map((prefix) => [...prefix, tok]);
      continue;
    }
    const vs = values(tok.name);
    if (vs === undefined || vs.length === 0) {
      missing.push(tok.name);
      continue;
    }
    const next: PatternToken[][] = [];
    for (const prefix of out) for (const v of vs) next.push([...prefix, ...parsePattern(v).tokens]);
    out = next;
  }
  return {
    patterns: out.map((toks) => {
      const tokens: PatternToken[] = [];
      for (const t of toks) {
        if (t.t === 'lit') pushLit(tokens, t.s);
        else tokens.push(t);
      }
      return { tokens, bytes: p.bytes };
    }),
    missing,
  };
}

// Only syntax characters: with the `u` flag an identity escape of anything else (`\-`) is an error.
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;

/** Escapes text for use inside a `u`-flag regular expression. */
export function escapeRegex(s: string): string {
  return s.replace(REGEX_SPECIAL, '\\$&');
}

/** The regex source of a pattern, unanchored. */
export function patternSource(p: Pattern): string {
  let src = '';
  for (const tok of p.tokens) {
    switch (tok.t) {
      case 'lit':
        src += escapeRegex(tok.s);
        break;
      case 'any':
        src += '[\\s\\S]*';
        break;
      case 'one':
        src += '[\\s\\S]';
        break;
      case 'dash':
        src += '[\\-/\\u2013\\u2014\\u2015]';
        break;
      case 'ph':
        // Unresolved placeholders never reach matching: the loader rejects the rule.
        src += '(?!)';
        break;
      default:
        return assertNever(tok);
    }
  }
  return src;
}

/**
 * The whole-value matcher of a pattern (§5.2): anchored, `u` so `?` is one code point, `i`
 * (Unicode simple case folding) unless `cased`.
 */
export function patternRegex(p: Pattern, cased: boolean): RegExp {
  return new RegExp(`^(?:${patternSource(p)})$`, cased ? 'u' : 'iu');
}

/** Sigma source form of a pattern, for display (`*` and `?` for wildcards, escapes kept). */
export function patternDisplay(p: Pattern): string {
  return p.tokens
    .map((t) => {
      switch (t.t) {
        case 'lit':
          return t.s.replace(/[*?]/g, '\\$&');
        case 'any':
          return '*';
        case 'one':
          return '?';
        case 'dash':
          return '-';
        case 'ph':
          return `%${t.name}%`;
        default:
          return assertNever(t);
      }
    })
    .join('');
}
