/**
 * A sound decision procedure for "can any event make this formula over the rule's identifiers
 * true?", used before any claim of impossibility (EXCLUSION_DEAD, STAGE_UNREACHABLE,
 * RULE_UNSATISFIABLE).
 *
 * The formula (a condition over identifiers, {@link BoolExpr}) is expanded, identifiers into
 * their bodies, to a negation normal form over detection items, and searched depth first
 * (DPLL-style: every OR is a branch, every AND a list of pending conjuncts) with a per-field
 * theory checked each time a field gets a new constraint:
 *
 * - A field holds nothing (absent), JSON null, a non-scalar, or one string (numbers and booleans
 *   are matched as their text, §4): each of these kinds is tried.
 * - On strings, an item made of string patterns (equality, `startswith`, `endswith`, `contains`,
 *   `*`/`?` wildcards, `windash` classes, `|all`, value lists, the byte patterns of the encodings,
 *   case folding per §5 / case-fold.ts) is an automaton; "the item holds" and "the item does not
 *   hold" for all items of a field together are decided exactly by a breadth-first search of the
 *   product of their automata over a finite alphabet (every character the patterns name, in all
 *   cases that fold onto it, the windash characters and one character standing for all others).
 *   The search either reaches an accepting state (the shortest satisfying value: a witness) or
 *   exhausts the reachable states (a proof), within a budget.
 * - Items the theory cannot decide exactly (`|re`, `cidr`, numbers, comparisons, `fieldref`,
 *   keyword items, a `not all` of several values, non-ASCII cased letters compared caselessly)
 *   are left out of the per-field decision. Leaving a constraint out only widens the set of
 *   events, so an "unsatisfiable" answer stays a proof; a "satisfiable" answer is then only a
 *   candidate, and counts only once the reference evaluator confirms its event.
 *
 * The answer is `sat` with an event the reference evaluator confirms, `unsat` with the conflicts
 * that close every branch (the field and the items that cannot hold together), or `unknown`
 * (budget spent, or candidates the evaluator did not confirm): unknown is never impossible.
 */
import type { Matcher, MatchPlan, PlanItem, SearchNode } from '../plan/plan.js';
import { EventView, itemHolds, evaluatePlan } from '../evaluate/evaluate.js';
import type { Event } from '../evaluate/evaluate.js';
import { WINDASH_CHARS } from '../sigma/pattern.js';
import type { Pattern } from '../sigma/pattern.js';
import { foldCode } from '../sigma/case-fold.js';
import { evalBool } from './condition-terms.js';
import type { BoolExpr } from './condition-terms.js';

/** An item asked to hold (`positive`) or not to hold. */
export interface ItemLiteral {
  item: PlanItem;
  positive: boolean;
}

/** Items of one field that no single value can satisfy together: the proof of one closed branch. */
export interface FieldConflict {
  field: string;
  literals: ItemLiteral[];
}

export type SolveResult =
  | { status: 'sat'; event: Event }
  | { status: 'unsat'; conflicts: FieldConflict[] }
  | { status: 'unknown'; why: string };

/** Work limits: search nodes of the formula, product states per field check. */
export interface SolveBudget {
  nodes?: number;
  states?: number;
  /** Milliseconds for the whole decision. */
  ms?: number;
}

type Nnf = { k: 'lit'; lit: ItemLiteral } | { k: 'and'; args: Nnf[] } | { k: 'or'; args: Nnf[] } | { k: 'const'; value: boolean };

function bodyNnf(n: SearchNode, positive: boolean): Nnf {
  switch (n.kind) {
    case 'item':
      return { k: 'lit', lit: { item: n.item, positive } };
    case 'and':
      return { k: positive ? 'and' : 'or', args: n.items.map((item) => ({ k: 'lit', lit: { item, positive } }) as Nnf) };
    case 'allOf':
      return { k: positive ? 'and' : 'or', args: n.children.map((c) => bodyNnf(c, positive)) };
    case 'or':
      return { k: positive ? 'or' : 'and', args: n.children.map((c) => bodyNnf(c, positive)) };
  }
}

