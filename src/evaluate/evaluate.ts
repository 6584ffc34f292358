/**
 * The reference evaluator: the one definition of what a plan means for an event (semantics §2
 * to §8). `evaluatePlan` returns a full trace (every identifier, every item, every value), the
 * plain data that coverage, explanations, fuzzing and the gate fold over. `planMatches` is the
 * same semantics with short-circuiting, for scanning; compiled matchers are proven equal to it.
 */
import type { ConditionNode } from '../condition/parse-condition.js';
import type { Matcher, MatchPlan, PlanItem, SearchNode } from '../plan/plan.js';
import { eventLeaves, numericValue, renderScalar, resolveField } from './field-access.js';
import { ipInNetwork } from '../sigma/ip.js';
import { timestampPart } from '../sigma/timestamp.js';
import { addWildcards, literalPattern } from '../sigma/pattern.js';
import { compileWildcard } from '../sigma/wildcard.js';
import { regexTest } from '../sigma/regex.js';
import type { RegexLike } from '../sigma/regex.js';
import { foldText, isAscii } from '../sigma/case-fold.js';
import { assertNever } from '../diagnostics/diagnostics.js';
import { dictionary } from '../util/own-field.js';

/** An event as rules see it: field name to JSON value (flat, or nested for dotted names). */
export type Event = Record<string, unknown>;

/** Which values of an item matched (before `neq`), and the item's truth (after `neq`). */
export interface ItemTrace {
  item: number;
  result: boolean;
  values: boolean[];
}

/** One stage of a trace: the condition (stage 0) or a search identifier it uses, its truth, and whether it is an exclusion. */
export interface StageTrace {
  index: number;
  name: string;
  result: boolean;
  exclusion: boolean;
}

/** The evaluation of a rule on one event as plain data: the verdict, every stage (stage 0 the condition) and every detection item. */
export interface Trace {
  match: boolean;
  /** Truth of every search identifier of the rule. */
  identifiers: Record<string, boolean>;
  /** By item id. */
  items: ItemTrace[];
  /** Stage 0 (the condition) and every identifier the condition uses. */
  stages: StageTrace[];
}

/**
 * One event as the evaluator sees it, shared by every rule evaluated on it: field lookups, the
 * keyword leaves and lowercased ASCII texts are computed once per event, not once per rule.
 */
export class EventView {
  private leaves: string[] | undefined;
  private readonly fields = new Map<string, unknown[] | undefined>();
  private readonly folded = new Map<string, string>();
  constructor(readonly event: Event) {}
  field(name: string): unknown[] | undefined {
    if (this.fields.has(name)) return this.fields.get(name);
    const v = resolveField(this.event, name);
    this.fields.set(name, v);
    return v;
  }
  keywordLeaves(): string[] {
    this.leaves ??= eventLeaves(this.event);
    return this.leaves;
  }
  /** The text as ASCII literals compare with it case-insensitively ({@link foldText}). */
  fold(text: string): string {
    let l = this.folded.get(text);
    if (l === undefined) {
      l = foldText(text);
      this.folded.set(text, l);
    }
    return l;
  }
}

function asView(e: Event | EventView): EventView {
  return e instanceof EventView ? e : new EventView(e);
}

function textTest(re: RegexLike, v: unknown): boolean {
  const t = renderScalar(v);
  return t !== undefined && regexTest(re, t);
}

/** A string pattern on one value: the literal fast path where it gives the regex's answer. */
function stringTest(m: Extract<Matcher, { kind: 'string' }>, v: unknown, view: EventView): boolean {
  const t = renderScalar(v);
  if (t === undefined) return false;
  if (m.nonAscii === true && isAscii(t)) return false;
  const lit = m.literal;
  if (lit !== undefined) {
    // An ASCII literal (any literal when cased) compares without the regex, whatever the text holds.
    const x = m.cased ? t : view.fold(t);
    switch (lit.mode) {
      case 'eq':
        return x === lit.text;
      case 'contains':
        return x.includes(lit.text);
      case 'startswith':
        return x.startsWith(lit.text);
      case 'endswith':
        return x.endsWith(lit.text);
      default:
        return assertNever(lit.mode);
    }
  }
  const w = m.wildcard;
  return w.usesFoldedText ? w.test(t, view.fold(t)) : w.test(t);
}

