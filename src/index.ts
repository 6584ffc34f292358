/**
 * sigmatest's public API: load rules, evaluate them with a trace, run case files with coverage.
 */
export { loadRuleFile, loadRuleText } from './rules/load-rule.js';
export type { SigmaRule, LoadedFile, LoadOptions, Logsource } from './rules/load-rule.js';
export { evaluatePlan, planMatches, evaluateCondition, EventView } from './evaluate/evaluate.js';
export type { Trace, ItemTrace, StageTrace, Event } from './evaluate/evaluate.js';
export type { MatchPlan, PlanItem, PlanValue, Matcher, PlanStage } from './plan/plan.js';
export { collectRules } from './rules/collect-rules.js';
export { flattenEvent } from './events/flatten-event.js';
export { readEvents, readEventFileSync } from './event-files/read-events.js';
export { loadCaseFile, loadCaseText } from './cases/load-cases.js';
export type { Case, CaseFile } from './cases/load-cases.js';
export { runSuite, runRuleCases } from './cases/run-cases.js';
export type { SuiteResult, RuleRun, CaseResult } from './cases/run-cases.js';
export { foldCoverage, observe } from './coverage/coverage.js';
export type { RuleCoverage } from './coverage/coverage.js';
export { describeStages } from './trace/describe-trace.js';
export { formatDiagnostic } from './diagnostics/diagnostics.js';
export type { Diagnostic, SourcePos } from './diagnostics/diagnostics.js';
export { runCli } from './cli/main.js';
