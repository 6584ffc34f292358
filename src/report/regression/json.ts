/** The regression JSON reporter: `{"results": [...], "summary": {...}}`. */
import type { RegressionReport } from '../../regression/regression.js';
import type { TextReporter } from '../registry.js';

export function formatRegressionJson(report: RegressionReport): string {
  return `${JSON.stringify({ results: report.results, summary: report.summary }, null, 2)}\n`;
}

export const regressionJsonReporter: TextReporter<RegressionReport> = {
  name: 'json',
  help: 'one document: every test with its status, expected and actual counts, and the summary',
  output: 'text',
  render: formatRegressionJson,
};