function exprNnf(e: BoolExpr, bodies: Map<string, SearchNode>, positive: boolean): Nnf {
  switch (e.k) {
    case 'const':
      return { k: 'const', value: e.value === positive };
    case 'id': {
      const b = bodies.get(e.name);
      return b === undefined ? { k: 'const', value: !positive } : bodyNnf(b, positive);
    }
    case 'not':
      return exprNnf(e.arg, bodies, !positive);
    case 'and':
    case 'or':
      return { k: (e.k === 'and') === positive ? 'and' : 'or', args: e.args.map((a) => exprNnf(a, bodies, positive)) };
  }
}

// ---------------------------------------------------------------------------------------------
// Automata of string patterns

/** One step of a pattern: a character (compared cased or folded), any one, a dash class, `*`, or nothing. */
type Step = { t: 'ch'; c: number; cased: boolean; o: number } | { t: 'one' } | { t: 'dash' } | { t: 'any' } | { t: 'never' };

const DASH_CODES = new Set(WINDASH_CHARS.map((d) => d.codePointAt(0) as number));
const CASED = /\p{Cased}/u;

/** The steps of a pattern, or undefined when folding is not decided exactly here (a non-ASCII cased letter compared caselessly). */
function stepsOf(p: Pattern, cased: boolean): Step[] | undefined {
  const out: Step[] = [];
  for (const t of p.tokens) {
    switch (t.t) {
      case 'lit':
        for (const ch of t.s) {
          const c = ch.codePointAt(0) as number;
          const fold = !cased;
          if (fold && c > 127 && CASED.test(ch)) return undefined;
          out.push({ t: 'ch', c: fold ? foldCode(c) : c, cased: !fold, o: c });
        }
        break;
      case 'any':
        if (out[out.length - 1]?.t !== 'any') out.push({ t: 'any' });
        break;
      case 'one':
        out.push({ t: 'one' });
        break;
      case 'dash':
        out.push({ t: 'dash' });
        break;
      case 'ph':
        out.push({ t: 'never' });
        break;
    }
  }
  return out;
}

/**
 * A union of patterns as an NFA, run as a DFA built on the fly: states are (pattern, position),
 * numbered globally; sets of them are interned to small numbers. A set holding a trailing `*` of
 * some pattern accepts whatever follows: it collapses to one "accepts forever" set.
 */
class Nfa {
  readonly starts: number[] = [];
  readonly steps: Step[] = [];
  /** Final state of each state's pattern. */
  readonly finals = new Set<number>();
  private readonly ids = new Map<string, number>();
  readonly sets: number[][] = [];
  private readonly trans = new Map<number, number>();
  /** The interned sets that accept forever. */
  readonly forever = new Set<number>();
  constructor(patterns: Step[][]) {
    for (const p of patterns) {
      const base = this.steps.length;
      this.starts.push(base);
      this.steps.push(...p);
      this.steps.push({ t: 'never' });
      this.finals.add(base + p.length);
    }
  }
  private closure(states: Iterable<number>): number {
    const out = new Set<number>();
    const stack = [...states];
    while (stack.length > 0) {
      const s = stack.pop() as number;
      if (out.has(s)) continue;
      out.add(s);
      if (this.steps[s]?.t === 'any') stack.push(s + 1);
    }
    let set = [...out].sort((a, b) => a - b);
    // A trailing `*` (then the end): everything that follows is accepted.
    const tail = set.find((s) => this.steps[s]?.t === 'any' && this.finals.has(s + 1));
    if (tail !== undefined) set = [tail, tail + 1];
    const key = set.join(',');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.ids.set(key, id);
      this.sets.push(set);
      if (tail !== undefined) this.forever.add(id);
    }
    return id;
  }
  start(): number {
    return this.closure(this.starts);
  }
  accepts(id: number): boolean {
    return (this.sets[id] as number[]).some((s) => this.finals.has(s));
  }
  empty(id: number): boolean {
    return (this.sets[id] as number[]).length === 0;
  }
  next(id: number, c: number, ci: number): number {
    const key = id * 4096 + ci;
    const hit = this.trans.get(key);
    if (hit !== undefined) return hit;
    const out: number[] = [];
    for (const s of this.sets[id] as number[]) {
      if (this.finals.has(s)) continue;
      const st = this.steps[s] as Step;
      switch (st.t) {
        case 'ch':
          if ((st.cased ? c : foldCode(c)) === st.c) out.push(s + 1);
          break;
        case 'one':
          out.push(s + 1);
          break;
        case 'dash':
          if (DASH_CODES.has(c)) out.push(s + 1);
          break;
        case 'any':
          out.push(s);
          break;
        case 'never':
          break;
      }
    }
    const r = this.closure(out);
    this.trans.set(key, r);
    return r;
  }
}

