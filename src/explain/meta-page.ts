/**
 * The pages of correlation rules and Sigma filters (`sigmatest explain`), as plain JSON-able
 * values like the detection rule page (rule-page.ts): for a correlation, the rules it refers to
 * (resolved: detection rules, inner correlations), its grouping (group-by names and, through
 * aliases, the field each rule's events give), its window (timespan, how alerts are decided) and
 * its condition; for a filter, its logsource, the rules it names (applied or why not) and the
 * stage it becomes in each. Renderers only format these values.
 */
import { readFileSync } from 'node:fs';
import { parseYaml } from '../yaml/yaml-tree.js';
import type { YDocument } from '../yaml/yaml-tree.js';
import type { SigmaRule } from '../rules/load-rule.js';
import type { CorrelationRule, SigmaFilter } from '../correlation/documents.js';
import { metaLabel } from '../correlation/documents.js';
import { conditionText, conditionWords, windowMode } from '../correlation/condition.js';
import { formatDuration } from '../correlation/timespan.js';
import { logsourceFits } from '../correlation/rule-set.js';
import type { FullRuleSet } from '../correlation/rule-set.js';
import { isUuid } from '../rules/uuid.js';
import { documentText, identifierText } from './source-text.js';
import type { RulePage } from './rule-page.js';

/** A rule a correlation refers to, resolved. */
export interface RelatedRule {
  /** The reference as written (id or name). */
  ref: string;
  kind: 'detection' | 'correlation' | 'unresolved';
  title: string | null;
  id: string | null;
  file: string | null;
  /** detection rules: their logsource; correlations: their type. */
  logsource?: { category?: string; product?: string; service?: string };
  type?: string;
  /** Its own matches or alerts are reported (no correlation refers to it without `generate: true`). */
  reported: boolean;
}

/** One group-by name: a field, or an alias with the field of each rule's events. */
export interface GroupingRow {
  name: string;
  alias: boolean;
  /** The field each referred rule's events give for it (the name itself when it is no alias). */
  fields: Array<{ rule: string; field: string }>;
}

/** The page of a correlation rule. JSON output is this value as is. */
export interface CorrelationPage {
  kind: 'correlation';
  id: string | null;
  name: string | null;
  title: string;
  description: string | null;
  file: string;
  document: number;
  status: string | null;
  level: string | null;
  tags: string[];
  type: string;
  /** What the correlation counts, in words. */
  counts: string;
  rules: RelatedRule[];
  grouping: GroupingRow[];
  window: { timespan: string; ms: number; duration: string; decided: 'sliding' | 'closing'; explanation: string };
  condition: { text: string; words: string; field: string[] | null; percentile: number | null; defaulted: boolean };
  /** `generate: true`: the referred rules report their own matches too. */
  generate: boolean;
  /** Correlations that refer to this one (a chain). */
  referredBy: string[];
  /** Reported on its own (false when another correlation refers to it without `generate: true`). */
  reported: boolean;
  body: string;
  notes: string[];
}

/** A rule a filter names: whether the filter applies to it, and the stage it becomes there. */
export interface FilterTarget {
  ref: string;
  title: string | null;
  id: string | null;
  file: string | null;
  applied: boolean;
  /** Why not, when not applied. */
  reason?: string;
  /** The stages the filter became in the rule (`not <stage>` in its condition). */
  stages: string[];
}

/** The page of a Sigma filter. JSON output is this value as is. */
export interface FilterPage {
  kind: 'filter';
  id: string | null;
  name: string | null;
  title: string;
  description: string | null;
  file: string;
  document: number;
  logsource: { category?: string; product?: string; service?: string };
  /** `any`: every loaded rule of the logsource (pySigma's `rules: any`, or an empty list). */
  scope: 'named' | 'any';
  targets: FilterTarget[];
  condition: string;
  /** The filter's search identifiers as written. */
  selections: Array<{ name: string; text: string }>;
  body: string;
  notes: string[];
}

const COUNTS: Record<CorrelationRule['type'], (c: CorrelationRule) => string> = {
  event_count: () => 'the events of the referred rules, per group',
  value_count: (c) => `the distinct values of ${c.condition.field?.join(' + ') ?? ''} in those events, per group`,
  temporal: (c) => `how many of the ${c.rules.length} referred rules matched, in any order, per group`,
  temporal_ordered: (c) => `how many of the ${c.rules.length} referred rules matched in the order listed, per group`,
  value_sum: (c) => `the sum of ${c.condition.field?.[0] ?? ''} over those events, per group`,
  value_avg: (c) => `the average of ${c.condition.field?.[0] ?? ''} over those events, per group`,
  value_percentile: (c) => `the ${c.condition.percentile ?? 50}th percentile of ${c.condition.field?.[0] ?? ''} over those events, per group`,
};

function docOf(source: string, file: string, document: number): YDocument | undefined {
  return parseYaml(source, file).documents[document];
}

function logsourceOf(r: SigmaRule): { category?: string; product?: string; service?: string } {
  const out: { category?: string; product?: string; service?: string } = {};
  for (const k of ['category', 'product', 'service'] as const) if (r.logsource[k] !== undefined) out[k] = r.logsource[k];
  return out;
}

