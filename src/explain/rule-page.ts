/**
 * The rule page (`sigmatest explain`): everything the catalog page of a Sigma rule shows, as one
 * plain JSON-able value. Title and description, ATT&CK coverage (attack.ts), the events the
 * logsource covers, the rule's YAML text, its stages (condition, then each identifier the
 * condition uses, with the identifier's YAML as written), exclusions and indicators with catalog
 * counts (indicators.ts). Renderers (render-markdown.ts, JSON) only format this value.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseYaml } from '../yaml/yaml-tree.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { builtinMapping, eventCoverage } from '../logsource/logsource.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { attackCoverage } from './attack.js';
import type { AttackBundle, NamedRef, TacticRow } from './attack.js';
import { corpusCount, ruleExclusions, ruleIndicators } from './indicators.js';
import type { CatalogIndex, ExclusionRow, IndicatorKind, MatchShape } from './indicators.js';
import { documentText, identifierText } from './source-text.js';
import type { FilterOrigin } from '../plan/plan.js';

/** One stage: 0 is the condition, then each identifier the condition uses. */
export interface PageStage {
  index: number;
  /** `condition` for stage 0, else the identifier name. */
  name: string;
  /** What the page shows: `condition`, `sel`, or `not filter` for an exclusion. */
  label: string;
  exclusion: boolean;
  /** The condition text (stage 0) or the identifier's YAML as written, starting at column 0. */
  text: string;
}

/** One exclusion row: a detection item of an exclusion identifier (shown as `not <kind>` when negated). */
export type PageExclusion = ExclusionRow;

/** One indicator value and how many other catalog rules share it (null without a catalog). */
export interface PageIndicatorValue {
  value: string;
  corpus: number | null;
  /** The search identifiers this value comes from. */
  identifiers: string[];
  /** Kind `match`: what the value does (`contains`, `startswith`, `endswith`, `wildcard`); else empty. */
  shapes: MatchShape[];
}

/** The indicators of one (field, kind) pair. */
export interface PageIndicator {
  field: string | null;
  kind: IndicatorKind;
  negated: boolean;
  values: PageIndicatorValue[];
  /** The search identifiers the values come from. */
  identifiers: string[];
}

/** One event the rule's logsource covers. */
export interface PageEvent {
  provider: string;
  eventId: number;
  title: string;
  channel?: string;
}

/** The rule page. JSON output is this value as is. */
export interface RulePage {
  id: string | null;
  title: string;
  description: string | null;
  file: string;
  /** 0-based document index in the file. */
  document: number;
  status: string | null;
  level: string | null;
  tags: string[];
  logsource: { category?: string; product?: string; service?: string };
  /** ATT&CK coverage: one row per tactic (matrix order) with the rule's techniques under it. */
  attack: TacticRow[];
  /** ATT&CK groups (`attack.g0016`), named when a bundle knows them. */
  groups: NamedRef[];
  /** ATT&CK software (`attack.s0002`), named when a bundle knows them. */
  software: NamedRef[];
  /** Tags that are no ATT&CK tactic, technique, group or software. */
  otherTags: string[];
  events: PageEvent[];
  /** The rule document's YAML text as in the file. */
  body: string;
  stages: PageStage[];
  exclusions: PageExclusion[];
  indicators: PageIndicator[];
  /** The catalog the corpus counts come from; null when there is none (counts are null). */
  catalog: { rules: number; partial: number } | null;
  /** Remarks for the reader (unknown technique ids, a rule explained despite errors…). */
  notes: string[];
  /**
   * The processing pipelines the rule was loaded through, the fields they renamed (as the rule
   * names them, and the event fields they became) and the logsource as written when they changed
   * it; absent without a pipeline.
   */
  pipeline?: {
    names: string[];
    fields: Array<{ rule: string; mapped: string[] }>;
    writtenLogsource?: { category?: string; product?: string; service?: string };
  };
}

/** Inputs of {@link buildRulePage} besides the rule. */
export interface RulePageOptions {
  /** The rule file's text; read from `rule.file` when absent. */
  source?: string;
  /** Catalog index for corpus counts. */
  catalog?: CatalogIndex;
  /** ATT&CK STIX bundle for technique names and tactic placement. */
  attack?: AttackBundle;
  /** Logsource mapping for event coverage (default: the built-in one). */
  mapping?: LogsourceMapping;
}

