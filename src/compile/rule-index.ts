/**
 * A set of rules ready to scan events, the fast path of eval, scan, regression, fuzz and the
 * gate. Each rule is compiled ({@link compilePlan}; the reference evaluator when the compiler
 * declines) and indexed twice:
 * - by logsource: with a mapping, an event meets only the rules whose logsource accepts it
 *   (Channel, EventID, Provider_Name decide, so the selection is memoised per such triple);
 * - by necessary needles ({@link planNeedles}): within that selection, a rule with needles is
 *   tried only when one of them occurs in its field, found for all the selection's rules at once
 *   by one {@link NeedleAutomaton} pass per field (behind a pair test and a memo, see
 *   {@link FieldScanner}). Rules without needles are always tried.
 * The index only ever skips rules that cannot match, so results equal evaluating every rule.
 */
import type { SigmaRule } from '../rules/load-rule.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { compileSourceChoice, LogsourceIndex, mappedSources, resolveLogsource, safeText, sourceApplies, sourceKeys, viewEvent, withoutMappedSources } from '../logsource/logsource.js';
import type { MappedSource, SourceViewResult } from '../logsource/logsource.js';
import type { Event } from '../evaluate/evaluate.js';
import { eventLeaves, NUMERIC, renderScalar, resolveField } from '../evaluate/field-access.js';
import { planMatcher } from './compile-plan.js';
import { planMatches, planMatchesSurely, planReadsUnknown } from '../evaluate/evaluate.js';
import type { CompiledMatch } from './compile-plan.js';
import { KEYWORDS, MAX_CLAUSES, planClauses } from './needles.js';
import { pushAll } from '../util/arrays.js';
import type { Clauses } from './needles.js';
import type { NeedleAutomaton } from './needle-automaton.js';
import { addHits, FieldScanner } from './field-scanner.js';
import type { ScanScratch } from './field-scanner.js';
import { TargetList } from './target-list.js';
import { clauseFacts, knownRuleFacts } from './rule-facts.js';
import type { ClauseFacts } from './rule-facts.js';

/** No targets (a slot's last text before it has one). */
const NO_TARGETS = new Int32Array(0);

/** How a RuleIndex picks rules for an event. */
export interface RuleIndexOptions {
  /** The logsource mapping to apply; null scans every rule against every event ("ignore"). */
  mapping: LogsourceMapping | null;
  /** Skip the compiler and use the reference evaluator (for comparisons). */
  interpret?: boolean;
  /**
   * Without `mapping` (every rule against every event): the mapping whose mapped sources say how
   * events look to rules (source-view.ts: a Security 4688 event to a process_creation rule);
   * null or absent: every event is seen as it is. With `mapping`, its own mapped sources do.
   */
  views?: LogsourceMapping | null;
  /**
   * A rule is compiled once it has been tried this many times (default {@link COMPILE_AFTER});
   * before, the reference evaluator decides. Most rules of a large set meet few events, and
   * generating and compiling their code would cost more than it saves. 0: compile on first use.
   */
  compileAfter?: number;
}

const clauseCache = new WeakMap<SigmaRule['plan'], Clauses>();
/** A plan's necessary clauses, worked out once per plan (the source views' indexes hold the same rules). */
export function clausesOf(plan: SigmaRule['plan']): Clauses {
  let c = clauseCache.get(plan);
  if (c === undefined) clauseCache.set(plan, (c = safeClauses(plan)));
  return c;
}

/** Rules with more values than this are compiled on first use (see the constructor). */
const LONG_RULE = 64;

/** The plan's necessary clauses; none (always tried: never a missed match) if finding them fails. */
function safeClauses(plan: SigmaRule['plan']): Clauses {
  try {
    return planClauses(plan);
  } catch {
    return [];
  }
}

/** How many values the items of a rule's plan hold. */
export function valueCount(rule: SigmaRule): number {
  let n = 0;
  for (const item of rule.plan.items) n += item.values.length;
  return n;
}

/** See {@link RuleIndexOptions.compileAfter}: about where compiling starts to pay, measured. */
export const COMPILE_AFTER = 32;

interface Entry {
  rule: SigmaRule;
  /** Set once the rule threw while matching some event (reported once by {@link RuleIndex.takeFailures}). */
  failed?: MatchFailure;
  /** Compiled once tried often enough: a scan compiles only the rules its events keep meeting. */
  match: CompiledMatch | undefined;
  /** Times tried before being compiled. */
  tries: number;
  /** Its necessary clauses (at most two; none: always tried), read when a group of events first meets the rule. */
  facts: ClauseFacts;
}

