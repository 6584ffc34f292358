/**
 * Applying a parsed modifier chain (modifier-chain.ts, §7) to one value: the value becomes one
 * typed `Matcher`. The chain's shape was checked when it was parsed; what is left here depends on
 * the value (a null where a pattern is needed, a quoted number under `gt`, wildcards under
 * `base64`, a network that does not parse...), reported with the modifier that cannot take it.
 * String patterns go through the chain's steps in written order; the literal shape of each
 * resulting pattern is worked out once, so most values are matched without a regex.
 */
import type { LiteralShape, Matcher } from './plan.js';
import type { ModifierChain, PatternStep } from './modifier-chain.js';
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
  patternSource,
  utf16Pattern,
  windash,
} from '../sigma/pattern.js';
import type { Pattern } from '../sigma/pattern.js';
import { compileSigmaRegex } from '../sigma/regex.js';
import { compileWildcard } from '../sigma/wildcard.js';
import type { WildcardMatcher } from '../sigma/wildcard.js';
import { foldText } from '../sigma/case-fold.js';
import { parseNetwork } from '../sigma/ip.js';
import { DEFAULT_LIMITS, limitName } from '../util/limits.js';

const NONE: readonly never[] = Object.freeze([]);

/** Configuration a chain needs: placeholder values for `expand` (§7.13), and how many patterns one value may become. */
export interface ChainContext {
  placeholders: (name: string) => readonly string[] | undefined;
  /** `limits.value_alternatives` (util/limits.ts); the default when absent. */
  maxAlternatives?: number;
}

/** A non-fatal remark about a value, with its diagnostic code. */
export interface ChainWarning {
  code: 'REGEX_BACKTRACKING_RISK' | 'MODIFIER_WARNING';
  message: string;
}

export interface ChainResult {
  matcher: Matcher;
  /** Placeholder names without configured values. */
  missing: readonly string[];
  /** Non-fatal remarks (e.g. a regex whose evaluation is bounded). */
  warnings: readonly ChainWarning[];
}

/** A value the chain cannot take, with its diagnostic code. */
export interface ValueError {
  code: 'MODIFIER_INVALID' | 'REGEX_INVALID' | 'REGEX_CATASTROPHIC' | 'CIDR_INVALID' | 'VALUE_LIMIT';
  message: string;
}

/**
 * Applies a parsed chain to one value. `keyword` is true for field-less items (implicit
 * wildcards at both ends, §6). Returns the matcher or why the value does not fit the chain.
 */
export function buildMatcher(value: YScalarValue, chain: ModifierChain, keyword: boolean, ctx: ChainContext): ChainResult | ValueError {
  const r = applyChain(value, chain, keyword, ctx);
  return typeof r === 'string' ? { code: 'MODIFIER_INVALID', message: r } : r;
}

