/** The run's Markdown reporter: a summary table and a coverage table per rule, with its properties (fit for a GitHub step summary). */
import type { SuiteReport } from './suite-report.js';
import { markdownCell, markdownCode, markdownCodeCell, markdownFence, terminalLine } from '../escape.js';
import type { TextReporter } from '../registry.js';
import { stageLabel } from '../../coverage/coverage.js';

const ICON = { pass: '✅ pass', fail: '❌ fail', untested: '⚪ untested', 'below-coverage': '🟡 low coverage', skipped: '⏭️ skipped' } as const;
const count = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
const PROPERTY_ICON = { pass: '✅ pass', fail: '❌ fail', error: '❌ error', 'known-gap': '🟠 known gap', 'gap-closed': '🔵 gap closed' } as const;

export function formatRunMarkdown(report: SuiteReport): string {
  const s = report.summary;
  const p = s.properties;
  const props = p.total > 0 ? `; ${p.total} properties (${p.runs} runs): ${p.passed} held, ${p.failed} failed${p.errors ? `, ${count(p.errors, 'error')}` : ''}${p.knownGaps ? `, ${count(p.knownGaps, 'known gap')}` : ''}${p.gapsClosed ? `, ${count(p.gapsClosed, 'gap')} closed` : ''}` : '';
  const coverage = p.total > 0 ? `coverage ${s.coverage.withProperties.percent}% with properties (${s.coverage.percent}% from cases)` : `coverage ${s.coverage.percent}%`;
  const out = [
    '## sigmatest run',
    '',
    `${s.ok ? '✅' : '❌'} ${s.rules} rules (${s.tested} tested, ${s.untested} untested${s.skipped > 0 ? `, ${s.skipped} skipped` : ''}), ${s.cases} cases: ${s.passed} passed, ${s.failed} failed${s.errors ? `, ${count(s.errors, 'error')}` : ''}${s.knownGaps ? `, ${count(s.knownGaps, 'known gap')}` : ''}${props}; ${coverage}`,
    ...s.problems.map((x) => `- ${markdownCell(x)}`),
    '',
    '| Rule | Status | Cases | Properties | Stages | Values | Exclusions | Coverage |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.rules) {
    const c = r.coverageWithProperties;
    const st = `${c.stages.filter((x) => x.covered).length}/${c.stages.length}`;
    const gaps = r.properties.knownGaps > 0 ? ` (${r.properties.knownGaps} known gap${r.properties.knownGaps === 1 ? '' : 's'})` : '';
    const pr = r.properties.results.length > 0 ? `${r.properties.passed}/${r.properties.results.length}${gaps}` : '–';
    const cov = r.status === 'untested' || r.status === 'skipped' ? '–' : r.properties.results.length > 0 ? `${c.percent}% (cases ${r.coverage.percent}%)` : `${c.percent}%`;
    out.push(
      `| ${markdownCell(r.title)}<br>${markdownCodeCell(r.path)} | ${ICON[r.status]} | ${r.cases.passed}/${r.cases.results.length} | ${pr} | ${st} | ${c.values.covered}/${c.values.total} | ${c.exclusions.covered}/${c.exclusions.total} | ${cov} |`,
    );
  }
  const skipped = report.rules.filter((r) => r.skipped !== undefined);
  if (skipped.length > 0) {
    out.push('', `**Skipped** (\`--placeholders skip\`: never passing, ${count(skipped.reduce((n, r) => n + (r.skipped?.cases ?? 0), 0), 'case')} not run):`, '');
    for (const r of skipped) out.push(`- ${markdownCodeCell(r.path)} ${markdownCell(r.title)}: ${markdownCell(r.skipped?.reason ?? '')}`);
  }
  for (const r of report.rules) {
    if (r.status === 'untested' || r.status === 'skipped') continue;
    const withProps = r.properties.results.length > 0;
    out.push('', `### ${markdownCell(r.title)}`, '');
    if (withProps) {
      out.push('| # | Stage | True | False | True with properties | False with properties | Covered |', '|---|---|---|---|---|---|---|');
      r.coverage.stages.forEach((st, k) => {
        const a = r.coverageWithProperties.stages[k] ?? st;
        out.push(`| ${st.index} | ${markdownCell(stageLabel(st))} | ${st.true} | ${st.false} | ${a.true} | ${a.false} | ${a.covered ? (st.covered ? '✅' : '✅ by properties') : '❌'} |`);
      });
    } else {
      out.push('| # | Stage | True | False | Covered |', '|---|---|---|---|---|');
      for (const st of r.coverage.stages) out.push(`| ${st.index} | ${markdownCell(stageLabel(st))} | ${st.true} | ${st.false} | ${st.covered ? '✅' : '❌'} |`);
    }
    if (withProps) {
      out.push('', '| Property | Status | Runs | Seed |', '|---|---|---|---|');
      for (const x of r.properties.results) out.push(`| ${markdownCell(x.name)} | ${PROPERTY_ICON[x.status]} | ${x.runs} | ${x.seed} |`);
    }
    for (const c of r.cases.results.filter((x) => x.status !== 'pass')) {
      const icon = c.status === 'known-gap' ? '🟠' : c.status === 'gap-closed' ? '🔵' : '❌';
      // One message a line: a line feed in a case name or event value cannot forge another.
      out.push('', `${icon} **${markdownCell(c.name)}** (${markdownCode(`${c.file}${c.line ? `:${c.line}` : ''}`)})`, '', markdownFence(c.messages.map(terminalLine).join('\n')));
    }
    for (const x of r.properties.results.filter((y) => y.status !== 'pass')) {
      const icon = x.status === 'known-gap' ? '🟠' : x.status === 'gap-closed' ? '🔵' : '❌';
      const body = [...x.messages, ...(x.counterexample !== null ? [`event: ${JSON.stringify(x.counterexample.event)}`] : [])];
      out.push('', `${icon} property **${markdownCell(x.name)}** (${markdownCode(`${x.file}${x.line ? `:${x.line}` : ''}`)})`, '', markdownFence(body.map(terminalLine).join('\n')));
    }
  }
  return `${out.join('\n')}\n`;
}

export const runMarkdownReporter: TextReporter<SuiteReport> = {
  name: 'markdown',
  help: 'a summary table, coverage and properties per rule, for a GitHub step summary or a pull-request comment',
  output: 'text',
  render: formatRunMarkdown,
};