/** What an item demands of a string value: automata that must accept, or must not; `free` when nothing decidable is left. */
interface StringDemand {
  /** Each must accept. */
  accept: Step[][][];
  /** None may accept (each is a union). */
  reject: Step[][][];
  /** The item is false on every string / true on every string. */
  impossible?: boolean;
  /** Part of the item could not be decided exactly and was left out. */
  approx?: boolean;
}

/** A value matcher on strings: patterns (a union), always true, always false, or undecidable. */
function stringForm(m: Matcher): Step[][] | boolean | undefined {
  switch (m.kind) {
    case 'string': {
      const s = stepsOf(m.pattern, m.cased);
      return s === undefined ? undefined : [s];
    }
    case 'null':
      return false;
    case 'exists':
      return m.value;
    case 'anyOf': {
      const out: Step[][] = [];
      for (const mm of m.members) {
        const f = stringForm(mm);
        if (f === undefined) return undefined;
        if (f === true) return true;
        if (f !== false) out.push(...f);
      }
      return out.length === 0 ? false : out;
    }
    default:
      return undefined;
  }
}

/** What a literal demands of a string value of its field. */
function demandOf(lit: ItemLiteral): StringDemand {
  const it = lit.item;
  const forms = it.values.map((v) => stringForm(v.matcher));
  // The item's inner test (before neq) must be `want`.
  const want = lit.positive !== it.neq;
  const some = !it.all;
  if (forms.some((f) => f === undefined)) return { accept: [], reject: [], approx: true };
  const pats = forms.filter((f): f is Step[][] => Array.isArray(f));
  const anyTrue = forms.some((f) => f === true);
  const anyFalse = forms.some((f) => f === false);
  if (some) {
    // OR of the values.
    if (want) return anyTrue ? { accept: [], reject: [] } : pats.length === 0 ? { accept: [], reject: [], impossible: true } : { accept: [pats.flat()], reject: [] };
    return anyTrue ? { accept: [], reject: [], impossible: true } : { accept: [], reject: pats.length === 0 ? [] : [pats.flat()] };
  }
  // AND of the values.
  if (want) return anyFalse ? { accept: [], reject: [], impossible: true } : { accept: pats, reject: [] };
  // Not all: one value fails; decided only when one pattern value is left.
  if (anyFalse) return { accept: [], reject: [] };
  if (pats.length === 0) return { accept: [], reject: [], impossible: true };
  if (pats.length === 1) return { accept: [], reject: [pats[0] as Step[][]] };
  return { accept: [], reject: [], approx: true };
}

/** When the current {@link solve} call must give up (its time budget). */
let solveDeadline = Infinity;

type StringAnswer = { status: 'sat'; value: string } | { status: 'unsat' } | { status: 'unknown' };

/** Does the union of patterns accept the text (a direct run)? */
function runs(ps: readonly Step[][], text: string): boolean {
  const cs = Array.from(text, (ch) => ch.codePointAt(0) as number);
  return ps.some((p) => {
    let cur = new Set<number>([0]);
    const close = (set: Set<number>): Set<number> => {
      for (const s of [...set]) for (let k = s; p[k]?.t === 'any'; k++) set.add(k + 1);
      return set;
    };
    close(cur);
    for (const c of cs) {
      const nx = new Set<number>();
      for (const s of cur) {
        const st = p[s];
        if (st === undefined) continue;
        if (st.t === 'any') nx.add(s);
        else if (st.t === 'one' || (st.t === 'dash' && DASH_CODES.has(c)) || (st.t === 'ch' && (st.cased ? c : foldCode(c)) === st.c)) nx.add(s + 1);
      }
      cur = close(nx);
      if (cur.size === 0) return false;
    }
    return cur.has(p.length);
  });
}

