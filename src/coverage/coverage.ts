/**
 * Coverage per stage: traces of a rule's cases folded into what the cases exercised.
 *
 * - stages: stage 0 (the condition) and each identifier the condition uses; covered when some
 *   case saw it true and some case saw it false.
 * - values: every value of every detection item; covered when some case made it match.
 * - exclusions: every value of an identifier under a top-level `not`; covered when some
 *   expected-no-match case did not match, had that value matching in a true item of a true
 *   exclusion, and the condition would have held with that exclusion false — the exclusion was
 *   the deciding reason.
 * A rule's percent is covered items over all items of the three kinds.
 */
import type { MatchPlan } from '../plan/plan.js';
import { evaluateCondition } from '../evaluate/evaluate.js';
import type { Trace } from '../evaluate/evaluate.js';

/** What one case exercised, as keys: stage names and `item:value` indexes. */
export interface Observation {
  stagesTrue: Set<string>;
  stagesFalse: Set<string>;
  values: Set<string>;
  exclusions: Set<string>;
}

export function emptyObservation(): Observation {
  return { stagesTrue: new Set(), stagesFalse: new Set(), values: new Set(), exclusions: new Set() };
}

/** Adds one evaluated event to a case's observation. `expectNoMatch` marks a negative case. */
export function observe(plan: MatchPlan, trace: Trace, expectNoMatch: boolean, into: Observation = emptyObservation()): Observation {
  for (const s of trace.stages) (s.result ? into.stagesTrue : into.stagesFalse).add(s.name);
  for (const it of trace.items) it.values.forEach((hit, k) => hit && into.values.add(`${it.item}:${k}`));
  if (expectNoMatch && !trace.match) {
    for (const stage of plan.stages) {
      if (!stage.exclusion || trace.identifiers[stage.name] !== true) continue;
      const wouldMatch = evaluateCondition(plan, (name) => (name === stage.name ? false : (trace.identifiers[name] ?? false)));
      if (!wouldMatch) continue;
      for (const item of plan.items) {
        if (item.identifier !== stage.name) continue;
        const t = trace.items[item.id];
        if (t === undefined || !t.result) continue;
        t.values.forEach((hit, k) => hit && into.exclusions.add(`${item.id}:${k}`));
      }
    }
  }
  return into;
}

export interface StageCoverage {
  index: number;
  name: string;
  exclusion: boolean;
  /** Cases that saw the stage true / false. */
  true: number;
  false: number;
  covered: boolean;
}

/**
 * How reports name a stage: the identifier, marked `(exclusion)` when the condition negates it at
 * the top. Its true/false counts are the identifier's own (an exclusion is true when it excluded
 * the event), so the label names the identifier, not `not identifier`.
 */
export function stageLabel(s: Pick<StageCoverage, 'name' | 'exclusion'>): string {
  return s.exclusion ? `${s.name} (exclusion)` : s.name;
}

export interface ValueRef {
  item: number;
  value: number;
  identifier: string;
  field: string | null;
  source: string;
  path: string;
}

/** The coverage of a rule by its cases: stages seen true and false, values matched, exclusions decisive. */
export interface RuleCoverage {
  stages: StageCoverage[];
  values: { covered: number; total: number; missed: ValueRef[] };
  exclusions: { covered: number; total: number; missed: ValueRef[] };
  /** covered / total over the three kinds, 0–100 with one decimal; 100 for a rule with nothing to cover. */
  percent: number;
  covered: number;
  total: number;
}

/** Folds the observations of all cases of a rule. */
export function foldCoverage(plan: MatchPlan, observations: readonly Observation[]): RuleCoverage {
  const stages: StageCoverage[] = plan.stages.map((s) => {
    const t = observations.filter((o) => o.stagesTrue.has(s.name)).length;
    const f = observations.filter((o) => o.stagesFalse.has(s.name)).length;
    return { index: s.index, name: s.name, exclusion: s.exclusion, true: t, false: f, covered: t > 0 && f > 0 };
  });
  const exclusionIds = new Set(plan.stages.filter((s) => s.exclusion).map((s) => s.name));
  const values: RuleCoverage['values'] = { covered: 0, total: 0, missed: [] };
  const exclusions: RuleCoverage['exclusions'] = { covered: 0, total: 0, missed: [] };
  for (const item of plan.items) {
    item.values.forEach((v, k) => {
      const key = `${item.id}:${k}`;
      const ref: ValueRef = { item: item.id, value: k, identifier: item.identifier, field: item.field, source: v.source, path: item.path };
      values.total++;
      if (observations.some((o) => o.values.has(key))) values.covered++;
      else values.missed.push(ref);
      if (exclusionIds.has(item.identifier)) {
        exclusions.total++;
        if (observations.some((o) => o.exclusions.has(key))) exclusions.covered++;
        else exclusions.missed.push(ref);
      }
    });
  }
  const covered = stages.filter((s) => s.covered).length + values.covered + exclusions.covered;
  const total = stages.length + values.total + exclusions.total;
  const percent = total === 0 ? 100 : Math.floor((covered / total) * 1000) / 10;
  return { stages, values, exclusions, percent, covered, total };
}
