/**
 * The inputs of the HTML report besides the SuiteReport, all optional: rule pages (explain),
 * match plans (which case exercised which excluded value), fuzz results, and gate results.
 *
 * Maps are keyed by the rule's path as in the report (`RuleReport.path`, relative to the working
 * directory). A file with several detection rules keys each as `<path>#<id>`; lookups try that
 * first, then the bare path (see {@link lookupRule}).
 */
import type { RulePage } from '../../explain/rule-page.js';
import type { RuleFuzzResult } from '../../fuzz/fuzz-rule.js';
import type { MatchPlan } from '../../plan/plan.js';
import type { Event } from '../../evaluate/evaluate.js';
import type { RuleChangeKind } from '../../gate/gate-result.js';
import type { RuleReport } from '../run/suite-report.js';

/** How a changed rule's verdicts compare with the base version's. */
export type GateDiffClass = 'widened' | 'narrowed' | 'changed' | 'equivalent';

/** One check the gate ran on a changed rule. `status` is usually pass, fail, warning or skip. */
export interface GateCheck {
  name: string;
  status: string;
  message: string;
}

/** The gate's result for one changed rule file. */
export interface GateEntry {
  /** The rule file now (for `deleted`, the removed one), relative like `RuleReport.path`. */
  path: string;
  /** For renames: the path in the base. */
  oldPath?: string;
  change: RuleChangeKind;
  /** The diff classification; null when there is nothing to compare (added, deleted). */
  diff: GateDiffClass | null;
  checks: GateCheck[];
  /** Example events whose verdict differs between the base version and this one. */
  flipped: Event[];
}

export interface HtmlReportExtras {
  /** Rule pages (src/explain/rule-page.ts): ATT&CK, events, body, predicates, exclusions, indicators. */
  pages?: ReadonlyMap<string, RulePage>;
  /** Match plans: attribute each exercised excluded value to the cases that exercised it. */
  plans?: ReadonlyMap<string, MatchPlan>;
  /** Fuzz results of the rules that were fuzzed. */
  fuzz?: ReadonlyMap<string, RuleFuzzResult>;
  /** The seed the fuzz results were made with (for replay hints when a rule has no findings). */
  fuzzSeed?: number;
  /** Gate results; adds a column to the index and a section to the pages of changed rules. */
  gate?: readonly GateEntry[];
  /** Heading of the index page. */
  title?: string;
  /** Shown in the footer, e.g. an ISO timestamp (left out by default: output is reproducible). */
  generatedAt?: string;
}

/**
 * The key of a report entry in the extras maps when its file holds several rules: `<path>#<id>`.
 * Not a rule identity (that is `ruleKey` in src/rules/rule-key.ts): the report knows a rule only
 * by its path and id.
 */
export function reportEntryKey(path: string, id: string | null): string {
  return id === null ? path : `${path}#${id}`;
}

/** Finds a rule's entry: by `<path>#<id>`, else by path. */
export function lookupRule<T>(map: ReadonlyMap<string, T> | undefined, rule: Pick<RuleReport, 'path' | 'id'>): T | undefined {
  if (map === undefined) return undefined;
  return (rule.id === null ? undefined : map.get(reportEntryKey(rule.path, rule.id))) ?? map.get(rule.path);
}

/** Counts of fuzz findings by severity. */
export function fuzzCounts(result: RuleFuzzResult): { errors: number; warnings: number } {
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  return { errors, warnings: result.findings.length - errors };
}
