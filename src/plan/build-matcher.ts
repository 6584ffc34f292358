/**
 * Modifier chains (§7): `field|m1|m2: value` is applied left to right to each value and turned
 * into one typed `Matcher`. Every invalid combination of the §7 table is reported here, with the
 * modifier that broke the chain, so later stages never see a chain again.
 */
import type { LiteralShape, Matcher, TimePart, CompareOp } from './plan.js';
import type { YScalarValue } from '../yaml/yaml-tree.js';
import {
  addWildcards,
  base64OffsetPatterns,
  base64Pattern,
  enumerateDashes,
  expandPlaceholders,
  hasWildcards,
  literalPattern,
  parsePattern,
  patternRegex,
  patternSource,
  utf16Pattern,
  windash,
} from '../sigma/pattern.js';
import type { Pattern, Utf16Kind } from '../sigma/pattern.js';
import { compileSigmaRegex } from '../sigma/regex.js';
import { foldText } from '../sigma/case-fold.js';
import { parseNetwork } from '../sigma/ip.js';

export const MODIFIERS = new Set([
  'contains', 'startswith', 'endswith', 'all', 'neq', 'cased', 'base64', 'base64offset',
  'utf16le', 'wide', 'utf16be', 'utf16', 'windash', 're', 'i', 'm', 's', 'ignorecase',
  'multiline', 'dotall', 'cidr', 'gt', 'gte', 'lt', 'lte', 'minute', 'hour', 'day', 'week',
  'month', 'year', 'exists', 'fieldref', 'expand',
]);

const TIME_PARTS = new Set<string>(['minute', 'hour', 'day', 'week', 'month', 'year']);
/** Modifiers that make no sense on a keyword (field-less) search (§6). */
const NOT_FOR_KEYWORDS = new Set(['exists', 'cidr', 'gt', 'gte', 'lt', 'lte', 'fieldref', ...TIME_PARTS]);

const NONE: readonly string[] = Object.freeze([]);

/** Configuration a chain needs: placeholder values for `expand` (§7.13). */
export interface ChainContext {
  placeholders: (name: string) => readonly string[] | undefined;
}

export interface ChainResult {
  matcher: Matcher;
  /** Placeholder names without configured values. */
  missing: readonly string[];
  /** Non-fatal remarks (e.g. a regex whose evaluation is bounded). */
  warnings: readonly string[];
}

/** A chain error with its diagnostic code. */
export interface ChainError {
  code: 'MODIFIER_INVALID' | 'REGEX_INVALID' | 'REGEX_CATASTROPHIC' | 'CIDR_INVALID';
  message: string;
}

/** Checks the names of a chain; returns the first unknown modifier's message. */
export function checkModifierNames(mods: readonly string[]): string | undefined {
  for (const m of mods) {
    if (!MODIFIERS.has(m)) {
      const lower = m.toLowerCase();
      const hint = MODIFIERS.has(lower) ? ` (modifier names are lowercase: '${lower}')` : '';
      return `unknown modifier '${m}'${hint}`;
    }
  }
  return undefined;
}

type State =
  | { k: 'raw' }
  | { k: 'pat'; alts: Pattern[] }
  | { k: 're'; i: boolean; m: boolean; s: boolean }
  | { k: 'cidr' }
  | { k: 'part'; part: TimePart }
  | { k: 'cmp'; op: CompareOp; part?: TimePart }
  | { k: 'exists' }
  | { k: 'fieldref'; mode: 'eq' | 'startswith' | 'endswith' | 'contains' };

const STATE_NAME: Record<State['k'], string> = {
  raw: 'a plain value',
  pat: 'a string pattern',
  re: 'a regular expression',
  cidr: 'a network (cidr)',
  part: 'a timestamp part',
  cmp: 'a comparison',
  exists: 'an existence test',
  fieldref: 'a field reference',
};

/**
 * Applies a chain to one value. `keyword` is true for field-less items (implicit wildcards at
 * both ends, §6). Returns the matcher or an error message.
 */
export function buildMatcher(value: YScalarValue, mods: readonly string[], keyword: boolean, ctx: ChainContext): ChainResult | ChainError {
  const r = applyChain(value, mods, keyword, ctx);
  return typeof r === 'string' ? { code: 'MODIFIER_INVALID', message: r } : r;
}

