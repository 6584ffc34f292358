/**
 * The mutate HTML reporter: one self-contained page (the HTML report's style, no script): the
 * overall score, then per rule its score and every mutant with its diff, who killed it, or the
 * event that would (the same table as the mutation section of `run --reporter html --mutation`).
 */
import type { MutationReport } from '../../mutate/mutation-report.js';
import type { TextReporter } from '../registry.js';
import { html } from '../html/html.js';
import { badge, mutantsTable, page, plural, table } from '../html/parts.js';

const score = (s: number | null): string => (s === null ? 'n/a' : `${s}%`);

export function formatMutationHtml(r: MutationReport): string {
  const s = r.summary;
  const overview = table(
    ['Rule', 'Score', 'Killed', 'Survived', 'Equivalent?'],
    r.rules.map((rule, i) => [html`<a href="#rule-${i + 1}">${rule.title}</a><div class="small muted">${rule.path}</div>`, html`${score(rule.score)} ${rule.ok ? null : badge('below', 'fail')}`, rule.killed, rule.survived, rule.equivalent]),
    { numeric: [2, 3, 4] },
  );
  const rules = r.rules.map(
    (rule, i) => html`<section id="rule-${i + 1}">
<h2>${rule.title}</h2>
<p><code>${rule.path}</code>${rule.caseFiles.length === 0 ? null : html` <span class="muted">cases: ${rule.caseFiles.join(', ')}</span>`}</p>
<p>Score ${score(rule.score)}: ${rule.killed} killed, ${rule.survived} survived, ${rule.equivalent} equivalent?</p>
${mutantsTable(rule.path, rule.mutants)}
</section>
`,
  );
  const problems = r.diagnostics.length === 0 ? null : html`<section id="problems"><h2>Problems</h2><ul>${r.diagnostics.map((d) => html`<li><code>${d.code}</code> ${d.file ?? ''}${d.pos === undefined ? '' : `:${d.pos.line}:${d.pos.column}`}: ${d.message}</li>`)}</ul></section>`;
  const body = html`<h1>sigmatest mutate</h1>
<p>Score ${score(s.score)} over ${plural(s.rules, 'rule')}: ${plural(s.mutants, 'mutant')}, ${s.killed} killed, ${s.survived} survived, ${s.equivalent} equivalent? (score = killed / (mutants − equivalent)). A mutant is a small, plausible change of a rule; a case or property that changes outcome kills it; a survivor comes with an event on which the rule and the mutant disagree.</p>
${overview}
${rules}${problems}`;
  return page('sigmatest mutate', body);
}

export const mutationHtmlReporter: TextReporter<MutationReport> = {
  name: 'html',
  help: 'one self-contained HTML page: the score per rule and every mutant with its diff, killer cases or killer event',
  output: 'text',
  render: formatMutationHtml,
};
