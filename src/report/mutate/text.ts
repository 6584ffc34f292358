/**
 * The mutate text reporter: per rule its score, then every mutant: status, operator, where, what
 * changed (as a YAML diff of its rule file line), the cases and properties that killed it, or the
 * event that would (with the original rule's verdict); the summary last.
 */
import type { MutationReport } from '../../mutate/mutation-report.js';
import { terminalLine } from '../escape.js';
import type { TextReporter } from '../registry.js';

function pct(score: number | null): string {
  return score === null ? 'n/a' : `${score}%`;
}

function short(e: unknown): string {
  const t = JSON.stringify(e);
  return t.length > 400 ? `${t.slice(0, 399)}…` : t;
}

const MARK = { killed: '✓', survived: '✗', equivalent: '=' } as const;

export function formatMutationText(r: MutationReport): string {
  const lines: string[] = [];
  for (const rule of r.rules) {
    lines.push(`${rule.ok ? '' : 'FAIL '}${rule.title}  (${rule.path})  mutation score ${pct(rule.score)}: ${rule.killed} killed, ${rule.survived} survived, ${rule.equivalent} equivalent?`);
    for (const m of rule.mutants) {
      lines.push(`  ${MARK[m.status]} ${m.status.padEnd(10)} ${m.operator} ${m.path} (${rule.path}:${m.line}): ${m.description}`);
      for (const l of m.diff.removed) lines.push(`      - ${l}`);
      for (const l of m.diff.added) lines.push(`      + ${l}`);
      if (m.killedBy.length > 0) lines.push(`      killed by: ${m.killedBy.join('; ')}`);
      if (m.killer !== null) lines.push(`      killer (the rule says ${m.killer.verdict}, the mutant does not): ${short(m.killer.event)}`);
      if (m.status === 'equivalent') lines.push('      no event found on which the mutant and the rule disagree (excluded from the score)');
    }
  }
  for (const d of r.diagnostics) lines.push(`${d.severity} ${d.code}: ${d.file ?? ''}${d.pos ? `:${d.pos.line}:${d.pos.column}` : ''}: ${d.message}`);
  const s = r.summary;
  lines.push(
    '',
    `mutate: ${s.rules} rule${s.rules === 1 ? '' : 's'}, ${s.mutants} mutants: ${s.killed} killed, ${s.survived} survived, ${s.equivalent} equivalent?; mutation score ${pct(s.score)}${s.minScore !== null ? ` (min ${s.minScore}%: ${r.rules.filter((x) => !x.ok).length} below)` : ''}`,
  );
  return `${lines.map(terminalLine).join('\n')}\n`;
}

export const mutationTextReporter: TextReporter<MutationReport> = {
  name: 'text',
  help: 'readable: per rule its score and every mutant with its diff, the cases that killed it or the event that would',
  output: 'text',
  render: formatMutationText,
};