function applyChain(value: YScalarValue, mods: readonly string[], keyword: boolean, ctx: ChainContext): ChainResult | ChainError | string {
  // The common chains (none, or one of contains/startswith/endswith) on a string value.
  if (!keyword && value.type === 'string' && mods.length <= 1) {
    const m = mods[0];
    if (m === undefined) return { matcher: patternMatcher([parsePattern(value.text)], false), missing: NONE, warnings: NONE };
    if (m === 'contains' || m === 'startswith' || m === 'endswith') {
      const p = addWildcards(parsePattern(value.text), m !== 'startswith', m !== 'endswith');
      return { matcher: patternMatcher([p], false), missing: NONE, warnings: NONE };
    }
  }
  const expand = mods.includes('expand');
  const cased = mods.includes('cased');
  const missing: string[] = [];
  const warnings: string[] = [];
  let st: State = { k: 'raw' };

  const text = (): string | undefined => (value.type === 'null' ? undefined : value.text);
  const toPattern = (m: string): Pattern[] | string => {
    const t = text();
    if (t === undefined) return `'${m}' needs a value, not null`;
    const p = parsePattern(t, expand);
    if (!expand) return [p];
    const r = expandPlaceholders(p, ctx.placeholders);
    missing.push(...r.missing);
    return r.patterns;
  };
  const misuse = (m: string): string => `the modifier '${m}' cannot be applied to ${STATE_NAME[st.k]} (chain '${mods.join('|')}')`;

  for (let idx = 0; idx < mods.length; idx++) {
    const m = mods[idx] as string;
    // Repeating a modifier is legal (§7); a repeated re/cidr/exists changes nothing.
    if ((m === 're' || m === 'cidr' || m === 'exists') && mods.indexOf(m) < idx) continue;
    const first = (): string | undefined => (idx === 0 ? undefined : `'${m}' must be the first modifier of the chain (write '${[m, ...mods.filter((x) => x !== m)].join('|')}')`);
    if (keyword && NOT_FOR_KEYWORDS.has(m)) return `the modifier '${m}' cannot be used on a keyword search (no field)`;
    switch (m) {
      case 'all':
      case 'neq':
        break;
      case 'cased':
      case 'expand':
        // Flags wherever they stand (§7.3, §7.13); checked against the final kind below.
        break;
      case 'contains':
      case 'startswith':
      case 'endswith': {
        const start = m !== 'startswith';
        const end = m !== 'endswith';
        if (st.k === 'raw') {
          const p = toPattern(m);
          if (typeof p === 'string') return p;
          st = { k: 'pat', alts: p };
        }
        if (st.k === 'pat') st = { k: 'pat', alts: st.alts.map((p) => addWildcards(p, start, end)) };
        else if (st.k === 'fieldref') {
          if (st.mode !== 'eq') return `a field reference takes only one of contains/startswith/endswith`;
          st = { k: 'fieldref', mode: m };
        } else if (st.k !== 're') return misuse(m);
        break;
      }
      case 'base64':
      case 'base64offset':
      case 'utf16le':
      case 'wide':
      case 'utf16be':
      case 'utf16':
      case 'windash': {
        if (st.k === 'raw') {
          const p = toPattern(m);
          if (typeof p === 'string') return p;
          st = { k: 'pat', alts: p };
        }
        if (st.k !== 'pat') return misuse(m);
        const next: Pattern[] = [];
        for (const alt of st.alts) {
          if (m === 'windash') {
            next.push(windash(alt));
            continue;
          }
          const concrete = enumerateDashes(alt);
          if (concrete === undefined) return `too many windash variants to encode with '${m}'`;
          for (const c of concrete) {
            if (m === 'base64' || m === 'base64offset') {
              if (hasWildcards(c)) {
                return `'${m}' cannot encode wildcards: the value has a * or ? (use base64offset|contains on the literal part, or escape it as \\* / \\?)`;
              }
              if (m === 'base64') next.push(base64Pattern(c));
              else next.push(...base64OffsetPatterns(c));
            } else {
              if (c.bytes) return `'${m}' applied twice: the value is already encoded as bytes`;
              const kind: Utf16Kind = m === 'wide' ? 'utf16le' : (m as Utf16Kind);
              next.push(utf16Pattern(c, kind));
            }
          }
        }
        if (m === 'base64offset' && text() !== undefined && Buffer.byteLength(text() as string) === 1) {
          warnings.push('base64offset of a single byte yields an empty variant that matches everything');
        }
        st = { k: 'pat', alts: next };
        break;
      }
      case 're': {
        const f = first();
        if (f) return f;
        if (text() === undefined) return { code: 'REGEX_INVALID', message: `'re' needs a regular expression, not null` };
        st = { k: 're', i: false, m: false, s: false };
        break;
      }
      case 'i':
      case 'ignorecase':
      case 'm':
      case 'multiline':
      case 's':
      case 'dotall': {
        if (st.k !== 're') return `the regex flag '${m}' must follow 're' (chain '${mods.join('|')}')`;
        if (m === 'i' || m === 'ignorecase') st.i = true;
        else if (m === 'm' || m === 'multiline') st.m = true;
        else st.s = true;
        break;
      }
      case 'cidr': {
        const f = first();
        if (f) return f;
        if (value.type !== 'string') return { code: 'CIDR_INVALID', message: `'cidr' needs a network written as text, e.g. '10.0.0.0/8'` };
        st = { k: 'cidr' };
        break;
      }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        if (st.k === 'part') st = { k: 'cmp', op: m, part: st.part };
        else if (st.k === 'raw') {
          if (value.type !== 'number') return `'${m}' compares numbers: the value must be a YAML number, not '${value.text}'${value.type === 'string' ? ' (remove the quotes)' : ''}`;
          st = { k: 'cmp', op: m };
        } else return misuse(m);
        break;
      }
      case 'minute':
      case 'hour':
      case 'day':
      case 'week':
      case 'month':
      case 'year': {
        if (st.k !== 'raw') return misuse(m);
        if (value.type !== 'number') return `'${m}' compares a timestamp part with a YAML number, not '${value.text}'`;
        st = { k: 'part', part: m };
        break;
      }
      case 'exists': {
        const f = first();
        if (f) return f;
        if (value.type !== 'bool') return `'exists' takes a YAML boolean (true or false), not '${value.text}'`;
        st = { k: 'exists' };
        break;
      }
      case 'fieldref': {
        if (st.k !== 'raw') return misuse(m);
        if (value.type !== 'string' && value.type !== 'number') return `'fieldref' needs the name of another field`;
        if (/[*?]/.test(value.text)) return `'fieldref' takes a field name without wildcards, not '${value.text}'`;
        st = { k: 'fieldref', mode: 'eq' };
        break;
      }
      default:
        return `unknown modifier '${m}'`;
    }
  }

  // `cased` and `expand` act on whatever the chain produced; only some kinds take them.
  if ((cased || expand) && st.k === 'raw') {
    if (value.type === 'null') return `'${cased ? 'cased' : 'expand'}' needs a value, not null`;
    const p = toPattern(cased ? 'cased' : 'expand');
    if (typeof p === 'string') return p;
    st = { k: 'pat', alts: p };
  }
  if (cased && st.k !== 'pat' && st.k !== 'fieldref') return `the modifier 'cased' cannot be applied to ${STATE_NAME[st.k]} (chain '${mods.join('|')}')`;
  if (expand && st.k !== 'pat' && st.k !== 're') return `the modifier 'expand' cannot be applied to ${STATE_NAME[st.k]} (chain '${mods.join('|')}')`;

  // Final value: turn the state into a matcher.
  let matcher: Matcher;
  switch (st.k) {
    case 'raw':
      if (keyword) {
        if (value.type === 'null' || value.type === 'bool') return `a keyword search needs text or a number, not ${value.type === 'null' ? 'null' : 'a boolean'}`;
        st = { k: 'pat', alts: [addWildcards(value.type === 'number' ? literalPattern(value.text) : parsePattern(value.text), true, true)] };
        matcher = patternMatcher(st.alts, cased);
        break;
      }
      switch (value.type) {
        case 'string':
          matcher = patternMatcher([parsePattern(value.text)], false);
          break;
        case 'number':
          matcher = { kind: 'number', value: value.value };
          break;
        case 'bool':
          matcher = { kind: 'bool', value: value.value };
          break;
        case 'null':
          matcher = { kind: 'null' };
          break;
      }
      break;
    case 'pat': {
      const alts = keyword ? st.alts.map((p) => addWildcards(p, true, true)) : st.alts;
      matcher = patternMatcher(alts, cased);
      break;
    }
    case 're': {
      let src = value.text;
      if (expand) {
        src = src.replace(/(\\)?%([A-Za-z0-9_.-]+)%/g, (whole, esc: string | undefined, name: string) => {
          if (esc) return whole.slice(1);
          const vs = ctx.placeholders(name);
          if (vs === undefined || vs.length === 0) {
            missing.push(name);
            return '(?!)';
          }
          return `(?:${vs.map((v) => patternSource(parsePattern(v))).join('|')})`;
        });
      }
      const r = compileSigmaRegex(src, { i: st.i, m: st.m, s: st.s });
      if ('code' in r) return r;
      if (r.risk !== undefined) warnings.push(`${r.risk}; its evaluation is bounded (linear-time fallback)`);
      matcher = { kind: 're', regex: r.regex, source: value.text, expanded: src };
      break;
    }
    case 'cidr': {
      const n = parseNetwork(value.text);
      if (typeof n === 'string') return { code: 'CIDR_INVALID', message: n };
      matcher = { kind: 'cidr', family: n.family, network: n.network, prefix: n.prefix, text: value.text };
      break;
    }
    case 'part':
      matcher = { kind: 'compare', op: 'eq', value: (value as { value: number }).value, part: st.part };
      break;
    case 'cmp': {
      const cmp: Matcher = { kind: 'compare', op: st.op, value: (value as { value: number }).value };
      if (st.part !== undefined) cmp.part = st.part;
      matcher = cmp;
      break;
    }
    case 'exists':
      matcher = { kind: 'exists', value: (value as { value: boolean }).value };
      break;
    case 'fieldref':
      matcher = { kind: 'fieldref', field: value.text, mode: st.mode, cased };
      break;
  }
  return { matcher, missing, warnings };
}

