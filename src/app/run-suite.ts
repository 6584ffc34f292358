/**
 * A suite run: the rules and case files under the given paths, loaded in one environment (config,
 * logsource mapping), optionally one shard of the rules, run with coverage into the report every
 * reporter renders. `sigmatest run`, `gate` and the vitest route all run suites through here.
 *
 * Loading and running are two steps (`loadSuite`, `runLoadedSuite`) so a front end can see whether
 * the case files have properties before it loads the property runner (and with it the generators
 * and Faker, 0.3-0.4 s of imports a suite without properties never pays).
 */
import { dirname, resolve } from 'node:path';
import { inShard } from '../rules/shard.js';
import type { Shard } from '../rules/shard.js';
import { loadEnvironment, ruleLoadOptions } from '../config/environment.js';
import type { Environment } from '../config/environment.js';
import { listYamlFiles } from '../rules/collect-rules.js';
import { collectRuleSet } from '../correlation/rule-set.js';
import type { CorrelationGraph, ResolvedCorrelation } from '../correlation/rule-set.js';
import { resolveCaseCorrelation, runCorrelationSuite } from '../cases/run-correlation-cases.js';
import { loadCaseFile } from '../cases/load-cases.js';
import type { CaseFile } from '../cases/load-cases.js';
import { resolveCaseRule, runSuite } from '../cases/run-cases.js';
import type { PropertyRunner } from '../cases/run-cases.js';
import type { CaseRootOptions } from '../cases/events-file.js';
import { buildSuiteReport } from '../report/run/suite-report.js';
import type { CoverageFrom, SkippedRule, SuiteReport } from '../report/run/suite-report.js';
import { isUuid } from '../rules/uuid.js';
import { realPath } from '../util/real-path.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import type { RuleFileLoader, SigmaRule } from '../rules/load-rule.js';
import type { LogsourceMapping } from '../logsource/logsource.js';

/** Where a suite comes from: the config (or an environment already loaded), the working folder, a shard. */
export interface LoadSuiteOptions {
  config?: string | undefined;
  environment?: Environment | undefined;
  cwd?: string | undefined;
  shard?: Shard | undefined;
  /** The folder case files may read from (relative to `cwd`); default: the config's `root`, else each case file's repository. */
  root?: string | undefined;
  /** Processing pipelines (`--pipeline`): built-in names or files relative to `cwd`. */
  pipelines?: string[] | undefined;
  /** Loads the rule files (the rule cache); default: each file read in full. */
  cache?: RuleFileLoader | undefined;
  /** `--placeholders error|skip`: overrides the config's `unresolved_placeholders`. */
  placeholders?: 'error' | 'skip' | undefined;
}

/** How a suite runs and is judged. */
export interface RunSuiteOptions {
  /** Rules below this coverage (0-100) fail. */
  minCoverage?: number | undefined;
  /** Which coverage `minCoverage` applies to: `all` (cases and properties, the default) or `cases`. */
  coverageFrom?: CoverageFrom | undefined;
  /** Gap-closed cases and properties fail the run. */
  strict?: boolean | undefined;
  /** The seed of every property (default: derived from the rule and the property's name). */
  seed?: number | undefined;
  /**
   * Runs the case files' properties: `runRuleProperties` (src/properties/run-properties.ts). Without
   * it, properties are reported as not run (errors).
   */
  properties?: PropertyRunner | undefined;
}

/** Rules and case files loaded, not yet run. */
export interface LoadedSuite {
  cwd: string;
  environment: Environment;
  rules: SigmaRule[];
  caseFiles: CaseFile[];
  /** Problems met loading (config, rules, case files). */
  diagnostics: Diagnostic[];
  /** Where case files may read from (events_file, a rule named by path): see cases/events-file.ts. */
  roots: CaseRootOptions;
  /** The events files the case files name (absolute), e.g. for a report that must not replace one. */
  eventFiles: string[];
  /** The correlations of the rule set (all of them: chains refer across shards). */
  graph: CorrelationGraph;
  /** The correlations of the suite (the shard's), and the case files bound to them. */
  correlations: ResolvedCorrelation[];
  correlationCases: Array<{ cf: CaseFile; correlation: ResolvedCorrelation }>;
  /** Detection rules skipped on purpose (`--placeholders skip`), each with the cases written for it (not run). */
  skipped: SkippedRule[];
}

/**
 * The skipped rule a case file names (by id, or by a path relative to the case file or the case
 * root), if any: its cases are counted as not run instead of failing as `CASE_RULE_UNKNOWN`.
 */
function skippedRuleOf(cf: CaseFile, skipped: readonly SkippedRule[], roots: CaseRootOptions): SkippedRule | undefined {
  if (isUuid(cf.rule)) return skipped.find((s) => s.id?.toLowerCase() === cf.rule.toLowerCase());
  const candidates = [resolve(dirname(cf.file), cf.rule), ...(roots.root !== undefined ? [resolve(roots.root, cf.rule)] : [])].map(realPath);
  return skipped.find((s) => candidates.includes(realPath(s.file)));
}

