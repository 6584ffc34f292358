/**
 * The explain Markdown reporter: a rule page in Markdown (GitHub flavour), section by section like the catalog page:
 * title, description, MITRE ATT&CK coverage, event coverage, rule body, stages and predicates,
 * exclusions, indicators. Tables are proper pipe tables; YAML is in fenced `yaml` blocks.
 *
 * Rule values are shown in code spans, so backslashes, `*` and `_` stay literal (Windows paths,
 * wildcards); a `|` is escaped for the table, a line break shown as ⏎, an empty string as
 * *(empty string)*. Indicators are one row per value, with the corpus count of that value
 * (blank without a catalog).
 */
import type { RulePage } from '../../explain/rule-page.js';
import type { CorrelationPage, ExplainPage, FilterPage } from '../../explain/meta-page.js';
import { kindText } from '../../explain/indicators.js';
import { markdownCell, markdownCodeCell, markdownFence, markdownText } from '../escape.js';
import type { TextReporter } from '../registry.js';

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function fieldCell(field: string | null): string {
  return field === null ? '*(keyword)*' : markdownCell(field);
}

/** Renders a rule page as Markdown (ends with a line break). */
export function renderRulePageMarkdown(page: RulePage): string {
  const out: string[] = ['Detection rules › Sigma', `# ${markdownCell(page.title)}`];
  if (page.description !== null && page.description.trim() !== '') out.push(markdownText(page.description.trim()));
  for (const n of page.notes) out.push(`> **Note:** ${markdownCell(n)}`);

  out.push('## MITRE ATT&CK coverage');
  if (page.attack.length === 0) out.push('No ATT&CK tactic or technique tags.');
  else {
    out.push(
      table(
        ['Tactic', 'Techniques'],
        page.attack.map((r) => [
          r.tactic === null ? '*(no tactic tag)*' : `${markdownCell(r.tactic.name)}${r.tagged ? '' : ' *(from ATT&CK, not tagged)*'}`,
          r.techniques.map((t) => markdownCell(t.name === undefined ? t.id : `${t.id} ${t.name}`)).join('<br>'),
        ]),
      ),
    );
  }
  const named = (label: string, refs: RulePage['groups']): void => {
    if (refs.length > 0) out.push(`${label}: ${refs.map((g) => markdownCell(g.name === undefined ? g.id : `${g.id} ${g.name}`)).join(', ')}`);
  };
  named('Groups', page.groups);
  named('Software', page.software);
  if (page.otherTags.length > 0) out.push(`Other tags: ${page.otherTags.map(markdownCodeCell).join(', ')}`);

  if (page.pipeline !== undefined) {
    const p = page.pipeline;
    out.push('## Processing pipeline');
    out.push(`Loaded through ${p.names.map(markdownCodeCell).join(', ')}: the stages, exclusions and indicators below name the fields the rule reads after it.`);
    if (p.writtenLogsource !== undefined) {
      const ls = (x: RulePage['logsource']): string => Object.entries(x).map(([k, v]) => `${k}: ${v}`).join(', ');
      out.push(`Logsource changed from ${markdownCell(ls(p.writtenLogsource))} to ${markdownCell(ls(page.logsource))}.`);
    }
    if (p.fields.length > 0) out.push(table(['Rule field', 'Event field'], p.fields.map((f) => [markdownCell(f.rule), f.mapped.map(markdownCell).join(' or ')])));
  }

  out.push('## Event coverage');
  if (page.events.length === 0) {
    const ls = Object.entries(page.logsource).map(([k, v]) => `${k}: ${v}`).join(', ');
    out.push(`No mapped events for this logsource (${markdownCell(ls)}); the rule is run against every event.`);
  } else {
    out.push(table(['Provider', 'Event', 'Title'], page.events.map((e) => [markdownCell(e.provider), `Event ID ${e.eventId}`, markdownCell(e.title)])));
  }

  out.push('## Rule body', markdownFence(page.body, 'yaml'));

  out.push('## Stages and Predicates');
  for (const s of page.stages) {
    out.push(`### Stage ${s.index}: ${markdownCell(s.label)}`, markdownFence(s.text, s.index === 0 ? '' : 'yaml'));
  }

  out.push('## Exclusions', 'Top-level NOT(...) conjuncts: predicates this rule actively suppresses.');
  if (page.exclusions.length === 0) out.push('None: the condition has no top-level `not`.');
  else {
    out.push(
      table(
        ['Field', 'Kind', 'Excluded values'],
        page.exclusions.map((e) => [fieldCell(e.field), kindText(e.kind, e.negated, e.shapes), e.values.map(markdownCodeCell).join('<br>')]),
      ),
    );
  }

  out.push(
    '## Indicators',
    'Each row is a field, operator, and value that the rule matches. The corpus column counts how many other rules in the catalog ' +
      'look for the same combination: high numbers point to widely-used, community-vetted indicators. Blank or 1 shows that the ' +
      'indicator is specific to this rule.',
  );
  if (page.catalog !== null) {
    out.push(`Catalog: ${page.catalog.rules} rules${page.catalog.partial > 0 ? ` (${page.catalog.partial} with load errors, counted from what could be read)` : ''}.`);
  }
  const rows = page.indicators.flatMap((g) =>
    g.values.map((v) => [fieldCell(g.field), kindText(g.kind, g.negated, v.shapes), markdownCodeCell(v.value), v.corpus === null ? '' : String(v.corpus)]),
  );
  if (rows.length === 0) out.push('None.');
  else out.push(table(['Field', 'Kind', 'Values', 'Corpus'], rows));
  return `${out.join('\n\n')}\n`;
}