/** The rules one kind of event (one logsource selection) meets. */
interface Group {
  /** Rules tried on every event of the group (no needles), in rule order. */
  always: number[];
  /** The group's needles by field (keyword needles apart): its events meet only these. */
  byField: Map<string, FieldNeedles>;
  /** The group's dotted fields with needles (resolved through objects, not looked up by key). */
  dotted: DottedField[];
  /** The group's keyword needles, which every value of its events meets. */
  keywords: FieldNeedles | undefined;
  /** How each event key's values are scanned for this group's rules. */
  slots: Map<string, Slot>;
  /** The keys of the group's last event, in order, and their slots. */
  keyAt: string[];
  slotAt: Slot[];
  /** Scanner of the leaves nested in objects (keyword needles only); undefined: not made yet. */
  nested: FieldScanner | null | undefined;
}

/** A dotted field of a group's needles. */
interface DottedField {
  field: string;
  /** The field and its prefixes (`a.b.c`, `a`, `a.b`): with none of them a key, it resolves to nothing. */
  heads: string[];
  needles: FieldNeedles;
  scanner?: FieldScanner;
}

/** A group remembered with the values that led to it (see EventRuleIndex.groupOf). */
interface LastGroup {
  eventId: number;
  channel: Primitive;
  provider: Primitive;
  group: Group;
}

const LAST_GROUPS = 64;

/** The needles of one field, over a set of rules. */
interface FieldNeedles {
  needles: string[];
  targets: number[];
}

/**
 * A rule that threw while matching an event: an engine bug, or a resource exhausted (a stack
 * overflow on a pathological event). It does not match that event; every other rule and event
 * goes on.
 */
export interface MatchFailure {
  rule: SigmaRule;
  /** The error's message (its first line). */
  message: string;
}

/**
 * A failure of rule `r` on an event, in {@link RuleIndex.matchBatch}'s pairs: the rule position is
 * encoded as `-2 - r` (−1 flags a text that is no event, see scan/match-inputs.ts).
 */
export function failurePosition(r: number): number {
  return -2 - r;
}

export interface RuleIndexStats {
  rules: number;
  compiled: number;
  /** Rules the compiler declined, with the reason (they run on the reference evaluator). */
  declined: Array<{ rule: SigmaRule; reason: string }>;
  /** Rules with necessary needles (tried only when one occurs). */
  indexed: number;
}

const MAX_GROUPS = 4096;
/** At most this many event keys get a remembered scan plan (keys are usually a few hundred). */
const MAX_SLOTS = 65536;

/** How the values of one event key are scanned. */
interface Slot {
  /** Null: the key's values meet no needle. */
  scanner: FieldScanner | null;
  /** The key's last string value whose targets came as a list, and that list. */
  lastText: string | undefined;
  lastHits: Int32Array;
  /** The field has numeric needles: numeric strings are scanned in canonical form too. */
  numeric: boolean;
}

type Primitive = string | number | boolean | undefined | null;

/** The index proper (see the file comment): events as they are; {@link RuleIndex} adds the source views. */
class EventRuleIndex {
  /** The rules' entries (shared with the source views' indexes, see the constructor). */
  readonly entries: Entry[];
  private readonly byLogsource: LogsourceIndex<number> | null;
  private readonly groups = new Map<string, Group>();
  /** Groups by member list: event kinds meeting the same rules share one. */
  private readonly byMembers = new Map<string, Group>();
  /** Per clause (rule × MAX_CLAUSES + k): the epoch it was last seen in. */
  private readonly mark: Int32Array;
  /** Per rule: the epoch it was last made a candidate in. */
  private readonly ruleMark: Int32Array;
  /** Per rule: its number of clauses (a compact copy: read for every needle hit). */
  private readonly clauseCount: Uint8Array;
  private epoch = 0;
  private readonly found = new TargetList();
  /** The candidates of one event (matchBatch). */
  private readonly eventCandidates = new TargetList();
  private readonly interpret: boolean;
  private readonly compileAfter: number;
  /** Candidates tried so far (matchBatch and matches): what the index did not skip. */
  tried = 0;
  /**
   * Scanners by field and needle set: each group scans an event key with the needles of its own
   * rules only (most kinds of event meet no keyword rule, and skip most keys entirely); groups
   * with the same needles for a field share one scanner (and its memo).
   */
  private readonly scanners = new Map<string, FieldScanner>();
  private readonly scratch: ScanScratch;
  /** Groups by Channel, then EventID, then Provider_Name, for events where all three are primitives. */
  private readonly fastGroups = new Map<Primitive, Map<Primitive, Map<Primitive, Group>>>();
  private fastGroupCount = 0;
  /** The group of the last event of each EventID (by EventID % LAST_GROUPS), when it was a fast group. */
  private readonly lastGroups: Array<LastGroup | undefined> = new Array<LastGroup | undefined>(LAST_GROUPS).fill(undefined);
  /** Fields with numeric needles: their numeric strings are scanned in canonical form too. */
  private readonly numeric = new Set<string>();

