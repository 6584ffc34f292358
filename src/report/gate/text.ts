/** The gate's text reporter: a block per changed rule with its checks, then messages and the verdict. */
import type { CheckStatus, GateReport } from '../../gate/gate-result.js';
import { terminalLine } from '../escape.js';
import type { TextReporter } from '../registry.js';

const MARK: Record<CheckStatus, string> = { pass: 'ok  ', fail: 'FAIL', skip: 'skip', warn: 'warn' };

/** The text (terminal-safe: control characters and line breaks in rule or event text are shown escaped). */
export function formatGateText(report: GateReport): string {
  const out: string[] = [];
  const base = report.baseRef !== null ? ` against ${report.baseRef}${report.base !== null ? ` (merge-base ${report.base.slice(0, 12)})` : ''}` : '';
  const shard = report.shard !== null ? ` [shard ${report.shard.index}/${report.shard.count}]` : '';
  out.push(`sigmatest gate${base}${shard}`, '');
  if (report.rules.length === 0) out.push('No rule changed.', '');
  for (const r of report.rules) {
    const diff = r.diff !== null ? `, ${r.diff}` : '';
    const renamed = r.oldPath !== undefined ? ` (from ${r.oldPath})` : '';
    out.push(`${r.status === 'pass' ? 'PASS' : 'FAIL'} ${r.path}${renamed} — ${r.change}${diff}${r.title !== null ? ` — ${r.title}` : ''}`);
    for (const c of r.checks) {
      out.push(`  ${MARK[c.status]} ${c.name.padEnd(13)} ${c.message}`);
      for (const d of c.details ?? []) out.push(`         ${d}`);
    }
    // The flipped examples are in the semantic-diff check's details.
    out.push('');
  }
  for (const m of report.messages) out.push(`${m.severity}: ${m.file !== undefined ? `${m.file}${m.line !== undefined ? `:${m.line}` : ''}: ` : ''}${m.message}`);
  if (report.messages.length > 0) out.push('');
  const s = report.summary;
  out.push(
    `${s.rules} changed rule${s.rules === 1 ? '' : 's'}: ${s.passed} passed, ${s.failed} failed ` +
      `(checks: ${s.checks.pass} pass, ${s.checks.fail} fail, ${s.checks.warn} warn, ${s.checks.skip} skip)`,
  );
  if (s.ok) out.push('Gate passed.');
  else out.push('Gate FAILED:', ...s.problems.map((p) => `  - ${p}`));
  // Each line is one line: a line feed in a title or message cannot forge another.
  return `${out.map(terminalLine).join('\n')}\n`;
}

export const gateTextReporter: TextReporter<GateReport> = {
  name: 'text',
  help: 'readable: a block per changed rule with its checks and their details, then the verdict',
  output: 'text',
  render: formatGateText,
};
