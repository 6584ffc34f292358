/**
 * Semantic diff of two versions of a rule, for `sigmatest gate`: which events change verdict?
 *
 * Events are generated from BOTH versions: witnesses of every match term ({@link synthesizeWitness}
 * over many seeds), "boundary" events of each term with one excluded identifier forced true (the
 * events a removed filter lets through), events making a single identifier true, the fuzzer's
 * witnesses and any extra events the caller has (case events). Each event is then mutated: a field
 * dropped, a value re-cased, a value replaced with a value of the same field from the other
 * version's events. Every event is evaluated with both versions (plan and logsource) and those
 * whose verdict flips are collected:
 *
 * - only new matches → `widened`; only lost matches → `narrowed`; both → `changed`; none → `equivalent`.
 *
 * The search is sampling, not proof: `equivalent` means no flipped event was found.
 */
import type { SigmaRule } from '../rules/load-rule.js';
import type { Event } from '../evaluate/evaluate.js';
import { compileLogsourceFilter } from '../logsource/logsource.js';
import { sourceVerdict } from '../evaluate/source-verdict.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { logsourceBase, matchTerms, realizeContext, synthesizeWitness } from '../fuzz/witness.js';
import { synthesize } from '../fuzz/synthesize.js';
import { fuzzRule } from '../fuzz/fuzz-rule.js';

export type DiffKind = 'widened' | 'narrowed' | 'changed' | 'equivalent';

export interface SemanticDiff {
  diff: DiffKind;
  /** Events the new version matches and the old one does not (up to `examples`). */
  newMatches: Event[];
  /** Events the old version matches and the new one does not (up to `examples`). */
  lostMatches: Event[];
  /** Totals before truncation to examples. */
  newMatchCount: number;
  lostMatchCount: number;
  /** Distinct events evaluated. */
  events: number;
}

export interface SemanticDiffOptions {
  mapping: LogsourceMapping;
  /** Witness seeds per version (default 40). */
  seeds?: number;
  /** Fuzz runs per version for more witnesses (default 30; 0 skips). */
  fuzzRuns?: number;
  /** Witnesses of the versions already computed (e.g. by the fuzz check), added to the pool. */
  oldWitnesses?: readonly Event[];
  newWitnesses?: readonly Event[];
  /** More events to try (case events of both versions). */
  extraEvents?: readonly Event[];
  /** Flipped examples kept per direction (default 5). */
  examples?: number;
  /** Cap on the base events that are mutated (default 200). */
  maxMutated?: number;
}

/** A verdict function: plan and logsource. */
function verdict(rule: SigmaRule, mapping: LogsourceMapping): (e: Event) => boolean {
  const applies = compileLogsourceFilter(rule.logsource, mapping);
  const holds = sourceVerdict(rule.plan, rule.logsource, mapping);
  return (e) => {
    try {
      return holds(e) && applies(e);
    } catch {
      return false;
    }
  };
}

/** Events of one version: witnesses, boundary events and single-identifier events. */
function versionEvents(rule: SigmaRule, options: SemanticDiffOptions): Event[] {
  const out: Event[] = [];
  const seeds = options.seeds ?? 40;
  for (let s = 1; s <= seeds; s++) {
    const w = synthesizeWitness(rule, s, options.mapping);
    if (w.ok) out.push(w.event);
  }
  const base = logsourceBase(rule, options.mapping);
  const ctx = realizeContext(7919);
  const terms = matchTerms(rule.plan, ctx.rnd).slice(0, 32);
  const derived: Map<string, boolean>[] = [];
  for (const t of terms) {
    for (const [name, truth] of t) {
      if (truth) continue;
      const flipped = new Map(t);
      flipped.set(name, true);
      derived.push(flipped);
    }
  }
  for (const i of rule.plan.identifiers) derived.push(new Map([[i.name, true]]));
  derived.slice(0, 64).forEach((term, k) => {
    for (let rep = 0; rep < 3; rep++) {
      const r = synthesize(rule.plan, term, realizeContext(1000 + k * 7 + rep, rule.plan), { base });
      if (r.ok) out.push(r.event);
    }
  });
  const runs = options.fuzzRuns ?? 30;
  if (runs > 0) {
    try {
      out.push(...fuzzRule(rule, { runs, seed: 1, mapping: options.mapping }).witnesses);
    } catch {
      // A fuzzer problem only costs events here; the fuzz check reports it.
    }
  }
  return out;
}

