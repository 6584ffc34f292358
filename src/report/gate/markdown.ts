/** The gate's Markdown reporter: a table of changed rules and checks (the GitHub step summary). */
import { CHECKS } from '../../gate/gate-result.js';
import type { CheckStatus, GateReport } from '../../gate/gate-result.js';
import { markdownCell, markdownCodeCell } from '../escape.js';
import type { TextReporter } from '../registry.js';

const ICON: Record<CheckStatus, string> = { pass: '✅', fail: '❌', skip: '⏭️', warn: '⚠️' };

export function formatGateMarkdown(report: GateReport): string {
  const out = [`## sigmatest gate: ${report.summary.ok ? '✅ passed' : '❌ failed'}`, ''];
  if (report.rules.length === 0) out.push('No rule changed.', '');
  else {
    out.push(`| Rule | Change | Diff | ${CHECKS.map((c) => c.name).join(' | ')} |`, `|---|---|---|${CHECKS.map(() => '---').join('|')}|`);
    for (const r of report.rules) {
      const cells = CHECKS.map((c) => {
        const found = r.checks.find((k) => k.name === c.name);
        return found === undefined ? '' : ICON[found.status];
      });
      out.push(`| ${markdownCodeCell(r.path)} | ${r.change} | ${r.diff ?? ''} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  const problems = report.summary.problems;
  if (problems.length > 0) out.push('**Problems**', '', ...problems.map((p) => `- ${markdownCell(p)}`), '');
  const s = report.summary;
  out.push(`${s.rules} changed rule(s): ${s.passed} passed, ${s.failed} failed.`, '');
  return out.join('\n');
}

export const gateMarkdownReporter: TextReporter<GateReport> = {
  name: 'markdown',
  help: 'a table of changed rules and checks, for a step summary or a pull-request comment',
  output: 'text',
  render: formatGateMarkdown,
};
