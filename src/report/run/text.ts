/** The run's text reporter: a block per rule with its cases and properties, failures explained, and a coverage table. */
import type { RuleReport, SuiteReport } from './suite-report.js';
import type { PropertyResult } from '../../cases/run-cases.js';
import { formatDiagnostic } from '../../diagnostics/diagnostics.js';
import { terminalLine } from '../escape.js';
import type { TextReporter } from '../registry.js';
import { stageLabel } from '../../coverage/coverage.js';
import { maxOf, pushAll } from '../../util/arrays.js';

const MARK = { pass: 'PASS', fail: 'FAIL', untested: 'UNTESTED', 'below-coverage': 'LOW COV', skipped: 'SKIPPED' } as const;
const PROPERTY_MARK = { pass: '✓', fail: '✗', error: '✗', 'known-gap': '~', 'gap-closed': '!' } as const;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function coverageLines(r: RuleReport): string[] {
  const c = r.coverage;
  const all = r.coverageWithProperties;
  const withProps = r.properties.results.length > 0;
  const width = maxOf(c.stages.map((s) => stageLabel(s).length), 9);
  const lines = withProps
    ? [`    ${''.padEnd(width + 4)}   cases       with properties`, `    ${'stage'.padEnd(width + 4)} true  false   true  false`]
    : [`    ${'stage'.padEnd(width + 4)} true  false`];
  c.stages.forEach((s, k) => {
    const name = `${s.index} ${stageLabel(s)}`;
    const a = all.stages[k] ?? s;
    const state = a.covered ? (s.covered ? 'covered' : 'covered by properties') : 'NOT COVERED';
    const extra = withProps ? `  ${String(a.true).padStart(5)}  ${String(a.false).padStart(5)}` : '';
    lines.push(`    ${name.padEnd(width + 4)} ${String(s.true).padStart(4)}  ${String(s.false).padStart(5)}${extra}  ${state}`);
  });
  if (r.correlation !== undefined) {
    lines.push(`    stages ${c.covered}/${c.total}, coverage ${c.percent}%`);
    return lines;
  }
  if (withProps) {
    lines.push(
      `    values ${c.values.covered}/${c.values.total} (with properties ${all.values.covered}/${all.values.total}), exclusions ${c.exclusions.covered}/${c.exclusions.total} (${all.exclusions.covered}/${all.exclusions.total}), coverage ${c.percent}% from cases, ${all.percent}% with properties`,
    );
  } else lines.push(`    values ${c.values.covered}/${c.values.total}, exclusions ${c.exclusions.covered}/${c.exclusions.total}, coverage ${c.percent}%`);
  for (const v of all.values.missed) lines.push(`      value never matched: ${v.identifier}.${v.field ?? 'keyword'} '${v.source}'`);
  for (const v of all.exclusions.missed) lines.push(`      exclusion never the reason for a no-match: ${v.identifier}.${v.field ?? 'keyword'} '${v.source}'`);
  return lines;
}

function propertyLines(p: PropertyResult): string[] {
  const where = `${p.file}${p.line ? `:${p.line}` : ''}`;
  const runs = plural(p.runs, 'run');
  switch (p.status) {
    case 'pass':
      return [`  ${PROPERTY_MARK.pass} property: ${p.name}  (${runs}, seed ${p.seed})`];
    case 'gap-closed':
      return [`  ${PROPERTY_MARK['gap-closed']} property: ${p.name}  (${where})  GAP CLOSED after ${runs}: ${p.knownGap ?? ''}`, `      remove known_gap: the property now holds`];
    case 'known-gap': {
      const lines = [`  ${PROPERTY_MARK['known-gap']} property: ${p.name}  (${where})  known gap, shown after ${runs} (seed ${p.seed}): ${p.knownGap ?? ''}`];
      if (p.counterexample !== null) lines.push(`      example: ${JSON.stringify(p.counterexample.event)}`);
      return lines;
    }
    case 'fail':
    case 'error': {
      const head = p.status === 'fail' ? `FAILED after ${runs} (seed ${p.seed}${p.counterexample !== null ? `, path ${p.counterexample.path}` : ''})` : 'ERROR';
      const lines = [`  ${PROPERTY_MARK[p.status]} property: ${p.name}  (${where})  ${head}`];
      for (const m of p.messages) lines.push(`      ${m}`);
      if (p.counterexample !== null) lines.push(`      counterexample: ${JSON.stringify(p.counterexample.event)}`);
      return lines;
    }
  }
}