/** The text of a pattern with its wildcards empty (`?` as x, a dash as -), split at its leading and trailing `*`. */
function shapeOf(p: readonly Step[]): { lead: boolean; trail: boolean; core: string } {
  const lead = p[0]?.t === 'any';
  const trail = p.length > (lead ? 1 : 0) && p[p.length - 1]?.t === 'any';
  const core = p
    .slice(lead ? 1 : 0, trail ? -1 : undefined)
    .map((st) => (st.t === 'ch' ? String.fromCodePoint(st.o) : st.t === 'one' ? 'x' : st.t === 'dash' ? '-' : ''))
    .join('');
  return { lead, trail, core };
}

/** Joins a prefix and a suffix, overlapping them where they share text (`C:\Windows\` + `\x.dll`). */
function overlap(a: string, b: string): string[] {
  const out: string[] = [];
  for (let k = Math.min(a.length, b.length); k > 0; k--) if (a.slice(a.length - k).toLowerCase() === b.slice(0, k).toLowerCase()) out.push(a + b.slice(k));
  out.push(a + b);
  return out;
}

/**
 * Quick candidates before the exhaustive search: for combinations of one pattern of each union,
 * the prefix of the start-anchored one, the cores of the unanchored ones and the suffix of the
 * end-anchored one, joined (overlapping where they share text); or the whole value of an
 * equality. Realistic (the rule's own literals as written) and cheap to test.
 */
function quickCandidate(accept: readonly Step[][][], reject: readonly Step[][][]): string | undefined {
  const sizes = accept.map((u) => u.length);
  const total = sizes.reduce((a, b) => a * b, 1);
  const limit = Math.min(total, 3000);
  const ok = (t: string): boolean => accept.every((u) => runs(u, t)) && !reject.some((u) => runs(u, t));
  for (let t = 0; t < limit; t++) {
    let rest = t;
    const chosen = accept.map((u) => {
      const i = rest % u.length;
      rest = Math.floor(rest / u.length);
      return shapeOf(u[i] as Step[]);
    });
    const eqs = chosen.filter((c) => !c.lead && !c.trail);
    if (eqs.length > 0) {
      const e = (eqs[0] as { core: string }).core;
      if (ok(e)) return e;
      continue;
    }
    const starts = chosen.filter((c) => !c.lead).sort((a, b) => b.core.length - a.core.length);
    const ends = chosen.filter((c) => c.lead && !c.trail).sort((a, b) => b.core.length - a.core.length);
    const mids = chosen.filter((c) => c.lead && c.trail).map((c) => c.core);
    const head = starts[0]?.core ?? '';
    const tail = ends[0]?.core ?? '';
    for (const fill of ['', 'x']) {
      let texts = [head];
      for (const m of [...mids, fill, tail]) texts = texts.flatMap((x) => overlap(x, m));
      for (const x of texts) if (ok(x)) return x;
    }
  }
  return undefined;
}

