/**
 * The run report as data: what every reporter (text, json, junit, markdown, html) renders.
 * Building it once keeps the formats consistent: the same counts, the same coverage. The summary
 * is {@link summarizeRun} of the rule rows, for a whole run as for merged shards (report/merge.ts).
 */
import { relative } from 'node:path';
import type { SuiteResult, CaseResult } from '../../cases/run-cases.js';
import { foldCoverage } from '../../coverage/coverage.js';
import type { RuleCoverage } from '../../coverage/coverage.js';
import type { Diagnostic } from '../../diagnostics/diagnostics.js';
import type { CorrelationSuiteResult } from '../../cases/run-correlation-cases.js';
import type { CorrelationType } from '../../correlation/documents.js';
import { foldCorrelationCoverage } from '../../correlation/coverage.js';

/** One rule in the run report: identity, status, case counts and results, coverage. */
export interface RuleReport {
  id: string | null;
  path: string;
  title: string;
  level: string | null;
  tags: string[];
  status: 'pass' | 'fail' | 'untested' | 'below-coverage';
  cases: { passed: number; failed: number; errors: number; results: CaseResult[] };
  coverage: RuleCoverage;
  /** Set for a correlation rule: its type (its coverage stages are the correlation's, see correlation/coverage.ts). */
  correlation?: CorrelationType;
}

/** The run report as data, what every reporter renders: each rule with its cases and coverage, a summary, and the input problems. */
export interface SuiteReport {
  rules: RuleReport[];
  summary: {
    rules: number;
    tested: number;
    untested: number;
    cases: number;
    passed: number;
    failed: number;
    errors: number;
    coverage: { covered: number; total: number; percent: number };
    minCoverage: number | null;
    /** Why the run failed, in words; empty when it passed. */
    problems: string[];
    ok: boolean;
  };
  diagnostics: Diagnostic[];
}

/**
 * Assembles the report; `minCoverage` (0–100) marks tested rules below it. Rows: the tested
 * detection rules, the untested ones, then the correlations (tested, then untested).
 */
export function buildSuiteReport(
  result: SuiteResult,
  minCoverage: number | undefined,
  cwd: string,
  inputDiagnostics: readonly Diagnostic[] = [],
  correlations: CorrelationSuiteResult = { runs: [], untested: [], diagnostics: [] },
): SuiteReport {
  const rel = (p: string): string => relative(cwd, p) || p;
  const rules: RuleReport[] = result.rules.map((r) => {
    const passed = r.cases.filter((c) => c.status === 'pass').length;
    const failed = r.cases.filter((c) => c.status === 'fail').length;
    const errors = r.cases.filter((c) => c.status === 'error').length;
    const below = minCoverage !== undefined && r.coverage.percent < minCoverage;
    return {
      id: r.rule.id ?? null,
      path: rel(r.rule.file),
      // A rule loaded through processing pipelines is named with them (a case file's pipeline: makes a row of its own).
      title: r.rule.pipelines !== undefined ? `${r.rule.title} (pipeline ${r.rule.pipelines.join(', ')})` : r.rule.title,
      level: r.rule.level ?? null,
      tags: r.rule.tags,
      status: failed + errors > 0 ? 'fail' : below ? 'below-coverage' : 'pass',
      cases: { passed, failed, errors, results: r.cases.map((c) => ({ ...c, file: rel(c.file) })) },
      coverage: r.coverage,
    };
  });
  for (const u of result.untested) {
    rules.push({
      id: u.id ?? null,
      path: rel(u.file),
      title: u.title,
      level: u.level ?? null,
      tags: u.tags,
      status: 'untested',
      cases: { passed: 0, failed: 0, errors: 0, results: [] },
      coverage: foldCoverage(u.plan, []),
    });
  }
  const relCase = (c: CaseResult): CaseResult => {
    const out: CaseResult = { ...c, file: rel(c.file) };
    if (c.alerts !== undefined) out.alerts = c.alerts.map((a) => ({ ...a, correlation: { ...a.correlation, file: rel(a.correlation.file) }, events: a.events.map((e) => ({ ...e, file: rel(e.file) })) }));
    return out;
  };
  for (const r of correlations.runs) {
    const passed = r.cases.filter((c) => c.status === 'pass').length;
    const failed = r.cases.filter((c) => c.status === 'fail').length;
    const errors = r.cases.filter((c) => c.status === 'error').length;
    const below = minCoverage !== undefined && r.coverage.percent < minCoverage;
    const c = r.correlation;
    rules.push({
      id: c.id ?? null,
      path: rel(c.file),
      title: c.title,
      level: c.level ?? null,
      tags: c.tags,
      status: failed + errors > 0 ? 'fail' : below ? 'below-coverage' : 'pass',
      cases: { passed, failed, errors, results: r.cases.map(relCase) },
      coverage: r.coverage,
      correlation: c.type,
    });
  }
  for (const u of correlations.untested) {
    const c = u.rule;
    rules.push({
      id: c.id ?? null,
      path: rel(c.file),
      title: c.title,
      level: c.level ?? null,
      tags: c.tags,
      status: 'untested',
      cases: { passed: 0, failed: 0, errors: 0, results: [] },
      coverage: foldCorrelationCoverage(u, []),
      correlation: c.type,
    });
  }
  return { rules, summary: summarizeRun(rules, { minCoverage, diagnostics: inputDiagnostics }), diagnostics: [...inputDiagnostics] };
}

