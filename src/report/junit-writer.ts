/**
 * The one JUnit XML writer: the run reporter (a testsuite per rule, a testcase per case) and the
 * gate reporter (a testsuite per changed rule, a testcase per check) describe suites and cases as
 * data, and this writes them in the shape CI systems read (Jenkins, GitLab, GitHub test-report
 * actions): `<testsuites>` with totals, `<testsuite>` with `<properties>`, `<testcase>` with an
 * optional `<failure>`, `<error>`, `<skipped>` or `<system-out>`. Every text goes through
 * {@link xmlEscape}.
 */
import { xmlEscape as x } from './escape.js';

/** How a testcase ended. */
export type JunitOutcome =
  | { kind: 'pass' }
  | { kind: 'failure' | 'error'; message: string; body: string }
  | { kind: 'skipped'; message: string }
  /** Passed, with output to show (a warning). */
  | { kind: 'output'; text: string };

export interface JunitCase {
  name: string;
  classname: string;
  file?: string;
  line?: number;
  outcome: JunitOutcome;
}

export interface JunitCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export interface JunitSuite extends JunitCounts {
  name: string;
  file: string;
  properties: ReadonlyArray<readonly [string, string | number]>;
  cases: JunitCase[];
}

function testcase(c: JunitCase): string[] {
  const attrs = `name="${x(c.name)}" classname="${x(c.classname)}"${c.file === undefined ? '' : ` file="${x(c.file)}"`}${c.line === undefined ? '' : ` line="${c.line}"`}`;
  const o = c.outcome;
  if (o.kind === 'pass') return [`    <testcase ${attrs}/>`];
  const child =
    o.kind === 'skipped'
      ? `<skipped message="${x(o.message)}"/>`
      : o.kind === 'output'
        ? `<system-out>${x(o.text)}</system-out>`
        : `<${o.kind} message="${x(o.message)}">${x(o.body)}</${o.kind}>`;
  return [`    <testcase ${attrs}>`, `      ${child}`, '    </testcase>'];
}

/** The XML document (ends with a line break). */
export function writeJunit(name: string, totals: JunitCounts, suites: readonly JunitSuite[]): string {
  const counts = (c: JunitCounts): string => `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}"`;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${x(name)}" ${counts(totals)}>`];
  for (const s of suites) {
    out.push(`  <testsuite name="${x(s.name)}" file="${x(s.file)}" ${counts(s)}>`);
    out.push(`    <properties>${s.properties.map(([k, v]) => `<property name="${x(k)}" value="${x(String(v))}"/>`).join('')}</properties>`);
    for (const c of s.cases) out.push(...testcase(c));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