/** Loads the rules and case files of a suite (and keeps the shard's share of them). */
export function loadSuite(rulePaths: string[], casePaths: string[], options: LoadSuiteOptions = {}): LoadedSuite {
  const cwd = options.cwd ?? process.cwd();
  const env = options.environment ?? loadEnvironment(options.config, cwd, { pipelines: options.pipelines, placeholders: options.placeholders });
  const roots = { root: options.root !== undefined ? resolve(cwd, options.root) : env.config.root, cwd };
  const load = ruleLoadOptions(env, options.cache);
  const set = collectRuleSet(rulePaths.map((p) => resolve(cwd, p)), load);
  const listed = listYamlFiles(casePaths.map((p) => resolve(cwd, p)));
  const loaded = listed.files.map((f) => loadCaseFile(f, { limits: env.config.limits }));
  const allCaseFiles: CaseFile[] = loaded.flatMap((l) => (l.caseFile ? [l.caseFile] : []));
  // Case files of correlations (named by id, name or file) apart from those of detection rules.
  const correlationCases: Array<{ cf: CaseFile; correlation: ResolvedCorrelation }> = [];
  const correlationCaseProblems: Diagnostic[] = [];
  let caseFiles: CaseFile[] = [];
  let skipped: SkippedRule[] = set.files.flatMap((f) => (f.skipped ?? []).map((s) => ({ file: f.file, document: s.document, id: s.id, title: s.title, reason: s.reason, cases: 0 })));
  for (const cf of allCaseFiles) {
    const ofSkipped = skipped.length > 0 ? skippedRuleOf(cf, skipped, roots) : undefined;
    if (ofSkipped !== undefined) {
      ofSkipped.cases += cf.cases.length;
      continue;
    }
    const r = resolveCaseCorrelation(cf, set.graph, set.correlationDocs, roots);
    if (r === undefined) caseFiles.push(cf);
    else if (r.correlation !== undefined) correlationCases.push({ cf, correlation: r.correlation });
    else if (r.diagnostic !== undefined) correlationCaseProblems.push(r.diagnostic);
  }
  let rules = set.rules;
  let correlations = set.graph.correlations;
  let boundCorrelationCases = correlationCases;
  if (options.shard !== undefined) {
    // The shard's rules, and the case files of those rules (unbound ones go to shard 1, once).
    rules = inShard(set.rules, options.shard);
    const keep = new Set(rules);
    const first = options.shard.index === 1;
    caseFiles = caseFiles.filter((cf) => {
      const r = resolveCaseRule(cf, set.rules, load, roots).rule;
      return r === undefined ? first : keep.has(r);
    });
    // Correlations go to the shard of their file.
    const shardFiles = new Set(inShard<{ file: string }>([...set.rules, ...set.correlationDocs], options.shard).map((x) => x.file));
    correlations = correlations.filter((c) => shardFiles.has(c.rule.file));
    skipped = inShard(skipped, options.shard);
    boundCorrelationCases = correlationCases.filter((x) => shardFiles.has(x.correlation.rule.file));
  }
  const diagnostics = [...env.diagnostics, ...set.diagnostics, ...listed.diagnostics, ...loaded.flatMap((l) => l.diagnostics), ...correlationCaseProblems];
  const eventFiles = allCaseFiles.flatMap((cf) => cf.cases.flatMap((c) => (c.eventsFile === undefined ? [] : [resolve(dirname(cf.file), c.eventsFile)])));
  return { cwd, environment: env, rules, caseFiles, diagnostics, roots, eventFiles, graph: set.graph, correlations, correlationCases: boundCorrelationCases, skipped };
}

/** Whether any case file of the suite has properties (then the run needs a property runner). */
export function suiteHasProperties(suite: LoadedSuite): boolean {
  return suite.caseFiles.some((cf) => cf.properties.length > 0);
}

/** What a suite run gives: the report, the input problems, the rules aligned with `report.rules`, the mapping, the events files read. */
export interface SuiteRun {
  report: SuiteReport;
  input: Diagnostic[];
  rules: SigmaRule[];
  mapping: LogsourceMapping;
  /** The events files the case files name (absolute), e.g. for a report that must not replace one. */
  eventFiles: string[];
}

/** Runs a loaded suite: cases, properties (with `options.properties`), coverage, the report. */
export function runLoadedSuite(suite: LoadedSuite, options: RunSuiteOptions = {}): SuiteRun {
  const env = suite.environment;
  const result = runSuite(suite.rules, suite.caseFiles, {
    mapping: env.mapping,
    load: ruleLoadOptions(env),
    ...suite.roots,
    properties: options.properties,
    seed: options.seed,
  });
  const correlated = runCorrelationSuite(suite.graph, suite.correlations, suite.correlationCases, {
    mapping: env.mapping,
    load: ruleLoadOptions(env),
    ...suite.roots,
    correlation: { timeFields: env.config.correlation.timeFields },
  });
  const input = [...suite.diagnostics, ...result.diagnostics, ...correlated.diagnostics];
  // `ordered` is aligned with `report.rules`: tested rules in run order, then the untested ones
  // (the correlation rows that follow them have no detection rule).
  const ordered = [...result.rules.map((r) => r.rule), ...result.untested];
  const report = buildSuiteReport(result, options.minCoverage, suite.cwd, input, { coverageFrom: options.coverageFrom, strict: options.strict }, correlated, suite.skipped);
  return { report, input, rules: ordered, mapping: env.mapping, eventFiles: suite.eventFiles };
}

/** Loads rules and case files and runs the suite; shared by `run` and the vitest route. */
export function loadAndRunSuite(rulePaths: string[], casePaths: string[], options: LoadSuiteOptions & RunSuiteOptions = {}): SuiteRun {
  return runLoadedSuite(loadSuite(rulePaths, casePaths, options), options);
}
