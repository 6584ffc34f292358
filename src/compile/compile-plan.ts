/**
 * Compiles a match plan into a specialised JavaScript function, the way schema validators
 * compile schemas: the plan's structure (condition, identifiers, items, value lists) becomes
 * straight-line code, and the common case (the field is a string) runs precomputed lowercased
 * needles through `===`/`includes`/`startsWith`/`endsWith` on the folded text (case-fold.ts),
 * and the value's regex only where a pattern needs one (inner wildcards, non-ASCII values).
 *
 * Safety: no rule data is ever written into the source. Field names, needles, regexes and
 * numbers are passed by reference in the data array `d` and read as `d[0]`, `d[1]`, ... in the code;
 * the source holds only generated names and operators. Everything the fast path does not
 * handle (an absent, non-string or multi-valued field, dotted paths, keywords, `fieldref`)
 * calls the reference evaluator's item function, so the compiled function is the reference
 * semantics by construction; `compile-plan.test.ts` checks it against `evaluatePlan`.
 */
import type { ConditionNode } from '../condition/parse-condition.js';
import type { Matcher, MatchPlan, PlanItem, SearchNode } from '../plan/plan.js';
import { EventView, itemHolds, matcherHolds, planMatches } from '../evaluate/evaluate.js';
import type { Event } from '../evaluate/evaluate.js';
import { eventLeaves, numericValue } from '../evaluate/field-access.js';
import { LiteralSet, MIN_LITERALS } from './literal-set.js';
import { parseIp } from '../sigma/ip.js';
import { RegexMatcher, regexMinLength, regexTest } from '../sigma/regex.js';
import { foldText, isAscii } from '../sigma/case-fold.js';
import { WildcardMatcher } from '../sigma/wildcard.js';
import type { IpAddress } from '../sigma/ip.js';
import type { LiteralMode } from './literal-set.js';
import { assertNever } from '../diagnostics/diagnostics.js';

export type CompiledMatch = (event: Event) => boolean;

/** A plan compiled into one JavaScript function, with the generated source and the data it is passed. */
export interface CompiledPlan {
  match: CompiledMatch;
  /** The generated function body (for `--dump-js`). */
  source: string;
  /** The values `d[0]`, `d[1]`, ... of the source refer to. */
  data: unknown[];
}

/** The result of compilePlan: the compiled plan, or why the compiler declined it (the reference evaluator then runs it). */
export type CompileResult = { ok: true; compiled: CompiledPlan } | { ok: false; reason: string };

const NO_VALUES = new EventView({});
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** The keyword leaves of an event (§6) with their folded forms ({@link foldText}), per event. */
const leafCache = new WeakMap<Event, { texts: string[]; lowers: string[] }>();
function leavesOf(e: Event): { texts: string[]; lowers: string[] } {
  let c = leafCache.get(e);
  if (c === undefined) {
    const texts = eventLeaves(e);
    c = { texts, lowers: texts.map(foldText) };
    leafCache.set(e, c);
  }
  return c;
}

/**
 * The folded text ({@link foldText}: what ASCII literals compare with case-insensitively),
 * remembered in a direct-mapped table of {@link FOLD_SLOTS} texts (slot by length and two
 * characters; a text equal to the slot's is the same text, so the answer is exact). A batch is
 * matched rule by rule, so one event's command line is asked for by each of its candidate rules
 * with other events' texts in between (18 rules per Security 4688 event on real events): a memo
 * of the last four texts folded it again for nearly every rule.
 */
