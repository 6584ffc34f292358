/**
 * The reference evaluation of correlation rules over a stream of events (README, Correlation
 * semantics): one definition used by `scan` (streaming, any size) and by correlation cases (a
 * case's events).
 *
 * The caller evaluates the detection rules and tells the engine, per event, which rules a
 * correlation refers to it matched ({@link CorrelationEngine.push}). The engine reads the
 * event's time and, for each correlation, its group (the group-by fields, through aliases) and
 * value, keeps only that (not the event), and processes contributions in time order:
 *
 * - Out of order: contributions wait in a buffer until the newest time seen is `tolerance` past
 *   them, and are processed in time order (then stream order); one older than a contribution
 *   already processed cannot be placed and is not counted (CORRELATION_EVENT_LATE, one warning
 *   per file). With an infinite tolerance (cases) everything is sorted.
 * - Groups: state per correlation and group, dropped once the timespan has passed (so memory
 *   holds only the groups of the last timespan, and at most `maxGroups` per correlation).
 * - Sliding windows (conditions of lower bounds on growing aggregates, see condition.ts): the
 *   window ends at each event and reaches back `timespan` (both ends inclusive); the alert is
 *   emitted on the event that meets the condition, with the window of the events counted, and
 *   the group starts again empty: consecutive alerts of a group never share an event.
 * - Closing windows (every other condition): a window opens at a group's first event, lasts
 *   `timespan` (inclusive), is evaluated once when time passes its end (or at the end of the
 *   input), and the group's next event opens the next window.
 * - Chains: a correlation's alert is an event of the correlations referring to it, at the time
 *   the alert is decided (its last event; the window's end for closing windows), with the alert's
 *   group as its fields and its events as contributing events.
 */
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { numericValue, renderScalar, resolveField } from '../evaluate/field-access.js';
import type { SigmaRule } from '../rules/load-rule.js';
import type { CorrelationRule, CorrelationType } from './documents.js';
import { conditionHolds, windowMode } from './condition.js';
import type { WindowMode } from './condition.js';
import { DEFAULT_TIME_FIELDS, eventTime } from './event-time.js';
import { MinHeap } from './heap.js';
import type { CorrelationGraph, ResolvedCorrelation } from './rule-set.js';

/** Where an event was read: its file and position in the file (and line, for messages). */
export interface EventRef {
  file: string;
  index: number;
  /** 1-based line where the event starts (0 or absent for .evtx records and inline events). */
  line?: number;
}

/** An alert of a correlation. */
export interface CorrelationAlert {
  correlation: CorrelationRule;
  type: CorrelationType;
  /** The group: each group-by name (field or alias) with the value of the first event counted. */
  group: Record<string, unknown>;
  /** Time of the first and the last event counted (ms since the epoch). */
  start: number;
  end: number;
  /** The aggregate that met the condition: a count, a number of distinct values or rules, a sum, an average, a percentile. */
  value: number;
  /** The contributing events (detection matches, through chains too), in time order; at most {@link MAX_ALERT_EVENTS}. */
  events: EventRef[];
  /** Contributing events left out of `events`. */
  omitted: number;
  /** The referred rules (labels, as written in `rules`) that contributed events. */
  inputs: string[];
  /** Reported on its own: false for a correlation another one refers to without `generate: true`. */
  reported: boolean;
}

/** A window decided without an alert, or with one: for explanations and coverage (when `trace` is on). */
export interface WindowRecord {
  correlation: CorrelationRule;
  group: Record<string, unknown>;
  start: number;
  end: number;
  /** The value the condition was checked against: for a sliding window, the highest reached. */
  value: number;
  met: boolean;
  /** temporal_ordered: every rule was seen within the timespan, but not in order. */
  orderBroken?: boolean;
  /** Events counted in the window (the one of the highest value for a sliding window). */
  events: number;
}

/** How the engine runs. */
export interface EngineOptions {
  /** Fields the event time is read from, in order (default {@link DEFAULT_TIME_FIELDS}). */
  timeFields?: readonly string[] | undefined;
  /** How far (ms) events may come out of time order and still be counted (default 5 minutes; Infinity: sort everything). */
  toleranceMs?: number | undefined;
  /** Open groups per correlation at most (default 100,000); more drop the oldest (CORRELATION_STATE_LIMIT). */
  maxGroups?: number | undefined;
  /** Report every window (also those without an alert) to `onWindow`. */
  trace?: boolean;
  onAlert: (a: CorrelationAlert) => void;
  onDiagnostic: (d: Diagnostic) => void;
  onWindow?: (w: WindowRecord) => void;
}

