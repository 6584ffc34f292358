/** The fuzz JSON reporter: the report as data (the shape CI and other tools read; what `merge-reports` joins). */
import type { FuzzReport } from '../../fuzz/fuzz-report.js';
import type { TextReporter } from '../registry.js';

export function formatFuzzJson(r: FuzzReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

export const fuzzJsonReporter: TextReporter<FuzzReport> = {
  name: 'json',
  help: '{"rules", "summary"}: one document for tools, and what merge-reports joins',
  output: 'text',
  render: formatFuzzJson,
};
