/**
 * A starter case file for a correlation rule (`sigmatest scaffold <correlation file>`): a case
 * whose timestamped events make the correlation alert for one group (with an event of a second
 * group that does not), and a quiet case that does not alert (the same group with a value that
 * misses the condition, or, for temporal_ordered, the rules in reverse order).
 *
 * Events of a detection rule are its generated witness (witness.ts) with the group-by fields (through
 * aliases) set to the group's values, the value field set for the value types, and a time field;
 * an event the rule no longer matches after that is refused (the rule constrains a group-by field).
 * An input that is another correlation (a chain) gets the inner correlation's own alerting sequence
 * for the group, recursively. The value aimed at is the smallest of a few candidates around the
 * condition's thresholds that meets it (for the quiet case: that misses it).
 *
 * Every case is run through the correlation engine (cases/run-correlation-cases.ts) before it is
 * written: a case that does not do what it says is left out, with the reason.
 */
import { existsSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { SigmaRule } from '../rules/load-rule.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import type { Event } from '../evaluate/evaluate.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import { conditionHolds, windowMode } from '../correlation/condition.js';
import { formatTime } from '../correlation/event-time.js';
import type { CorrelationGraph, ResolvedCorrelation } from '../correlation/rule-set.js';
import { loadCaseText } from '../cases/load-cases.js';
import { runCorrelationCases } from '../cases/run-correlation-cases.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { withFileLock } from '../util/file-lock.js';
import { synthesizeWitness } from './witness.js';

/** A correlation case to write: its events (in time order) and the alerts expected. */
export interface NewCorrelationCase {
  name: string;
  events: Event[];
  alerts: { exactly: number; groups?: Array<Record<string, unknown>> };
}

export interface CorrelationScaffold {
  cases: NewCorrelationCase[];
  /** Cases that could not be made, with why. */
  skipped: string[];
}

/** Where the generated sequence starts. */
const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);
/** Counts up to this many events are generated. */
const MAX_EVENTS = 200;

class Skip extends Error {}

interface Gen {
  graph: CorrelationGraph;
  mapping: LogsourceMapping | null;
  timeField: string;
  seed: number;
}

/** Candidate values around the condition's thresholds, smallest first. */
function candidates(target: ResolvedCorrelation, counts: boolean): number[] {
  const out = new Set<number>(counts ? [1, 2] : [0, 1]);
  for (const o of target.rule.condition.ops) for (const d of [-1, 0, 1]) out.add(o.value + d);
  return [...out].filter((n) => Number.isFinite(n) && (!counts || (n >= 1 && Number.isInteger(n)))).sort((a, b) => a - b);
}

/** The value to aim at: meeting the condition (alert) or missing it (quiet). */
function aim(target: ResolvedCorrelation, alert: boolean): number | undefined {
  const t = target.rule.type;
  const counts = t === 'event_count' || t === 'value_count' || t === 'temporal' || t === 'temporal_ordered';
  let list = candidates(target, counts);
  if (t === 'temporal' || t === 'temporal_ordered') list = list.filter((n) => n <= target.inputs.length);
  if (counts) list = list.filter((n) => n <= MAX_EVENTS);
  const meets = list.filter((v) => conditionHolds(target.rule.condition, v));
  if (alert) return meets[0];
  // Quiet: the value that misses the condition closest to one that meets it (the boundary).
  const near = meets[0];
  const misses = list.filter((v) => !conditionHolds(target.rule.condition, v));
  return near === undefined ? misses[0] : misses.sort((a, b) => Math.abs(a - near) - Math.abs(b - near) || a - b)[0];
}

/** An event of a detection rule for the group, with `extra` fields, at time `t`; throws Skip when the rule then no longer matches. */
function detectionEvent(rule: SigmaRule, fields: Record<string, unknown>, t: number, g: Gen): Event {
  const w = synthesizeWitness(rule, g.seed, g.mapping);
  if (!w.ok) throw new Skip(`no event of rule '${rule.title}' could be generated: ${w.reason}`);
  const e: Event = { ...w.event, ...fields, [g.timeField]: formatTime(t) };
  if (!evaluatePlan(rule.plan, e).match) throw new Skip(`rule '${rule.title}' no longer matches its generated event once ${Object.keys(fields).join(', ')} are set: write its events by hand`);
  return e;
}