const FOLD_SLOTS = 1024;
/** Texts longer than this share the last {@link LONG_SLOTS} slots (what the table holds stays small). */
const FOLD_LONG = 4096;
const LONG_SLOTS = 4;
const memoKeys: Array<string | undefined> = new Array<string | undefined>(FOLD_SLOTS + LONG_SLOTS).fill(undefined);
const memoVals: string[] = new Array<string>(FOLD_SLOTS + LONG_SLOTS).fill('');
function lowerMemo(v: string): string {
  const n = v.length;
  const hash = n * 31 + (n > 0 ? v.charCodeAt(n >> 1) * 7 + v.charCodeAt(n - 1) : 0);
  const slot = n > FOLD_LONG ? FOLD_SLOTS + (hash & (LONG_SLOTS - 1)) : hash & (FOLD_SLOTS - 1);
  if (memoKeys[slot] === v) return memoVals[slot] as string;
  const l = foldText(v);
  memoKeys[slot] = v;
  memoVals[slot] = l;
  return l;
}

/** A `cidr` value prepared for comparing parsed addresses: the network's bits above the host part. */
interface CidrTest {
  family: 4 | 6;
  /** Host bits (32 − prefix or 128 − prefix). */
  shift: number;
  /** IPv4: the network shifted right by `shift` (0 when shift is 32). */
  v4: number;
  v6: bigint;
  /** The network as the rule writes it (for `--dump-js`). */
  text: string;
}

function cidrTest(m: Extract<Matcher, { kind: 'cidr' }>): CidrTest {
  const shift = (m.family === 4 ? 32 : 128) - m.prefix;
  return { family: m.family, shift, v4: shift >= 32 ? 0 : Number(m.network >> BigInt(shift)), v6: m.network >> BigInt(shift), text: m.text };
}

/** The last address parsed: a cidr list tests one value against many networks. */
let lastIpText: string | undefined;
let lastIp: IpAddress | undefined;
function ipOf(v: string): IpAddress | undefined {
  if (v !== lastIpText) {
    lastIp = parseIp(v);
    lastIpText = v;
  }
  return lastIp;
}

/** Is `v` an address inside the network? As `ipInNetwork`, with the address parsed once per value. */
function inCidr(c: CidrTest, v: string): boolean {
  const ip = ipOf(v);
  if (ip === undefined || ip.family !== c.family) return false;
  if (c.family === 6) return ip.value >> BigInt(c.shift) === c.v6;
  return c.shift >= 32 || Math.floor(Number(ip.value) / 2 ** c.shift) === c.v4;
}

/**
 * The networks of a long `cidr` list, tested together: the address is parsed once and, for IPv4,
 * made a number once (not once per network); each network as {@link inCidr} tests it.
 */
export class CidrSet {
  /** IPv4: host bits, their divisor 2^shift, and the network above them. */
  private readonly v4Shift: number[] = [];
  private readonly v4Div: number[] = [];
  private readonly v4Net: number[] = [];
  private readonly v6: CidrTest[] = [];

  constructor(readonly tests: readonly CidrTest[]) {
    for (const c of tests) {
      if (c.family === 6) this.v6.push(c);
      else {
        this.v4Shift.push(c.shift);
        this.v4Div.push(2 ** c.shift);
        this.v4Net.push(c.v4);
      }
    }
  }

  test(v: string): boolean {
    const ip = ipOf(v);
    if (ip === undefined) return false;
    if (ip.family === 4) {
      if (this.v4Shift.length === 0) return false;
      const n = Number(ip.value);
      for (let i = 0; i < this.v4Shift.length; i++) {
        if ((this.v4Shift[i] as number) >= 32 || Math.floor(n / (this.v4Div[i] as number)) === this.v4Net[i]) return true;
      }
      return false;
    }
    for (const c of this.v6) if (ip.value >> BigInt(c.shift) === c.v6) return true;
    return false;
  }
}

/** From this many `cidr` values on, an OR item tests them as one {@link CidrSet}. */
const MIN_CIDRS = 4;

