/**
 * A suite run: the rules and case files under the given paths, loaded in one environment (config,
 * logsource mapping), optionally one shard of the rules, run with coverage into the report every
 * reporter renders. `sigmatest run`, `gate` and the vitest route all run suites through here.
 */
import { dirname, resolve } from 'node:path';
import { inShard } from '../rules/shard.js';
import type { Shard } from '../rules/shard.js';
import { loadEnvironment, ruleLoadOptions } from '../config/environment.js';
import type { Environment } from '../config/environment.js';
import { listYamlFiles } from '../rules/collect-rules.js';
import { collectRuleSet } from '../correlation/rule-set.js';
import type { ResolvedCorrelation } from '../correlation/rule-set.js';
import { resolveCaseCorrelation, runCorrelationSuite } from '../cases/run-correlation-cases.js';
import { loadCaseFile } from '../cases/load-cases.js';
import type { CaseFile } from '../cases/load-cases.js';
import { resolveCaseRule, runSuite } from '../cases/run-cases.js';
import { buildSuiteReport } from '../report/run/suite-report.js';
import type { SuiteReport } from '../report/run/suite-report.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import type { SigmaRule } from '../rules/load-rule.js';
import type { LogsourceMapping } from '../logsource/logsource.js';

/** Loads rules and case files and runs the suite; shared by `run` and the vitest route. */
export function loadAndRunSuite(

  rulePaths: string[],
  casePaths: string[],
  options: {
    config?: string | undefined;
    environment?: Environment | undefined;
    minCoverage?: number | undefined;
    cwd?: string | undefined;
    shard?: Shard | undefined;
    /** The folder case files may read from (relative to `cwd`); default: the config's `root`, else each case file's repository. */
    root?: string | undefined;
    /** Processing pipelines (`--pipeline`): built-in names or files relative to `cwd`. */
    pipelines?: string[] | undefined;
  } = {},
): {
  report: SuiteReport;
  input: Diagnostic[];
  rules: SigmaRule[];
  mapping: LogsourceMapping;
  /** The events files the case files name (absolute), e.g. for a report that must not replace one. */
  eventFiles: string[];
} {
  const cwd = options.cwd ?? process.cwd();
  const env = options.environment ?? loadEnvironment(options.config, cwd, { pipelines: options.pipelines });
  const roots = { root: options.root !== undefined ? resolve(cwd, options.root) : env.config.root, cwd };
  const load = ruleLoadOptions(env);
  const set = collectRuleSet(rulePaths.map((p) => resolve(cwd, p)), load);
  const listed = listYamlFiles(casePaths.map((p) => resolve(cwd, p)));
  const loaded = listed.files.map(loadCaseFile);
  const allCaseFiles: CaseFile[] = loaded.flatMap((l) => (l.caseFile ? [l.caseFile] : []));
  // Case files of correlations (named by id, name or file) apart from those of detection rules.
  const correlationCases: Array<{ cf: CaseFile; correlation: ResolvedCorrelation }> = [];
  const correlationCaseProblems: Diagnostic[] = [];
  let caseFiles: CaseFile[] = [];
  for (const cf of allCaseFiles) {
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
    boundCorrelationCases = correlationCases.filter((x) => shardFiles.has(x.correlation.rule.file));
  }
  const runOptions = { mapping: env.mapping, load, correlation: { timeFields: env.config.correlation.timeFields }, ...roots };
  const result = runSuite(rules, caseFiles, runOptions);
  const correlated = runCorrelationSuite(set.graph, correlations, boundCorrelationCases, runOptions);
  const input = [
    ...env.diagnostics,
    ...set.diagnostics,
    ...listed.diagnostics,
    ...loaded.flatMap((l) => l.diagnostics),
    ...correlationCaseProblems,
    ...result.diagnostics,
    ...correlated.diagnostics,
  ];
  // `ordered` is aligned with `report.rules`: tested rules in run order, then the untested ones
  // (the correlation rows that follow them have no detection rule).
  const ordered = [...result.rules.map((r) => r.rule), ...result.untested];
  const eventFiles = allCaseFiles.flatMap((cf) => cf.cases.flatMap((c) => (c.eventsFile === undefined ? [] : [resolve(dirname(cf.file), c.eventsFile)])));
  return { report: buildSuiteReport(result, options.minCoverage, cwd, input, correlated), input, rules: ordered, mapping: env.mapping, eventFiles };
}

