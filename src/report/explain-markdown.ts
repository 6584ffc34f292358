/**
 * Markdown (GitHub flavour) rendering of a rule page, section by section like the catalog page:
 * title, description, MITRE ATT&CK coverage, event coverage, rule body, stages and predicates,
 * exclusions, indicators. Tables are proper pipe tables; YAML is in fenced `yaml` blocks.
 *
 * Rule values are shown in code spans, so backslashes, `*` and `_` stay literal (Windows paths,
 * wildcards); a `|` is escaped for the table, a line break shown as ⏎, an empty string as
 * *(empty string)*. Indicators are one row per value, with the corpus count of that value
 * (blank without a catalog).
 */
import type { RulePage } from '../explain/rule-page.js';
import { kindLabel } from '../explain/indicators.js';

/** Escapes free text for inline Markdown (Markdown syntax characters become literal). */
export function escapeInline(text: string): string {
  return text
    .replace(/\\(?=[!-/:-@[-`{-~])/g, '\\\\')
    .replace(/[`*[\]<>|]/g, '\\$&')
    .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (m) => m.replace('_', '\\_'));
}

/** A table cell of free text: escaped, on one line. */
function cell(text: string): string {
  return escapeInline(text.replace(/\r?\n/g, ' '));
}

/** A rule value as a code span for a table cell. */
export function codeCell(value: string): string {
  if (value === '') return '*(empty string)*';
  const v = value.replace(/\r?\n/g, '⏎').replace(/\|/g, '\\|');
  const run = Math.max(0, ...[...v.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(run + 1);
  const pad = run > 0 || v.startsWith(' ') || v.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${v}${pad}${fence}`;
}

/** A fenced code block that cannot be closed early by the text it holds. */
function fenced(text: string, lang = ''): string {
  const run = Math.max(0, ...[...text.matchAll(/^ {0,3}(`{3,})/gm)].map((m) => m[1]?.length ?? 0));
  const fence = '`'.repeat(Math.max(3, run + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function fieldCell(field: string | null): string {
  return field === null ? '*(keyword)*' : cell(field);
}

/** Renders a rule page as Markdown (ends with a line break). */
export function renderMarkdown(page: RulePage): string {
  const out: string[] = ['Detection rules › Sigma', `# ${cell(page.title)}`];
  if (page.description !== null && page.description.trim() !== '') out.push(escapeInline(page.description.trim()));
  for (const n of page.notes) out.push(`> **Note:** ${cell(n)}`);

  out.push('## MITRE ATT&CK coverage');
  if (page.attack.length === 0) out.push('No ATT&CK tactic or technique tags.');
  else {
    out.push(
      table(
        ['Tactic', 'Techniques'],
        page.attack.map((r) => [
          r.tactic === null ? '*(no tactic tag)*' : `${cell(r.tactic.name)}${r.tagged ? '' : ' *(from ATT&CK, not tagged)*'}`,
          r.techniques.map((t) => cell(t.name === undefined ? t.id : `${t.id} ${t.name}`)).join('<br>'),
        ]),
      ),
    );
  }
  const named = (label: string, refs: RulePage['groups']): void => {
    if (refs.length > 0) out.push(`${label}: ${refs.map((g) => cell(g.name === undefined ? g.id : `${g.id} ${g.name}`)).join(', ')}`);
  };
  named('Groups', page.groups);
  named('Software', page.software);
  if (page.otherTags.length > 0) out.push(`Other tags: ${page.otherTags.map(codeCell).join(', ')}`);

  out.push('## Event coverage');
  if (page.events.length === 0) {
    const ls = Object.entries(page.logsource).map(([k, v]) => `${k}: ${v}`).join(', ');
    out.push(`No mapped events for this logsource (${cell(ls)}); the rule is run against every event.`);
  } else {
    out.push(table(['Provider', 'Event', 'Title'], page.events.map((e) => [cell(e.provider), `Event ID ${e.eventId}`, cell(e.title)])));
  }

  out.push('## Rule body', fenced(page.body, 'yaml'));

  out.push('## Stages and Predicates');
  for (const s of page.stages) {
    out.push(`### Stage ${s.index}: ${cell(s.label)}`, fenced(s.text, s.index === 0 ? '' : 'yaml'));
  }

  out.push('## Exclusions', 'Top-level NOT(...) conjuncts: predicates this rule actively suppresses.');
  if (page.exclusions.length === 0) out.push('None: the condition has no top-level `not`.');
  else {
    out.push(
      table(
        ['Field', 'Kind', 'Excluded values'],
        page.exclusions.map((e) => [fieldCell(e.field), kindLabel(e.kind, e.negated), e.values.map(codeCell).join('<br>')]),
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
    g.values.map((v) => [fieldCell(g.field), kindLabel(g.kind, g.negated), codeCell(v.value), v.corpus === null ? '' : String(v.corpus)]),
  );
  if (rows.length === 0) out.push('None.');
  else out.push(table(['Field', 'Kind', 'Values', 'Corpus'], rows));
  return `${out.join('\n\n')}\n`;
}
