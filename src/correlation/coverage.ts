/**
 * Coverage per stage of a correlation, over its cases (README, Cases for correlations): what the
 * cases made the correlation do, as stages seen true and false, in the shape of a detection
 * rule's coverage (coverage/coverage.ts) so every report shows it the same way.
 *
 * - `condition`: the threshold was met (a case alerted) and missed (a case had a window that did
 *   not meet it); covered when both happened.
 * - `rule <label>`, one per referred rule: true in the cases where its events contributed to an
 *   alert (false: cases that alerted without it); covered when some case had it contribute.
 * - `order` (temporal_ordered): the order kept (an alert) and broken (every rule within the
 *   timespan, out of order); covered when both happened.
 * - `groups` (with group-by): true in the cases that saw more than one group; covered when some did.
 *
 * The percent is covered stages over stages.
 */
import type { RuleCoverage, StageCoverage } from '../coverage/coverage.js';
import type { CorrelationAlert, WindowRecord } from './engine.js';
import type { ResolvedCorrelation } from './rule-set.js';

/** What one case made a correlation do. */
export interface CorrelationObservation {
  met: boolean;
  missed: boolean;
  /** Labels of the referred rules that contributed to an alert. */
  contributed: Set<string>;
  orderKept: boolean;
  orderBroken: boolean;
  /** Distinct groups seen (alerts and windows). */
  groups: Set<string>;
}

/** The observation of one case from the correlation's alerts and windows. */
export function observeCorrelation(alerts: readonly CorrelationAlert[], windows: readonly WindowRecord[]): CorrelationObservation {
  const o: CorrelationObservation = { met: alerts.length > 0, missed: windows.some((w) => !w.met), contributed: new Set(), orderKept: alerts.length > 0, orderBroken: windows.some((w) => w.orderBroken === true), groups: new Set() };
  for (const a of alerts) {
    for (const i of a.inputs) o.contributed.add(i);
    o.groups.add(JSON.stringify(a.group));
  }
  for (const w of windows) o.groups.add(JSON.stringify(w.group));
  return o;
}

/** Folds the observations of a correlation's cases. */
export function foldCorrelationCoverage(c: ResolvedCorrelation, observations: readonly CorrelationObservation[]): RuleCoverage {
  const count = (f: (o: CorrelationObservation) => boolean): number => observations.filter(f).length;
  const stages: StageCoverage[] = [];
  const add = (name: string, t: number, f: number, covered: boolean): void => {
    stages.push({ index: stages.length, name, exclusion: false, true: t, false: f, covered });
  };
  const met = count((o) => o.met);
  const missed = count((o) => o.missed);
  add('condition', met, missed, met > 0 && missed > 0);
  for (const input of c.inputs) {
    const t = count((o) => o.contributed.has(input.label));
    add(`rule ${input.label}`, t, count((o) => o.met && !o.contributed.has(input.label)), t > 0);
  }
  if (c.rule.type === 'temporal_ordered') {
    const kept = count((o) => o.orderKept);
    const broken = count((o) => o.orderBroken);
    add('order', kept, broken, kept > 0 && broken > 0);
  }
  if (c.rule.groupBy.length > 0) {
    const several = count((o) => o.groups.size > 1);
    add('groups', several, observations.length - several, several > 0);
  }
  const covered = stages.filter((s) => s.covered).length;
  const total = stages.length;
  return {
    stages,
    values: { covered: 0, total: 0, missed: [] },
    exclusions: { covered: 0, total: 0, missed: [] },
    percent: total === 0 ? 100 : Math.floor((covered / total) * 1000) / 10,
    covered,
    total,
  };
}
