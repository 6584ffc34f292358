/** The run's Markdown reporter: a summary table and a coverage table per rule (fit for a GitHub step summary). */
import type { SuiteReport } from './suite-report.js';
import { markdownCell, markdownCode, markdownCodeCell, markdownFence, terminalLine } from '../escape.js';
import type { TextReporter } from '../registry.js';

const ICON = { pass: '✅ pass', fail: '❌ fail', untested: '⚪ untested', 'below-coverage': '🟡 low coverage' } as const;

export function formatRunMarkdown(report: SuiteReport): string {
  const s = report.summary;
  const out = [
    '## sigmatest run',
    '',
    `${s.ok ? '✅' : '❌'} ${s.rules} rules (${s.tested} tested, ${s.untested} untested), ${s.cases} cases: ${s.passed} passed, ${s.failed} failed${s.errors ? `, ${s.errors} errors` : ''}; coverage ${s.coverage.percent}%`,
    ...s.problems.map((p) => `- ${markdownCell(p)}`),
    '',
    '| Rule | Status | Cases | Stages | Values | Exclusions | Coverage |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of report.rules) {
    const c = r.coverage;
    const st = `${c.stages.filter((x) => x.covered).length}/${c.stages.length}`;
    out.push(
      `| ${markdownCell(r.title)}<br>${markdownCodeCell(r.path)} | ${ICON[r.status]} | ${r.cases.passed}/${r.cases.results.length} | ${st} | ${c.values.covered}/${c.values.total} | ${c.exclusions.covered}/${c.exclusions.total} | ${r.status === 'untested' ? '–' : `${c.percent}%`} |`,
    );
  }
  for (const r of report.rules) {
    if (r.status === 'untested') continue;
    out.push('', `### ${markdownCell(r.title)}`, '', '| # | Stage | True | False | Covered |', '|---|---|---|---|---|');
    for (const st of r.coverage.stages) out.push(`| ${st.index} | ${markdownCell(st.exclusion ? `not ${st.name}` : st.name)} | ${st.true} | ${st.false} | ${st.covered ? '✅' : '❌'} |`);
    for (const c of r.cases.results.filter((x) => x.status !== 'pass')) {
      out.push('', `❌ **${markdownCell(c.name)}** (${markdownCode(`${c.file}${c.line ? `:${c.line}` : ''}`)})`, '', markdownFence(c.messages.map(terminalLine).join('\n')));
    }
  }
  return `${out.join('\n')}\n`;
}

export const runMarkdownReporter: TextReporter<SuiteReport> = {
  name: 'markdown',
  help: 'a summary table and coverage per rule, for a GitHub step summary or a pull-request comment',
  output: 'text',
  render: formatRunMarkdown,
};
