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
import { kindLabel } from '../../explain/indicators.js';
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
        page.exclusions.map((e) => [fieldCell(e.field), kindLabel(e.kind, e.negated), e.values.map(markdownCodeCell).join('<br>')]),
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
    g.values.map((v) => [fieldCell(g.field), kindLabel(g.kind, g.negated), markdownCodeCell(v.value), v.corpus === null ? '' : String(v.corpus)]),
  );
  if (rows.length === 0) out.push('None.');
  else out.push(table(['Field', 'Kind', 'Values', 'Corpus'], rows));
  return `${out.join('\n\n')}\n`;
}

/** Several pages (a file with several detection rules) are separated by a rule. */
export function formatExplainMarkdown(pages: readonly RulePage[]): string {
  return pages.map(renderRulePageMarkdown).join('\n---\n\n');
}

export const explainMarkdownReporter: TextReporter<readonly RulePage[]> = {
  name: 'markdown',
  help: 'the rule page in GitHub-flavoured Markdown (pipe tables, fenced YAML)',
  output: 'text',
  render: formatExplainMarkdown,
};