  /**
   * `shared`: the entries of another index over the same rules (in `rules` order), so that a rule
   * tried there counts here too and is compiled once for both (the source views' indexes).
   */
  constructor(
    readonly rules: readonly SigmaRule[],
    options: RuleIndexOptions,
    shared?: readonly Entry[],
  ) {
    this.interpret = options.interpret === true;
    this.compileAfter = Math.max(0, options.compileAfter ?? COMPILE_AFTER);
    // A rule with long value lists is compiled on first use: the evaluator tests its values one
    // by one, the compiled code as sets.
    // Facts known beforehand (cached rules, rule-facts.ts) spare building a plan until the rule is tried.
    this.entries =
      shared !== undefined
        ? [...shared]
        : rules.map((rule) => {
            const known = knownRuleFacts(rule);
            return { rule, match: undefined, tries: (known?.values ?? valueCount(rule)) > LONG_RULE ? this.compileAfter : 0, facts: known ?? clauseFacts(clausesOf(rule.plan)) };
          });
    this.mark = new Int32Array(rules.length * MAX_CLAUSES);
    this.scratch = { mark: new Int32Array(rules.length * MAX_CLAUSES), epoch: 0 };
    this.ruleMark = new Int32Array(rules.length);
    this.clauseCount = Uint8Array.from(this.entries, (e) => e.facts.clauseCount);
    for (const e of this.entries) for (const f of e.facts.numericFields) this.numeric.add(f);
    if (options.mapping === null) this.byLogsource = null;
    else {
      this.byLogsource = new LogsourceIndex<number>(options.mapping);
      rules.forEach((r, i) => this.byLogsource?.add(r.logsource, i));
    }
  }

  /** Compiles every rule now (rather than on first use) and reports how. */
  stats(): RuleIndexStats {
    const declined: RuleIndexStats['declined'] = [];
    for (const e of this.entries) {
      const m = planMatcher(e.rule.plan, this.interpret);
      e.match = m.match;
      if (!m.compiled && !this.interpret) declined.push({ rule: e.rule, reason: m.reason ?? 'declined' });
    }
    return {
      rules: this.entries.length,
      compiled: this.interpret ? 0 : this.entries.length - declined.length,
      declined,
      indexed: this.entries.filter((e) => e.facts.clauseCount > 0).length,
    };
  }

  /** Failures not yet taken by {@link takeFailures}. */
  private readonly newFailures: MatchFailure[] = [];
  /** Whether the last {@link test} threw (the rule then counts as not matching). */
  private threw = false;

  private test(i: number, event: Event): boolean {
    this.tried++;
    const e = this.entries[i] as Entry;
    this.threw = false;
    try {
      if (e.match !== undefined) return e.match(event);
      if (e.tries++ < this.compileAfter) return planMatches(e.rule.plan, event);
      e.match = planMatcher(e.rule.plan, this.interpret).match;
      return e.match(event);
    } catch (err) {
      // One rule's failure never takes the others down: it does not match this event.
      this.threw = true;
      this.noteFailure(i, err);
      return false;
    }
  }

  /** Records that rule `i` threw (reported once, by {@link takeFailures}). */
  noteFailure(i: number, err: unknown): void {
    const e = this.entries[i] as Entry;
    if (e.failed === undefined) {
      e.failed = { rule: e.rule, message: firstLine(err) };
      this.newFailures.push(e.failed);
    }
  }

  /** The rules that failed (threw) while matching since the last call, each once. */
  takeFailures(): MatchFailure[] {
    return this.newFailures.splice(0);
  }

