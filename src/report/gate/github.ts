/**
 * The gate's GitHub reporter: workflow commands (`::error file=…,line=…,title=…::message` for
 * failed checks, `::warning` for warnings) that GitHub Actions shows as annotations on the
 * pull request, and a closing line. The CLI also appends the Markdown summary to
 * `$GITHUB_STEP_SUMMARY` when it is set.
 */
import type { GateReport } from '../../gate/gate-result.js';
import { githubData, githubProperty } from '../escape.js';
import type { TextReporter } from '../registry.js';

export function formatGateGithub(report: GateReport): string {
  const out: string[] = [];
  for (const r of report.rules) {
    for (const c of r.checks) {
      if (c.status !== 'fail' && c.status !== 'warn') continue;
      const loc = c.location ?? { file: r.path, line: r.line };
      const kind = c.status === 'fail' ? 'error' : 'warning';
      const body = [c.message, ...(c.details ?? []).slice(0, 10)].join('\n');
      out.push(`::${kind} file=${githubProperty(loc.file)},line=${loc.line},title=${githubProperty(`sigmatest gate: ${c.name}`)}::${githubData(body)}`);
    }
  }
  for (const m of report.messages) {
    const props = m.file !== undefined ? ` file=${githubProperty(m.file)}${m.line !== undefined ? `,line=${m.line}` : ''}` : '';
    out.push(`::${m.severity}${props}::${githubData(m.message)}`);
  }
  const s = report.summary;
  out.push(`sigmatest gate: ${s.rules} changed rule(s), ${s.passed} passed, ${s.failed} failed — ${s.ok ? 'passed' : 'FAILED'}`);
  return `${out.join('\n')}\n`;
}

export const gateGithubReporter: TextReporter<GateReport> = {
  name: 'github',
  help: 'GitHub Actions annotations (::error, ::warning); the markdown table goes to $GITHUB_STEP_SUMMARY if set',
  output: 'text',
  render: formatGateGithub,
};