/**
 * The events making `target` decide `value` for the group (`group`: its group-by names and values),
 * from time `t`; `reverse` (temporal_ordered) puts the rules in reverse order. Returns the events
 * and the time the last decision is due.
 */
function sequence(target: ResolvedCorrelation, group: Record<string, unknown>, value: number, t: number, g: Gen, reverse = false): { events: Event[]; end: number } {
  const c = target.rule;
  const span = c.timespan.ms;
  const events: Event[] = [];
  const type = c.type;
  const n = type === 'event_count' || type === 'value_count' ? value : type === 'temporal' || type === 'temporal_ordered' ? value : 1;
  // Contributions are `step` apart, well inside the timespan.
  const step = Math.max(1, Math.min(1000, Math.floor(span / (2 * Math.max(n, 1)))));
  let time = t;
  let end = t;
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  const firstN = target.inputs.map((_, k) => k).slice(0, n);
  const indices = temporal ? (reverse ? firstN.reverse() : firstN) : Array.from({ length: n }, (_, k) => k % target.inputs.length);
  for (let k = 0; k < n; k++) {
    const input = target.inputs[indices[k] as number];
    if (input === undefined) throw new Skip('a correlation without rules');
    const fields: Record<string, unknown> = {};
    c.groupBy.forEach((name, j) => {
      fields[input.groupFields[j] ?? name] = group[name];
    });
    const vf = c.condition.field;
    if (vf !== undefined) {
      if (type === 'value_count') vf.forEach((f) => (fields[f] = `${f.toLowerCase()}-${k + 1}`));
      else fields[vf[0] as string] = value;
    }
    if (input.target.kind === 'detection') {
      events.push(detectionEvent(input.target.rule, fields, time, g));
      end = time;
      time += step;
    } else {
      // A chain: the inner correlation alerts for the group its fields name.
      const inner = g.graph.correlations.find((r) => r.rule === input.target.rule);
      if (inner === undefined) throw new Skip(`inner correlation '${input.target.rule.title}' cannot be evaluated`);
      if (vf !== undefined) throw new Skip(`a value type over the alerts of correlation '${inner.rule.title}': write its events by hand`);
      const innerGroup: Record<string, unknown> = {};
      inner.rule.groupBy.forEach((name) => (innerGroup[name] = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : `${name.toLowerCase()}-1`));
      const v = aim(inner, true);
      if (v === undefined) throw new Skip(`no value meets the condition of correlation '${inner.rule.title}'`);
      const s = sequence(inner, innerGroup, v, time, g);
      events.push(...s.events);
      end = s.end;
      // The inner alert is decided at `s.end`; the next contribution comes after it.
      time = s.end + step;
    }
  }
  // A closing window is decided when its timespan has passed.
  if (windowMode(type, c.condition) === 'closing') end = t + span;
  return { events, end };
}