/** Is there one string every `accept` automaton accepts and no `reject` automaton does? Breadth first: the shortest such string. */
function solveStrings(accept: Step[][][], reject: Step[][][], maxStates: number): StringAnswer {
  const quick = quickCandidate(accept, reject);
  if (quick !== undefined) return { status: 'sat', value: quick };
  const nfas = [...accept, ...reject].map((ps) => new Nfa(ps));
  const nAcc = accept.length;
  // The alphabet: each character the patterns name (as written first), its cases, the dashes, one other.
  const alpha: number[] = [];
  const seen = new Set<number>();
  const add = (c: number): void => {
    if (!seen.has(c)) {
      seen.add(c);
      alpha.push(c);
    }
  };
  let dash = false;
  for (const n of nfas)
    for (const st of n.steps) {
      if (st.t === 'ch') add(st.o);
      if (st.t === 'dash') dash = true;
    }
  for (const c of [...alpha]) {
    const ch = String.fromCodePoint(c);
    for (const v of [ch.toUpperCase(), ch.toLowerCase()]) if ([...v].length === 1) add(v.codePointAt(0) as number);
    if (c === 115) add(0x17f);
    if (c === 107) add(0x212a);
  }
  if (dash) for (const d of DASH_CODES) add(d);
  const folded = new Set([...seen].map(foldCode));
  for (const cand of 'xzqjvw0123456789_~'.split('').map((s) => s.codePointAt(0) as number).concat([0xe6, 0x3b1])) {
    if (!seen.has(cand) && !folded.has(foldCode(cand))) {
      add(cand);
      break;
    }
  }
  if (alpha.length >= 4096) return { status: 'unknown' };
  // Product states: the interned set of each automaton. A positive one that accepts forever is
  // met (its number is kept, it no longer changes); a negative one that accepts forever, or a
  // positive one with an empty set, is a dead end; a negative one with an empty set is met.
  const n = nfas.length;
  const done = (st: Int32Array): boolean => {
    for (let i = 0; i < n; i++) if ((nfas[i] as Nfa).accepts(st[i] as number) !== i < nAcc) return false;
    return true;
  };
  const alive = (st: Int32Array): boolean => {
    for (let i = 0; i < n; i++) {
      const a = nfas[i] as Nfa;
      if (i < nAcc ? a.empty(st[i] as number) : a.forever.has(st[i] as number)) return false;
    }
    return true;
  };
  const start = Int32Array.from(nfas.map((a) => a.start()));
  if (!alive(start)) return { status: 'unsat' };
  if (done(start)) return { status: 'sat', value: '' };
  const parent = new Map<string, { from: string; c: number }>();
  const k0 = start.join(',');
  const visited = new Set<string>([k0]);
  const rebuild = (key: string): string => {
    const cs: number[] = [];
    for (let k = key; k !== k0; ) {
      const v = parent.get(k) as { from: string; c: number };
      cs.push(v.c);
      k = v.from;
    }
    return String.fromCodePoint(...cs.reverse());
  };
  let frontier: Array<{ key: string; st: Int32Array }> = [{ key: k0, st: start }];
  const deadline = Math.min(Date.now() + 500, solveDeadline);
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { key, st } of frontier) {
      for (let ci = 0; ci < alpha.length; ci++) {
        const c = alpha[ci] as number;
        const ns = new Int32Array(n);
        for (let i = 0; i < n; i++) ns[i] = (nfas[i] as Nfa).next(st[i] as number, c, ci);
        if (!alive(ns)) continue;
        const nk = ns.join(',');
        if (visited.has(nk)) continue;
        visited.add(nk);
        parent.set(nk, { from: key, c });
        if (done(ns)) return { status: 'sat', value: rebuild(nk) };
        if (visited.size > maxStates || ((visited.size & 255) === 0 && Date.now() > deadline)) return { status: 'unknown' };
        next.push({ key: nk, st: ns });
      }
    }
    frontier = next;
  }
  return { status: 'unsat' };
}

// ---------------------------------------------------------------------------------------------
// The per-field theory

/** Kinds of value a field can hold besides a string; each is tried exactly with the evaluator's own item test. */
const OTHER_VALUES: Array<{ name: string; value: unknown }> = [
  { name: 'absent', value: undefined },
  { name: 'null', value: null },
  { name: 'object', value: { x: 1 } },
];

type FieldAnswer = { status: 'sat'; value: unknown; approx: boolean } | { status: 'unsat' } | { status: 'unknown' };

/** Can one value of `field` meet all the literals? Exact on what it decides (see the module comment). */
function solveField(field: string, lits: readonly ItemLiteral[], maxStates: number): FieldAnswer {
  // A string value (most realistic), then the other kinds.
  const accept: Step[][][] = [];
  const reject: Step[][][] = [];
  let impossible = false;
  let approx = false;
  for (const l of lits) {
    const d = demandOf(l);
    if (d.impossible === true) impossible = true;
    if (d.approx === true) approx = true;
    accept.push(...d.accept);
    reject.push(...d.reject);
  }
  if (!impossible && refutedByRegex(lits)) impossible = true;
  let stringUnknown = false;
  if (!impossible) {
    const r = solveStrings(accept, reject, maxStates);
    if (r.status === 'sat') return { status: 'sat', value: r.value, approx };
    if (r.status === 'unknown') stringUnknown = true;
  }
  for (const o of OTHER_VALUES) {
    const view = new EventView(o.value === undefined ? {} : { [field]: o.value });
    if (lits.every((l) => itemHolds(l.item, view) === l.positive)) return { status: 'sat', value: o.value, approx: false };
  }
  return stringUnknown ? { status: 'unknown' } : { status: 'unsat' };
}