  /** The rules that match `event`, in rule order. */
  matches(event: Event): SigmaRule[] {
    const candidates = this.candidates(event, new TargetList()).toArray();
    const hits: number[] = [];
    for (const r of candidates) if (this.test(r, event)) hits.push(r);
    if (hits.length > 1) hits.sort((a, b) => a - b);
    return hits.map((i) => (this.entries[i] as Entry).rule);
  }

  /**
   * The matches of a batch of events, as (event position, rule position) pairs in event then rule
   * order. The same verdicts as {@link matches}, found in two phases: every event's candidates
   * first, then the candidates tried rule by rule, so that one rule's code and data stay warm
   * for all of its events (and scanning does not evict them in between).
   */
  matchBatch(events: readonly Event[]): Int32Array {
    return this.matchBatchOf(events.length, (i) => events[i]);
  }

  /**
   * {@link matchBatch} over events fetched by position (undefined: no event there, nothing
   * matches). Each event is fetched once, and only those with candidates are held until their
   * rules are tried: the others may be collected as soon as their needles were scanned.
   */
  matchBatchOf(n: number, eventOf: (i: number) => Event | undefined): Int32Array {
    const keys: number[] = [];
    const candidates = this.eventCandidates;
    const held: Array<Event | undefined> = new Array<Event | undefined>(n);
    for (let i = 0; i < n; i++) {
      const event = eventOf(i);
      if (event === undefined) continue;
      candidates.clear();
      this.candidates(event, candidates);
      if (candidates.length === 0) continue;
      held[i] = event;
      const items = candidates.items;
      for (let c = 0; c < candidates.length; c++) keys.push((items[c] as number) * n + i);
    }
    const byRule = Float64Array.from(keys).sort();
    const found: number[] = [];
    const rules = this.entries.length;
    let failed: Set<number> | undefined;
    for (let k = 0; k < byRule.length; k++) {
      const key = byRule[k] as number;
      const r = Math.floor(key / n);
      const i = key - r * n;
      if (this.test(r, held[i] as Event)) found.push(i * rules + r);
      else if (this.threw) {
        found.push(i * rules + r);
        (failed ??= new Set()).add(i * rules + r);
      }
    }
    const byEvent = Float64Array.from(found).sort();
    const pairs = new Int32Array(byEvent.length * 2);
    for (let k = 0; k < byEvent.length; k++) {
      const key = byEvent[k] as number;
      const i = Math.floor(key / rules);
      const r = key - i * rules;
      pairs[2 * k] = i;
      // A rule that threw on the event: flagged for the caller to report (failurePosition).
      pairs[2 * k + 1] = failed?.has(key) === true ? failurePosition(r) : r;
    }
    return pairs;
  }

  /**
   * Adds to `out` the rules `event` must be tried against: its logsource group's rules without
   * needles, and those whose every clause occurs in the event. Returns `out`.
   */
  private candidates(event: Event, out: TargetList): TargetList {
    const g = this.groupOf(event);
    const epoch = ++this.epoch;
    const found = this.found;
    found.clear();
    const { mark } = this;
    // Walk the event's keys (no lookups of absent fields); one pass per value finds field and
    // keyword needles together.
    // Events of one kind list the same keys in the same order: the slot of the key at each
    // position is remembered per group, and a key (interned by the JSON parser) checked by identity.
    const keyAt = g.keyAt;
    const slotAt = g.slotAt;
    let k = 0;
    for (const key in event) {
      let slot: Slot;
      if (keyAt[k] === key) slot = slotAt[k] as Slot;
      else {
        slot = g.slots.get(key) ?? this.slotOf(g, key);
        keyAt[k] = key;
        slotAt[k] = slot;
      }
      k++;
      const scanner = slot.scanner;
      if (scanner === null) continue;
      const v = event[key];
      if (typeof v === 'string') {
        // The same text as this key's last one (Channel, Provider_Name, a user, an image):
        // its targets again, without scanning or hashing it.
        if (v === slot.lastText) addHits(slot.lastHits, mark, epoch, found);
        else {
          const hits = scanner.scan(v, mark, epoch, found);
          if (hits !== undefined) {
            slot.lastText = v;
            slot.lastHits = hits;
          }
        }
        // "0x10", "4.444e3": a numeric string equal to a rule's number shows it only in canonical form.
        if (slot.numeric && NUMERIC.test(v)) scanner.scan(String(Number(v)), mark, epoch, found);
        continue;
      }
      if (typeof v === 'number') {
        // A number: its text, unless no needle of the field can be in the text of a number.
        if (scanner.numberText || !Number.isFinite(v)) scanner.scan(renderScalar(v) as string, mark, epoch, found);
        continue;
      }
      if (typeof v === 'boolean') {
        scanner.scan(v ? 'true' : 'false', mark, epoch, found);
        continue;
      }
      // A null shows no text (renderScalar): nothing to scan, and no list to make for it (real
      // events carry many null fields).
      if (v === null || v === undefined) continue;
      scanValues(scanner, resolveField(event, key), mark, epoch, found);
      // Keywords also see the leaves nested in objects.
      if (typeof v === 'object' && v !== null) {
        const nested = this.nestedLeafScanner(g);
        if (nested !== null) for (const t of eventLeaves(v)) nested.scan(t, mark, epoch, found);
      }
    }
    for (let k = 0; k < g.dotted.length; k++) {
      const d = g.dotted[k] as DottedField;
      if (!holdsAnyKey(event, d.heads)) continue;
      const scanner = this.dottedScanner(d);
      scanValues(scanner, resolveField(event, d.field), mark, epoch, found);
    }
    const always = g.always;
    for (let k = 0; k < always.length; k++) out.push(always[k] as number);
    // A rule is a candidate once every one of its clauses was seen (the group's scanners hold
    // only its own rules' targets).
    const { ruleMark, clauseCount } = this;
    const foundItems = found.items;
    for (let f = 0; f < found.length; f++) {
      const id = foundItems[f] as number;
      const r = (id / MAX_CLAUSES) | 0;
      if (ruleMark[r] === epoch) continue;
      const n = clauseCount[r] as number;
      let all = true;
      for (let k = 0; k < n; k++) if (mark[r * MAX_CLAUSES + k] !== epoch) all = false;
      if (!all) continue;
      ruleMark[r] = epoch;
      out.push(r);
    }
    return out;
  }

