/** The JUnit XML reporter: a testsuite per rule, a testcase per case (CI systems show these). */
import type { SuiteReport } from './suite-report.js';
import { xmlEscape as x } from './escape.js';

export function formatJunit(report: SuiteReport): string {
  const s = report.summary;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="sigmatest" tests="${s.cases}" failures="${s.failed}" errors="${s.errors}">`];
  for (const r of report.rules) {
    const n = r.cases.results.length;
    out.push(`  <testsuite name="${x(r.title)}" file="${x(r.path)}" tests="${n}" failures="${r.cases.failed}" errors="${r.cases.errors}" skipped="${r.status === 'untested' ? 1 : 0}">`);
    out.push(`    <properties><property name="rule.id" value="${x(r.id ?? '')}"/><property name="coverage.percent" value="${r.coverage.percent}"/></properties>`);
    if (r.status === 'untested') out.push(`    <testcase name="(no cases)" classname="${x(r.path)}"><skipped message="rule has no cases"/></testcase>`);
    for (const c of r.cases.results) {
      const attrs = `name="${x(c.name)}" classname="${x(r.path)}" file="${x(c.file)}"${c.line ? ` line="${c.line}"` : ''}`;
      if (c.status === 'pass') out.push(`    <testcase ${attrs}/>`);
      else {
        const tag = c.status === 'fail' ? 'failure' : 'error';
        out.push(`    <testcase ${attrs}>`, `      <${tag} message="${x(c.messages[0] ?? c.status)}">${x(c.messages.join('\n'))}</${tag}>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