/** The literal text of a wildcard-free string matcher, else undefined. */
function plainText(m: Matcher): string | undefined {
  if (m.kind !== 'string' || !m.pattern.tokens.every((t) => t.t === 'lit')) return undefined;
  return m.pattern.tokens.map((t) => (t.t === 'lit' ? t.s : '')).join('');
}

/**
 * A field that must equal one of a few plain texts (up to case) and match regular expressions
 * that none of those texts matches, case ignored: no string meets both. A regex with `i` gives
 * the same answer on every case variant of a text (both sides are folded), so testing the text
 * with `i` added covers all its variants.
 */
function refutedByRegex(lits: readonly ItemLiteral[]): boolean {
  const want = (l: ItemLiteral): boolean => l.positive !== l.item.neq;
  const regexes = lits.filter((l) => want(l) && l.item.values.length > 0 && l.item.values.every((v) => v.matcher.kind === 're'));
  if (regexes.length === 0) return false;
  const folded = (m: Matcher): RegExp => {
    const r = (m as Extract<Matcher, { kind: 're' }>).regex;
    return new RegExp(r.source, r.flags.includes('i') ? r.flags : r.flags + 'i');
  };
  const possible = (text: string): boolean =>
    regexes.every((l) => (l.item.all ? l.item.values.every((v) => folded(v.matcher).test(text)) : l.item.values.some((v) => folded(v.matcher).test(text))));
  for (const l of lits) {
    if (!want(l) || l.item.all) continue;
    const texts = l.item.values.map((v) => plainText(v.matcher));
    if (texts.some((t) => t === undefined)) continue;
    if (!(texts as string[]).some(possible)) return true;
  }
  return false;
}

const fieldKeyOf = (l: ItemLiteral): string => `${l.item.id}${l.positive ? '+' : '-'}`;

/** A minimal set of the literals that still conflict (deletion-based), for the reason. */
function coreOf(field: string, lits: readonly ItemLiteral[], maxStates: number): ItemLiteral[] {
  let core = [...lits];
  for (let i = core.length - 1; i >= 0 && core.length > 1; i--) {
    const without = core.filter((_, j) => j !== i);
    if (solveField(field, without, maxStates).status === 'unsat') core = without;
  }
  return core;
}

// ---------------------------------------------------------------------------------------------
// The search

/**
 * Decides whether some event makes `expr` true (see the module comment). `base` fields start
 * every candidate event (the logsource's Channel, EventID); candidates are confirmed with the
 * reference evaluator.
 */
