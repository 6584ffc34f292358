/** The regression text reporter: a line per test that ran (status, rule, test, counts), the tests without data by name, then the summary. */
import type { RegressionReport } from '../../regression/regression.js';
import { terminalLine } from '../escape.js';
import type { TextReporter } from '../registry.js';

/** The text (terminal-safe). */
export function formatRegressionText(report: RegressionReport): string {
  const lines: string[] = [];
  for (const r of report.results) {
    if (r.status === 'missing-data') continue;
    const counts = r.expected === null ? '' : ` (expected ≥ ${r.expected}, got ${r.actual ?? '-'})`;
    lines.push(`${r.status.toUpperCase().padEnd(5)} ${r.path} — ${r.test}${counts}${r.message ? `: ${r.message}` : ''}`);
  }
  // Tests without data are named too: `--require-data` fails on them, and each is a test to fix.
  const missing = report.results.filter((r) => r.status === 'missing-data');
  if (missing.length > 0) {
    lines.push('', `without data (${missing.length}):`);
    for (const r of missing) lines.push(`  ${r.path} — ${r.test}${r.message ? `: ${r.message}` : ''}`);
  }
  const s = report.summary;
  lines.push('', `regression: ${s.tests} tests of ${s.rules} rules: ${s.pass} passed, ${s.fail} failed, ${s.error} errors, ${s.missingData} missing data`);
  return `${lines.map(terminalLine).join('\n')}\n`;
}

export const regressionTextReporter: TextReporter<RegressionReport> = {
  name: 'text',
  help: 'readable: a line per test that ran, the tests without data by name, then the counts',
  output: 'text',
  render: formatRegressionText,
};