const ASCII = /^[\x00-\x7f]*$/;
const NOT_ASCII = /[^\x00-\x7f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** A character that neither is ASCII nor folds into it (ſ and the Kelvin sign do). */
const NOT_ASCII_OR_FOLDING = /[^\x00-\x7f\u017f\u212a]/;
/** ASCII and characters without case (emoji, symbols, most scripts' marks): see case-fold.ts. */
const ASCII_OR_CASELESS = /^[\x00-\x7f\P{Cased}]*$/u;

/** The literal shape of a pattern, when it has one (see LiteralShape). */
export function literalShape(p: Pattern, cased: boolean): LiteralShape | undefined {
  const t = p.tokens;
  // A lone wildcard matches everything: containing the empty text.
  if (t.length === 1 && t[0]?.t === 'any' && !p.bytes) return { mode: 'contains', text: '' };
  const lead = t[0]?.t === 'any' ? 1 : 0;
  const trail = t.length > lead && t[t.length - 1]?.t === 'any' ? 1 : 0;
  const middle = t.length - lead - trail;
  if (middle > 1 || p.bytes) return undefined;
  const only = middle === 1 ? t[lead] : undefined;
  const text = only === undefined ? '' : only.t === 'lit' ? only.s : undefined;
  // Case-insensitively, characters outside ASCII qualify only when caseless (see case-fold.ts);
  // a lone surrogate never does (the regex compares code points, a text search code units).
  if (text === undefined || LONE_SURROGATE.test(text) || (!cased && !ASCII.test(text) && !ASCII_OR_CASELESS.test(text))) return undefined;
  const mode = lead && trail ? 'contains' : lead ? 'endswith' : trail ? 'startswith' : 'eq';
  return { mode, text: cased ? text : foldText(text) };
}

/**
 * True when the pattern can never match a pure-ASCII text: a literal character outside ASCII
 * that no ASCII character equals under the comparison. Case-insensitively (simple case folding)
 * only U+017F (ſ) and U+212A (Kelvin sign) fold into ASCII; byte patterns are left alone.
 */
export function needsNonAscii(p: Pattern, cased: boolean): boolean {
  if (p.bytes) return false;
  const outside = cased ? NOT_ASCII : NOT_ASCII_OR_FOLDING;
  return p.tokens.some((t) => t.t === 'lit' && outside.test(t.s));
}

/**
 * A string matcher whose regex is built on first use: most values are decided by their literal
 * shape. A class keeps the getter on the prototype: no closure per value, and the objects keep
 * fast properties (an accessor in each literal object cost ~0.5 KB per value over the corpus).
 */
class StringMatcher {
  readonly kind = 'string';
  declare literal?: LiteralShape;
  declare nonAscii?: true;
  #regex: RegExp | undefined;

  constructor(
    readonly pattern: Pattern,
    readonly cased: boolean,
  ) {
    const shape = literalShape(pattern, cased);
    if (shape !== undefined) this.literal = shape;
    if (needsNonAscii(pattern, cased)) this.nonAscii = true;
  }

  get regex(): RegExp {
    this.#regex ??= patternRegex(this.pattern, this.cased);
    return this.#regex;
  }
}

function patternMatcher(alts: Pattern[], cased: boolean): Matcher {
  const ms: Matcher[] = alts.map((pattern) => new StringMatcher(pattern, cased));
  return ms.length === 1 ? (ms[0] as Matcher) : { kind: 'anyOf', members: ms };
}