/** At most this many contributing events are listed in an alert. */
export const MAX_ALERT_EVENTS = 1000;
export const DEFAULT_TOLERANCE_MS = 5 * 60_000;
export const DEFAULT_MAX_GROUPS = 100_000;

interface Entry {
  time: number;
  seq: number;
  input: number;
  refs: readonly EventRef[];
  /** value_count: the values counted (their text); value_sum/avg/percentile: the number. */
  key?: string;
  num?: number;
}

interface Chain {
  start: number;
  entries: Entry[];
}

interface Group {
  key: string;
  values: Record<string, unknown>;
  /** Sliding: the events within the timespan of the last one; closing: every event of the window. */
  entries: Entry[];
  head: number;
  counts: Map<string, number>;
  sum: number;
  /** temporal, temporal_ordered: the latest event of each referred rule. */
  latest: Array<Entry | undefined>;
  /** temporal_ordered: the in-order chain of the first k+1 rules with the latest start. */
  chains: Array<Chain | undefined>;
  /** Closing: the window's start. */
  start: number;
  lastTime: number;
  best: { value: number; start: number; end: number; events: number } | undefined;
  orderBroken: boolean;
  /** Still the group of its key (a dropped group's deadline entries are stale). */
  live: boolean;
}

interface Deadline {
  at: number;
  seq: number;
  corr: CorrState;
  group: Group;
}

/** A contribution waiting in the out-of-order buffer. */
interface Pending {
  time: number;
  seq: number;
  ref: EventRef;
  items: Array<{ corr: CorrState; input: number; key: string; values: Record<string, unknown>; vkey?: string; num?: number }>;
}

class CorrState {
  readonly rule: CorrelationRule;
  readonly mode: WindowMode;
  readonly span: number;
  readonly groups = new Map<string, Group>();
  readonly consumers: Array<{ corr: CorrState; input: number }> = [];
  readonly reported: boolean;
  warnedLimit = false;
  warnedValue = false;
  constructor(
    readonly resolved: ResolvedCorrelation,
    reported: boolean,
  ) {
    this.rule = resolved.rule;
    this.mode = windowMode(this.rule.type, this.rule.condition);
    this.span = this.rule.timespan.ms;
    this.reported = reported;
  }
}

/** The group key and values of an event for one input of a correlation; undefined when a group-by field is missing. */
function groupOf(c: ResolvedCorrelation, input: number, event: Record<string, unknown>): { key: string; values: Record<string, unknown> } | undefined {
  const fields = (c.inputs[input] as ResolvedCorrelation['inputs'][number]).groupFields;
  const values: Record<string, unknown> = {};
  let key = '';
  for (let k = 0; k < fields.length; k++) {
    const v = resolveField(event, fields[k] as string);
    if (v === undefined || v.length === 0 || v.every((x) => x === null)) return undefined;
    const value = v.length === 1 ? v[0] : v;
    const text = renderScalar(value) ?? JSON.stringify(value);
    key += `${k === 0 ? '' : '\u0000'}${text}`;
    values[c.rule.groupBy[k] as string] = value;
  }
  return { key, values };
}

/** The linear-interpolation percentile (between closest ranks) of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

/** The streaming correlation engine (see the module comment). */
export class CorrelationEngine {
  readonly #byRule = new Map<SigmaRule, Array<{ corr: CorrState; input: number }>>();
  readonly #states: CorrState[] = [];
  readonly #buffer = new MinHeap<Pending>((a, b) => a.time < b.time || (a.time === b.time && a.seq < b.seq));
  readonly #deadlines = new MinHeap<Deadline>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  readonly #fields: readonly string[];
  readonly #tolerance: number;
  readonly #maxGroups: number;
  readonly #options: EngineOptions;
  #seq = 0;
  #newest = -Infinity;
  /** Time of the last contribution processed: nothing older can be placed any more. */
  #clock = -Infinity;
  #late = new Map<string, { count: number; first: EventRef; time: number }>();
  #lateFile: string | undefined;