function logsourceText(ls: { category?: string; product?: string; service?: string }): string {
  return Object.entries(ls).map(([k, v]) => `${k}: ${v}`).join(', ');
}

/** Renders a correlation's page as Markdown: related rules, grouping, window, condition. */
export function renderCorrelationPageMarkdown(page: CorrelationPage): string {
  const out: string[] = ['Correlation rules › Sigma', `# ${markdownCell(page.title)}`];
  if (page.description !== null && page.description.trim() !== '') out.push(markdownText(page.description.trim()));
  for (const n of page.notes) out.push(`> **Note:** ${markdownCell(n)}`);
  out.push(
    table(
      ['Type', 'Counts', 'Reported'],
      [[markdownCodeCell(page.type), markdownCell(page.counts), page.reported ? 'yes' : `no: ${markdownCell(`referred to by ${page.referredBy.join(', ')} without generate: true`)}`]],
    ),
  );
  out.push('## Related rules');
  out.push(
    table(
      ['Reference', 'Rule', 'Kind', 'Logsource or type', 'Own alerts'],
      page.rules.map((r) => [
        markdownCodeCell(r.ref),
        r.title === null ? '*(not found)*' : `${markdownCell(r.title)}${r.file === null ? '' : ` (${markdownCodeCell(r.file)})`}`,
        r.kind,
        r.logsource !== undefined ? markdownCell(logsourceText(r.logsource)) : r.type !== undefined ? markdownCodeCell(r.type) : '',
        r.kind === 'unresolved' ? '' : r.reported ? 'reported' : 'only counted here',
      ]),
    ),
  );
  out.push(page.generate ? 'With `generate: true` the rules it refers to report their own matches too.' : 'Without `generate: true` the rules it refers to report no matches of their own: they only feed this correlation.');
  out.push('## Grouping');
  if (page.grouping.length === 0) out.push('No group-by: every event falls into one group.');
  else {
    out.push(
      table(
        ['Group-by', 'Alias', 'Field in the events of each rule'],
        page.grouping.map((g) => [markdownCodeCell(g.name), g.alias ? 'yes' : 'no', g.fields.map((f) => `${markdownCell(f.rule)}: ${markdownCodeCell(f.field)}`).join('<br>')]),
      ),
    );
  }
  out.push('## Window', `Timespan ${markdownCodeCell(page.window.timespan)} (${markdownCell(page.window.duration)}): ${markdownCell(page.window.explanation)}.`);
  out.push('## Condition', `${markdownCodeCell(page.condition.text)}: ${markdownCell(page.condition.words)}${page.condition.field === null ? '' : ` of ${page.condition.field.map(markdownCodeCell).join(' + ')}`}${page.condition.percentile === null ? '' : `, percentile ${page.condition.percentile}`}.`);
  if (page.referredBy.length > 0) out.push(`Referred to by: ${page.referredBy.map(markdownCodeCell).join(', ')}.`);
  out.push('## Rule body', markdownFence(page.body, 'yaml'));
  return `${out.join('\n\n')}\n`;
}

/** Renders a filter's page as Markdown: logsource, the rules it applies to, its selections. */
export function renderFilterPageMarkdown(page: FilterPage): string {
  const out: string[] = ['Filters › Sigma', `# ${markdownCell(page.title)}`];
  if (page.description !== null && page.description.trim() !== '') out.push(markdownText(page.description.trim()));
  for (const n of page.notes) out.push(`> **Note:** ${markdownCell(n)}`);
  out.push(`Logsource: ${markdownCell(logsourceText(page.logsource))}. Condition: ${markdownCodeCell(page.condition)}, ANDed to the condition of each rule it applies to.`);
  out.push('## Rules', page.scope === 'any' ? 'Every loaded rule of the logsource (`rules: any`).' : 'The rules it names.');
  if (page.targets.length === 0) out.push('None loaded.');
  else {
    out.push(
      table(
        ['Reference', 'Rule', 'Applied', 'Stage in the rule'],
        page.targets.map((t) => [
          markdownCodeCell(t.ref),
          t.title === null ? '*(not found)*' : `${markdownCell(t.title)}${t.file === null ? '' : ` (${markdownCodeCell(t.file)})`}`,
          t.applied ? 'yes' : `no: ${markdownCell(t.reason ?? '')}`,
          t.stages.map(markdownCodeCell).join(', '),
        ]),
      ),
    );
  }
  out.push('## Selections');
  for (const s of page.selections) out.push(markdownFence(s.text, 'yaml'));
  out.push('## Filter body', markdownFence(page.body, 'yaml'));
  return `${out.join('\n\n')}\n`;
}

/** Any explain page as Markdown. */
export function renderExplainPageMarkdown(page: ExplainPage): string {
  if ('kind' in page) return page.kind === 'correlation' ? renderCorrelationPageMarkdown(page) : renderFilterPageMarkdown(page);
  return renderRulePageMarkdown(page);
}

/** Several pages (a file with several rules, correlations or filters) are separated by a rule. */
export function formatExplainMarkdown(pages: readonly ExplainPage[]): string {
  return pages.map(renderExplainPageMarkdown).join('\n---\n\n');
}

export const explainMarkdownReporter: TextReporter<readonly ExplainPage[]> = {
  name: 'markdown',
  help: 'the rule, correlation or filter page in GitHub-flavoured Markdown (pipe tables, fenced YAML)',
  output: 'text',
  render: formatExplainMarkdown,
};
