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
import { collectRules, listYamlFiles } from '../rules/collect-rules.js';
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
  const set = collectRules(rulePaths.map((p) => resolve(cwd, p)), load);
  const listed = listYamlFiles(casePaths.map((p) => resolve(cwd, p)));
  const loaded = listed.files.map((f) => loadCaseFile(f, { limits: env.config.limits }));
  let caseFiles: CaseFile[] = loaded.flatMap((l) => (l.caseFile ? [l.caseFile] : []));
  let rules = set.rules;
  if (options.shard !== undefined) {
    // The shard's rules, and the case files of those rules (unbound ones go to shard 1, once).
    rules = inShard(set.rules, options.shard);
    const keep = new Set(rules);
    const first = options.shard.index === 1;
    caseFiles = caseFiles.filter((cf) => {
      const r = resolveCaseRule(cf, set.rules, load, roots).rule;
      return r === undefined ? first : keep.has(r);
    });
  }
  const result = runSuite(rules, caseFiles, { mapping: env.mapping, load, ...roots });
  const input = [...env.diagnostics, ...set.diagnostics, ...listed.diagnostics, ...loaded.flatMap((l) => l.diagnostics), ...result.diagnostics];
  // `ordered` is aligned with `report.rules`: tested rules in run order, then the untested ones.
  const ordered = [...result.rules.map((r) => r.rule), ...result.untested];
  const eventFiles = caseFiles.flatMap((cf) => cf.cases.flatMap((c) => (c.eventsFile === undefined ? [] : [resolve(dirname(cf.file), c.eventsFile)])));
  return { report: buildSuiteReport(result, options.minCoverage, cwd, input), input, rules: ordered, mapping: env.mapping, eventFiles };
}