/** Builds the page of a correlation of `set` (its file's text in `source`, read when absent). */
export function buildCorrelationPage(c: CorrelationRule, set: FullRuleSet, source?: string): CorrelationPage {
  const text = source ?? readFileSync(c.file, 'utf8');
  const doc = docOf(text, c.file, c.document);
  const resolved = set.graph.correlations.find((r) => r.rule === c);
  const notes: string[] = [];
  if (resolved === undefined) notes.push('the correlation cannot be evaluated (see its errors): references are shown as written');
  const rules: RelatedRule[] = c.rules.map((ref) => {
    const input = resolved?.inputs.find((i) => i.ref.ref === ref.ref);
    if (input === undefined) return { ref: ref.ref, kind: 'unresolved', title: null, id: null, file: null, reported: false };
    const t = input.target;
    const row: RelatedRule = { ref: ref.ref, kind: t.kind, title: t.rule.title, id: t.rule.id ?? null, file: t.rule.file, reported: !set.graph.silenced.has(t.rule) };
    if (t.kind === 'detection') row.logsource = logsourceOf(t.rule);
    else row.type = t.rule.type;
    return row;
  });
  const grouping: GroupingRow[] = c.groupBy.map((name, k) => {
    const alias = c.aliases.some((a) => a.alias === name);
    return { name, alias, fields: (resolved?.inputs ?? []).map((i) => ({ rule: i.label, field: i.groupFields[k] ?? name })) };
  });
  if (c.groupBy.length === 0) notes.push('no group-by: every event falls into one group');
  const decided = windowMode(c.type, c.condition);
  const duration = formatDuration(c.timespan.ms);
  const explanation =
    decided === 'sliding'
      ? `a sliding window of ${duration} ending at each event (both ends inclusive): the alert comes with the event that meets the condition, and the group starts again empty`
      : `a window opens at a group's first event and lasts ${duration} (inclusive); it is evaluated once when it closes, and the group's next event opens the next one`;
  const referredBy = set.graph.correlations.filter((r) => r.inputs.some((i) => i.target.rule === c)).map((r) => metaLabel(r.rule));
  return {
    kind: 'correlation',
    id: c.id ?? null,
    name: c.name ?? null,
    title: c.title,
    description: c.description ?? null,
    file: c.file,
    document: c.document,
    status: c.status ?? null,
    level: c.level ?? null,
    tags: c.tags,
    type: c.type,
    counts: COUNTS[c.type](c),
    rules,
    grouping,
    window: { timespan: c.timespan.text, ms: c.timespan.ms, duration, decided, explanation },
    condition: {
      text: c.condition.defaulted ? `gte ${c.rules.length} (default: every referred rule)` : conditionText(c.condition),
      words: c.condition.defaulted ? `every one of the ${c.rules.length} referred rules${c.type === 'temporal_ordered' ? ', in order' : ''}` : conditionWords(c.condition),
      field: c.condition.field ?? null,
      percentile: c.condition.percentile ?? null,
      defaulted: c.condition.defaulted,
    },
    generate: c.generate,
    referredBy,
    reported: !set.graph.silenced.has(c),
    body: doc === undefined ? '' : documentText(text, doc),
    notes,
  };
}

/** Builds the page of a filter of `set` (its file's text in `source`, read when absent). */
export function buildFilterPage(f: SigmaFilter, set: FullRuleSet, source?: string): FilterPage {
  const text = source ?? readFileSync(f.file, 'utf8');
  const doc = docOf(text, f.file, f.document);
  const stagesIn = (r: SigmaRule): string[] => r.plan.identifiers.filter((i) => i.filter !== undefined && i.filter.file === f.file && i.filter.document === f.document).map((i) => i.name);
  const targetOf = (ref: string, r: SigmaRule | undefined): FilterTarget => {
    if (r === undefined) return { ref, title: null, id: null, file: null, applied: false, reason: 'no loaded rule has this id or name', stages: [] };
    const stages = stagesIn(r);
    const t: FilterTarget = { ref, title: r.title, id: r.id ?? null, file: r.file, applied: stages.length > 0, stages };
    if (stages.length === 0) t.reason = logsourceFits(f.logsource, r.logsource) ? 'not applied' : `its logsource ${JSON.stringify(logsourceOf(r))} is not the filter's`;
    return t;
  };
  const targets: FilterTarget[] =
    f.rules === 'any'
      ? set.rules.filter((r) => stagesIn(r).length > 0).map((r) => targetOf(r.id ?? r.name ?? r.title, r))
      : f.rules.flatMap((ref) => {
          const key = ref.ref.toLowerCase();
          const hits = set.rules.filter((r) => (isUuid(ref.ref) ? r.id?.toLowerCase() === key : r.name === ref.ref || r.id === ref.ref));
          return hits.length === 0 ? [targetOf(ref.ref, undefined)] : hits.map((r) => targetOf(ref.ref, r));
        });
  const logsource: FilterPage['logsource'] = {};
  for (const k of ['category', 'product', 'service'] as const) if (f.logsource[k] !== undefined) logsource[k] = f.logsource[k];
  const notes: string[] = [];
  if (!/(^|[\s(])not(?=[\s(])/.test(f.plan.conditionText)) notes.push("the condition has no 'not': ANDed to each rule's condition (pySigma), it keeps only the events it selects");
  return {
    kind: 'filter',
    id: f.id ?? null,
    name: f.name ?? null,
    title: f.title,
    description: f.description ?? null,
    file: f.file,
    document: f.document,
    logsource,
    scope: f.rules === 'any' ? 'any' : 'named',
    targets,
    condition: f.plan.conditionText,
    selections: f.plan.identifiers.map((i) => ({ name: i.name, text: (doc === undefined ? undefined : identifierText(text, doc, i.name, 'filter')) ?? `${i.name}:` })),
    body: doc === undefined ? '' : documentText(text, doc),
    notes,
  };
}

/** A page of `sigmatest explain`: a detection rule's (no `kind`), a correlation's or a filter's. */
export type ExplainPage = RulePage | CorrelationPage | FilterPage;