  constructor(graph: CorrelationGraph, options: EngineOptions) {
    this.#options = options;
    this.#fields = options.timeFields ?? DEFAULT_TIME_FIELDS;
    this.#tolerance = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
    this.#maxGroups = options.maxGroups ?? DEFAULT_MAX_GROUPS;
    const byRule = new Map<CorrelationRule, CorrState>();
    for (const r of graph.correlations) {
      const s = new CorrState(r, !graph.silenced.has(r.rule));
      byRule.set(r.rule, s);
      this.#states.push(s);
    }
    for (const s of this.#states) {
      s.resolved.inputs.forEach((input, k) => {
        if (input.target.kind === 'detection') {
          const list = this.#byRule.get(input.target.rule) ?? [];
          list.push({ corr: s, input: k });
          this.#byRule.set(input.target.rule, list);
        } else byRule.get(input.target.rule)?.consumers.push({ corr: s, input: k });
      });
    }
    // An event matching several inputs of one temporal_ordered correlation fills the later step
    // first, so it cannot follow itself.
    for (const list of this.#byRule.values()) list.sort((a, b) => this.#states.indexOf(a.corr) - this.#states.indexOf(b.corr) || b.input - a.input);
  }

  /** Does some correlation count this rule's matches? */
  counts(rule: SigmaRule): boolean {
    return this.#byRule.has(rule);
  }

  /** The detection rules some correlation counts. */
  get rules(): SigmaRule[] {
    return [...this.#byRule.keys()];
  }

  /** Open groups over all correlations (for memory checks). */
  get openGroups(): number {
    return this.#states.reduce((n, s) => n + s.groups.size, 0);
  }

  /** Contributions waiting in the out-of-order buffer. */
  get buffered(): number {
    return this.#buffer.size;
  }

  /**
   * One event and the rules it matched (any order; rules no correlation counts are ignored).
   * Events come in stream order; their times may be out of order within the tolerance.
   */
  push(event: Record<string, unknown>, matched: readonly SigmaRule[], ref: EventRef): void {
    let targets: Array<{ corr: CorrState; input: number }> | undefined;
    for (const r of matched) {
      const t = this.#byRule.get(r);
      if (t !== undefined) targets = targets === undefined ? t : [...targets, ...t];
    }
    if (targets === undefined) return;
    if (matched.length > 1) targets.sort((a, b) => this.#states.indexOf(a.corr) - this.#states.indexOf(b.corr) || b.input - a.input);
    const time = eventTime(event, this.#fields);
    if (!time.ok) {
      this.#options.onDiagnostic(
        diagnostic('CORRELATION_EVENT_TIME', `event ${ref.index} matches a rule correlation '${targets[0]?.corr.rule.title ?? ''}' counts, but ${time.reason}: it is not counted`, {
          file: ref.file,
          pos: ref.line !== undefined && ref.line > 0 ? { line: ref.line, column: 1 } : undefined,
        }),
      );
      return;
    }
    // Late events are reported per file, once the stream has moved on to another file.
    if (this.#late.size > 0 && ref.file !== this.#lateFile) this.#flushLate();
    if (time.ms < this.#clock) {
      const l = this.#late.get(ref.file);
      if (l === undefined) this.#late.set(ref.file, { count: 1, first: ref, time: time.ms });
      else l.count++;
      this.#lateFile = ref.file;
      return;
    }
    const p: Pending = { time: time.ms, seq: this.#seq++, ref, items: [] };
    for (const { corr, input } of targets) {
      const g = groupOf(corr.resolved, input, event);
      if (g === undefined) continue;
      const item: Pending['items'][number] = { corr, input, key: g.key, values: g.values };
      const field = corr.rule.condition.field;
      if (field !== undefined) {
        if (corr.rule.type === 'value_count') {
          const texts: string[] = [];
          for (const f of field) {
            const v = resolveField(event, f);
            if (v === undefined || v.length === 0 || v.every((x) => x === null)) break;
            texts.push(renderScalar(v.length === 1 ? v[0] : v) ?? JSON.stringify(v.length === 1 ? v[0] : v));
          }
          // An event without the field (one of the fields) adds no value.
          if (texts.length < field.length) continue;
          item.vkey = texts.join('\u0000');
        } else {
          const v = resolveField(event, field[0] as string);
          const n = v === undefined ? undefined : numericValue(v[0]);
          if (n === undefined || !Number.isFinite(n)) {
            this.#warnValue(corr, ref, field[0] as string, v);
            continue;
          }
          item.num = n;
        }
      }
      p.items.push(item);
    }
    if (p.items.length === 0) return;
    this.#buffer.push(p);
    if (time.ms > this.#newest) this.#newest = time.ms;
    const until = this.#newest - this.#tolerance;
    while ((this.#buffer.peek()?.time ?? Infinity) <= until) this.#process(this.#buffer.pop() as Pending);
  }

  /** Ends the input: every buffered contribution is processed and every window decided. */
  finish(): void {
    while (this.#buffer.size > 0) this.#process(this.#buffer.pop() as Pending);
    this.#advance(Infinity);
    this.#flushLate();
  }

  #warnValue(corr: CorrState, ref: EventRef, field: string, v: unknown[] | undefined): void {
    if (corr.warnedValue) return;
    corr.warnedValue = true;
    this.#options.onDiagnostic(
      diagnostic(
        'CORRELATION_VALUE_NOT_NUMERIC',
        `event ${ref.index}: ${field} is ${v === undefined ? 'missing' : JSON.stringify(v.length === 1 ? v[0] : v)}, not a number, so correlation '${corr.rule.title}' (${corr.rule.type}) does not count it (further such events of this correlation are not reported)`,
        { file: ref.file, pos: ref.line !== undefined && ref.line > 0 ? { line: ref.line, column: 1 } : undefined },
      ),
    );
  }

  #flushLate(): void {
    for (const [file, l] of this.#late) {
      this.#options.onDiagnostic(
        diagnostic(
          'CORRELATION_EVENT_LATE',
          `${l.count} event${l.count === 1 ? '' : 's'} of this file (the first: event ${l.first.index}) came later than the out-of-order tolerance allows, after events of a later time were counted; they are not counted (raise --time-tolerance, or give files in time order)`,
          { file, pos: l.first.line !== undefined && l.first.line > 0 ? { line: l.first.line, column: 1 } : undefined },
        ),
      );
    }
    this.#late.clear();
    this.#lateFile = undefined;
  }

  #process(p: Pending): void {
    this.#advance(p.time);
    this.#clock = p.time;
    const refs = [p.ref];
    for (const it of p.items) {
      const e: Entry = { time: p.time, seq: p.seq, input: it.input, refs };
      if (it.vkey !== undefined) e.key = it.vkey;
      if (it.num !== undefined) e.num = it.num;
      this.#feed(it.corr, it.key, it.values, e);
    }
  }

  /** Decides every window whose end is before `time` (deadline order across correlations). */
  #advance(time: number): void {
    for (;;) {
      const d = this.#deadlines.peek();
      if (d === undefined || !(d.at < time)) return;
      this.#deadlines.pop();
      const { corr, group } = d;
      if (!group.live || corr.groups.get(group.key) !== group) continue;
      if (corr.mode === 'closing') {
        this.#close(corr, group, d.at);
        continue;
      }
      const due = group.lastTime + corr.span;
      if (due < time) this.#expire(corr, group);
      else this.#deadlines.push({ at: due, seq: this.#seq++, corr, group });
    }
  }

  #newGroup(corr: CorrState, key: string, values: Record<string, unknown>, time: number): Group {
    if (corr.groups.size >= this.#maxGroups) {
      // Drop the oldest open group (Map order is creation order).
      const oldest = corr.groups.values().next().value as Group;
      oldest.live = false;
      corr.groups.delete(oldest.key);
      if (!corr.warnedLimit) {
        corr.warnedLimit = true;
        this.#options.onDiagnostic(
          diagnostic('CORRELATION_STATE_LIMIT', `correlation '${corr.rule.title}' had more than ${this.#maxGroups} groups open at once; the oldest are dropped uncounted (raise correlation.max_groups)`, {
            file: corr.rule.file,
            pos: corr.rule.pos,
          }),
        );
      }
    }
    const n = corr.resolved.inputs.length;
    const g: Group = {
      key,
      values,
      entries: [],
      head: 0,
      counts: new Map(),
      sum: 0,
      latest: corr.rule.type === 'temporal' || corr.rule.type === 'temporal_ordered' ? new Array<Entry | undefined>(n).fill(undefined) : [],
      chains: corr.rule.type === 'temporal_ordered' ? new Array<Chain | undefined>(n).fill(undefined) : [],
      start: time,
      lastTime: time,
      best: undefined,
      orderBroken: false,
      live: true,
    };
    corr.groups.set(key, g);
    this.#deadlines.push({ at: time + corr.span, seq: this.#seq++, corr, group: g });
    return g;
  }

  #feed(corr: CorrState, key: string, values: Record<string, unknown>, e: Entry): void {
    let g = corr.groups.get(key);
    if (g === undefined) g = this.#newGroup(corr, key, values, e.time);
    g.lastTime = e.time;
    if (corr.mode === 'closing') {
      g.entries.push(e);
      return;
    }
    this.#slide(corr, g, e);
  }

