/**
 * The mutate JSON reporter: `{"rules": [{"id", "title", "path", "caseFiles", "score", "killed",
 * "survived", "equivalent", "ok", "mutants": [{"operator", "path", "line", "description", "diff",
 * "status", "killedBy", "killer"}]}], "summary": {...}, "diagnostics": [...]}`.
 */
import type { MutationReport } from '../../mutate/mutation-report.js';
import type { TextReporter } from '../registry.js';

export function formatMutationJson(r: MutationReport): string {
  const diagnostics = r.diagnostics.map((d) => ({ code: d.code, severity: d.severity, file: d.file ?? null, line: d.pos?.line ?? null, column: d.pos?.column ?? null, message: d.message }));
  return `${JSON.stringify({ rules: r.rules, summary: r.summary, diagnostics }, null, 2)}\n`;
}

export const mutationJsonReporter: TextReporter<MutationReport> = {
  name: 'json',
  help: 'one document: per rule its score and mutants (operator, path, line, diff, status, killedBy, killer), and the summary',
  output: 'text',
  render: formatMutationJson,
};