function foldedCompare(a: string, b: string, mode: 'eq' | 'startswith' | 'endswith' | 'contains', cased: boolean): boolean {
  if (cased) {
    switch (mode) {
      case 'eq':
        return a === b;
      case 'startswith':
        return a.startsWith(b);
      case 'endswith':
        return a.endsWith(b);
      case 'contains':
        return a.includes(b);
      default:
        return assertNever(mode);
    }
  }
  // Both texts are the event's: the other value becomes a literal pattern matched without a
  // regex of its whole length (one of 100,000 characters overflows V8's regex compiler).
  return compileWildcard(addWildcards(literalPattern(b), mode === 'endswith' || mode === 'contains', mode === 'startswith' || mode === 'contains'), false).test(a);
}

/** Does one matcher hold for the values of a field (any element; §2)? */
export function matcherHolds(m: Matcher, vals: readonly unknown[] | undefined, view: EventView): boolean {
  switch (m.kind) {
    case 'null':
      return vals === undefined || vals.length === 0 || vals.some((v) => v === null);
    case 'exists':
      return m.value ? vals !== undefined : vals === undefined;
    case 'fieldref': {
      if (vals === undefined) return false;
      const other = view.field(m.field);
      if (other === undefined) return false;
      for (const a of vals) {
        const at = renderScalar(a);
        if (at === undefined) continue;
        for (const b of other) {
          const bt = renderScalar(b);
          if (bt !== undefined && foldedCompare(at, bt, m.mode, m.cased)) return true;
        }
      }
      return false;
    }
    default:
      break;
  }
  if (vals === undefined) return false;
  switch (m.kind) {
    case 'string':
      return vals.some((v) => stringTest(m, v, view));
    case 're':
      return vals.some((v) => textTest(m.regex, v));
    case 'number':
      return vals.some((v) => {
        if (typeof v === 'boolean') return false;
        const n = numericValue(v);
        return n !== undefined && n === m.value;
      });
    case 'bool':
      return vals.some((v) => (typeof v === 'boolean' ? v === m.value : typeof v === 'string' && v.toLowerCase() === (m.value ? 'true' : 'false')));
    case 'cidr': {
      const net = { family: m.family, network: m.network, prefix: m.prefix };
      return vals.some((v) => typeof v === 'string' && ipInNetwork(v, net));
    }
    case 'compare':
      return vals.some((v) => {
        let x: number | undefined;
        if (m.part !== undefined) x = typeof v === 'string' ? timestampPart(v, m.part) : undefined;
        else x = typeof v === 'boolean' ? undefined : numericValue(v);
        if (x === undefined) return false;
        switch (m.op) {
          case 'eq':
            return x === m.value;
          case 'gt':
            return x > m.value;
          case 'gte':
            return x >= m.value;
          case 'lt':
            return x < m.value;
          case 'lte':
            return x <= m.value;
          default:
            return assertNever(m.op);
        }
      });
    case 'anyOf':
      return m.members.some((mm) => matcherHolds(mm, vals, view));
    default:
      return assertNever(m);
  }
}

function itemValues(item: PlanItem, view: EventView): readonly unknown[] | undefined {
  return item.field === null ? view.keywordLeaves() : view.field(item.field);
}

/** Truth of an item, short-circuiting. */
export function itemHolds(item: PlanItem, view: EventView): boolean {
  const vals = itemValues(item, view);
  const inner = item.all ? item.values.every((v) => matcherHolds(v.matcher, vals, view)) : item.values.some((v) => matcherHolds(v.matcher, vals, view));
  return item.neq ? !inner : inner;
}