  /**
   * How an event key's values are scanned for a group, remembered per key: a key holding a plain
   * field with needles of the group's rules meets those (and the group's keyword needles); any
   * other key only the keyword needles (dotted field names are resolved through objects by
   * {@link dottedScanner}); a key meeting no needle is skipped.
   */
  private slotOf(g: Group, key: string): Slot {
    const own = key.includes('.') ? undefined : g.byField.get(key);
    const needles: FieldNeedles | undefined = own === undefined ? g.keywords : g.keywords === undefined ? own : { needles: [...own.needles, ...g.keywords.needles], targets: [...own.targets, ...g.keywords.targets] };
    const slot: Slot = { scanner: needles === undefined ? null : this.scannerFor(needles), numeric: this.numeric.has(key), lastText: undefined, lastHits: NO_TARGETS };
    if (g.slots.size < MAX_SLOTS) g.slots.set(key, slot);
    return slot;
  }

  /** The scanner of a needle set, shared by the groups (and keys) with the same one. */
  private scannerFor(f: FieldNeedles): FieldScanner {
    // Exact (no separator a needle could hold): two sets share a scanner only when equal.
    const key = JSON.stringify([f.needles, f.targets]);
    let scanner = this.scanners.get(key);
    if (scanner === undefined) {
      scanner = new FieldScanner(f.needles, f.targets, this.scratch);
      this.scanners.set(key, scanner);
    }
    return scanner;
  }

  /** The scanner of a dotted field of a group (its values resolved through objects). */
  private dottedScanner(d: DottedField): FieldScanner {
    d.scanner ??= this.scannerFor(d.needles);
    return d.scanner;
  }

  private nestedLeafScanner(g: Group): FieldScanner | null {
    if (g.nested === undefined) g.nested = g.keywords === undefined ? null : this.scannerFor(g.keywords);
    return g.nested;
  }

  private groupOf(event: Event): Group {
    if (this.byLogsource === null) return this.groupFor('*', () => this.entries.map((_, i) => i));
    const channel = event['Channel'];
    const eventId = event['EventID'];
    const provider = event['Provider_Name'];
    // The last event of this EventID most often had the same channel and provider (compared by
    // content: no hashing of the two texts).
    const slot = typeof eventId === 'number' ? (eventId >>> 0) % LAST_GROUPS : -1;
    const last = slot < 0 ? undefined : this.lastGroups[slot];
    if (last !== undefined && last.eventId === eventId && last.channel === channel && last.provider === provider) return last.group;
    if (isPrimitive(channel) && isPrimitive(eventId) && isPrimitive(provider)) {
      let byId = this.fastGroups.get(channel);
      if (byId === undefined) this.fastGroups.set(channel, (byId = new Map()));
      let byProvider = byId.get(eventId);
      if (byProvider === undefined) byId.set(eventId, (byProvider = new Map()));
      let g = byProvider.get(provider);
      if (g === undefined) {
        if (this.fastGroupCount >= MAX_GROUPS) {
          this.fastGroups.clear();
          this.fastGroupCount = 0;
        }
        g = this.slowGroupOf(event);
        byProvider.set(provider, g);
        this.fastGroupCount++;
      }
      if (typeof eventId === 'number' && slot >= 0) this.lastGroups[slot] = { eventId, channel, provider, group: g };
      return g;
    }
    return this.slowGroupOf(event);
  }

