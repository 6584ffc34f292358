/** The gate's JUnit reporter: a testsuite per changed rule, a testcase per check. */
import type { GateReport } from '../../gate/gate-result.js';
import { writeJunit } from '../junit-writer.js';
import type { JunitOutcome } from '../junit-writer.js';
import type { TextReporter } from '../registry.js';

export function formatGateJunit(report: GateReport): string {
  const s = report.summary;
  const total = report.rules.reduce((n, r) => n + r.checks.length, 0);
  const suites = report.rules.map((r) => ({
    name: r.title ?? r.path,
    file: r.path,
    tests: r.checks.length,
    failures: r.checks.filter((c) => c.status === 'fail').length,
    errors: 0,
    skipped: r.checks.filter((c) => c.status === 'skip').length,
    properties: [
      ['rule.id', r.id ?? ''],
      ['change', r.change],
      ['diff', r.diff ?? ''],
    ] as const,
    cases: r.checks.map((c) => {
      const body = [c.message, ...(c.details ?? [])].join('\n');
      const outcome: JunitOutcome =
        c.status === 'fail'
          ? { kind: 'failure', message: c.message, body }
          : c.status === 'skip'
            ? { kind: 'skipped', message: c.message }
            : c.status === 'warn'
              ? { kind: 'output', text: `warning: ${body}` }
              : { kind: 'pass' };
      return { name: c.name, classname: r.path, file: c.location?.file ?? r.path, line: c.location?.line ?? r.line, outcome };
    }),
  }));
  return writeJunit('sigmatest gate', { tests: total, failures: s.checks.fail, errors: 0, skipped: s.checks.skip }, suites);
}

export const gateJunitReporter: TextReporter<GateReport> = {
  name: 'junit',
  help: 'JUnit XML: a testsuite per changed rule, a testcase per check',
  output: 'text',
  render: formatGateJunit,
};
