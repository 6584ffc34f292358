/** The run's JSON reporter: the suite report with stable keys (traces left out); what `merge-reports` reads back. */
import type { SuiteReport } from './suite-report.js';
import type { TextReporter } from '../registry.js';
import { alertRecord } from '../scan/alert-record.js';

export function formatRunJson(report: SuiteReport): string {
  const rules = report.rules.map((r) => ({
    id: r.id,
    path: r.path,
    title: r.title,
    status: r.status,
    ...(r.correlation !== undefined ? { correlation: r.correlation } : {}),
    cases: {
      passed: r.cases.passed,
      failed: r.cases.failed,
      errors: r.cases.errors,
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
    coverage: {
      stages: r.coverage.stages.map((s) => ({ index: s.index, name: s.name, exclusion: s.exclusion, true: s.true, false: s.false, covered: s.covered })),
      values: { covered: r.coverage.values.covered, total: r.coverage.values.total, missed: r.coverage.values.missed },
      exclusions: { covered: r.coverage.exclusions.covered, total: r.coverage.exclusions.total, missed: r.coverage.exclusions.missed },
      percent: r.coverage.percent,
    },
  }));
  return `${JSON.stringify({ rules, summary: report.summary, diagnostics: report.diagnostics }, null, 2)}\n`;
}

export const runJsonReporter: TextReporter<SuiteReport> = {
  name: 'json',
  help: '{"rules", "summary", "diagnostics"}: one document for tools, and what merge-reports joins',
  output: 'text',
  render: formatRunJson,
};