/** What the summary needs of a rule row. */
export type RunSummaryRow = Pick<RuleReport, 'status'> & {
  cases: Pick<RuleReport['cases'], 'passed' | 'failed' | 'errors'> & { results: readonly unknown[] };
  coverage: Pick<RuleCoverage, 'covered' | 'total'>;
};

/**
 * The summary of a run from its rule rows: counts, coverage over the tested rules (0% when there
 * is nothing to cover), and the problems that fail the run: no rules, no cases, failed or broken
 * cases, rules below `minCoverage`, or error diagnostics among the inputs.
 */
export function summarizeRun(
  rules: readonly RunSummaryRow[],
  options: { minCoverage?: number | null | undefined; diagnostics?: readonly Diagnostic[] } = {},
): SuiteReport['summary'] {
  const minCoverage = options.minCoverage ?? null;
  const testedRules = rules.filter((r) => r.status !== 'untested');
  const cases = rules.reduce((n, r) => n + r.cases.results.length, 0);
  const passed = rules.reduce((n, r) => n + r.cases.passed, 0);
  const failed = rules.reduce((n, r) => n + r.cases.failed, 0);
  const errors = rules.reduce((n, r) => n + r.cases.errors, 0);
  const covered = testedRules.reduce((n, r) => n + r.coverage.covered, 0);
  const total = testedRules.reduce((n, r) => n + r.coverage.total, 0);
  const percent = total === 0 ? 0 : Math.floor((covered / total) * 1000) / 10;
  const problems: string[] = [];
  if (rules.length === 0) problems.push('no rules were found: a suite that checks nothing must not pass');
  else if (cases === 0) problems.push('no cases were found for any rule: a suite that checks nothing must not pass');
  if (failed > 0) problems.push(`${failed} case${failed === 1 ? '' : 's'} failed`);
  if (errors > 0) problems.push(`${errors} case${errors === 1 ? '' : 's'} could not run`);
  const below = rules.filter((r) => r.status === 'below-coverage');
  if (below.length > 0) problems.push(`${below.length} rule${below.length === 1 ? ' is' : 's are'} below the coverage threshold of ${minCoverage}%`);
  if ((options.diagnostics ?? []).some((d) => d.severity === 'error')) problems.push('some rule or case files are invalid (see the errors above)');
  return {
    rules: rules.length,
    tested: testedRules.length,
    untested: rules.length - testedRules.length,
    cases,
    passed,
    failed,
    errors,
    coverage: { covered, total, percent },
    minCoverage,
    problems,
    ok: problems.length === 0,
  };
}