/** A filter's identifier as its filter file writes it, under a comment naming the filter. */
function filterStageText(origin: FilterOrigin): string {
  let body: string | undefined;
  try {
    const text = readFileSync(origin.file, 'utf8');
    const doc = parseYaml(text, origin.file).documents[origin.document];
    if (doc !== undefined) body = identifierText(text, doc, origin.identifier, 'filter');
  } catch {
    body = undefined;
  }
  return `# from filter '${origin.title}' (${basename(origin.file)})\n${body ?? `${origin.identifier}:`}`;
}

/** Builds the page of a rule (a loaded rule, or the partial rule of a document with errors). */
export function buildRulePage(rule: SigmaRule, options: RulePageOptions = {}): RulePage {
  const source = options.source ?? readFileSync(rule.file, 'utf8');
  const doc = parseYaml(source, rule.file).documents[rule.document];
  const attack = attackCoverage(rule.tags, options.attack);
  const stages: PageStage[] = rule.plan.stages.map((s) => {
    const origin = rule.plan.identifiers.find((i) => i.name === s.name)?.filter;
    if (origin !== undefined) return { index: s.index, name: s.name, label: s.exclusion ? `not ${s.name}` : s.name, exclusion: s.exclusion, text: filterStageText(origin) };
    const text = s.index === 0 ? rule.plan.conditionText : (doc === undefined ? undefined : identifierText(source, doc, s.name)) ?? `${s.name}:`;
    return { index: s.index, name: s.name, label: s.exclusion ? `not ${s.name}` : s.name, exclusion: s.exclusion, text };
  });
  const catalog = options.catalog;
  const indicators: PageIndicator[] = ruleIndicators(rule).map((g) => ({
    field: g.field,
    kind: g.kind,
    negated: g.negated,
    values: g.values.map((value, k) => ({ value, corpus: catalog === undefined ? null : corpusCount(catalog, rule, g.keys[k] as string), identifiers: g.valueIdentifiers[k] ?? [], shapes: g.valueShapes[k] ?? [] })),
    identifiers: g.identifiers,
  }));
  const exclusions: PageExclusion[] = ruleExclusions(rule).map((r) => ({ ...r }));
  const logsource: RulePage['logsource'] = {};
  for (const k of ['category', 'product', 'service'] as const) {
    const v = rule.logsource[k];
    if (v !== undefined) logsource[k] = v;
  }
  const page: RulePage = {
    id: rule.id ?? null,
    title: rule.title,
    description: rule.description ?? null,
    file: rule.file,
    document: rule.document,
    status: rule.status ?? null,
    level: rule.level ?? null,
    tags: rule.tags,
    logsource,
    attack: attack.rows,
    groups: attack.groups,
    software: attack.software,
    otherTags: attack.otherTags,
    events: eventCoverage(logsource, options.mapping ?? builtinMapping),
    body: doc === undefined ? '' : documentText(source, doc),
    stages,
    exclusions,
    indicators,
    catalog: catalog === undefined ? null : { rules: catalog.rules, partial: catalog.partial },
    notes: [...attack.notes],
  };
  if (rule.pipelines !== undefined) {
    const fields = new Map<string, string[]>();
    for (const it of rule.plan.items) {
      if (typeof it.ruleField !== 'string' || it.field === null || it.ruleField === it.field) continue;
      const list = fields.get(it.ruleField) ?? [];
      if (!list.includes(it.field)) list.push(it.field);
      fields.set(it.ruleField, list);
    }
    page.pipeline = { names: rule.pipelines, fields: [...fields].map(([r, mapped]) => ({ rule: r, mapped })) };
    if (rule.writtenLogsource !== undefined) {
      const w: { category?: string; product?: string; service?: string } = {};
      for (const k of ['category', 'product', 'service'] as const) if (rule.writtenLogsource[k] !== undefined) w[k] = rule.writtenLogsource[k];
      page.pipeline.writtenLogsource = w;
    }
  }
  return page;
}