  /** The group by a text key of the three values (any value, objects included). */
  private slowGroupOf(event: Event): Group {
    const key = `${keyPart(event['Channel'])}|${keyPart(event['EventID'])}|${keyPart(event['Provider_Name'])}`;
    return this.groupFor(key, () => this.byLogsource?.candidates(event) ?? []);
  }

  private groupFor(key: string, members: () => number[]): Group {
    let g = this.groups.get(key);
    if (g !== undefined) return g;
    if (this.groups.size >= MAX_GROUPS) this.groups.clear();
    const list = members();
    const mkey = list.join(',');
    g = this.byMembers.get(mkey);
    if (g === undefined) {
      if (this.byMembers.size >= MAX_GROUPS) this.byMembers.clear();
      g = buildGroup(this.entries, list);
      this.byMembers.set(mkey, g);
    }
    this.groups.set(key, g);
    return g;
  }
}

/** The first line of an error's message (never its stack: no stack trace reaches a user). */
function firstLine(e: unknown): string {
  const m = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  const line = m.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function scanValues(scanner: FieldScanner, values: unknown[] | undefined, mark: Int32Array, epoch: number, found: TargetList): void {
  if (values === undefined) return;
  for (const x of values) {
    const t = renderScalar(x);
    if (t === undefined) continue;
    scanner.scan(t, mark, epoch, found);
    // Numbers inside arrays and dotted fields: the canonical form too (cheap, and only for numeric texts).
    if (typeof x === 'string' && NUMERIC.test(x)) scanner.scan(String(Number(x)), mark, epoch, found);
  }
}

function holdsAnyKey(event: Event, keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) if (event[keys[i] as string] !== undefined) return true;
  return false;
}

