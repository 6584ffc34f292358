/**
 * The run report as data: what every reporter (text, json, junit, markdown, html) renders.
 * Building it once keeps the formats consistent: the same counts, the same coverage. The summary
 * is {@link summarizeRun} of the rule rows, for a whole run as for merged shards (report/merge.ts).
 */
import { relative } from 'node:path';
import type { SuiteResult, CaseResult, PropertyResult } from '../../cases/run-cases.js';
import { foldCoverage } from '../../coverage/coverage.js';
import type { RuleCoverage } from '../../coverage/coverage.js';
import type { Provenance } from '../../util/provenance.js';
import type { Diagnostic } from '../../diagnostics/diagnostics.js';
import type { CorrelationSuiteResult } from '../../cases/run-correlation-cases.js';
import type { CorrelationType } from '../../correlation/documents.js';
import { foldCorrelationCoverage } from '../../correlation/coverage.js';

/** Which coverage `--min-coverage` judges: cases and properties together (`all`), or cases alone. */
export type CoverageFrom = 'all' | 'cases';

/** Outcomes of a rule's cases or properties, counted. */
export interface Tally {
  passed: number;
  failed: number;
  errors: number;
  /** Known gaps that still show (declared: not failures). */
  knownGaps: number;
  /** Known gaps that no longer show (fail the run with --strict). */
  gapsClosed: number;
}

/** One rule in the run report: identity, status, cases and properties with their results, coverage. */
export interface RuleReport {
  id: string | null;
  path: string;
  title: string;
  level: string | null;
  tags: string[];
  /** `skipped`: not loaded on purpose (`--placeholders skip`); never passing, its cases not run. */
  status: 'pass' | 'fail' | 'untested' | 'below-coverage' | 'skipped';
  /** Set for a skipped rule: why, and how many cases its case files hold (not run). */
  skipped?: { reason: string; cases: number };
  cases: Tally & { results: CaseResult[] };
  properties: Tally & { results: PropertyResult[] };
  /** Coverage from the cases alone. */
  coverage: RuleCoverage;
  /** Set for a correlation rule: its type (its coverage stages are the correlation's, see correlation/coverage.ts). */
  correlation?: CorrelationType;
  /** Coverage from the cases and the property runs (equal to `coverage` without properties). */
  coverageWithProperties: RuleCoverage;
}

/** The run report as data, what every reporter renders: each rule with its cases and coverage, a summary, and the input problems. */
export interface SuiteReport {
  rules: RuleReport[];
  summary: {
    rules: number;
    tested: number;
    untested: number;
    /** Rules skipped on purpose (`--placeholders skip`): named in every summary, never counted as tested or passing. */
    skipped: number;
    cases: number;
    passed: number;
    failed: number;
    errors: number;
    /** Cases that are known gaps, still open and closed. */
    knownGaps: number;
    gapsClosed: number;
    properties: Tally & { total: number; runs: number };
    coverage: { covered: number; total: number; percent: number; withProperties: { covered: number; total: number; percent: number } };
    minCoverage: number | null;
    /** The coverage `minCoverage` applies to. */
    coverageFrom: CoverageFrom;
    /** Closed gaps fail the run. */
    strict: boolean;
    /** Why the run failed, in words; empty when it passed. */
    problems: string[];
    ok: boolean;
  };
  diagnostics: Diagnostic[];
  /** Shard, commit and input fingerprint, recorded by the CLI for merge-reports (util/provenance.ts). */
  provenance?: Provenance;
}

/** A detection rule left out on purpose (`--placeholders skip`), with the cases written for it. */
export interface SkippedRule {
  file: string;
  document: number;
  id?: string | undefined;
  title?: string | undefined;
  reason: string;
  /** Cases of the case files bound to it (not run). */
  cases: number;
}

/** Coverage of a rule nothing ran against. */
function noCoverage(): RuleCoverage {
  return { stages: [], values: { covered: 0, total: 0, missed: [] }, exclusions: { covered: 0, total: 0, missed: [] }, percent: 0, covered: 0, total: 0 };
}

/** Counts outcomes by status. */
export function tally(results: readonly { status: string }[]): Tally {
  const n = (s: string): number => results.filter((r) => r.status === s).length;
  return { passed: n('pass'), failed: n('fail'), errors: n('error'), knownGaps: n('known-gap'), gapsClosed: n('gap-closed') };
}

/** How a run is judged: the coverage minimum, which coverage it applies to, strictness. */
export interface JudgeOptions {
  coverageFrom?: CoverageFrom | undefined;
  strict?: boolean | undefined;
}

