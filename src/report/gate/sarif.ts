/** The gate's SARIF reporter (2.1.0): a reporting rule per check, a result per failed or warned check. */
import { CHECKS } from '../../gate/gate-result.js';
import type { GateReport } from '../../gate/gate-result.js';
import type { TextReporter } from '../registry.js';

export function formatGateSarif(report: GateReport): string {
  const ruleIndex = new Map(CHECKS.map((c, k) => [c.name, k]));
  const results: unknown[] = [];
  const location = (file: string, line: number, column?: number): unknown => ({
    physicalLocation: {
      artifactLocation: { uri: file.split('\\').join('/'), uriBaseId: '%SRCROOT%' },
      region: { startLine: Math.max(1, line), ...(column !== undefined ? { startColumn: Math.max(1, column) } : {}) },
    },
  });
  for (const r of report.rules) {
    for (const c of r.checks) {
      if (c.status !== 'fail' && c.status !== 'warn') continue;
      const loc = c.location ?? { file: r.path, line: r.line };
      const text = [`${r.title ?? r.path}: ${c.message}`, ...(c.details ?? []).slice(0, 20)].join('\n');
      results.push({
        ruleId: `sigmatest/${c.name}`,
        ruleIndex: ruleIndex.get(c.name) ?? 0,
        level: c.status === 'fail' ? 'error' : 'warning',
        message: { text },
        locations: [location(loc.file, loc.line, loc.column)],
        properties: { ruleId: r.id, change: r.change, diff: r.diff },
      });
    }
  }
  for (const m of report.messages) {
    if (m.file === undefined) continue;
    results.push({
      ruleId: `sigmatest/${m.code}`,
      level: m.severity === 'error' ? 'error' : 'warning',
      message: { text: m.message },
      locations: [location(m.file, m.line ?? 1)],
    });
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            // No informationUri: it must name this tool's own page, and sigmatest has no published one
            // yet (it used to name the Sigma rules project, which is not this tool).
            name: 'sigmatest',
            rules: CHECKS.map((c) => ({
              id: `sigmatest/${c.name}`,
              name: c.name,
              shortDescription: { text: c.description },
              defaultConfiguration: { level: 'error' },
            })),
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

export const gateSarifReporter: TextReporter<GateReport> = {
  name: 'sarif',
  help: 'SARIF 2.1.0 for code scanning: a result per failed or warned check, at the rule file and line',
  output: 'text',
  render: formatGateSarif,
};
