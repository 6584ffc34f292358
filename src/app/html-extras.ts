/**
 * The extras of the HTML report for a run: a rule page and the match plan of every rule, and a
 * modest fuzz pass (default 30 runs, seed 1: reproducible) over every rule.
 * `rules` must be aligned with `report.rules` (what `loadAndRunSuite` returns).
 */
import type { SigmaRule } from '../rules/load-rule.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { buildRulePage } from '../explain/rule-page.js';
import type { RulePage } from '../explain/rule-page.js';
import { fuzzRule } from '../fuzz/fuzz-rule.js';
import type { RuleFuzzResult } from '../fuzz/fuzz-rule.js';
import type { MatchPlan } from '../plan/plan.js';
import type { SuiteReport } from '../report/run/suite-report.js';
import { reportEntryKey } from '../report/html/types.js';
import type { HtmlReportExtras } from '../report/html/types.js';

export interface HtmlExtrasOptions {
  mapping: LogsourceMapping;
  /** Property runs per rule; 0 skips fuzzing. Default 30. */
  fuzzRuns?: number;
  /** Default 1. */
  fuzzSeed?: number;
  /** Called for each rule whose page or fuzz pass failed (the report leaves that part out). */
  onProblem?: (path: string, message: string) => void;
}

export function buildHtmlExtras(report: SuiteReport, rules: readonly SigmaRule[], options: HtmlExtrasOptions): HtmlReportExtras {
  const runs = options.fuzzRuns ?? 30;
  const seed = options.fuzzSeed ?? 1;
  const perPath = new Map<string, number>();
  for (const r of report.rules) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
  const pages = new Map<string, RulePage>();
  const plans = new Map<string, MatchPlan>();
  const fuzz = new Map<string, RuleFuzzResult>();
  report.rules.forEach((r, k) => {
    const rule = rules[k];
    if (rule === undefined) return;
    const key = (perPath.get(r.path) ?? 0) > 1 ? reportEntryKey(r.path, r.id) : r.path;
    plans.set(key, rule.plan);
    try {
      pages.set(key, buildRulePage(rule, { mapping: options.mapping }));
    } catch (e) {
      options.onProblem?.(r.path, `rule page: ${(e as Error).message}`);
    }
    if (runs > 0) {
      try {
        fuzz.set(key, fuzzRule(rule, { runs, seed, mapping: options.mapping }));
      } catch (e) {
        options.onProblem?.(r.path, `fuzz: ${(e as Error).message}`);
      }
    }
  });
  const extras: HtmlReportExtras = { pages, plans };
  if (runs > 0) {
    extras.fuzz = fuzz;
    extras.fuzzSeed = seed;
  }
  return extras;
}
