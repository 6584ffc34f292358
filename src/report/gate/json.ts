/** The gate's JSON reporter: the report as data; what `merge-reports` joins. */
import type { GateReport } from '../../gate/gate-result.js';
import type { TextReporter } from '../registry.js';

export function formatGateJson(report: GateReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export const gateJsonReporter: TextReporter<GateReport> = {
  name: 'json',
  help: '{"rules", "messages", "summary"}: one document for tools, and what merge-reports joins',
  output: 'text',
  render: formatGateJson,
};