/** Helpers the generated code calls (passed as `h`, never as text). */
const HELPERS = {
  /** The reference truth of an item: the slow path. */
  item: (item: PlanItem, e: Event): boolean => itemHolds(item, new EventView(e)),
  /** The reference truth of one matcher on one string value. */
  holds: (m: Matcher, v: string): boolean => matcherHolds(m, [v], NO_VALUES),
  lower: lowerMemo,
  ascii: isAscii,
  /** A `re` value's regex on a text (its required literals first, its last verdict remembered). */
  re: regexTest,
  /** `fieldref` on a string value: both sides plain ASCII strings compare directly, else the reference. */
  fieldref: (m: Extract<Matcher, { kind: 'fieldref' }>, v: string, e: Event): boolean => {
    const o = e[m.field];
    if (typeof o === 'string' && ASCII_ONLY.test(v) && ASCII_ONLY.test(o)) {
      const a = m.cased ? v : v.toLowerCase();
      const b = m.cased ? o : o.toLowerCase();
      return m.mode === 'eq' ? a === b : m.mode === 'startswith' ? a.startsWith(b) : m.mode === 'endswith' ? a.endsWith(b) : a.includes(b);
    }
    return matcherHolds(m, [v], new EventView(e));
  },
  num: numericValue,
  cidr: inCidr,
  /** Does `test` hold for some keyword leaf of the event? */
  anyLeaf: (e: Event, test: (v: string, l: string) => boolean): boolean => {
    const { texts, lowers } = leavesOf(e);
    for (let i = 0; i < texts.length; i++) if (test(texts[i] as string, lowers[i] as string)) return true;
    return false;
  },
};

/** Generates code while keeping rule data out of it. */
class Emitter {
  readonly data: unknown[] = [];
  private readonly refs = new Map<unknown, string>();
  readonly functions: string[] = [];

  /** A name for a value of the rule, passed by reference. */
  ref(value: unknown): string {
    let name = this.refs.get(value);
    if (name === undefined) {
      name = `d[${this.data.length}]`;
      this.data.push(value);
      this.refs.set(value, name);
    }
    return name;
  }
}

const LITERAL_OP = { eq: '===', contains: 'includes', startswith: 'startsWith', endswith: 'endsWith' } as const;

/**
 * The folded text of `v` ({@link foldText}) in generated code, computed on first use: `l` is
 * declared by the item function (or is the folded leaf of a keyword test, already set).
 */
const FOLDED = '(l ??= h.lower(v))';

/** A boolean expression for matcher `m` on the string `v` (with `l` its folded form, foldText). */
function valueExpr(m: Matcher, em: Emitter, needsLower: { used: boolean }): string | undefined {
  switch (m.kind) {
    case 'string': {
      const lit = m.literal;
      if (lit === undefined) {
        // The wildcard matcher (linear in the text), given the folded text when it compares that.
        const w = m.wildcard;
        let test = `${em.ref(w)}.test(v)`;
        if (w.usesFoldedText) {
          needsLower.used = true;
          test = `${em.ref(w)}.test(v, ${FOLDED})`;
        }
        // A text of ASCII only never holds a value that needs a character outside ASCII.
        return m.nonAscii === true ? `(!h.ascii(v) && ${test})` : test;
      }
      const t = em.ref(lit.text);
      const test = (x: string): string => (lit.mode === 'eq' ? `${x} === ${t}` : `${x}.${LITERAL_OP[lit.mode]}(${t})`);
      if (m.cased) return test('v');
      // A literal compares with the folded text, whatever the text holds (case-fold.ts). Folding
      // keeps the length, so a text of the wrong length is decided before it is folded.
      needsLower.used = true;
      const n = lit.text.length;
      if (lit.mode === 'eq') return `(v.length === ${n} && ${test(FOLDED)})`;
      return n === 0 ? 'true' : `(v.length >= ${n} && ${test(FOLDED)})`;
    }
    case 're': {
      // A text shorter than any match skips the regex (`.{1000,}`).
      const min = regexMinLength(m.expanded);
      // A text without the literals every match holds skips the regex (regexRequiredLiterals),
      // and a regex's last text keeps its verdict (regexTest).
      const test = `h.re(${em.ref(m.regex)}, v)`;
      return min > 1 ? `(v.length >= ${em.ref(min)} && ${test})` : test;
    }
    case 'null':
      return 'false';
    case 'exists':
      return m.value ? 'true' : 'false';
    case 'number':
      return `h.num(v) === ${em.ref(m.value)}`;
    case 'cidr':
      return `h.cidr(${em.ref(cidrTest(m))}, v)`;
    case 'bool':
    case 'compare':
      return `h.holds(${em.ref(m)}, v)`;
    case 'fieldref':
      return `h.fieldref(${em.ref(m)}, v, e)`;
    case 'anyOf': {
      const parts = m.members.map((mm) => valueExpr(mm, em, needsLower));
      if (parts.some((p) => p === undefined)) return undefined;
      return `(${parts.join(' || ')})`;
    }
    default:
      return assertNever(m);
  }
}

