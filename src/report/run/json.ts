/**
 * The run's JSON reporter: the suite report with stable keys (traces left out); what `merge-reports`
 * reads back. Per rule: cases with their results, `properties` (status, runs, seed, the shrunk
 * counterexample with fast-check's path, the known gap), and coverage from cases with the
 * with-properties figures under `coverage.withProperties`.
 */
import type { SuiteReport } from './suite-report.js';
import type { RuleCoverage } from '../../coverage/coverage.js';
import type { TextReporter } from '../registry.js';
import { alertRecord } from '../scan/alert-record.js';

/** Coverage as the JSON report gives it (stages, values, exclusions, percent). */
function coverageJson(c: RuleCoverage): Record<string, unknown> {
  return {
    stages: c.stages.map((s) => ({ index: s.index, name: s.name, exclusion: s.exclusion, true: s.true, false: s.false, covered: s.covered })),
    values: { covered: c.values.covered, total: c.values.total, missed: c.values.missed },
    exclusions: { covered: c.exclusions.covered, total: c.exclusions.total, missed: c.exclusions.missed },
    percent: c.percent,
  };
}

export function formatRunJson(report: SuiteReport): string {
  const rules = report.rules.map((r) => ({
    id: r.id,
    path: r.path,
    title: r.title,
    status: r.status,
    ...(r.correlation !== undefined ? { correlation: r.correlation } : {}),
    ...(r.skipped !== undefined ? { skipped: r.skipped } : {}),
    cases: {
      passed: r.cases.passed,
      failed: r.cases.failed,
      errors: r.cases.errors,
      knownGaps: r.cases.knownGaps,
      gapsClosed: r.cases.gapsClosed,
      results: r.cases.results.map((c) => ({
        name: c.name,
        file: c.file,
        line: c.line ?? null,
        status: c.status,
        events: c.events,
        matched: c.matched,
        messages: c.messages,
        // A merged report's cases hold the records already.
        ...(c.alerts !== undefined ? { alerts: c.alerts.map((a) => ('rule' in a ? a : alertRecord(a))) } : {}),
      })),
    },
    properties: r.properties.results.map((p) => ({
      name: p.name,
      file: p.file,
      line: p.line ?? null,
      status: p.status,
      expect: p.expect,
      runs: p.runs,
      seed: p.seed,
      known_gap: p.knownGap,
      counterexample: p.counterexample === null ? null : { event: p.counterexample.event, path: p.counterexample.path, base: p.counterexample.base, expected: p.counterexample.expected, got: p.counterexample.got },
      messages: p.messages,
    })),
    coverage: { ...coverageJson(r.coverage), withProperties: coverageJson(r.coverageWithProperties) },
  }));
  return `${JSON.stringify({ rules, summary: report.summary, diagnostics: report.diagnostics, ...(report.provenance ?? {}) }, null, 2)}\n`;
}

export const runJsonReporter: TextReporter<SuiteReport> = {
  name: 'json',
  help: '{"rules", "summary", "diagnostics"}: one document for tools, and what merge-reports joins',
  output: 'text',
  render: formatRunJson,
};
