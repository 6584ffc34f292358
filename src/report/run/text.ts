/** The run's text reporter: a block per rule with its cases, failures explained, and a coverage table. */
import type { RuleReport, SuiteReport } from './suite-report.js';
import { formatDiagnostic } from '../../diagnostics/diagnostics.js';
import { terminalLine } from '../escape.js';
import type { TextReporter } from '../registry.js';

const MARK = { pass: 'PASS', fail: 'FAIL', untested: 'UNTESTED', 'below-coverage': 'LOW COV' } as const;

function coverageLines(r: RuleReport): string[] {
  const c = r.coverage;
  const width = Math.max(9, ...c.stages.map((s) => s.name.length + (s.exclusion ? 4 : 0)));
  const lines = [`    ${'stage'.padEnd(width + 4)} true  false`];
  for (const s of c.stages) {
    const name = `${s.index} ${s.exclusion ? `not ${s.name}` : s.name}`;
    lines.push(`    ${name.padEnd(width + 4)} ${String(s.true).padStart(4)}  ${String(s.false).padStart(5)}  ${s.covered ? 'covered' : 'NOT COVERED'}`);
  }
  if (r.correlation !== undefined) {
    lines.push(`    stages ${c.covered}/${c.total}, coverage ${c.percent}%`);
    return lines;
  }
  lines.push(`    values ${c.values.covered}/${c.values.total}, exclusions ${c.exclusions.covered}/${c.exclusions.total}, coverage ${c.percent}%`);
  for (const v of c.values.missed) lines.push(`      value never matched: ${v.identifier}.${v.field ?? 'keyword'} '${v.source}'`);
  for (const v of c.exclusions.missed) lines.push(`      exclusion never the reason for a no-match: ${v.identifier}.${v.field ?? 'keyword'} '${v.source}'`);
  return lines;
}

/** The text (terminal-safe: control characters and line breaks in rule, case or event text are shown escaped). */
export function formatRunText(report: SuiteReport): string {
  const out: string[] = [];
  for (const d of report.diagnostics) out.push(formatDiagnostic(d));
  if (report.diagnostics.length) out.push('');
  for (const r of report.rules) {
    const counts = r.status === 'untested' ? 'no cases' : `${r.cases.passed}/${r.cases.results.length} cases passed, coverage ${r.coverage.percent}%`;
    out.push(`${MARK[r.status].padEnd(8)} ${r.title}  (${r.path}${r.correlation !== undefined ? `, ${r.correlation} correlation` : ''})  ${counts}`);
    for (const c of r.cases.results) {
      if (c.status === 'pass') continue;
      out.push(`  ✗ ${c.name}  (${c.file}${c.line ? `:${c.line}` : ''})`);
      for (const m of c.messages) out.push(`      ${m}`);
    }
    if (r.status !== 'untested') out.push(...coverageLines(r));
    out.push('');
  }
  const s = report.summary;
  out.push(
    `${s.rules} rules (${s.tested} tested, ${s.untested} untested), ${s.cases} cases: ${s.passed} passed, ${s.failed} failed${s.errors ? `, ${s.errors} errors` : ''}; coverage ${s.coverage.covered}/${s.coverage.total} (${s.coverage.percent}%)`,
  );
  const untested = report.rules.filter((r) => r.status === 'untested');
  if (untested.length) out.push(`untested: ${untested.map((r) => r.path).join(', ')}`);
  out.push(s.ok ? 'OK' : `FAILED: ${s.problems.join('; ')}`);
  // Each line is one line: a line feed in a title, case name or event value cannot forge another.
  return `${out.map(terminalLine).join('\n')}\n`;
}

export const runTextReporter: TextReporter<SuiteReport> = {
  name: 'text',
  help: 'readable: a block per rule, failed cases explained stage by stage, coverage per stage',
  output: 'text',
  render: formatRunText,
};