/** Does any value of the matcher tree need a check the fast paths cannot express? */
function hasKind(m: Matcher, kinds: ReadonlyArray<Matcher['kind']>): boolean {
  return kinds.includes(m.kind) || (m.kind === 'anyOf' && m.members.some((mm) => hasKind(mm, kinds)));
}

type StringMatcher = Extract<Matcher, { kind: 'string' }>;

/** A plain case-insensitive literal (ASCII, or caseless characters beyond it): one a {@link LiteralSet} can take. */
function setLiteral(m: Matcher): m is StringMatcher & { literal: NonNullable<StringMatcher['literal']> } {
  return m.kind === 'string' && m.literal !== undefined && !m.cased;
}

/**
 * The expressions of an item's values. In an OR item (any value may hold), long runs of plain
 * literals of one mode become one {@link LiteralSet} test on the folded text, long `cidr` lists
 * one {@link CidrSet} test.
 */
function valueExprs(item: PlanItem, em: Emitter, needsLower: { used: boolean }): Array<string | undefined> {
  if (item.all) return item.values.map((v) => valueExpr(v.matcher, em, needsLower));
  const leaves: Matcher[] = [];
  const flatten = (m: Matcher): void => {
    if (m.kind === 'anyOf') m.members.forEach(flatten);
    else leaves.push(m);
  };
  for (const v of item.values) flatten(v.matcher);
  const byMode = new Map<LiteralMode, StringMatcher[]>();
  for (const m of leaves) {
    if (!setLiteral(m)) continue;
    const list = byMode.get(m.literal.mode) ?? [];
    list.push(m);
    byMode.set(m.literal.mode, list);
  }
  const grouped = new Set<Matcher>();
  const out: Array<string | undefined> = [];
  for (const [mode, ms] of byMode) {
    if (ms.length < MIN_LITERALS[mode]) continue;
    for (const m of ms) grouped.add(m);
    const set = em.ref(new LiteralSet(mode, ms.map((m) => (m.literal as { text: string }).text)));
    needsLower.used = true;
    out.push(`${set}.test(${FOLDED})`);
  }
  const cidrs = leaves.filter((m): m is Extract<Matcher, { kind: 'cidr' }> => m.kind === 'cidr');
  if (cidrs.length >= MIN_CIDRS) {
    for (const m of cidrs) grouped.add(m);
    out.push(`${em.ref(new CidrSet(cidrs.map(cidrTest)))}.test(v)`);
  }
  if (grouped.size === 0) return item.values.map((v) => valueExpr(v.matcher, em, needsLower));
  for (const m of leaves) if (!grouped.has(m)) out.push(valueExpr(m, em, needsLower));
  return out;
}