/** A tested rule's status from its tallies and coverage. */
export function ruleStatus(cases: Tally, properties: Tally, coverage: Pick<RuleCoverage, 'percent'>, minCoverage: number | null | undefined, strict: boolean): RuleReport['status'] {
  const bad = cases.failed + cases.errors + properties.failed + properties.errors + (strict ? cases.gapsClosed + properties.gapsClosed : 0);
  if (bad > 0) return 'fail';
  return minCoverage !== undefined && minCoverage !== null && coverage.percent < minCoverage ? 'below-coverage' : 'pass';
}

/**
 * Assembles the report; `minCoverage` (0–100) marks tested rules below it (on the coverage
 * `coverageFrom` names). Rows: the tested detection rules, the untested ones, then the
 * correlations (tested, then untested).
 */
export function buildSuiteReport(
  result: SuiteResult,
  minCoverage: number | undefined,
  cwd: string,
  inputDiagnostics: readonly Diagnostic[] = [],
  judge: JudgeOptions = {},
  correlations: CorrelationSuiteResult = { runs: [], untested: [], diagnostics: [] },
  skipped: readonly SkippedRule[] = [],
): SuiteReport {
  const rel = (p: string): string => relative(cwd, p) || p;
  const coverageFrom = judge.coverageFrom ?? 'all';
  const strict = judge.strict === true;
  const rules: RuleReport[] = result.rules.map((r) => {
    const cases = tally(r.cases);
    const properties = tally(r.properties);
    return {
      id: r.rule.id ?? null,
      path: rel(r.rule.file),
      // A rule loaded through processing pipelines is named with them (a case file's pipeline: makes a row of its own).
      title: r.rule.pipelines !== undefined ? `${r.rule.title} (pipeline ${r.rule.pipelines.join(', ')})` : r.rule.title,
      level: r.rule.level ?? null,
      tags: r.rule.tags,
      status: ruleStatus(cases, properties, coverageFrom === 'cases' ? r.coverage : r.coverageWithProperties, minCoverage, strict),
      cases: { ...cases, results: r.cases.map((c) => ({ ...c, file: rel(c.file) })) },
      properties: { ...properties, results: r.properties.map((p) => ({ ...p, file: rel(p.file) })) },
      coverage: r.coverage,
      coverageWithProperties: r.coverageWithProperties,
    };
  });
  const none: Tally = { passed: 0, failed: 0, errors: 0, knownGaps: 0, gapsClosed: 0 };
  /** A row that ran nothing (an untested or skipped rule, an untested correlation). */
  const idle = (who: { id?: string | undefined; file: string; title: string; level?: string | undefined; tags: string[] }, status: 'untested' | 'skipped', coverage: RuleCoverage, extra: Pick<RuleReport, 'correlation' | 'skipped'> = {}): RuleReport => ({
    id: who.id ?? null,
    path: rel(who.file),
    title: who.title,
    level: who.level ?? null,
    tags: who.tags,
    status,
    ...extra,
    cases: { ...none, results: [] },
    properties: { ...none, results: [] },
    coverage,
    coverageWithProperties: coverage,
  });
  for (const u of result.untested) rules.push(idle(u, 'untested', foldCoverage(u.plan, [])));
  const relCase = (c: CaseResult): CaseResult => {
    const out: CaseResult = { ...c, file: rel(c.file) };
    if (c.alerts !== undefined) out.alerts = c.alerts.map((a) => ({ ...a, correlation: { ...a.correlation, file: rel(a.correlation.file) }, events: a.events.map((e) => ({ ...e, file: rel(e.file) })) }));
    return out;
  };
  for (const r of correlations.runs) {
    const cases = tally(r.cases);
    const c = r.correlation;
    rules.push({
      id: c.id ?? null,
      path: rel(c.file),
      title: c.title,
      level: c.level ?? null,
      tags: c.tags,
      status: ruleStatus(cases, none, r.coverage, minCoverage, strict),
      cases: { ...cases, results: r.cases.map(relCase) },
      properties: { ...none, results: [] },
      coverage: r.coverage,
      coverageWithProperties: r.coverage,
      correlation: c.type,
    });
  }
  for (const u of correlations.untested) rules.push(idle(u.rule, 'untested', foldCorrelationCoverage(u, []), { correlation: u.rule.type }));
  // Skipped rules last (after the correlation rows): callers align the first rows with the rules run.
  for (const k of skipped) {
    const who = { id: k.id, file: k.file, title: k.title ?? `(document ${k.document + 1})`, tags: [] };
    rules.push(idle(who, 'skipped', noCoverage(), { skipped: { reason: k.reason, cases: k.cases } }));
  }
  return { rules, summary: summarizeRun(rules, { minCoverage, diagnostics: inputDiagnostics, coverageFrom, strict }), diagnostics: [...inputDiagnostics] };
}

