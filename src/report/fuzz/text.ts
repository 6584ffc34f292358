/** The fuzz text reporter: a line per rule, its findings with example events and replay seeds, the summary. */
import type { Event } from '../../evaluate/evaluate.js';
import type { FuzzReport } from '../../fuzz/fuzz-report.js';
import { terminalLine } from '../escape.js';
import type { TextReporter } from '../registry.js';

function short(e: Event | undefined): string {
  if (e === undefined) return '';
  const t = JSON.stringify(e);
  return t.length > 300 ? `${t.slice(0, 299)}…` : t;
}

/** The text (terminal-safe: control characters and line breaks in rule or event text are shown escaped). */
export function formatFuzzText(r: FuzzReport): string {
  const lines: string[] = [];
  for (const rule of r.rules) {
    const mark = rule.status === 'pass' ? 'ok  ' : rule.status === 'fail' ? 'FAIL' : 'skip';
    lines.push(`${mark} ${rule.path}  (${rule.witnesses} witnesses${rule.reason ? `; ${rule.reason}` : ''})`);
    for (const f of rule.findings) {
      const at = f.line !== undefined ? `${f.file ?? rule.path}:${f.line}:${f.column ?? 1}: ` : '';
      if (f.suppressed !== undefined) {
        lines.push(`     suppressed ${f.code}: ${at}${f.suppressed}`);
        continue;
      }
      lines.push(`     ${f.severity} ${f.code}: ${at}${f.message}`);
      if (f.event !== undefined) lines.push(`       example: ${short(f.event)}`);
      lines.push(`       replay: --seed ${f.seed}${f.path ? ` (path ${f.path})` : ''}`);
    }
  }
  const s = r.summary;
  const codes = Object.entries(s.findings)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  lines.push(
    '',
    `fuzz: ${s.rules} rules, ${s.passed} passed, ${s.failed} failed, ${s.unsupported} unsupported; witnesses synthesised for ${s.synthesised}/${s.rules} rules (${s.rules ? ((100 * s.synthesised) / s.rules).toFixed(1) : '0'}%)`,
    `fuzz: ${s.errors} errors, ${s.warnings} warnings, ${s.infos} info${codes ? ` (${codes})` : ''}${s.suppressed > 0 ? `; ${s.suppressed} suppressed` : ''}; ${s.runs} runs per rule, seed ${s.seed}, ${s.seconds.toFixed(1)} s`,
  );
  return `${lines.map(terminalLine).join('\n')}\n`;
}

export const fuzzTextReporter: TextReporter<FuzzReport> = {
  name: 'text',
  help: 'readable: a line per rule, each finding with an example event and the seed that replays it',
  output: 'text',
  render: formatFuzzText,
};