/** The counts of a rule's line: cases, properties, coverage. */
function countsOf(r: RuleReport): string {
  if (r.status === 'untested') return 'no cases';
  if (r.skipped !== undefined) return `skipped (--placeholders skip): ${r.skipped.reason}${r.skipped.cases > 0 ? `; ${plural(r.skipped.cases, 'case')} not run` : ''}`;
  const parts = [`${r.cases.passed}/${r.cases.results.length} cases passed`];
  if (r.cases.knownGaps + r.cases.gapsClosed > 0) parts[0] += ` (${[r.cases.knownGaps > 0 ? plural(r.cases.knownGaps, 'known gap') : '', r.cases.gapsClosed > 0 ? plural(r.cases.gapsClosed, 'gap') + ' closed' : ''].filter(Boolean).join(', ')})`;
  const p = r.properties;
  if (p.results.length > 0) {
    const gaps = [p.knownGaps > 0 ? plural(p.knownGaps, 'known gap') : '', p.gapsClosed > 0 ? `${plural(p.gapsClosed, 'gap')} closed` : ''].filter(Boolean).join(', ');
    parts.push(`${p.passed}/${p.results.length} properties held${gaps ? ` (${gaps})` : ''}`);
    parts.push(`coverage ${r.coverageWithProperties.percent}% (cases alone ${r.coverage.percent}%)`);
  } else parts.push(`coverage ${r.coverage.percent}%`);
  return parts.join(', ');
}

/** The text (terminal-safe: control characters and line breaks in rule, case, property or event text are shown escaped). */
export function formatRunText(report: SuiteReport): string {
  const out: string[] = [];
  for (const d of report.diagnostics) out.push(formatDiagnostic(d));
  if (report.diagnostics.length) out.push('');
  for (const r of report.rules) {
    out.push(`${MARK[r.status].padEnd(8)} ${r.title}  (${r.path}${r.correlation !== undefined ? `, ${r.correlation} correlation` : ''})  ${countsOf(r)}`);
    for (const c of r.cases.results) {
      if (c.status === 'pass') continue;
      const mark = c.status === 'known-gap' ? '~' : c.status === 'gap-closed' ? '!' : '✗';
      out.push(`  ${mark} ${c.name}  (${c.file}${c.line ? `:${c.line}` : ''})${c.status === 'known-gap' ? '  known gap' : c.status === 'gap-closed' ? '  GAP CLOSED' : ''}`);
      for (const m of c.messages) out.push(`      ${m}`);
    }
    for (const p of r.properties.results) pushAll(out, propertyLines(p));
    if (r.status !== 'untested' && r.status !== 'skipped') pushAll(out, coverageLines(r));
    out.push('');
  }
  const s = report.summary;
  const caseGaps = [s.knownGaps > 0 ? plural(s.knownGaps, 'known gap') : '', s.gapsClosed > 0 ? `${plural(s.gapsClosed, 'gap')} closed` : ''].filter(Boolean).join(', ');
  const p = s.properties;
  const props =
    p.total > 0
      ? `; ${plural(p.total, 'property', 'properties')} (${p.runs} runs): ${p.passed} held, ${p.failed} failed${p.errors ? `, ${plural(p.errors, 'error')}` : ''}${p.knownGaps ? `, ${plural(p.knownGaps, 'known gap')}` : ''}${p.gapsClosed ? `, ${plural(p.gapsClosed, 'gap')} closed` : ''}`
      : '';
  const coverage =
    p.total > 0
      ? `coverage ${s.coverage.withProperties.covered}/${s.coverage.withProperties.total} (${s.coverage.withProperties.percent}%) with properties, ${s.coverage.covered}/${s.coverage.total} (${s.coverage.percent}%) from cases`
      : `coverage ${s.coverage.covered}/${s.coverage.total} (${s.coverage.percent}%)`;
  out.push(
    `${s.rules} rules (${s.tested} tested, ${s.untested} untested${s.skipped > 0 ? `, ${s.skipped} skipped` : ''}), ${s.cases} cases: ${s.passed} passed, ${s.failed} failed${s.errors ? `, ${plural(s.errors, 'error')}` : ''}${caseGaps ? `, ${caseGaps}` : ''}${props}; ${coverage}`,
  );
  const untested = report.rules.filter((r) => r.status === 'untested');
  if (untested.length) out.push(`untested: ${untested.map((r) => r.path).join(', ')}`);
  const skipped = report.rules.filter((r) => r.status === 'skipped');
  if (skipped.length) out.push(`skipped (--placeholders skip, not passing): ${skipped.map((r) => `${r.path} (${r.title})`).join(', ')}`);
  out.push(s.ok ? 'OK' : `FAILED: ${s.problems.join('; ')}`);
  // Each line is one line: a line feed in a title, case name or event value cannot forge another.
  return `${out.map(terminalLine).join('\n')}\n`;
}

export const runTextReporter: TextReporter<SuiteReport> = {
  name: 'text',
  help: 'readable: a block per rule, failed cases explained stage by stage, every property with its runs and status, coverage per stage from cases and with properties',
  output: 'text',
  render: formatRunText,
};