function applyChain(value: YScalarValue, chain: ModifierChain, keyword: boolean, ctx: ChainContext): ChainResult | ValueError | string {
  switch (chain.kind) {
    case 'plain':
      return plainMatcher(value, keyword);
    case 'pattern':
      return patternChain(value, chain, keyword, ctx);
    case 'regex': {
      if (value.type === 'null') return { code: 'REGEX_INVALID', message: `'re' needs a regular expression, not null` };
      const missing: string[] = [];
      const warnings: ChainWarning[] = [];
      let src = value.text;
      if (chain.expand) {
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
      const flags = chain.regex ?? { i: false, m: false, s: false };
      const r = compileSigmaRegex(src, { i: flags.i, m: flags.m, s: flags.s });
      if ('code' in r) return r;
      if (r.risk !== undefined) warnings.push({ code: 'REGEX_BACKTRACKING_RISK', message: `${r.risk}; its evaluation is bounded (linear-time engine)` });
      if (r.warning !== undefined) warnings.push({ code: 'REGEX_BACKTRACKING_RISK', message: r.warning });
      return { matcher: { kind: 're', regex: r.regex, source: value.text, expanded: src }, missing, warnings };
    }
    case 'cidr': {
      if (value.type !== 'string') return { code: 'CIDR_INVALID', message: `'cidr' needs a network written as text, e.g. '10.0.0.0/8'` };
      const n = parseNetwork(value.text);
      if (typeof n === 'string') return { code: 'CIDR_INVALID', message: n };
      return done({ kind: 'cidr', family: n.family, network: n.network, prefix: n.prefix, text: value.text });
    }
    case 'compare': {
      const part = chain.timePart;
      if (part !== undefined) {
        if (value.type !== 'number') return `'${part}' compares a timestamp part with a YAML number, not '${value.text}'`;
        const cmp: Matcher = { kind: 'compare', op: chain.compare ?? 'eq', value: value.value };
        cmp.part = part;
        return done(cmp);
      }
      const op = chain.compare ?? 'eq';
      if (value.type !== 'number') return `'${op}' compares numbers: the value must be a YAML number, not '${value.text}'${value.type === 'string' ? ' (remove the quotes)' : ''}`;
      return done({ kind: 'compare', op, value: value.value });
    }
    case 'exists':
      if (value.type !== 'bool') return `'exists' takes a YAML boolean (true or false), not '${value.text}'`;
      return done({ kind: 'exists', value: value.value });
    case 'fieldref':
      if (value.type !== 'string' && value.type !== 'number') return `'fieldref' needs the name of another field`;
      if (/[*?]/.test(value.text)) return `'fieldref' takes a field name without wildcards, not '${value.text}'`;
      return done({ kind: 'fieldref', field: value.text, mode: chain.match === 'equals' ? 'eq' : chain.match, cased: chain.cased });
  }
}

function done(matcher: Matcher): ChainResult {
  return { matcher, missing: NONE, warnings: NONE };
}

/** A value without modifiers: a string pattern, a number, a boolean or null (§4); anywhere in the event for a keyword (§6). */
function plainMatcher(value: YScalarValue, keyword: boolean): ChainResult | string {
  if (keyword) {
    if (value.type === 'null' || value.type === 'bool') return `a keyword search needs text or a number, not ${value.type === 'null' ? 'null' : 'a boolean'}`;
    return done(patternMatcher([addWildcards(value.type === 'number' ? literalPattern(value.text) : parsePattern(value.text), true, true)], false));
  }
  switch (value.type) {
    case 'string':
      return done(patternMatcher([parsePattern(value.text)], false));
    case 'number':
      return done({ kind: 'number', value: value.value });
    case 'bool':
      return done({ kind: 'bool', value: value.value });
    case 'null':
      return done({ kind: 'null' });
  }
}

/** A string pattern through the chain's steps (wildcards, windash, encodings) in written order. */
function patternChain(value: YScalarValue, chain: ModifierChain, keyword: boolean, ctx: ChainContext): ChainResult | ValueError | string {
  const steps = chain.steps;
  // What makes the value a pattern: the first step, else `cased` or `expand` alone.
  const maker = steps[0]?.name ?? (chain.cased ? 'cased' : 'expand');
  if (value.type === 'null') return `'${maker}' needs a value, not null`;
  // The common chains (one of contains/startswith/endswith) on a string value.
  const only = steps.length === 1 ? (steps[0] as PatternStep) : undefined;
  if (!keyword && !chain.expand && value.type === 'string' && only !== undefined && (only.op === 'contains' || only.op === 'startswith' || only.op === 'endswith')) {
    return done(patternMatcher([addWildcards(parsePattern(value.text), only.op !== 'startswith', only.op !== 'endswith')], chain.cased));
  }
  let missing: readonly string[] = NONE;
  const warnings: ChainWarning[] = [];
  let alts: Pattern[];
  const max = ctx.maxAlternatives ?? DEFAULT_LIMITS.valueAlternatives;
  const tooMany = (n: string, how: string): ValueError => ({
    code: 'VALUE_LIMIT',
    message: `the value becomes ${n} patterns ${how}, more than ${max.toLocaleString('en-US')} (${limitName('valueAlternatives')})`,
  });
  const p = parsePattern(value.text, chain.expand);
  if (chain.expand) {
    // The cross product of the placeholders' values, counted before it is built.
    let product = 1;
    for (const t of p.tokens) if (t.t === 'ph') product *= Math.max(1, ctx.placeholders(t.name)?.length ?? 1);
    if (product > max) return tooMany(product > 1e15 ? product.toExponential(1) : product.toLocaleString('en-US'), 'through its placeholders');
    const r = expandPlaceholders(p, ctx.placeholders);
    missing = r.missing;
    alts = r.patterns;
  } else alts = [p];
  for (const step of steps) {
    const m = step.name;
    const op = step.op;
    if (op === 'contains' || op === 'startswith' || op === 'endswith') {
      alts = alts.map((a) => addWildcards(a, op !== 'startswith', op !== 'endswith'));
      continue;
    }
    if (op === 'windash') {
      alts = alts.map(windash);
      continue;
    }
    const next: Pattern[] = [];
    const per = op === 'base64offset' ? 3 : 1;
    for (const alt of alts) {
      // Each windash class becomes each of its five dashes for an encoding: 5^n texts.
      const concrete = enumerateDashes(alt, Math.floor(max / per));
      if (concrete === undefined) return tooMany(`5^${alt.tokens.filter((t) => t.t === 'dash').length}`, `through windash before '${m}'`);
      if (next.length + concrete.length * per > max) return tooMany(`at least ${(next.length + concrete.length * per).toLocaleString('en-US')}`, `through '${m}'`);
      for (const c of concrete) {
        if (op === 'base64' || op === 'base64offset') {
          if (hasWildcards(c)) {
            return `'${m}' cannot encode wildcards: the value has a * or ? (use base64offset|contains on the literal part, or escape it as \\* / \\?)`;
          }
          if (op === 'base64') next.push(base64Pattern(c));
          else next.push(...base64OffsetPatterns(c));
        } else {
          if (c.bytes) return `'${m}' applied twice: the value is already encoded as bytes`;
          next.push(utf16Pattern(c, op));
        }
      }
    }
    if (op === 'base64offset' && Buffer.byteLength(value.text) === 1) {
      warnings.push({ code: 'MODIFIER_WARNING', message: 'base64offset of a single byte yields an empty variant that matches everything' });
    }
    alts = next;
  }
  if (keyword) alts = alts.map((a) => addWildcards(a, true, true));
  return { matcher: patternMatcher(alts, chain.cased), missing, warnings };
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
 * A string matcher whose wildcard matcher is built on first use: most values are decided by their literal
 * shape. A class keeps the getter on the prototype: no closure per value, and the objects keep
 * fast properties (an accessor in each literal object cost ~0.5 KB per value over the corpus).
 */
class StringMatcher {
  readonly kind = 'string';
  declare literal?: LiteralShape;
  declare nonAscii?: true;
  #wildcard: WildcardMatcher | undefined;

  constructor(
    readonly pattern: Pattern,
    readonly cased: boolean,
  ) {
    const shape = literalShape(pattern, cased);
    if (shape !== undefined) this.literal = shape;
    if (needsNonAscii(pattern, cased)) this.nonAscii = true;
  }

  get wildcard(): WildcardMatcher {
    this.#wildcard ??= compileWildcard(this.pattern, this.cased);
    return this.#wildcard;
  }
}

function patternMatcher(alts: Pattern[], cased: boolean): Matcher {
  const ms: Matcher[] = alts.map((pattern) => new StringMatcher(pattern, cased));
  return ms.length === 1 ? (ms[0] as Matcher) : { kind: 'anyOf', members: ms };
}
