/**
 * The explain HTML reporter: the pages of a file (detection rules, correlations, filters) as one
 * self-contained HTML document, in the style of the HTML report (works from `file://`, no
 * network, no script). Every rule, event and file text goes through the `html` template's
 * escaping (../html/html.ts): a title or value is text, never markup.
 */
import type { ExplainPage, CorrelationPage, FilterPage } from '../../explain/meta-page.js';
import type { RulePage } from '../../explain/rule-page.js';
import { kindText } from '../../explain/indicators.js';
import { html } from '../html/html.js';
import type { Html } from '../html/html.js';
import { page as pageShell, table } from '../html/parts.js';
import type { TextReporter } from '../registry.js';

const code = (t: string): Html => html`<code>${t}</code>`;
const yamlBlock = (t: string): Html => html`<pre><code>${t}</code></pre>`;
const logsourceText = (ls: { category?: string; product?: string; service?: string }): string =>
  Object.entries(ls)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');

function rulePage(p: RulePage): Html {
  return html`<section class="page">
<p class="crumbs">Detection rules › Sigma</p>
<h1>${p.title}</h1>
${p.description === null ? null : html`<p>${p.description}</p>`}
${p.notes.map((n) => html`<p class="note">${n}</p>`)}
<p>${code(p.file)}${p.id === null ? null : html` · ${code(p.id)}`}${p.level === null ? null : html` · level ${p.level}`} · logsource ${logsourceText(p.logsource)}</p>
<h2>Rule body</h2>
${yamlBlock(p.body)}
<h2>Stages and predicates</h2>
${p.stages.map((s) => html`<h3>Stage ${s.index}: ${s.label}</h3>${yamlBlock(s.text)}`)}
<h2>Exclusions</h2>
${p.exclusions.length === 0 ? html`<p>None: the condition has no top-level <code>not</code>.</p>` : table(['Field', 'Kind', 'Excluded values'], p.exclusions.map((e) => [e.field ?? '(keyword)', kindText(e.kind, e.negated, e.shapes), e.values.map((v) => html`${code(v)} `)]))}
<h2>Indicators</h2>
${table(['Field', 'Kind', 'Values', 'Corpus'], p.indicators.flatMap((g) => g.values.map((v) => [g.field ?? '(keyword)', kindText(g.kind, g.negated, v.shapes), code(v.value), v.corpus === null ? '' : String(v.corpus)])))}
</section>`;
}

function correlationPage(p: CorrelationPage): Html {
  return html`<section class="page">
<p class="crumbs">Correlation rules › Sigma</p>
<h1>${p.title}</h1>
${p.description === null ? null : html`<p>${p.description}</p>`}
${p.notes.map((n) => html`<p class="note">${n}</p>`)}
<p>${code(p.file)}${p.id === null ? null : html` · ${code(p.id)}`} · ${code(p.type)}: ${p.counts}${p.reported ? null : html` · not reported on its own (referred to by ${p.referredBy.join(', ')})`}</p>
<h2>Related rules</h2>
${table(
  ['Reference', 'Rule', 'Kind', 'Logsource or type', 'Own alerts'],
  p.rules.map((r) => [code(r.ref), r.title === null ? '(not found)' : html`${r.title}${r.file === null ? null : html` (${code(r.file)})`}`, r.kind, r.logsource !== undefined ? logsourceText(r.logsource) : (r.type ?? ''), r.kind === 'unresolved' ? '' : r.reported ? 'reported' : 'only counted here']),
)}
<h2>Grouping</h2>
${p.grouping.length === 0 ? html`<p>No group-by: every event falls into one group.</p>` : table(['Group-by', 'Alias', 'Field in the events of each rule'], p.grouping.map((g) => [code(g.name), g.alias ? 'yes' : 'no', g.fields.map((f) => html`${f.rule}: ${code(f.field)}<br>`)]))}
<h2>Window</h2>
<p>Timespan ${code(p.window.timespan)} (${p.window.duration}): ${p.window.explanation}.</p>
<h2>Condition</h2>
<p>${code(p.condition.text)}: ${p.condition.words}${p.condition.field === null ? null : html` of ${p.condition.field.map((f) => html`${code(f)} `)}`}${p.condition.percentile === null ? null : html`, percentile ${p.condition.percentile}`}.</p>
<h2>Rule body</h2>
${yamlBlock(p.body)}
</section>`;
}

function filterPage(p: FilterPage): Html {
  return html`<section class="page">
<p class="crumbs">Filters › Sigma</p>
<h1>${p.title}</h1>
${p.description === null ? null : html`<p>${p.description}</p>`}
${p.notes.map((n) => html`<p class="note">${n}</p>`)}
<p>${code(p.file)} · logsource ${logsourceText(p.logsource)} · condition ${code(p.condition)}, ANDed to each rule's condition</p>
<h2>Rules</h2>
${table(['Reference', 'Rule', 'Applied', 'Stage in the rule'], p.targets.map((t) => [code(t.ref), t.title === null ? '(not found)' : html`${t.title}${t.file === null ? null : html` (${code(t.file)})`}`, t.applied ? 'yes' : `no: ${t.reason ?? ''}`, t.stages.map((s) => html`${code(s)} `)]))}
<h2>Selections</h2>
${p.selections.map((s) => yamlBlock(s.text))}
<h2>Filter body</h2>
${yamlBlock(p.body)}
</section>`;
}

/** The pages as one HTML document. */
export function formatExplainHtml(pages: readonly ExplainPage[]): string {
  const title = pages.length === 1 ? (pages[0] as ExplainPage).title : `${pages.length} pages`;
  return pageShell(
    title,
    html`${pages.map((p, k) => html`${k > 0 ? html`<hr>` : null}${'kind' in p ? (p.kind === 'correlation' ? correlationPage(p) : filterPage(p)) : rulePage(p)}`)}`,
  );
}

export const explainHtmlReporter: TextReporter<readonly ExplainPage[]> = {
  name: 'html',
  help: 'the pages as one self-contained HTML document (no network, no script)',
  output: 'text',
  render: formatExplainHtml,
};