/** Emits the function of one item; returns its name. */
function emitItem(item: PlanItem, em: Emitter): string {
  const name = `i${item.id}`;
  const slow = `h.item(${em.ref(item)}, e)`;
  const needsLower = { used: false };
  const parts = valueExprs(item, em, needsLower);
  if (parts.length === 0 || parts.some((p) => p === undefined)) {
    em.functions.push(`function ${name}(e) { return ${slow}; }`);
    return name;
  }
  const join = (ps: readonly string[]): string => (ps.length === 1 ? (ps[0] as string) : ps.join(item.all ? ' && ' : ' || '));
  const negate = (body: string): string => (item.neq ? `!(${body})` : body);
  if (item.field === null) return emitKeywordItem(item, parts as string[], em, slow);
  const lines = [`function ${name}(e) {`, `  const v = e[${em.ref(item.field)}];`, `  if (typeof v !== 'string') {`];
  // An absent plain field: the item's truth is a constant of the plan (dotted names may resolve through objects).
  if (!item.field.includes('.')) lines.push(`    if (v === undefined) return ${itemHolds(item, NO_VALUES) ? 'true' : 'false'};`);
  if (item.values.every((v) => v.matcher.kind === 'number')) {
    const nums = item.values.map((v) => `v === ${em.ref((v.matcher as { value: number }).value)}`);
    lines.push(`    if (typeof v === 'number') return ${negate(join(nums))};`);
  }
  lines.push(`    return ${slow};`, '  }');
  if (needsLower.used) lines.push('  let l;');
  lines.push(`  return ${negate(join(parts as string[]))};`, '}');
  em.functions.push(lines.join('\n'));
  return name;
}

/**
 * A keyword item (§6): any leaf of the event holds a value (every value with `all`). The leaves
 * and their lowercase forms are computed once per event and shared by every rule.
 */
function emitKeywordItem(item: PlanItem, parts: string[], em: Emitter, slow: string): string {
  const name = `i${item.id}`;
  // `null`/`exists` on keywords depend on the whole leaf list, not on one leaf: the evaluator decides.
  if (item.values.some((v) => hasKind(v.matcher, ['null', 'exists', 'fieldref']))) {
    em.functions.push(`function ${name}(e) { return ${slow}; }`);
    return name;
  }
  const tests = item.all ? parts : [parts.join(' || ')];
  const fns = tests.map((body, j) => {
    const fn = `${name}_${j}`;
    em.functions.push(`function ${fn}(v, l) { return ${body}; }`);
    return `h.anyLeaf(e, ${fn})`;
  });
  const body = fns.join(' && ');
  em.functions.push(`function ${name}(e) { return ${item.neq ? `!(${body})` : body}; }`);
  return name;
}

function searchExpr(n: SearchNode, em: Emitter): string {
  switch (n.kind) {
    case 'item':
      return `${emitItem(n.item, em)}(e)`;
    case 'and':
      return n.items.length === 0 ? 'true' : `(${n.items.map((it) => `${emitItem(it, em)}(e)`).join(' && ')})`;
    case 'allOf':
      return n.children.length === 0 ? 'true' : `(${n.children.map((c) => searchExpr(c, em)).join(' && ')})`;
    case 'or':
      return n.children.length === 0 ? 'false' : `(${n.children.map((c) => searchExpr(c, em)).join(' || ')})`;
    default:
      return assertNever(n);
  }
}

function conditionExpr(n: ConditionNode, plan: MatchPlan, ids: Map<string, string>): string {
  const id = (name: string): string => {
    const fn = ids.get(name);
    return fn === undefined ? 'false' : `${fn}(e)`;
  };
  switch (n.kind) {
    case 'id':
      return id(n.name);
    case 'not':
      return `!${conditionExpr(n.arg, plan, ids)}`;
    case 'and':
      return `(${n.args.map((a) => conditionExpr(a, plan, ids)).join(' && ')})`;
    case 'or':
      return `(${n.args.map((a) => conditionExpr(a, plan, ids)).join(' || ')})`;
    case 'of': {
      const targets = plan.targets[n.target] ?? [];
      if (targets.length === 0) return n.quant === 'one' ? 'false' : 'true';
      return `(${targets.map(id).join(n.quant === 'one' ? ' || ' : ' && ')})`;
    }
    default:
      return assertNever(n);
  }
}

