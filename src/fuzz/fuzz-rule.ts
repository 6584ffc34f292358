/**
 * Fuzzing one rule: property runs (fast-check, replayable from seed and path) and analyses of
 * the rule itself, each producing findings with a stable code:
 *
 * - `PROPERTY_FAILED` (error): the engine disagrees with what a value means: a realisation of a
 *   pattern (literals re-cased unless `cased`, embedded at random positions in realistic values,
 *   every windash character) must match, and a copy with one character changed must match exactly
 *   when the independent oracle ({@link oracleMatch}) says so. An engine bug.
 * - `RULE_UNSATISFIABLE` (error): no event could be synthesised that matches, with the reason.
 * - `EXCLUSION_DEAD` (warning): an exclusion that is never true for an event the rest matches.
 * - `EXCLUSION_EVADABLE` (warning): an exclusion on a path-like field that also suppresses an
 *   attacker-controllable variant (the excluded file name in a user-writable folder, on another
 *   drive, a look-alike or prefixed name); the example is the event that slips through.
 * - `STAGE_UNREACHABLE` (warning): a stage whose truth never changes the verdict.
 * - `VALUE_SHADOWED` (warning): a value of an OR-list that another value of the list covers.
 * - `CLAIM_UNDECIDED` (info): a question behind RULE_UNSATISFIABLE, EXCLUSION_DEAD or STAGE_UNREACHABLE
 *   that neither a witness nor a proof settled within the budget.
 *
 * The three claims of impossibility are made only on a proof of the constraint solver
 * (solver.ts): a search that found no event is not one.
 *
 * - `FILTER_SUPPRESSES_ALL` (error): a Sigma filter composed into the rule (correlation/filters.ts)
 *   is the exclusion that leaves no event to match; reported instead of RULE_UNSATISFIABLE.
 *
 * A filter's stages are exclusions like the rule's own, so EXCLUSION_DEAD and EXCLUSION_EVADABLE
 * apply to them too; findings about a filter's identifiers are located in the filter's file.
 *
 * Every finding names the rule file and the line and column of what it is about (the value, the
 * item, the identifier, or the condition for a rule-wide one), from the positions the plan keeps,
 * and carries its data in fields (identifier, field, value, variant, covering value, example
 * event): the message is for people, nothing reads data back out of it.
 */
import fc from 'fast-check';
import type { SigmaRule } from '../rules/load-rule.js';
import type { LiteralShape, Matcher, PlanItem, PlanValue, SearchNode } from '../plan/plan.js';
import { ruleFieldOf } from '../plan/plan.js';
import { EventView, evaluateCondition, evaluatePlan, matcherHolds } from '../evaluate/evaluate.js';
import type { Event } from '../evaluate/evaluate.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import type { SourcePos } from '../diagnostics/diagnostics.js';
import { CODES } from '../diagnostics/codes.js';
import type { FindingCode, Severity } from '../diagnostics/codes.js';
import { WINDASH_CHARS } from '../sigma/pattern.js';
import { isPathLike } from '../../generators/registry.js';
import { basename, fillUser, isUserWritable, lookalikeNames, relocate, userWritableDir, userWritableDirs } from '../../generators/windows-paths.js';
import { substitute, termsOf, toBoolExpr } from './condition-terms.js';
import type { BoolExpr, Term } from './condition-terms.js';
import { oracleApplies, oracleMatch } from './oracle.js';
import { pick, realizePattern } from './realize.js';
import { synthesize } from './synthesize.js';
import { describeConflicts, solve } from './solver.js';
import type { SolveResult } from './solver.js';
import { logsourceBase, realizeContext, realizeTerms, seededRandom } from './witness.js';
import { pushAll } from '../util/arrays.js';

/** The codes of fuzz findings: the `fuzz` group of the code registry, with their severities. */
export type { FindingCode } from '../diagnostics/codes.js';