  /** Sliding: evict what is older than the timespan, add the event, check the condition. */
  #slide(corr: CorrState, g: Group, e: Entry): void {
    const type = corr.rule.type;
    const from = e.time - corr.span;
    // Evict.
    while (g.head < g.entries.length && (g.entries[g.head] as Entry).time < from) {
      const old = g.entries[g.head++] as Entry;
      if (old.key !== undefined) {
        const c = (g.counts.get(old.key) ?? 1) - 1;
        if (c === 0) g.counts.delete(old.key);
        else g.counts.set(old.key, c);
      }
      if (old.num !== undefined) g.sum -= old.num;
    }
    if (g.head > 1024 && g.head * 2 > g.entries.length) {
      g.entries = g.entries.slice(g.head);
      g.head = 0;
    }
    for (let k = 0; k < g.latest.length; k++) if (g.latest[k] !== undefined && (g.latest[k] as Entry).time < from) g.latest[k] = undefined;
    for (let k = 0; k < g.chains.length; k++) if (g.chains[k] !== undefined && (g.chains[k] as Chain).start < from) g.chains[k] = undefined;

    // Add, and the value of the window ending here (the events it counts are listed only for an alert).
    let value: number;
    let start: number;
    let size: number;
    let counted: () => Entry[];
    switch (type) {
      case 'event_count':
      case 'value_count':
      case 'value_sum':
        g.entries.push(e);
        if (e.key !== undefined) g.counts.set(e.key, (g.counts.get(e.key) ?? 0) + 1);
        if (e.num !== undefined) g.sum += e.num;
        size = g.entries.length - g.head;
        value = type === 'event_count' ? size : type === 'value_count' ? g.counts.size : g.sum;
        start = (g.entries[g.head] as Entry).time;
        counted = () => g.entries.slice(g.head);
        break;
      case 'temporal': {
        g.latest[e.input] = e;
        const list = g.latest.filter((x): x is Entry => x !== undefined);
        value = list.length;
        size = list.length;
        start = list.reduce((m, x) => Math.min(m, x.time), e.time);
        counted = () => list;
        break;
      }
      case 'temporal_ordered': {
        const k = e.input;
        if (k === 0) g.chains[0] = { start: e.time, entries: [e] };
        else {
          const prev = g.chains[k - 1];
          const cur = g.chains[k];
          if (prev !== undefined && (cur === undefined || prev.start >= cur.start)) g.chains[k] = { start: prev.start, entries: [...prev.entries, e] };
        }
        g.latest[k] = e;
        let longest = 0;
        for (let j = g.chains.length - 1; j >= 0; j--) {
          if (g.chains[j] !== undefined) {
            longest = j + 1;
            break;
          }
        }
        value = longest;
        const chain = longest === 0 ? [] : (g.chains[longest - 1] as Chain).entries;
        size = chain.length;
        start = longest === 0 ? e.time : (g.chains[longest - 1] as Chain).start;
        counted = () => chain;
        if (g.latest.every((x) => x !== undefined) && g.chains[g.chains.length - 1] === undefined) g.orderBroken = true;
        break;
      }
      default:
        // value_avg and value_percentile are always closing.
        return;
    }
    if (conditionHolds(corr.rule.condition, value)) {
      this.#alert(corr, g, start, e.time, value, counted(), e.time);
      this.#reset(corr, g);
      return;
    }
    if (g.best === undefined || value > g.best.value) g.best = { value, start, end: e.time, events: size };
  }

  #reset(corr: CorrState, g: Group): void {
    g.entries = [];
    g.head = 0;
    g.counts.clear();
    g.sum = 0;
    g.latest.fill(undefined);
    g.chains.fill(undefined);
    g.best = undefined;
    g.orderBroken = false;
    void corr;
  }

  /** A sliding group whose events are all older than the timespan: dropped, its best window recorded. */
  #expire(corr: CorrState, g: Group): void {
    g.live = false;
    corr.groups.delete(g.key);
    if (this.#options.trace === true && (g.best !== undefined || g.orderBroken)) {
      const b = g.best ?? { value: 0, start: g.lastTime, end: g.lastTime, events: 0 };
      this.#window({ correlation: corr.rule, group: g.values, start: b.start, end: b.end, value: b.value, met: false, events: b.events, ...(g.orderBroken ? { orderBroken: true } : {}) });
    }
  }

  /** A closing window at its end: evaluated once. */
  #close(corr: CorrState, g: Group, at: number): void {
    g.live = false;
    corr.groups.delete(g.key);
    const es = g.entries;
    if (es.length === 0) return;
    const type = corr.rule.type;
    let value: number;
    let counted = es;
    let orderBroken = false;
    switch (type) {
      case 'event_count':
        value = es.length;
        break;
      case 'value_count':
        value = new Set(es.map((x) => x.key)).size;
        break;
      case 'value_sum':
        value = es.reduce((s, x) => s + (x.num ?? 0), 0);
        break;
      case 'value_avg':
        value = es.reduce((s, x) => s + (x.num ?? 0), 0) / es.length;
        break;
      case 'value_percentile':
        value = percentile(
          es.map((x) => x.num ?? 0).sort((a, b) => a - b),
          corr.rule.condition.percentile ?? 50,
        );
        break;
      case 'temporal': {
        const seen = new Set(es.map((x) => x.input));
        value = seen.size;
        break;
      }
      case 'temporal_ordered': {
        // The longest prefix of the rules found in order (greedy subsequence).
        let k = 0;
        const chain: Entry[] = [];
        for (const x of es) {
          if (k < corr.resolved.inputs.length && x.input === k) {
            chain.push(x);
            k++;
          }
        }
        value = k;
        counted = chain.length > 0 ? chain : es;
        orderBroken = k < corr.resolved.inputs.length && new Set(es.map((x) => x.input)).size === corr.resolved.inputs.length;
        break;
      }
    }
    const start = (es[0] as Entry).time;
    const end = (es[es.length - 1] as Entry).time;
    if (conditionHolds(corr.rule.condition, value)) this.#alert(corr, g, start, end, value, counted, Math.min(at, g.start + corr.span));
    else if (this.#options.trace === true) this.#window({ correlation: corr.rule, group: g.values, start, end, value, met: false, events: es.length, ...(orderBroken ? { orderBroken: true } : {}) });
  }

  #window(w: WindowRecord): void {
    this.#options.onWindow?.(w);
  }

  #alert(corr: CorrState, g: Group, start: number, end: number, value: number, counted: readonly Entry[], decidedAt: number): void {
    const seen = new Set<string>();
    const events: EventRef[] = [];
    let total = 0;
    const inputs = new Set<number>();
    const sorted = [...counted].sort((a, b) => a.time - b.time || a.seq - b.seq);
    for (const x of sorted) {
      inputs.add(x.input);
      for (const r of x.refs) {
        const k = `${r.index}\u0000${r.file}`;
        if (seen.has(k)) continue;
        seen.add(k);
        total++;
        if (events.length < MAX_ALERT_EVENTS) events.push(r);
      }
    }
    const alert: CorrelationAlert = {
      correlation: corr.rule,
      type: corr.rule.type,
      group: g.values,
      start,
      end,
      value,
      events,
      omitted: total - events.length,
      inputs: [...inputs].sort((a, b) => a - b).map((k) => (corr.resolved.inputs[k] as ResolvedCorrelation['inputs'][number]).label),
      reported: corr.reported,
    };
    this.#options.onAlert(alert);
    if (this.#options.trace === true) this.#window({ correlation: corr.rule, group: g.values, start, end, value, met: true, events: total });
    // Chains: the alert is an event of the correlations referring to this one.
    for (const { corr: next, input } of corr.consumers) {
      const gr = groupOf(next.resolved, input, alert.group);
      if (gr === undefined) continue;
      const e: Entry = { time: decidedAt, seq: this.#seq++, input, refs: events };
      const field = next.rule.condition.field;
      if (field !== undefined) {
        if (next.rule.type === 'value_count') {
          const texts = field.map((f) => alert.group[f]).filter((v) => v !== undefined && v !== null);
          if (texts.length < field.length) continue;
          e.key = texts.map((v) => renderScalar(v) ?? JSON.stringify(v)).join('\u0000');
        } else {
          const n = field[0] === 'value' ? value : numericValue(alert.group[field[0] as string]);
          if (n === undefined) continue;
          e.num = n;
        }
      }
      this.#feed(next, gr.key, gr.values, e);
    }
  }
}
