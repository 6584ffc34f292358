/** The run's JUnit reporter: a testsuite per rule, a testcase per case and per property (CI systems show these). */
import type { SuiteReport } from './suite-report.js';
import { writeJunit } from '../junit-writer.js';
import type { JunitCase, JunitOutcome, JunitSuite } from '../junit-writer.js';
import type { TextReporter } from '../registry.js';

/**
 * A case's or property's outcome: a known gap is skipped with its reason (declared, not a failure);
 * a closed gap passes with a note, or fails under --strict.
 */
function outcome(status: string, messages: readonly string[], strict: boolean): JunitOutcome {
  switch (status) {
    case 'pass':
      return { kind: 'pass' };
    case 'known-gap':
      return { kind: 'skipped', message: messages[0] ?? 'known gap' };
    case 'gap-closed':
      return strict ? { kind: 'failure', message: messages[0] ?? 'known gap closed', body: messages.join('\n') } : { kind: 'output', text: messages.join('\n') };
    default:
      return { kind: status === 'fail' ? 'failure' : 'error', message: messages[0] ?? status, body: messages.join('\n') };
  }
}

export function formatRunJunit(report: SuiteReport): string {
  const s = report.summary;
  const strict = s.strict;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const suites = report.rules.map((r): JunitSuite => {
    const untested = r.status === 'untested' || r.status === 'skipped';
    const cases: JunitCase[] = untested
      ? [{ name: '(no cases)', classname: r.path, outcome: { kind: 'skipped', message: r.skipped !== undefined ? `rule skipped (--placeholders skip): ${r.skipped.reason}` : 'rule has no cases' } }]
      : [
          ...r.cases.results.map((c) => ({ name: c.name, classname: r.path, file: c.file, ...(c.line ? { line: c.line } : {}), outcome: outcome(c.status, c.messages, strict) })),
          ...r.properties.results.map((p) => ({
            name: `property: ${p.name}`,
            classname: r.path,
            file: p.file,
            ...(p.line ? { line: p.line } : {}),
            outcome: outcome(p.status, p.counterexample !== null && p.status !== 'known-gap' ? [...p.messages, `counterexample: ${JSON.stringify(p.counterexample.event)}`] : p.messages, strict),
          })),
        ];
    const count = (k: JunitOutcome['kind']): number => cases.filter((c) => c.outcome.kind === k).length;
    failures += count('failure');
    errors += count('error');
    skipped += count('skipped');
    return {
      name: r.title,
      file: r.path,
      tests: untested ? 0 : cases.length,
      failures: count('failure'),
      errors: count('error'),
      skipped: count('skipped'),
      properties: [
        ['rule.id', r.id ?? ''],
        ['coverage.percent', r.coverage.percent],
        ['coverage.withProperties.percent', r.coverageWithProperties.percent],
      ],
      cases,
    };
  });
  const tests = suites.reduce((n, x) => n + x.tests, 0);
  return writeJunit('sigmatest', { tests, failures, errors, skipped }, suites);
}

export const runJunitReporter: TextReporter<SuiteReport> = {
  name: 'junit',
  help: 'JUnit XML: a testsuite per rule, a testcase per case and per property (known gaps skipped, untested rules skipped)',
  output: 'text',
  render: formatRunJunit,
};