/** Compiles a plan; declines (with the reason) when it cannot, and callers fall back to the evaluator. */
export function compilePlan(plan: MatchPlan): CompileResult {
  try {
    const em = new Emitter();
    const ids = new Map<string, string>();
    plan.identifiers.forEach((ident, i) => {
      const fn = `s${i}`;
      ids.set(ident.name, fn);
      em.functions.push(`function ${fn}(e) { return ${searchExpr(ident.body, em)}; }`);
    });
    const cond = conditionExpr(plan.condition, plan, ids);
    const source = `'use strict';\n${em.functions.join('\n')}\nreturn function match(e) { return ${cond}; };\n`;
    const factory = new Function('d', 'h', source) as (d: unknown[], h: typeof HELPERS) => CompiledMatch;
    return { ok: true, compiled: { match: factory(em.data, HELPERS), source, data: em.data } };
  } catch (e) {
    return { ok: false, reason: `code generation failed: ${(e as Error).message}` };
  }
}

/** A matcher for a plan (memoised per plan): compiled when possible, else the reference evaluator. */
export function planMatcher(plan: MatchPlan, interpret = false): PlanMatcher {
  if (interpret) return { match: (e) => planMatches(plan, e), compiled: false, reason: 'interpreted on request' };
  let m = matcherCache.get(plan);
  if (m === undefined) {
    const r = compilePlan(plan);
    m = r.ok ? { match: r.compiled.match, compiled: true } : { match: (e) => planMatches(plan, e), compiled: false, reason: r.reason };
    matcherCache.set(plan, m);
  }
  return m;
}

export interface PlanMatcher {
  match: CompiledMatch;
  /** False when the compiler declined and the reference evaluator runs instead. */
  compiled: boolean;
  reason?: string;
}

const matcherCache = new WeakMap<MatchPlan, PlanMatcher>();

/** The generated source with a legend of its data, for `--dump-js`. */
export function describeCompiled(c: CompiledPlan): string {
  const legend = c.data.map((v, i) => `// d[${i}] = ${describeDatum(v)}`);
  return `${legend.join('\n')}\n${c.source}`;
}

function describeDatum(v: unknown): string {
  if (v instanceof LiteralSet) return `${v.mode} any of ${v.literals.length}: ${JSON.stringify(v.literals.slice(0, 3))}${v.literals.length > 3 ? ', ...' : ''}`;
  if (v instanceof CidrSet) return `cidr any of ${v.tests.length}: ${JSON.stringify(v.tests.slice(0, 3).map((c) => c.text))}${v.tests.length > 3 ? ', ...' : ''}`;
  if (typeof v === 'object' && v !== null && 'shift' in v && 'text' in v) return `cidr ${JSON.stringify((v as CidrTest).text)}`;
  if (v instanceof RegExp) return `/${v.source}/${v.flags}`.replace(/[\r\n\u2028\u2029]/g, ' ');
  if (v instanceof RegexMatcher) return `${v.engine} /${v.source}/${v.flags}`.replace(/[\r\n\u2028\u2029]/g, ' ');
  if (v instanceof WildcardMatcher) return `wildcard /${v.source}/${v.flags}`.replace(/[\r\n\u2028\u2029]/g, ' ');
  if (typeof v === 'string' || typeof v === 'number') return JSON.stringify(v);
  if (typeof v === 'object' && v !== null && 'path' in v) return `item ${String((v as PlanItem).path)}`;
  if (typeof v === 'object' && v !== null && 'kind' in v) {
    const m = v as Matcher;
    return m.kind === 'string' ? `matcher ${describeDatum(m.wildcard)}` : `matcher ${m.kind}`;
  }
  return String(v);
}