function recase(v: unknown, upper: boolean): unknown {
  if (typeof v === 'string') return upper ? v.toUpperCase() : v.toLowerCase();
  return v;
}

/** Values per field over events. */
function fieldValues(events: readonly Event[]): Map<string, unknown[]> {
  const m = new Map<string, unknown[]>();
  for (const e of events) {
    for (const [k, v] of Object.entries(e)) {
      const list = m.get(k) ?? [];
      if (list.length < 24 && !list.some((x) => JSON.stringify(x) === JSON.stringify(v))) list.push(v);
      m.set(k, list);
    }
  }
  return m;
}

/** Mutations of an event: drop a field, re-case a value, take a value of the other version. */
function mutations(e: Event, other: Map<string, unknown[]>): Event[] {
  const out: Event[] = [];
  for (const [k, v] of Object.entries(e)) {
    const { [k]: _dropped, ...rest } = e;
    out.push(rest);
    if (typeof v === 'string') {
      out.push({ ...e, [k]: recase(v, true) }, { ...e, [k]: recase(v, false) });
    }
    for (const alt of (other.get(k) ?? []).slice(0, 8)) out.push({ ...e, [k]: alt });
  }
  // Fields only the other version knows, added with its values.
  for (const [k, vals] of other) {
    if (Object.hasOwn(e, k)) continue;
    for (const alt of vals.slice(0, 3)) out.push({ ...e, [k]: alt });
  }
  return out;
}

/** Compares two versions of a rule (see the file comment). */
export function semanticDiff(oldRule: SigmaRule, newRule: SigmaRule, options: SemanticDiffOptions): SemanticDiff {
  const oldEvents = [...versionEvents(oldRule, options), ...(options.oldWitnesses ?? [])];
  const newEvents = [...versionEvents(newRule, options), ...(options.newWitnesses ?? [])];
  const extra = options.extraEvents ?? [];
  const oldValues = fieldValues([...oldEvents, ...extra]);
  const newValues = fieldValues([...newEvents, ...extra]);
  const maxMutated = options.maxMutated ?? 200;

  const seen = new Set<string>();
  const pool: Event[] = [];
  const add = (e: Event): void => {
    let key: string;
    try {
      key = JSON.stringify(e);
    } catch {
      return;
    }
    if (seen.has(key)) return;
    seen.add(key);
    pool.push(e);
  };
  const bases: Array<{ e: Event; other: Map<string, unknown[]> }> = [
    ...oldEvents.map((e) => ({ e, other: newValues })),
    ...newEvents.map((e) => ({ e, other: oldValues })),
    ...extra.map((e) => ({ e, other: new Map([...oldValues, ...newValues]) })),
  ];
  for (const b of bases) add(b.e);
  const half = Math.ceil(maxMutated / 2);
  const mutated = [
    ...oldEvents.slice(0, half).map((e) => ({ e, other: newValues })),
    ...newEvents.slice(0, half).map((e) => ({ e, other: oldValues })),
    ...bases.slice(oldEvents.length + newEvents.length),
  ];
  for (const b of mutated) for (const m of mutations(b.e, b.other)) add(m);

  const before = verdict(oldRule, options.mapping);
  const after = verdict(newRule, options.mapping);
  const limit = options.examples ?? 5;
  const newMatches: Event[] = [];
  const lostMatches: Event[] = [];
  let newMatchCount = 0;
  let lostMatchCount = 0;
  for (const e of pool) {
    const a = before(e);
    const b = after(e);
    if (a === b) continue;
    if (b) {
      newMatchCount++;
      if (newMatches.length < limit) newMatches.push(e);
    } else {
      lostMatchCount++;
      if (lostMatches.length < limit) lostMatches.push(e);
    }
  }
  const diff: DiffKind = newMatchCount > 0 && lostMatchCount > 0 ? 'changed' : newMatchCount > 0 ? 'widened' : lostMatchCount > 0 ? 'narrowed' : 'equivalent';
  return { diff, newMatches, lostMatches, newMatchCount, lostMatchCount, events: pool.length };
}