/** The starter cases of a correlation (see the module comment). */
export function scaffoldCorrelationCases(target: ResolvedCorrelation, graph: CorrelationGraph, options: { mapping: LogsourceMapping; timeField: string; seed?: number; caseFile: string }): CorrelationScaffold {
  const g: Gen = { graph, mapping: options.mapping, timeField: options.timeField, seed: options.seed ?? 1 };
  const c = target.rule;
  const group = (k: number): Record<string, unknown> => Object.fromEntries(c.groupBy.map((name) => [name, `${name.toLowerCase()}-${k}`]));
  const cases: NewCorrelationCase[] = [];
  const skipped: string[] = [];
  const attempt = (name: string, make: () => NewCorrelationCase): void => {
    try {
      cases.push(make());
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
      skipped.push(`${name}: ${e.message}`);
    }
  };
  attempt('alerting case', () => {
    const v = aim(target, true);
    if (v === undefined) throw new Skip('no value meets the condition');
    const s = sequence(target, group(1), v, T0, g);
    const events = [...s.events];
    // A second group with one contribution that does not meet the condition (when one does not).
    const single = c.type === 'value_sum' || c.type === 'value_avg' || c.type === 'value_percentile' ? aim(target, false) : 1;
    if (c.groupBy.length > 0 && single !== undefined && !conditionHolds(c.condition, single)) events.push(...sequence(target, group(2), single, T0 + 500, g).events);
    const alerts: NewCorrelationCase['alerts'] = { exactly: 1 };
    if (c.groupBy.length > 0) alerts.groups = [group(1)];
    return { name: `alerts for one group (generated events; replace them with real ones)`, events: sortByTime(events, g.timeField), alerts };
  });
  attempt('quiet case', () => {
    if (c.type === 'temporal_ordered' && target.inputs.length > 1 && aim(target, true) === target.inputs.length) {
      const s = sequence(target, group(1), target.inputs.length, T0, g, true);
      return { name: 'every rule, but in reverse order: no alert', events: s.events, alerts: { exactly: 0 } };
    }
    const v = aim(target, false);
    if (v === undefined) throw new Skip('every value meets the condition: no quiet case');
    const s = sequence(target, group(1), v, T0, g);
    return { name: `a value that misses the condition (${v}): no alert`, events: s.events, alerts: { exactly: 0 } };
  });
  // Each case must do what it says.
  const kept: NewCorrelationCase[] = [];
  for (const k of cases) {
    const problems = verify(target, graph, k, options.caseFile, options.timeField, options.mapping);
    if (problems.length === 0) kept.push(k);
    else skipped.push(`case '${k.name}' left out: ${problems.join('; ')}`);
  }
  return { cases: kept, skipped };
}

function sortByTime(events: Event[], field: string): Event[] {
  return events.map((e, k) => ({ e, k })).sort((a, b) => String(a.e[field]).localeCompare(String(b.e[field])) || a.k - b.k).map((x) => x.e);
}

/** The case file text: the correlation's reference and the cases, events as flow mappings. */
export function correlationCaseText(ref: string, cases: readonly NewCorrelationCase[]): string {
  const lines = [`rule: ${JSON.stringify(ref)}`, 'cases:'];
  for (const k of cases) {
    lines.push(`  - name: ${JSON.stringify(k.name)}`, '    events:');
    for (const e of k.events) lines.push(`      - ${JSON.stringify(e)}`);
    lines.push(`    alerts: ${JSON.stringify(k.alerts)}`);
  }
  return `${lines.join('\n')}\n`;
}

function verify(target: ResolvedCorrelation, graph: CorrelationGraph, k: NewCorrelationCase, caseFile: string, timeField: string, mapping: LogsourceMapping): string[] {
  const loaded = loadCaseText(correlationCaseText(`${target.rule.id ?? target.rule.name ?? target.rule.title}`, [k]), caseFile);
  if (loaded.caseFile === undefined) return loaded.diagnostics.map((d) => d.message);
  const { run } = runCorrelationCases(target, graph, [{ cf: loaded.caseFile, cases: loaded.caseFile.cases }], { mapping, correlation: { timeFields: [timeField] } });
  return run.cases.flatMap((r) => (r.status === 'pass' ? [] : r.messages.slice(0, 2)));
}

/** How a case file names the correlation: its id, else its name, else its file relative to the case file. */
export function correlationRef(target: ResolvedCorrelation, caseFile: string): string {
  return target.rule.id ?? target.rule.name ?? relative(dirname(caseFile), target.rule.file);
}

/** Writes a new correlation case file; refuses to overwrite one. */
export function writeNewCorrelationCaseFile(file: string, target: ResolvedCorrelation, cases: readonly NewCorrelationCase[]): void {
  withFileLock(file, () => {
    if (existsSync(file)) throw new Error(`${file} exists; sigmatest never overwrites a case file (remove it first)`);
    writeFileAtomic(file, correlationCaseText(correlationRef(target, file), cases));
  });
}