/** What the summary needs of a rule row. */
export type RunSummaryRow = Pick<RuleReport, 'status'> & {
  cases: Tally & { results: readonly unknown[] };
  properties: Tally & { results: readonly { runs: number }[] };
  coverage: Pick<RuleCoverage, 'covered' | 'total'>;
  coverageWithProperties: Pick<RuleCoverage, 'covered' | 'total'>;
};

const percentOf = (covered: number, total: number): number => (total === 0 ? 0 : Math.floor((covered / total) * 1000) / 10);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The summary of a run from its rule rows: counts, coverage over the tested rules from cases alone
 * and with properties (0% when there is nothing to cover), and the problems that fail the run: no
 * rules, no cases, failed or broken cases or properties, closed gaps under `strict`, rules below
 * `minCoverage`, or error diagnostics among the inputs.
 */
export function summarizeRun(
  rules: readonly RunSummaryRow[],
  options: { minCoverage?: number | null | undefined; diagnostics?: readonly Diagnostic[]; coverageFrom?: CoverageFrom | undefined; strict?: boolean | undefined } = {},
): SuiteReport['summary'] {
  const minCoverage = options.minCoverage ?? null;
  const strict = options.strict === true;
  const testedRules = rules.filter((r) => r.status !== 'untested' && r.status !== 'skipped');
  const sum = (f: (r: RunSummaryRow) => number): number => rules.reduce((n, r) => n + f(r), 0);
  const cases = sum((r) => r.cases.results.length);
  const passed = sum((r) => r.cases.passed);
  const failed = sum((r) => r.cases.failed);
  const errors = sum((r) => r.cases.errors);
  const knownGaps = sum((r) => r.cases.knownGaps);
  const gapsClosed = sum((r) => r.cases.gapsClosed);
  const properties = {
    total: sum((r) => r.properties.results.length),
    passed: sum((r) => r.properties.passed),
    failed: sum((r) => r.properties.failed),
    errors: sum((r) => r.properties.errors),
    knownGaps: sum((r) => r.properties.knownGaps),
    gapsClosed: sum((r) => r.properties.gapsClosed),
    runs: sum((r) => r.properties.results.reduce((n, p) => n + p.runs, 0)),
  };
  const covered = testedRules.reduce((n, r) => n + r.coverage.covered, 0);
  const total = testedRules.reduce((n, r) => n + r.coverage.total, 0);
  const coveredAll = testedRules.reduce((n, r) => n + r.coverageWithProperties.covered, 0);
  const totalAll = testedRules.reduce((n, r) => n + r.coverageWithProperties.total, 0);
  const problems: string[] = [];
  if (rules.length === 0) problems.push('no rules were found: a suite that checks nothing must not pass');
  else if (cases === 0) problems.push('no cases were found for any rule: a suite that checks nothing must not pass');
  if (failed > 0) problems.push(`${plural(failed, 'case')} failed`);
  if (errors > 0) problems.push(`${plural(errors, 'case')} could not run`);
  if (properties.failed > 0) problems.push(`${plural(properties.failed, 'property', 'properties')} failed`);
  if (properties.errors > 0) problems.push(`${plural(properties.errors, 'property', 'properties')} could not run`);
  if (strict && gapsClosed + properties.gapsClosed > 0) problems.push(`${plural(gapsClosed + properties.gapsClosed, 'known gap')} closed (--strict): remove known_gap where the rule now holds`);
  const below = rules.filter((r) => r.status === 'below-coverage');
  if (below.length > 0) problems.push(`${below.length} rule${below.length === 1 ? ' is' : 's are'} below the coverage threshold of ${minCoverage}%${options.coverageFrom === 'cases' ? ' (coverage from cases)' : ''}`);
  if ((options.diagnostics ?? []).some((d) => d.severity === 'error')) problems.push('some rule or case files are invalid (see the errors above)');
  return {
    rules: rules.length,
    tested: testedRules.length,
    untested: rules.filter((r) => r.status === 'untested').length,
    skipped: rules.filter((r) => r.status === 'skipped').length,
    cases,
    passed,
    failed,
    errors,
    knownGaps,
    gapsClosed,
    properties,
    coverage: { covered, total, percent: percentOf(covered, total), withProperties: { covered: coveredAll, total: totalAll, percent: percentOf(coveredAll, totalAll) } },
    minCoverage,
    coverageFrom: options.coverageFrom ?? 'all',
    strict,
    problems,
    ok: problems.length === 0,
  };
}