/** Truth of an item with every value's result recorded. */
function traceItem(item: PlanItem, view: EventView): ItemTrace {
  const vals = itemValues(item, view);
  const values = item.values.map((v) => matcherHolds(v.matcher, vals, view));
  const inner = item.all ? values.every(Boolean) : values.some(Boolean);
  return { item: item.id, result: item.neq ? !inner : inner, values };
}

function searchHolds(n: SearchNode, itemTruth: (it: PlanItem) => boolean): boolean {
  switch (n.kind) {
    case 'item':
      return itemTruth(n.item);
    case 'and':
      return n.items.every(itemTruth);
    case 'allOf':
      return n.children.every((c) => searchHolds(c, itemTruth));
    case 'or':
      return n.children.some((c) => searchHolds(c, itemTruth));
    default:
      return assertNever(n);
  }
}

function conditionHolds(n: ConditionNode, plan: MatchPlan, id: (name: string) => boolean): boolean {
  switch (n.kind) {
    case 'id':
      return id(n.name);
    case 'not':
      return !conditionHolds(n.arg, plan, id);
    case 'and':
      return n.args.every((a) => conditionHolds(a, plan, id));
    case 'or':
      return n.args.some((a) => conditionHolds(a, plan, id));
    case 'of': {
      // A pattern matching nothing: `1 of` is false, `all of` is true (§8, harness rule).
      const ids = plan.targets[n.target] ?? [];
      return n.quant === 'one' ? ids.some(id) : ids.every(id);
    }
    default:
      return assertNever(n);
  }
}

/**
 * Does the rule match the event? Short-circuits; no trace. Pass an `EventView` to share field
 * lookups between the rules evaluated on one event.
 */
export function planMatches(plan: MatchPlan, event: Event | EventView): boolean {
  const view = asView(event);
  const byName = identifierIndex(plan);
  const id = (name: string): boolean => {
    const ident = byName.get(name);
    return ident !== undefined && searchHolds(ident, (it) => itemHolds(it, view));
  };
  return conditionHolds(plan.condition, plan, id);
}

/** Kleene's three truth values: false, unknown, true (AND is min, OR max, NOT 1 − x). */
type Truth3 = 0 | 0.5 | 1;

function fieldsOf(item: PlanItem): string[] {
  const out = item.field === null ? [] : [item.field];
  const visit = (m: Matcher): void => {
    if (m.kind === 'fieldref') out.push(m.field);
    else if (m.kind === 'anyOf') m.members.forEach(visit);
  };
  for (const v of item.values) visit(v.matcher);
  return out;
}

/** Per plan: does it hold keyword items, and the fields its items read (field references too). */
const readsMemo = new WeakMap<MatchPlan, { keywords: boolean; fields: readonly string[] }>();

/**
 * Can the plan's verdict depend on the `unknown` fields (see {@link planMatchesSurely})? Only
 * through an item reading one of them, or a keyword item (which reads every value) when any is
 * unknown. When not, {@link planMatchesSurely} is {@link planMatches}.
 */
export function planReadsUnknown(plan: MatchPlan, unknown: ReadonlySet<string>): boolean {
  if (unknown.size === 0) return false;
  let reads = readsMemo.get(plan);
  if (reads === undefined) {
    reads = { keywords: plan.items.some((i) => i.field === null), fields: [...new Set(plan.items.flatMap(fieldsOf))] };
    readsMemo.set(plan, reads);
  }
  if (reads.keywords) return true;
  for (const f of reads.fields) if (unknown.has(f)) return true;
  return false;
}

/**
 * Does the rule match the event whatever the `unknown` fields hold? Items reading an unknown
 * field (keyword items too, when any field is unknown: the event's other values are not all
 * known) are neither true nor false, and the condition is evaluated in Kleene's three-valued
 * logic; only a condition that is true on every account is a match. Used for events seen
 * through a source mapping (logsource/source-view.ts): a 4688 event has no `OriginalFileName`,
 * and a rule whose verdict depends on it must not match because the field is absent there.
 */
