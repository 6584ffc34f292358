/**
 * sigmatest's public API (the package's main entry, `import … from 'sigmatest'`): load rules,
 * evaluate them with a trace, run case files with coverage, scan event files with the compiled
 * rule index, fuzz rules, build the reports, and run the CLI. The README's "Library API" section
 * lists the same names (test/public-api.test.ts keeps both equal); every export is documented
 * where it is declared.
 */

// Loading rules.
export { loadRuleFile, loadRuleText } from './rules/load-rule.js';
export type { SigmaRule, LoadedFile, LoadOptions } from './rules/load-rule.js';
export { collectRules } from './rules/collect-rules.js';
export type { RuleSet } from './rules/collect-rules.js';
export { ruleKey } from './rules/rule-key.js';

// Logsources: the mapping runSuite, RuleIndex, scan and fuzzRule take, and how a source's events look to a logsource's rules.
export { builtinMapping, loadLogsourceMapping, mergeMappings, compileLogsourceFilter, compileSourceView } from './logsource/logsource.js';
export type { Logsource, LogsourceMapping, LogsourceEntry, Source, FieldDerivation } from './logsource/logsource.js';

// Processing pipelines (pySigma YAML), applied to rules as they load (LoadOptions.pipeline).
export { loadPipelines, parsePipeline, combinePipelines } from './pipeline/pipeline.js';
export type { Pipeline, ResolvedPipeline } from './pipeline/pipeline.js';

// The config file and the environment it yields (placeholders, logsource mapping, gate defaults).
export { loadConfig } from './config/config.js';
export type { Config, GateSettings } from './config/config.js';
export { loadEnvironment } from './config/environment.js';
export type { Environment } from './config/environment.js';

// Evaluating: the reference evaluator and its trace.
export { evaluatePlan, planMatches, planMatchesSurely, evaluateCondition, EventView } from './evaluate/evaluate.js';
export { sourceVerdict } from './evaluate/source-verdict.js';
export type { Trace, ItemTrace, StageTrace, Event } from './evaluate/evaluate.js';
export type { MatchPlan, PlanItem, PlanValue, Matcher, PlanStage } from './plan/plan.js';
export { describeStages } from './trace/describe-trace.js';

// The fast path: compiled matchers and the rule index.
export { compilePlan, describeCompiled } from './compile/compile-plan.js';
export type { CompiledPlan, CompileResult } from './compile/compile-plan.js';
export { RuleIndex } from './compile/rule-index.js';
export type { RuleIndexOptions } from './compile/rule-index.js';

// Events.
export { flattenEvent } from './events/flatten-event.js';
export { readEvents, readEventFileSync } from './event-files/read-events.js';

// Case files and suites.
export { loadCaseFile, loadCaseText } from './cases/load-cases.js';
export type { Case, CaseFile } from './cases/load-cases.js';
export { runSuite, runRuleCases } from './cases/run-cases.js';
export type { SuiteResult, RuleRun, CaseResult } from './cases/run-cases.js';
export { foldCoverage, observe } from './coverage/coverage.js';
export type { RuleCoverage } from './coverage/coverage.js';
export { loadAndRunSuite, loadSuite, runLoadedSuite, suiteHasProperties } from './app/run-suite.js';
export type { LoadedSuite } from './app/run-suite.js';

// Properties: events built from cases or templates, mutated, checked against the rule.
export type { Property } from './cases/load-cases.js';
export type { PropertyResult, PropertyStatus, PropertyRunner, Counterexample } from './cases/run-cases.js';
export { runRuleProperties, runProperties, runProperty, propertySeed } from './properties/run-properties.js';
export { registerOperator } from '../generators/mutations.js';
export type { MutationOperator } from '../generators/mutations.js';
export { registerGeneratorKind } from '../generators/expressions.js';
export type { GeneratorKind } from '../generators/expressions.js';

// Scanning event files, known false positives.
export { scan } from './scan/scan.js';
export type { ScanOptions, ScanMatch, ScanSummary } from './scan/scan.js';
export { loadKnownFps } from './known-fps/known-fps.js';
export type { KnownFp } from './known-fps/known-fps.js';

// Fuzzing and validation.
export { fuzzRule } from './fuzz/fuzz-rule.js';
export type { FuzzOptions, RuleFuzzResult, Finding } from './fuzz/fuzz-rule.js';
export { validateRules } from './gate/validate-rule.js';
export type { ValidateOptions } from './gate/validate-rule.js';

// Reports.
export { buildSuiteReport } from './report/run/suite-report.js';
export type { SuiteReport, RuleReport } from './report/run/suite-report.js';
export { buildFuzzReport } from './fuzz/fuzz-report.js';
export type { FuzzReport } from './fuzz/fuzz-report.js';

// Diagnostics and their codes.
export { formatDiagnostic } from './diagnostics/diagnostics.js';
export type { Diagnostic, SourcePos } from './diagnostics/diagnostics.js';
export { CODES } from './diagnostics/codes.js';
export type { DiagnosticCode, Severity, CodeInfo } from './diagnostics/codes.js';

// The command line.
export { runCli } from './cli/main.js';
export type { Io } from './cli/io.js';