function isPrimitive(v: unknown): v is Primitive {
  return v === undefined || v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function keyPart(v: unknown): string {
  return `${typeof v}:${safeText(v)}`;
}

function buildGroup(entries: readonly Entry[], members: readonly number[]): Group {
  const always = members.filter((i) => (entries[i] as Entry).facts.clauseCount === 0);
  const byField = needlesByField(entries, members);
  const keywords = byField.get(KEYWORDS);
  byField.delete(KEYWORDS);
  const dotted: DottedField[] = [];
  for (const [field, needles] of byField) {
    if (!field.includes('.')) continue;
    const heads = [field];
    for (let dot = field.indexOf('.'); dot > 0; dot = field.indexOf('.', dot + 1)) heads.push(field.slice(0, dot));
    dotted.push({ field, heads, needles });
  }
  return { always, byField, dotted, keywords, slots: new Map(), keyAt: [], slotAt: [], nested: undefined };
}

/**
 * The needles of some rules by field (keyword needles under {@link KEYWORDS}), each reporting
 * its target (rule × MAX_CLAUSES + clause). A rule with an empty clause can never match: none.
 */
function needlesByField(entries: readonly Entry[], members: readonly number[]): Map<string, FieldNeedles> {
  const byField = new Map<string, FieldNeedles>();
  for (const i of members) {
    const clauses = (entries[i] as Entry).facts.clauses;
    if (clauses.some((c) => c.length === 0)) continue;
    clauses.forEach((c, k) => {
      for (const n of c) {
        let f = byField.get(n.field);
        if (f === undefined) byField.set(n.field, (f = { needles: [], targets: [] }));
        f.needles.push(n.text);
        f.targets.push(i * MAX_CLAUSES + k);
      }
    });
  }
  return byField;
}

const NO_PARTS: readonly ViewPart[] = [];

/** One mapped source's part of a {@link RuleIndex}: the rules that may see events through it. */
interface ViewPart {
  source: MappedSource;
  /** Event IDs the source takes (a quick test before the exact one); null: any. */
  eventIds: Set<number> | null;
  /** The rules (positions in the whole set) whose logsource has this source. */
  members: number[];
  index: EventRuleIndex;
}

/**
 * Many rules against many events: an event meets only the rules of its logsource whose necessary
 * needles it contains, each run as a compiled matcher once tried often enough. An event that a
 * rule's logsource sees through a mapped source (a Security 4688 event and a process_creation
 * rule) is matched as that source's view of it, and the rule matches only when it holds whatever
 * the fields the source does not record hold (`planMatchesSurely`); such a rule is not also
 * matched against the event as it is.
 */
export class RuleIndex {
  private readonly base: EventRuleIndex;
  private readonly parts: ViewPart[] = [];
  /** The parts by the event IDs they take, and those that take any. */
  private readonly partsById = new Map<number, ViewPart[]>();
  private readonly partsAnyId: ViewPart[] = [];
  /** Per rule: which mapped source (key) it sees an event through, or undefined; absent for rules without mapped sources. */
  private readonly viewOf: Array<((e: Event) => MappedSource | undefined) | undefined>;

  constructor(
    readonly rules: readonly SigmaRule[],
    options: RuleIndexOptions,
  ) {
    const views = options.mapping ?? options.views ?? null;
    // Events of mapped sources are matched by the parts below; the index proper groups events by
    // Channel, EventID and Provider_Name alone, which is all the plain sources look at.
    this.base = new EventRuleIndex(rules, options.mapping === null ? options : { ...options, mapping: withoutMappedSources(options.mapping) });
    this.viewOf = rules.map((r) => (views === null ? undefined : compileSourceChoice(r.logsource, views)));
    if (views === null || !this.viewOf.some((v) => v !== undefined)) return;
    // The rules of each mapped source, found in one pass over the rules.
    const membersOf = new Map<string, number[]>();
    rules.forEach((r, i) => {
      if (this.viewOf[i] === undefined) return;
      for (const key of sourceKeys(resolveLogsource(r.logsource, views))) {
        const list = membersOf.get(key);
        if (list === undefined) membersOf.set(key, [i]);
        else list.push(i);
      }
    });
    for (const source of mappedSources(views)) {
      const members = membersOf.get(source.key) ?? [];
      if (members.length === 0) continue;
      const sub = new EventRuleIndex(
        members.map((i) => rules[i] as SigmaRule),
        { ...options, mapping: null },
        members.map((i) => this.base.entries[i] as Entry),
      );
      const part: ViewPart = { source, eventIds: source.source.eventIds === undefined ? null : new Set(source.source.eventIds), members, index: sub };
      this.parts.push(part);
      if (part.eventIds === null) this.partsAnyId.push(part);
      else for (const id of part.eventIds) this.partsById.set(id, [...(this.partsById.get(id) ?? []), part]);
    }
  }

  /**
   * (Rule, event) pairs tried so far: the candidates the index did not skip (the events as they
   * are and as mapped sources see them). The skip rate of `n` events is `1 - tried() / (n × rules)`.
   */
  tried(): number {
    let n = this.base.tried;
    for (const p of this.parts) n += p.index.tried;
    return n;
  }

  /** Compiles every rule now (rather than on first use) and reports how. */
  stats(): RuleIndexStats {
    for (const p of this.parts) p.index.stats();
    return this.base.stats();
  }

  /** The mapped sources that take an event (most events: none, found by one lookup of their EventID). */
  private partsFor(event: Event): readonly ViewPart[] {
    const id = event['EventID'];
    const n = typeof id === 'number' ? id : typeof id === 'string' && /^\s*\d+\s*$/.test(id) ? Number(id) : undefined;
    // Without a usable EventID any part may take the event (a criterion the event lacks is not held against it).
    const byId = n === undefined ? this.parts : this.partsById.get(n);
    if (byId === undefined && this.partsAnyId.length === 0) return NO_PARTS;
    const out: ViewPart[] = [];
    for (const p of byId ?? []) if (sourceApplies(p.source.source, event)) out.push(p);
    if (n !== undefined) for (const p of this.partsAnyId) if (sourceApplies(p.source.source, event)) out.push(p);
    return out.length === 0 ? NO_PARTS : out;
  }

  /** The rules that match `event`, in rule order (a rule that threw on it does not: see {@link takeFailures}). */
  matches(event: Event): SigmaRule[] {
    const pairs = this.matchBatch([event]);
    const out: SigmaRule[] = [];
    for (let k = 1; k < pairs.length; k += 2) {
      const r = pairs[k] as number;
      if (r >= 0) out.push(this.rules[r] as SigmaRule);
    }
    return out;
  }

  /** The rules that failed (threw) while matching since the last call, each once. */
  takeFailures(): MatchFailure[] {
    const out = this.base.takeFailures();
    for (const p of this.parts) pushAll(out, p.index.takeFailures());
    return out;
  }

  /**
   * The matches of a batch of events, as (event position, rule position) pairs in event then rule
   * order (see EventRuleIndex.matchBatch); events seen through a mapped source are matched as
   * its view by the rules that see them so.
   */
  matchBatch(events: readonly Event[]): Int32Array {
    return this.matchBatchOf(events.length, (i) => events[i]);
  }

  /**
   * {@link matchBatch} over events fetched by position, each once (undefined: no event there,
   * nothing matches). Only the events some rule still has to be tried on are held while the
   * batch is matched (those with candidates, and those a mapped source sees): the others, most
   * events, may be collected right after their needles were scanned, and a batch's events do not
   * all survive into the old generation.
   */
  matchBatchOf(n: number, eventOf: (i: number) => Event | undefined): Int32Array {
    if (this.parts.length === 0) return this.base.matchBatchOf(n, eventOf);
    const viewed: Array<readonly ViewPart[]> = new Array<readonly ViewPart[]>(n).fill(NO_PARTS);
    const held: Array<Event | undefined> = new Array<Event | undefined>(n);
    let anyViewed = false;
    const base = this.base.matchBatchOf(n, (i) => {
      const e = eventOf(i);
      if (e === undefined) return undefined;
      const parts = this.partsFor(e);
      if (parts.length > 0) {
        viewed[i] = parts;
        held[i] = e;
        anyViewed = true;
      }
      return e;
    });
    if (!anyViewed) return base;
    const events = held;
    const keys: number[] = [];
    const rules = this.rules.length;
    // Rules that threw on an event (flagged by failurePosition in the pairs, and so in the result).
    const failed = new Set<number>();
    // Matches of the events as they are, except by rules that see the event through a view.
    for (let k = 0; k < base.length; k += 2) {
      const i = base[k] as number;
      const at = base[k + 1] as number;
      const r = at <= -2 ? -2 - at : at;
      if ((viewed[i] as readonly ViewPart[]).length > 0 && this.viewOf[r]?.(events[i] as Event) !== undefined) continue;
      keys.push(i * rules + r);
      if (at !== r) failed.add(i * rules + r);
    }
    for (const part of this.parts) {
      const at: number[] = [];
      const views: SourceViewResult[] = [];
      for (let i = 0; i < n; i++) {
        if (!(viewed[i] as readonly ViewPart[]).includes(part)) continue;
        at.push(i);
        views.push(viewEvent(part.source.source, events[i] as Event));
      }
      if (at.length === 0) continue;
      const found = part.index.matchBatch(views.map((v) => v.event));
      for (let k = 0; k < found.length; k += 2) {
        const j = found[k] as number;
        const local = found[k + 1] as number;
        const r = part.members[local <= -2 ? -2 - local : local] as number;
        const i = at[j] as number;
        const v = views[j] as SourceViewResult;
        // The rule sees this event through this very source, and matches whatever the unknown fields hold.
        if (this.viewOf[r]?.(events[i] as Event)?.key !== part.source.key) continue;
        let fails = local <= -2;
        if (!fails) {
          try {
            // The index found a match on the view; it holds whatever the unknown fields are
            // unless the rule reads one of them (most rules read none: no second evaluation).
            const plan = (this.rules[r] as SigmaRule).plan;
            if (planReadsUnknown(plan, v.unknown) && !planMatchesSurely(plan, v.event, v.unknown)) continue;
          } catch (err) {
            this.base.noteFailure(r, err);
            fails = true;
          }
        }
        keys.push(i * rules + r);
        if (fails) failed.add(i * rules + r);
      }
    }
    const sorted = Float64Array.from(new Set(keys)).sort();
    const pairs = new Int32Array(sorted.length * 2);
    for (let k = 0; k < sorted.length; k++) {
      const key = sorted[k] as number;
      const i = Math.floor(key / rules);
      pairs[2 * k] = i;
      pairs[2 * k + 1] = failed.has(key) ? failurePosition(key - i * rules) : key - i * rules;
    }
    return pairs;
  }
}