export function planMatchesSurely(plan: MatchPlan, event: Event | EventView, unknown: ReadonlySet<string>): boolean {
  if (unknown.size === 0) return planMatches(plan, event);
  const view = asView(event);
  const byName = identifierIndex(plan);
  const itemTruth = (it: PlanItem): Truth3 => {
    if (it.field === null || fieldsOf(it).some((f) => unknown.has(f))) return 0.5;
    return itemHolds(it, view) ? 1 : 0;
  };
  const search = (n: SearchNode): Truth3 => {
    switch (n.kind) {
      case 'item':
        return itemTruth(n.item);
      case 'and':
        return n.items.reduce<Truth3>((a, it) => (a === 0 ? 0 : (Math.min(a, itemTruth(it)) as Truth3)), 1);
      case 'allOf':
        return n.children.reduce<Truth3>((a, c) => (a === 0 ? 0 : (Math.min(a, search(c)) as Truth3)), 1);
      case 'or':
        return n.children.reduce<Truth3>((a, c) => (a === 1 ? 1 : (Math.max(a, search(c)) as Truth3)), 0);
      default:
        return assertNever(n);
    }
  };
  const memo = new Map<string, Truth3>();
  const id = (name: string): Truth3 => {
    let t = memo.get(name);
    if (t === undefined) {
      const body = byName.get(name);
      t = body === undefined ? 0 : search(body);
      memo.set(name, t);
    }
    return t;
  };
  const cond = (n: ConditionNode): Truth3 => {
    switch (n.kind) {
      case 'id':
        return id(n.name);
      case 'not':
        return (1 - cond(n.arg)) as Truth3;
      case 'and':
        return n.args.reduce<Truth3>((a, x) => (a === 0 ? 0 : (Math.min(a, cond(x)) as Truth3)), 1);
      case 'or':
        return n.args.reduce<Truth3>((a, x) => (a === 1 ? 1 : (Math.max(a, cond(x)) as Truth3)), 0);
      case 'of': {
        const ids = plan.targets[n.target] ?? [];
        if (n.quant === 'one') return ids.reduce<Truth3>((a, x) => (Math.max(a, id(x)) as Truth3), 0);
        return ids.reduce<Truth3>((a, x) => (Math.min(a, id(x)) as Truth3), 1);
      }
      default:
        return assertNever(n);
    }
  };
  return cond(plan.condition) === 1;
}

/** The fields of a plan's items that are unknown in an event, and so leave a match undecided (for explanations). */
export function undecidedFields(plan: MatchPlan, unknown: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const it of plan.items) for (const f of fieldsOf(it)) if (unknown.has(f)) out.add(f);
  return [...out];
}

const indexCache = new WeakMap<MatchPlan, Map<string, SearchNode>>();
function identifierIndex(plan: MatchPlan): Map<string, SearchNode> {
  let m = indexCache.get(plan);
  if (m === undefined) {
    m = new Map(plan.identifiers.map((i) => [i.name, i.body]));
    indexCache.set(plan, m);
  }
  return m;
}

/** Evaluates every identifier, item and value of the plan, and the condition. */
export function evaluatePlan(plan: MatchPlan, event: Event | EventView): Trace {
  const view = asView(event);
  const items: ItemTrace[] = plan.items.map((it) => traceItem(it, view));
  // Identifier names are the rule's: `__proto__` is one like any other.
  const identifiers = dictionary<boolean>();
  for (const ident of plan.identifiers) {
    identifiers[ident.name] = searchHolds(ident.body, (it) => (items[it.id] as ItemTrace).result);
  }
  const match = conditionHolds(plan.condition, plan, (name) => identifiers[name] ?? false);
  const stages: StageTrace[] = plan.stages.map((s) => ({
    index: s.index,
    name: s.name,
    exclusion: s.exclusion,
    result: s.index === 0 ? match : (identifiers[s.name] ?? false),
  }));
  return { match, identifiers, items, stages };
}

/**
 * The condition's truth for given identifier truths: what-if questions on a trace (would the
 * rule match if this exclusion were false?) use the same condition semantics.
 */
export function evaluateCondition(plan: MatchPlan, identifier: (name: string) => boolean): boolean {
  return conditionHolds(plan.condition, plan, identifier);
}