export function solve(plan: MatchPlan, expr: BoolExpr, base: Event = {}, budget: SolveBudget = {}): SolveResult {
  const maxNodes = budget.nodes ?? 20000;
  const maxStates = budget.states ?? 20000;
  solveDeadline = Date.now() + (budget.ms ?? 3000);
  const bodies = new Map(plan.identifiers.map((i) => [i.name, i.body]));
  const root = exprNnf(expr, bodies, true);
  const memo = new Map<string, FieldAnswer>();
  const conflicts = new Map<string, { field: string; lits: ItemLiteral[] }>();
  let nodes = 0;
  let exhausted = false;
  let unconfirmed = 0;
  let undecidedField = false;

  const check = (field: string, lits: readonly ItemLiteral[]): FieldAnswer => {
    const key = `${field}\u0000${lits.map(fieldKeyOf).sort().join(' ')}`;
    let r = memo.get(key);
    if (r === undefined) {
      r = solveField(field, lits, maxStates);
      memo.set(key, r);
      if (r.status === 'unsat' && conflicts.size < 64) conflicts.set(key, { field, lits: [...lits] });
    }
    return r;
  };

  const candidate = (fields: Map<string, ItemLiteral[]>): Event | undefined => {
    const values = new Map<string, unknown>();
    for (const [f, lits] of fields) {
      const r = check(f, lits);
      if (r.status !== 'sat') return undefined;
      values.set(f, r.value);
    }
    const confirm = (start: Event): Event | undefined => {
      const e: Event = { ...start };
      for (const [f, v] of values) {
        if (v === undefined) delete e[f];
        else e[f] = v;
      }
      const trace = evaluatePlan(plan, e);
      return evalBool(expr, (n) => trace.identifiers[n] ?? false) ? e : undefined;
    };
    return confirm(base) ?? (Object.keys(base).length > 0 ? confirm({}) : undefined);
  };

  // Depth first over pending conjuncts; `fields` holds the literals per field so far (keywords apart).
  const search = (pending: readonly Nnf[], fields: Map<string, ItemLiteral[]>): Event | undefined => {
    if (++nodes > maxNodes || Date.now() > solveDeadline) {
      exhausted = true;
      return undefined;
    }
    let i = 0;
    let todo = [...pending];
    const ors: Array<Extract<Nnf, { k: 'or' }>> = [];
    const local = new Map(fields);
    while (i < todo.length) {
      const n = todo[i++] as Nnf;
      switch (n.k) {
        case 'const':
          if (!n.value) return undefined;
          break;
        case 'and':
          todo = [...todo.slice(0, i), ...n.args, ...todo.slice(i)];
          break;
        case 'lit': {
          const f = n.lit.item.field;
          // Keyword items are left to the evaluator's confirmation.
          if (f === null) break;
          const lits = [...(local.get(f) ?? []), n.lit];
          local.set(f, lits);
          const r = check(f, lits);
          if (r.status === 'unsat') return undefined;
          if (r.status === 'unknown') undecidedField = true;
          break;
        }
        case 'or':
          // Branch only once every conjunct that does not branch is in (unit propagation).
          ors.push(n);
          break;
      }
    }
    const first = ors[0];
    if (first !== undefined) {
      const rest = ors.slice(1);
      for (const a of first.args) {
        const e = search([a, ...rest], local);
        if (e !== undefined) return e;
        if (exhausted) return undefined;
      }
      return undefined;
    }
    const e = candidate(local);
    if (e === undefined) unconfirmed++;
    return e;
  };

  const event = search([root], new Map());
  if (event !== undefined) return { status: 'sat', event };
  if (exhausted) return { status: 'unknown', why: `the search budget (${maxNodes} steps, ${budget.ms ?? 3000} ms) ran out` };
  if (undecidedField) return { status: 'unknown', why: 'a field check ran out of its budget' };
  if (unconfirmed > 0) return { status: 'unknown', why: 'candidate events rest on conditions decided only approximately (regular expressions, numbers, CIDR, field references, keywords), and none was confirmed' };
  // Every branch closed on a field conflict (or a constant false): a proof.
  const cores: FieldConflict[] = [];
  const seenCore = new Set<string>();
  for (const { field, lits } of conflicts.values()) {
    const core = coreOf(field, lits, maxStates);
    const k = `${field}\u0000${core.map(fieldKeyOf).sort().join(' ')}`;
    if (seenCore.has(k)) continue;
    seenCore.add(k);
    cores.push({ field, literals: core });
    if (cores.length >= 4) break;
  }
  return { status: 'unsat', conflicts: cores };
}

/** The conflicts of a proof in words: `field: item and not item cannot hold together`. */
export function describeConflicts(conflicts: readonly FieldConflict[]): string {
  if (conflicts.length === 0) return 'the condition is false whatever the identifiers';
  const one = (c: FieldConflict): string => {
    const parts = c.literals.map((l) => {
      const vals = l.item.values.map((v) => `'${v.source}'`);
      const shown = vals.length > 3 ? `${vals.slice(0, 3).join(', ')}, … (${vals.length} values)` : vals.join(', ');
      return `${l.positive ? '' : 'not '}${l.item.path} (${shown})`;
    });
    return `${c.field}: ${parts.join(' and ')} cannot hold together`;
  };
  const more = conflicts.length > 3 ? `; and ${conflicts.length - 3} more` : '';
  return conflicts.slice(0, 3).map(one).join('; ') + more;
}
