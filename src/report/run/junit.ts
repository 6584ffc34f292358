/** The run's JUnit reporter: a testsuite per rule, a testcase per case (CI systems show these). */
import type { SuiteReport } from './suite-report.js';
import { writeJunit } from '../junit-writer.js';
import type { JunitCase, JunitSuite } from '../junit-writer.js';
import type { TextReporter } from '../registry.js';

export function formatRunJunit(report: SuiteReport): string {
  const s = report.summary;
  const suites = report.rules.map((r): JunitSuite => {
    const untested = r.status === 'untested';
    const cases: JunitCase[] = untested
      ? [{ name: '(no cases)', classname: r.path, outcome: { kind: 'skipped', message: 'rule has no cases' } }]
      : r.cases.results.map((c) => ({
          name: c.name,
          classname: r.path,
          file: c.file,
          ...(c.line ? { line: c.line } : {}),
          outcome:
            c.status === 'pass'
              ? { kind: 'pass' }
              : { kind: c.status === 'fail' ? 'failure' : 'error', message: c.messages[0] ?? c.status, body: c.messages.join('\n') },
        }));
    return {
      name: r.title,
      file: r.path,
      tests: r.cases.results.length,
      failures: r.cases.failed,
      errors: r.cases.errors,
      skipped: untested ? 1 : 0,
      properties: [
        ['rule.id', r.id ?? ''],
        ['coverage.percent', r.coverage.percent],
      ],
      cases,
    };
  });
  return writeJunit('sigmatest', { tests: s.cases, failures: s.failed, errors: s.errors, skipped: s.untested }, suites);
}

export const runJunitReporter: TextReporter<SuiteReport> = {
  name: 'junit',
  help: 'JUnit XML: a testsuite per rule, a testcase per case (untested rules skipped)',
  output: 'text',
  render: formatRunJunit,
};