/** A problem fuzzing found in a rule or the engine: a registered code with its severity, an example event, and how to replay it. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** What is wrong, in words. For people only: the data is in the fields below. */
  message: string;
  /** The file the finding is located in: the rule file (as loaded), or a filter's file for its stages; fuzzRule sets it on every finding. */
  file?: string;
  /** Where in the file: the value, item or identifier concerned, or the condition for a rule-wide finding. */
  pos?: SourcePos;
  /** An event showing it (the counterexample, the event that slips through...). */
  event?: Event;
  /** Replay: `sigmatest fuzz <rule> --seed <seed>` (and fast-check's path for property failures). */
  seed: number;
  path: string;
  /** The stage (search identifier) concerned. */
  stage?: string;
  /** The field concerned (PROPERTY_FAILED, EXCLUSION_EVADABLE, VALUE_SHADOWED). */
  field?: string;
  /** The rule value concerned as written; for EXCLUSION_EVADABLE the item's values, joined with `, `. */
  value?: string;
  /**
   * EXCLUSION_EVADABLE: the attacker-controllable value of `field` that the exclusion also
   * suppresses; PROPERTY_FAILED: the text the engine misjudged.
   */
  variant?: string;
  /** EXCLUSION_EVADABLE: why `variant` is within an attacker's reach. */
  variantReason?: string;
  /** VALUE_SHADOWED: the value that already matches everything `value` matches. */
  coveredBy?: string;
  /**
   * Set when the finding is muted, with the reason (`--ignore`, the config's `severities`, the
   * case file's `fuzz: ignore:`): reported as suppressed, it fails nothing.
   */
  suppressed?: string;
}

/** The fuzzing of one rule: its status, the matching events synthesised, and the findings. */
export interface RuleFuzzResult {
  rule: SigmaRule;
  status: 'pass' | 'fail' | 'unsupported';
  /** Matching events synthesised during the runs. */
  witnesses: Event[];
  findings: Finding[];
  runs: number;
  reason?: string;
}

/** How fuzzRule runs: property runs, seed, logsource mapping, and whether warnings fail. */
export interface FuzzOptions {
  runs: number;
  seed: number;
  mapping: LogsourceMapping | null;
  /** Warnings fail the rule too. */
  strict?: boolean;
  /** Muting (see {@link Finding.suppressed}). */
  mute?: FuzzMute;
}

/** What mutes findings: codes ignored (with the reason), severity overrides. */
export interface FuzzMute {
  /** Code → why it is muted for this rule (`--ignore CODE`, a case file's `fuzz: ignore:`). */
  ignore?: Readonly<Partial<Record<FindingCode, string>>>;
  /** The config's severities for fuzz codes; `off` mutes. */
  severities?: Readonly<Partial<Record<FindingCode, Severity | 'off'>>>;
}

/** Applies muting: severity overrides, then suppression with the reason. */
export function muteFindings(findings: readonly Finding[], mute: FuzzMute | undefined): Finding[] {
  if (mute === undefined) return [...findings];
  return findings.map((f) => {
    const sev = mute.severities?.[f.code];
    const out: Finding = sev !== undefined && sev !== 'off' ? { ...f, severity: sev } : { ...f };
    const why = mute.ignore?.[f.code];
    if (why !== undefined) out.suppressed = why;
    else if (sev === 'off') out.suppressed = `severities: ${f.code}: off (config)`;
    return out;
  });
}

const NO_VIEW = new EventView({});

/** The optional data of a finding; undefined entries are left out. */
type FindingData = { [K in 'pos' | 'event' | 'stage' | 'field' | 'value' | 'variant' | 'variantReason' | 'coveredBy']?: Finding[K] | undefined };

/** A finding about `rule`, in its file. */
function finding(rule: SigmaRule, code: FindingCode, message: string, seed: number, path: string, data: FindingData = {}): Finding {
  const f: Finding = { code, severity: CODES[code].severity, message, file: rule.file, seed, path };
  return Object.assign(f, Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)));
}

/** A string matcher of the rule with its item and value. */
interface StringValue {
  item: PlanItem;
  value: PlanValue;
  m: Extract<Matcher, { kind: 'string' }>;
}

/** The string matchers of the rule with their items (windash dashes stay classes, anyOf expanded). */
function stringValues(items: readonly PlanItem[]): StringValue[] {
  const out: StringValue[] = [];
  const walk = (item: PlanItem, value: PlanValue, m: Matcher): void => {
    if (m.kind === 'string') out.push({ item, value, m });
    else if (m.kind === 'anyOf') for (const mm of m.members) walk(item, value, mm);
  };
  for (const it of items) for (const v of it.values) walk(it, v, v.matcher);
  return out;
}

/** One check of a value against the oracle; a message when the engine disagrees. */
function checkValue(v: StringValue, text: string): string | undefined {
  if (!oracleApplies(v.m.pattern, text)) return undefined;
  const want = oracleMatch(v.m.pattern, v.m.cased, text);
  const got = matcherHolds(v.m, [text], NO_VIEW);
  if (want === got) return undefined;
  return `${v.item.path} value '${v.value.source}': the engine says ${got ? 'match' : 'no match'} for ${JSON.stringify(text)}, which the pattern ${want ? 'accepts' : 'rejects'}`;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A value the engine misjudged: the message, the text, and the value. */
interface PropertyFailure {
  message: string;
  text: string;
  v: StringValue;
}

/** The property of one run: realisations match, every dash variant matches, a broken copy is judged like the oracle. */
function valueProperty(values: readonly StringValue[], s: number): PropertyFailure | undefined {
  if (values.length === 0) return undefined;
  const ctx = realizeContext(s);
  const v = pick(ctx.rnd, values);
  const text = realizePattern(v.m.pattern, v.m.cased, ruleFieldOf(v.item), ctx);
  const texts = [text];
  if (v.m.pattern.tokens.some((t) => t.t === 'dash')) {
    for (const d of WINDASH_CHARS) {
      texts.push(realizePattern({ tokens: v.m.pattern.tokens.map((t) => (t.t === 'dash' ? { t: 'lit', s: d } : t)), bytes: false }, v.m.cased, ruleFieldOf(v.item), ctx));
    }
  }
  if (text.length > 0) {
    const i = Math.floor(ctx.rnd() * text.length);
    const c = text[i] as string;
    let r = pick(ctx.rnd, [...ALNUM]);
    if (r === c.toLowerCase()) r = r === 'z' ? 'y' : 'z';
    texts.push(text.slice(0, i) + r + text.slice(i + 1));
  }
  for (const t of texts) {
    const m = checkValue(v, t);
    if (m !== undefined) return { message: m, text: t, v };
  }
  return undefined;
}

class Synth {
  readonly expr: BoolExpr;
  readonly base: Event;
  constructor(
    readonly rule: SigmaRule,
    mapping: LogsourceMapping | null,
  ) {
    this.expr = toBoolExpr(rule.plan);
    this.base = logsourceBase(rule, mapping);
  }

  /**
   * An event making `expr` true: random synthesis first (varied, realistic events), then the
   * solver, whose answer is a confirmed event, a proof that none exists, or unknown.
   */
  decide(expr: BoolExpr, seed: number, attempts: number): SolveResult {
    const terms = termsOf(expr, seededRandom(seed)).terms;
    if (terms.length === 0) return { status: 'unsat', conflicts: [] };
    const r = this.realize(terms, seed, attempts);
    if (r.event !== undefined) return { status: 'sat', event: r.event };
    return solve(this.rule.plan, expr, this.base);
  }

  /** An event realising one of the terms, trying seeds from `seed`. */
  realize(terms: readonly Term[], seed: number, attempts: number): { event?: Event; reason?: string } {
    const r = realizeTerms(this.rule.plan, terms, this.base, seed, attempts);
    return r.ok ? { event: r.event } : { reason: r.reason };
  }
}

/** Does covering value `b` accept everything value `a` accepts (literal shapes of one casing)? */
function covers(b: LiteralShape, a: LiteralShape): boolean {
  switch (b.mode) {
    case 'eq':
      return a.mode === 'eq' && a.text === b.text;
    case 'contains':
      return a.text.includes(b.text);
    case 'startswith':
      return (a.mode === 'startswith' || a.mode === 'eq') && a.text.startsWith(b.text);
    case 'endswith':
      return (a.mode === 'endswith' || a.mode === 'eq') && a.text.endsWith(b.text);
  }
}

/** One value of an OR-list, with the item it sits in (lists of maps spread one list over items). */
export interface ListValue {
  item: PlanItem;
  value: PlanValue;
}

/**
 * The OR-lists of a rule: each item's values, and the values of sibling items in a list of maps
 * that test the same field with the same modifiers (`- Image|endswith: a` / `- Image|endswith: b`).
 */
function orLists(rule: SigmaRule): ListValue[][] {
  const lists: ListValue[][] = [];
  const single = (n: SearchNode): PlanItem | undefined => (n.kind === 'item' ? n.item : n.kind === 'and' && n.items.length === 1 ? n.items[0] : undefined);
  const seen = new Set<PlanItem>();
  const walk = (n: SearchNode): void => {
    if (n.kind !== 'or') return;
    const groups = new Map<string, PlanItem[]>();
    for (const c of n.children) {
      const it = single(c);
      if (it === undefined || it.all || it.neq) {
        walk(c);
        continue;
      }
      const key = `${it.field ?? ''}\u0000${it.chain.text}`;
      groups.set(key, [...(groups.get(key) ?? []), it]);
    }
    for (const items of groups.values()) {
      if (items.length < 2) continue;
      for (const it of items) seen.add(it);
      lists.push(items.flatMap((it) => it.values.map((value) => ({ item: it, value }))));
    }
  };
  for (const ident of rule.plan.identifiers) walk(ident.body);
  for (const it of rule.plan.items) {
    if (it.all || it.neq || seen.has(it) || it.values.length < 2) continue;
    lists.push(it.values.map((value) => ({ item: it, value })));
  }
  return lists;
}

const sampleMemo = new WeakMap<Matcher, string[]>();

/** Texts a string matcher accepts: wildcards empty and filled, each dash, recased literals (memoised). */
function samplesOf(m: Extract<Matcher, { kind: 'string' }>, seed: number): string[] {
  let s = sampleMemo.get(m);
  if (s === undefined) {
    s = makeSamples(m, seed);
    sampleMemo.set(m, s);
  }
  return s;
}

function makeSamples(m: Extract<Matcher, { kind: 'string' }>, seed: number): string[] {
  const fixed = (fill: string, dash: string): string =>
    m.pattern.tokens.map((t) => (t.t === 'lit' ? t.s : t.t === 'any' ? fill : t.t === 'one' ? 'x' : t.t === 'dash' ? dash : '')).join('');
  const out = [fixed('', '-'), fixed('x', '/'), fixed('', '\u2013'), fixed(' \\ ', '-')];
  const ctx = realizeContext(seed);
  for (let k = 0; k < 8; k++) out.push(realizePattern(m.pattern, m.cased, null, ctx));
  return out;
}

/** Does value `b` accept everything value `a` accepts? Exact for literal shapes, sampled (with the oracle) otherwise. */
export function coversValue(b: Matcher, a: Matcher, seed: number, sampled: boolean): boolean {
  if (a.kind === 'string' && b.kind === 'string') {
    if (a.cased !== b.cased || a.pattern.bytes || b.pattern.bytes) return false;
    if (a.literal !== undefined && b.literal !== undefined) return covers(b.literal, a.literal);
    if (!sampled) return false;
    const texts = samplesOf(a, seed);
    return texts.every((t) => oracleApplies(b.pattern, t) && oracleMatch(b.pattern, b.cased, t));
  }
  // Other kinds: only exact duplicates.
  if (a.kind === 'number' && b.kind === 'number') return a.value === b.value;
  if (a.kind === 're' && b.kind === 're') return a.source === b.source && a.regex.flags === b.regex.flags;
  if (a.kind === 'cidr' && b.kind === 'cidr') return a.family === b.family && b.prefix <= a.prefix && a.network >> BigInt((a.family === 4 ? 32 : 128) - b.prefix) === b.network >> BigInt((b.family === 4 ? 32 : 128) - b.prefix);
  return false;
}

/** From this many values on, an OR-list's shadowed values are found by lookups, not pairwise (see {@link coveringIndex}). */
const PAIRWISE_MAX = 64;
/** `cidr` values of a long list are compared pairwise up to this many. */
const CIDR_PAIRWISE_MAX = 2000;

/**
 * The first value of a long list that covers value `i` the way the pairwise search of
 * {@link shadowedValues} would find it (-1 when none), in time linear in the list: literals are
 * looked up by their text, their prefixes, suffixes and substrings of the lengths other literals
 * have; numbers and regexes by value; `cidr` networks pairwise while few. Other patterns of a
 * long list are compared with nothing, as in the pairwise search (no sampling beyond 40 values).
 */
export function coveringIndex(list: readonly ListValue[]): (i: number) => number {
  const byKey = new Map<string, number[]>();
  const lengths = new Map<string, Set<number>>();
  const cidrs: number[] = [];
  const keyOf = (m: Matcher): string | undefined => {
    if (m.kind === 'number') return `n\0${m.value}`;
    if (m.kind === 're') return `r\0${m.regex.flags}\0${m.source}`;
    return undefined;
  };
  const add = (key: string, j: number): void => {
    const l = byKey.get(key);
    if (l === undefined) byKey.set(key, [j]);
    else l.push(j);
  };
  list.forEach((w, j) => {
    const m = w.value.matcher;
    if (m.kind === 'string' && m.literal !== undefined && !m.pattern.bytes) {
      const group = `${m.cased ? 'c' : 'i'}${m.literal.mode}`;
      add(`${group}\0${m.literal.text}`, j);
      let set = lengths.get(group);
      if (set === undefined) lengths.set(group, (set = new Set()));
      set.add(m.literal.text.length);
    } else if (m.kind === 'cidr') cidrs.push(j);
    else {
      const k = keyOf(m);
      if (k !== undefined) add(k, j);
    }
  });
  return (i: number): number => {
    const v = list[i] as ListValue;
    const a = v.value.matcher;
    const candidates: number[] = [];
    const look = (key: string): void => {
      const l = byKey.get(key);
      if (l !== undefined) for (const j of l) candidates.push(j);
    };
    if (a.kind === 'string' && a.literal !== undefined && !a.pattern.bytes) {
      const c = a.cased ? 'c' : 'i';
      const t = a.literal.text;
      const mode = a.literal.mode;
      if (mode === 'eq') look(`${c}eq\0${t}`);
      for (const n of lengths.get(`${c}contains`) ?? []) for (let k = 0; k + n <= t.length; k++) look(`${c}contains\0${t.slice(k, k + n)}`);
      if (mode === 'startswith' || mode === 'eq') for (const n of lengths.get(`${c}startswith`) ?? []) if (n <= t.length) look(`${c}startswith\0${t.slice(0, n)}`);
      if (mode === 'endswith' || mode === 'eq') for (const n of lengths.get(`${c}endswith`) ?? []) if (n <= t.length) look(`${c}endswith\0${t.slice(t.length - n)}`);
    } else if (a.kind === 'cidr') {
      if (cidrs.length <= CIDR_PAIRWISE_MAX) for (const j of cidrs) if (coversValue((list[j] as ListValue).value.matcher, a, 0, false)) candidates.push(j);
    } else {
      const k = keyOf(a);
      if (k !== undefined) look(k);
    }
    let best = -1;
    for (const j of candidates) {
      if (j === i || (best >= 0 && j >= best)) continue;
      // Two values covering each other (duplicates): the later one is reported.
      const w = (list[j] as ListValue).value.matcher;
      if (!coversValue(a, w, 0, false) || j < i) best = j;
    }
    return best;
  };
}

function shadowedValues(rule: SigmaRule, seed: number): Finding[] {
  const out: Finding[] = [];
  for (const list of orLists(rule)) {
    // Patterns other than plain literals are compared by sampling, in lists of a sensible size.
    const sampled = list.length <= 40;
    const indexed = list.length > PAIRWISE_MAX ? coveringIndex(list) : undefined;
    list.forEach((v, i) => {
      const by =
        indexed?.(i) ??
        list.findIndex((w, j) => {
          if (j === i || !coversValue(w.value.matcher, v.value.matcher, seed, sampled)) return false;
          // Two values covering each other (duplicates): the later one is reported.
          return !coversValue(v.value.matcher, w.value.matcher, seed, sampled) || j < i;
        });
      if (by < 0) return;
      const other = list[by];
      const where = other !== undefined && other.item !== v.item ? ` (${other.item.path})` : ' in the same list';
      out.push(
        finding(rule, 'VALUE_SHADOWED', `${v.item.path}: value '${v.value.source}' can never be the reason for a match: '${other?.value.source ?? ''}'${where} already matches everything it matches`, seed, 'static', {
          pos: v.value.pos ?? v.item.pos,
          stage: v.item.identifier,
          field: v.item.field ?? undefined,
          value: v.value.source,
          coveredBy: other?.value.source,
        }),
      );
    });
  }
  return out;
}

/**
 * A Windows path an event could really hold: one drive prefix, no doubled separators, no other
 * colon, no character Windows forbids in names, no segment with spaces at its ends (but the
 * look-alike `Windows ` folder, made on purpose), a file name at the end.
 */
export function isRealisticPath(p: string): boolean {
  if (!/^[A-Za-z]:\\[^:*?"<>|\u0000-\u001f]*$/.test(p) || p.includes('\\\\') || p.endsWith('\\')) return false;
  const segs = p.slice(3).split('\\');
  return segs.every((x) => x !== '' && x.trim() !== '' && !x.startsWith(' ') && (!x.endsWith(' ') || /^windows $/i.test(x)) && !/^\.+$/.test(x));
}

/**
 * Path variants an attacker controls, each with how it was made: the excluded path on another
 * drive, under a look-alike `Windows ` folder, its file name moved to user-writable or other
 * folders, look-alike and prefixed names in a user-writable folder. Only realistic paths
 * ({@link isRealisticPath}).
 */
function pathVariants(written: string, seed: number): Array<{ path: string; why: string }> {
  const out: Array<{ path: string; why: string }> = [];
  // The suppressed value as a full path (synthesis may leave a bare `\\System32\\x.exe`).
  let path = written.trim().replace(/\\{2,}/g, '\\');
  const rooted = !/^[A-Za-z]:/.test(path);
  if (path.startsWith('\\')) path = `C:${path}`;
  else if (rooted) path = `C:\\${path}`;
  const add = (p: string, why: string): void => {
    if (isRealisticPath(p) && p.toLowerCase() !== written.toLowerCase()) out.push({ path: p, why });
  };
  const name = basename(path);
  const dirOf = (p: string): string => p.slice(0, p.length - basename(p).length - 1);
  if (isRealisticPath(path)) {
    if (rooted) add(path, `made by putting the excluded path under the root of ${path.slice(0, 2)} (any user can create folders there)`);
    const drive = path.slice(0, 2);
    for (const d of ['D:', 'E:']) if (d.toLowerCase() !== drive.toLowerCase()) add(d + path.slice(2), `made by changing the drive of the excluded path (${drive} to ${d}): the same folders on a drive the attacker controls`);
    const spaced = path.replace(/\\windows\\/i, (m) => `${m.slice(0, -1)} \\`);
    if (spaced !== path) add(spaced, "made by renaming the path's 'Windows' folder to 'Windows ' (a trailing space), a folder any user can create");
    for (const p of fc.sample(relocate(path), { numRuns: 6, seed })) {
      if (basename(p) !== name) continue;
      const dir = dirOf(p);
      add(p, isUserWritable(p) ? `made by moving the excluded file name to ${dir}, a folder any user can write to` : `made by moving the excluded file name to ${dir}`);
    }
  }
  if (name === '' || !isRealisticPath(`C:\\${name}`)) return out;
  // The same name in every user-writable folder, deterministically (an exclusion of such a folder shows here).
  for (const t of userWritableDirs) {
    const dir = `C:${fillUser(t, 'attacker')}`;
    add(`${dir}\\${name}`, `made by moving the excluded file name to ${dir}, a folder any user can write to`);
  }
  // Other names go where any user can write: a name-only exclusion follows them there.
  const writable = fc.sample(userWritableDir, { numRuns: 1, seed })[0] ?? 'C:\\Users\\Public';
  for (const n of lookalikeNames(name)) add(`${writable}\\${n}`, `made by giving a file in ${writable} (user-writable) the look-alike name '${n}'`);
  add(`${writable}\\evil${name}`, `made by naming a file in ${writable} (user-writable) 'evil${name}', a name ending with the excluded one`);
  return out;
}

/** Fuzzes one rule. */
export function fuzzRule(rule: SigmaRule, options: FuzzOptions): RuleFuzzResult {
  const findings: Finding[] = [];
  const witnesses: Event[] = [];
  const synth = new Synth(rule, options.mapping);
  const matchTerms = termsOf(synth.expr, seededRandom(options.seed)).terms;
  const values = stringValues(rule.plan.items);
  const seen = new Set<string>();

  // 1. Property runs: a witness and a value property per run.
  let failure: PropertyFailure | undefined;
  const details = fc.check(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (s) => {
      if (matchTerms.length > 0) {
        const ctx = realizeContext(s, rule.plan);
        const r = synthesize(rule.plan, pick(ctx.rnd, matchTerms), ctx, { base: synth.base, tries: 1 });
        if (r.ok) {
          const key = JSON.stringify(r.event);
          if (!seen.has(key)) {
            seen.add(key);
            witnesses.push(r.event);
          }
        }
      }
      failure = valueProperty(values, s);
      return failure === undefined;
    }),
    { numRuns: options.runs, seed: options.seed },
  );
  if (details.failed) {
    // Re-run the shrunk counterexample for its message (the last run may have been another shrink).
    const s = details.counterexample?.[0];
    const f = (s !== undefined ? valueProperty(values, s) : undefined) ?? failure;
    const v = f?.v;
    const text = f?.text ?? '';
    const event: Event = { ...synth.base, [v?.item.field ?? 'Message']: text };
    findings.push(
      finding(rule, 'PROPERTY_FAILED', `engine bug: ${f?.message ?? 'property failed'}`, details.seed, details.counterexamplePath ?? '', {
        pos: v?.value.pos ?? v?.item.pos,
        event,
        stage: v?.item.identifier,
        field: v?.item.field ?? undefined,
        value: v?.value.source,
        variant: f === undefined ? undefined : text,
      }),
    );
  }

  // 2. Satisfiable at all? Claimed impossible only on the solver's proof.
  const undecided = (question: string, why: string, pos: SourcePos | undefined, stage: string | undefined, path: string): Finding =>
    finding(rule, 'CLAIM_UNDECIDED', `${question}: neither an event nor a proof was found (${why})`, options.seed, path, { pos, stage });
  if (witnesses.length === 0) {
    const r = synth.decide(synth.expr, options.seed, 12);
    if (r.status === 'sat') witnesses.push(r.event);
    else if (r.status === 'unknown') findings.push(undecided('can any event make the rule match', r.why, rule.plan.conditionPos, undefined, 'synthesis'));
    else {
      // Say which exclusion, if any, is what leaves nothing to match (the rest alone must be satisfiable).
      const culprits = rule.plan.stages
        .filter((st) => st.index > 0 && (st.exclusion || onlyNegated(synth.expr, st.name)))
        .filter((st) => synth.decide(substitute(synth.expr, st.name, false), options.seed, 4).status === 'sat')
        .map((st) => st.name);
      const reason = describeConflicts(r.conflicts);
      const why = culprits.length > 0 ? `exclusion ${culprits.map((c) => `'${c}'`).join(', ')} suppresses every event the rest of the rule matches (${reason})` : reason;
      // Located at the (first) exclusion to blame, else at the condition.
      const culprit = culprits[0];
      const filter = culprit === undefined ? undefined : rule.plan.identifiers.find((i) => i.name === culprit)?.filter;
      if (filter !== undefined && culprit !== undefined) {
        // A Sigma filter composed into the rule leaves it nothing: the filter's fault, in the filter's file.
        findings.push(
          finding(rule, 'FILTER_SUPPRESSES_ALL', `filter '${filter.title}' (${culprit}) suppresses every event the rule matches on its own: the rule can never alert (${reason})`, options.seed, 'synthesis', {
            pos: identifierPos(rule, culprit),
            stage: culprit,
          }),
        );
      } else {
        findings.push(
          finding(rule, 'RULE_UNSATISFIABLE', `no event can make the rule match: ${why}`, options.seed, 'synthesis', {
            pos: culprit === undefined ? rule.plan.conditionPos : identifierPos(rule, culprit),
            stage: culprit,
          }),
        );
      }
    }
  }
  const satisfiable = witnesses.length > 0;

  // 3. Stages: exclusions must be able to suppress, other stages must be able to change the verdict.
  if (satisfiable) {
    for (const stage of rule.plan.stages) {
      if (stage.index === 0) continue;
      const name = stage.name;
      const pos = identifierPos(rule, name);
      const path = `stage:${stage.index}`;
      if (stage.exclusion || onlyNegated(synth.expr, name)) {
        // The rest of the rule matches and the exclusion holds.
        const target: BoolExpr = { k: 'and', args: [substitute(synth.expr, name, false), { k: 'id', name }] };
        const r = synth.decide(target, options.seed + 1000 * stage.index, 10);
        if (r.status === 'unsat') {
          findings.push(finding(rule, 'EXCLUSION_DEAD', `exclusion '${name}' can never suppress an event the rest of the rule matches: ${describeConflicts(r.conflicts)}`, options.seed, path, { pos, stage: name }));
        } else if (r.status === 'unknown') {
          findings.push(undecided(`can exclusion '${name}' suppress an event the rest of the rule matches`, r.why, pos, name, path));
        } else pushAll(findings, evadable(rule, name, r.event, options.seed, stage.index));
        continue;
      }
      const whenTrue = substitute(synth.expr, name, true);
      const whenFalse = substitute(synth.expr, name, false);
      const differs: BoolExpr = {
        k: 'or',
        args: [
          { k: 'and', args: [whenTrue, { k: 'not', arg: whenFalse }] },
          { k: 'and', args: [{ k: 'not', arg: whenTrue }, whenFalse] },
        ],
      };
      if (termsOf(differs, seededRandom(options.seed)).terms.length === 0) {
        findings.push(finding(rule, 'STAGE_UNREACHABLE', `stage '${name}' never changes the verdict: the condition '${rule.plan.conditionText}' gives the same result whether it is true or false`, options.seed, path, { pos, stage: name }));
        continue;
      }
      const id: BoolExpr = { k: 'id', name };
      const on = synth.decide({ k: 'and', args: [differs, id] }, options.seed + 1000 * stage.index, 8);
      const off = on.status === 'unsat' ? on : synth.decide({ k: 'and', args: [differs, { k: 'not', arg: id }] }, options.seed + 1000 * stage.index + 500, 8);
      const bad = on.status !== 'sat' ? { r: on, truth: 'true' } : off.status !== 'sat' ? { r: off, truth: 'false' } : undefined;
      if (bad === undefined) continue;
      if (bad.r.status === 'unsat') {
        findings.push(
          finding(rule, 'STAGE_UNREACHABLE', `stage '${name}' can never change the verdict: no event where the rest of the rule leaves the verdict to it has it ${bad.truth} (${describeConflicts(bad.r.conflicts)})`, options.seed, path, { pos, stage: name }),
        );
      } else if (bad.r.status === 'unknown') findings.push(undecided(`can stage '${name}' change the verdict`, bad.r.why, pos, name, path));
    }
  }
  pushAll(findings, shadowedValues(rule, options.seed));
  // Findings about a filter's identifiers are located in the filter's file.
  for (const f of findings) {
    const origin = f.stage === undefined ? undefined : rule.plan.identifiers.find((i) => i.name === f.stage)?.filter;
    if (origin !== undefined) f.file = origin.file;
  }
  const shown = muteFindings(findings, options.mute);
  const failing = shown.some((f) => f.suppressed === undefined && (f.severity === 'error' || (options.strict === true && f.severity === 'warning')));
  return { rule, status: failing ? 'fail' : 'pass', witnesses, findings: shown, runs: options.runs };
}

/** EXCLUSION_EVADABLE: variants of a suppressed event's excluded path that are still suppressed. */
function evadable(rule: SigmaRule, stage: string, suppressed: Event, seed: number, index: number): Finding[] {
  const items = rule.plan.items.filter((it) => it.identifier === stage && it.field !== null && !it.neq && isPathLike(ruleFieldOf(it) ?? it.field));
  const out: Finding[] = [];
  const reported = new Set<string>();
  for (const it of items) {
    const field = it.field as string;
    const value = suppressed[field];
    if (typeof value !== 'string' || reported.has(field)) continue;
    const trace = evaluatePlan(rule.plan, suppressed);
    if (!trace.items[it.id]?.result) continue;
    for (const variant of pathVariants(value, seed * 31 + index)) {
      const e: Event = { ...suppressed, [field]: variant.path };
      const t = evaluatePlan(rule.plan, e);
      const restMatches = evaluateCondition(rule.plan, (n) => (n === stage ? false : (t.identifiers[n] ?? false)));
      if (!t.match && restMatches && t.identifiers[stage] === true) {
        reported.add(field);
        out.push(
          finding(rule, 'EXCLUSION_EVADABLE', `exclusion '${stage}' on ${field} also suppresses ${JSON.stringify(variant.path)} (${variant.why}): an attacker's file there slips through`, seed, `stage:${index}`, {
            pos: it.pos,
            event: e,
            stage,
            field,
            value: it.values.map((v) => v.source).join(', '),
            variant: variant.path,
            variantReason: variant.why,
          }),
        );
        break;
      }
    }
  }
  return out;
}

/** Where a search identifier's key is written. */
function identifierPos(rule: SigmaRule, name: string): SourcePos | undefined {
  return rule.plan.identifiers.find((i) => i.name === name)?.pos;
}

/** Does the identifier occur in the condition only under an odd number of negations (a filter)? */
function onlyNegated(e: BoolExpr, name: string): boolean {
  let pos = false;
  let neg = false;
  const walk = (x: BoolExpr, negated: boolean): void => {
    if (x.k === 'id') {
      if (x.name === name) {
        if (negated) neg = true;
        else pos = true;
      }
    } else if (x.k === 'not') walk(x.arg, !negated);
    else if (x.k === 'and' || x.k === 'or') for (const a of x.args) walk(a, negated);
  };
  walk(e, false);
  return neg && !pos;
}
