/**
 * Indicators and exclusions of a rule, and the catalog index that says how many other rules
 * share an indicator.
 *
 * An *indicator* is one value of a detection item of a search identifier the condition uses
 * positively (under an even number of `not`s somewhere); an *exclusion* is one of an identifier
 * under a top-level `not` (plan stages with `exclusion: true`, e.g. the seed's `not filter`).
 * Identifiers the condition never uses are neither (they cannot influence a match), and neither
 * are those only negated inside a branch (`(sel_a and not filter_a) or sel_b`): they suppress
 * matches, so they are no indicator, yet they are no top-level exclusion either.
 *
 * Kinds are deliberately coarse, so that `TargetObject|contains: X` and `TargetObject|endswith: X`
 * count as the same indicator across a catalog:
 *
 * | kind | values |
 * |---|---|
 * | `eq` | a plain value without wildcards; numbers and booleans |
 * | `match` | `contains`/`startswith`/`endswith`, or a value with an unescaped `*` or `?` |
 * | `regex` | `re` |
 * | `cidr`, `exists`, `null`, `fieldref` | those modifiers (`null`: a YAML null value) |
 * | `gt` `gte` `lt` `lte` | comparisons; with a timestamp part: the part (`hour`), or `hour gte` |
 * | `keyword` | every field-less item, whatever its modifiers |
 *
 * Encodings (`base64`, `base64offset`, `utf16*`, `wide`, `windash`) and `cased`/`expand` do not
 * make a kind of their own: the value is `match` or `eq` by its wildcard shape (as written, so a
 * configured placeholder value never changes a kind). `neq` items keep their kind and are marked
 * `negated` (shown as `not eq`); negation is part of the indicator's identity. Kinds are read
 * from each value's matcher and the item's parsed chain (`item.chain.match`, `item.chain.expand`).
 *
 * Values are shown as written in the rule (`PlanValue.source`, the YAML-resolved text). Within a
 * rule and across the catalog, indicators compare on the field (exactly), the kind, negation, and
 * the value case-insensitively (Sigma's default), via `toLowerCase()` of a grouping key only.
 * When one item mixes kinds (`Image: ['a.exe', '*b*']`), its values split by kind.
 *
 * The coarse kind is for comparing; what a `match` value does is not hidden: each `match` value
 * also records its *shapes* (`contains`, `startswith`, `endswith`, or `wildcard` for a plain value
 * with `*`/`?`; several when one value appears in items of different modifiers), and pages show
 * the kind as `match (contains)` (see {@link kindText}).
 *
 * The catalog index is built in one pass: every rule document (valid rules, and the partial rule
 * of a document that failed to load, e.g. with an unresolved placeholder) adds each of its
 * distinct indicator keys once. "Other rules" excludes the explained rule itself, identified by
 * resolved file path and document index (not by `id`: a copy at another path counts).
 */
import { collectRules } from '../rules/collect-rules.js';
import { ruleKey } from '../rules/rule-key.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import type { LoadOptions, SigmaRule } from '../rules/load-rule.js';
import type { CompareOp, MatchPlan, PlanItem, PlanValue, TimePart } from '../plan/plan.js';
import type { ConditionNode } from '../condition/parse-condition.js';
import { hasWildcards, parsePattern } from '../sigma/pattern.js';
import { pushAll } from '../util/arrays.js';

/** The coarse kind of an indicator value (see the table in the file comment). */
export type IndicatorKind =
  | 'eq'
  | 'match'
  | 'regex'
  | 'cidr'
  | 'exists'
  | 'null'
  | 'fieldref'
  | 'keyword'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | TimePart
  | `${TimePart} ${CompareOp}`;

/** The kind of one value of an item. */
export function valueKind(item: PlanItem, value: PlanValue): IndicatorKind {
  if (item.field === null) return 'keyword';
  const m = value.matcher;
  switch (m.kind) {
    case 're':
      return 'regex';
    case 'cidr':
      return 'cidr';
    case 'exists':
      return 'exists';
    case 'null':
      return 'null';
    case 'fieldref':
      return 'fieldref';
    case 'number':
    case 'bool':
      return 'eq';
    case 'compare':
      if (m.part === undefined) return m.op === 'eq' ? 'eq' : m.op;
      return m.op === 'eq' ? m.part : `${m.part} ${m.op}`;
    case 'string':
    case 'anyOf': {
      if (item.chain.match !== 'equals') return 'match';
      return hasWildcards(parsePattern(value.source, item.chain.expand)) ? 'match' : 'eq';
    }
  }
}

/** What a `match` value does (see the file comment); undefined for other kinds. */
export type MatchShape = 'contains' | 'startswith' | 'endswith' | 'wildcard';

/** The shape of a value whose kind is `match`; undefined for any other kind. */
export function matchShape(item: PlanItem, value: PlanValue, kind: IndicatorKind = valueKind(item, value)): MatchShape | undefined {
  if (kind !== 'match') return undefined;
  const m = item.chain.match;
  return m === 'contains' || m === 'startswith' || m === 'endswith' ? m : 'wildcard';
}

/** The kind as pages show it: {@link kindLabel}, then the shapes of `match` values, e.g. `match (contains)`. */
export function kindText(kind: IndicatorKind, negated: boolean, shapes: readonly MatchShape[] = []): string {
  const label = kindLabel(kind, negated);
  return shapes.length === 0 ? label : `${label} (${shapes.join(', ')})`;
}

/** The kind as compared (part of an indicator's identity): `not ` in front for `neq` items. */
export function kindLabel(kind: IndicatorKind, negated: boolean): string {
  return negated ? `not ${kind}` : kind;
}

/** The comparison key of an indicator: field exact, kind, negation, value case-insensitive. */
export function indicatorKey(field: string | null, kind: IndicatorKind, negated: boolean, value: string): string {
  return `${field === null ? '\u0001' : field}\u0000${kindLabel(kind, negated)}\u0000${value.toLowerCase()}`;
}

/** Values of one (field, kind) group of a rule, each value once (case-insensitively). */
export interface ItemGroup {
  field: string | null;
  kind: IndicatorKind;
  negated: boolean;
  /** Values as written, first spelling wins. */
  values: string[];
  /** Indicator keys, parallel to `values`. */
  keys: string[];
  /** The search identifiers the values come from. */
  identifiers: string[];
  /** The search identifiers each value comes from, parallel to `values`. */
  valueIdentifiers: string[][];
  /** The shapes of each value (kind `match` only; else empty), parallel to `values`. */
  valueShapes: MatchShape[][];
}

/** The identifiers of a rule that are exclusions (top-level `not` conjuncts). */
function exclusionNames(rule: SigmaRule): Set<string> {
  return new Set(rule.plan.stages.filter((s) => s.index > 0 && s.exclusion).map((s) => s.name));
}

/** The identifiers the condition uses positively: somewhere under an even number of `not`s. */
export function positiveIdentifiers(plan: MatchPlan): Set<string> {
  const out = new Set<string>();
  const visit = (n: ConditionNode, negated: boolean): void => {
    switch (n.kind) {
      case 'id':
        if (!negated) out.add(n.name);
        break;
      case 'of':
        if (!negated) for (const id of plan.targets[n.target] ?? []) out.add(id);
        break;
      case 'not':
        visit(n.arg, !negated);
        break;
      case 'and':
      case 'or':
        for (const a of n.args) visit(a, negated);
        break;
    }
  };
  visit(plan.condition, false);
  return out;
}

/**
 * The indicators of a rule: values of the items of its positive identifiers, grouped by
 * (field, kind, negation) in document order of first appearance.
 */
export function ruleIndicators(rule: SigmaRule): ItemGroup[] {
  const names = positiveIdentifiers(rule.plan);
  const groups = new Map<string, ItemGroup>();
  const seen = new Set<string>();
  for (const item of rule.plan.items) {
    if (!names.has(item.identifier)) continue;
    for (const v of item.values) {
      const kind = valueKind(item, v);
      const gk = `${item.field === null ? '\u0001' : item.field}\u0000${kindLabel(kind, item.neq)}`;
      let g = groups.get(gk);
      if (g === undefined) {
        g = { field: item.field, kind, negated: item.neq, values: [], keys: [], identifiers: [], valueIdentifiers: [], valueShapes: [] };
        groups.set(gk, g);
      }
      if (!g.identifiers.includes(item.identifier)) g.identifiers.push(item.identifier);
      const key = indicatorKey(item.field, kind, item.neq, v.source);
      const shape = matchShape(item, v, kind);
      if (seen.has(key)) {
        const at = g.keys.indexOf(key);
        const ids = g.valueIdentifiers[at];
        if (ids !== undefined && !ids.includes(item.identifier)) ids.push(item.identifier);
        const shapes = g.valueShapes[at];
        if (shape !== undefined && shapes !== undefined && !shapes.includes(shape)) shapes.push(shape);
        continue;
      }
      seen.add(key);
      g.values.push(v.source);
      g.keys.push(key);
      g.valueIdentifiers.push([item.identifier]);
      g.valueShapes.push(shape === undefined ? [] : [shape]);
    }
  }
  return [...groups.values()];
}

/** One exclusion row: a detection item of an exclusion identifier (split by kind if it mixes kinds). */
export interface ExclusionRow {
  field: string | null;
  kind: IndicatorKind;
  negated: boolean;
  values: string[];
  identifier: string;
  /** Logical address of the item, e.g. `detection.filter[1].Image`. */
  path: string;
  /** What the item's `match` values do (kind `match` only; else empty). */
  shapes: MatchShape[];
}

/** The exclusions of a rule: one row per item of each exclusion identifier, in document order. */
export function ruleExclusions(rule: SigmaRule): ExclusionRow[] {
  const names = exclusionNames(rule);
  const rows: ExclusionRow[] = [];
  for (const item of rule.plan.items) {
    if (!names.has(item.identifier)) continue;
    const byKind = new Map<IndicatorKind, ExclusionRow>();
    for (const v of item.values) {
      const kind = valueKind(item, v);
      let row = byKind.get(kind);
      if (row === undefined) {
        const shape = matchShape(item, v, kind);
        row = { field: item.field, kind, negated: item.neq, values: [], identifier: item.identifier, path: item.path, shapes: shape === undefined ? [] : [shape] };
        byKind.set(kind, row);
        rows.push(row);
      }
      row.values.push(v.source);
    }
  }
  return rows;
}

/** A rule of a catalog for counting: its id (copies count once), else its {@link ruleKey} (file and document). */
export function ruleIdentity(rule: Pick<SigmaRule, 'file' | 'document' | 'id'>): string {
  // A rule is its id (copies of one rule in several folders count once), else its place.
  return rule.id !== undefined ? `id:${rule.id.toLowerCase()}` : ruleKey(rule);
}

/** How many distinct rules of a catalog have each indicator. */
export interface CatalogIndex {
  /** Indicator key → number of distinct rule documents having it. */
  counts: Map<string, number>;
  /** Identity of every indexed rule → its indicator keys (to leave a rule out of its own counts). */
  members: Map<string, Set<string>>;
  /** Rule documents indexed (valid and partial). */
  rules: number;
  /** Of which partial (the document had errors, its plan was usable). */
  partial: number;
}

/** Builds the index in one pass over the rules; each rule counts once per distinct key. */
export function buildCatalogIndex(rules: Iterable<SigmaRule>): CatalogIndex {
  const index: CatalogIndex = { counts: new Map(), members: new Map(), rules: 0, partial: 0 };
  for (const rule of rules) {
    const id = ruleIdentity(rule);
    if (index.members.has(id)) continue;
    const keys = new Set<string>();
    for (const g of ruleIndicators(rule)) for (const k of g.keys) keys.add(k);
    index.members.set(id, keys);
    index.rules++;
    for (const k of keys) index.counts.set(k, (index.counts.get(k) ?? 0) + 1);
  }
  return index;
}

/** How many rules of the catalog other than `rule` have the indicator `key`. */
export function corpusCount(index: CatalogIndex, _rule: SigmaRule, key: string): number {
  // The catalog page's semantics: the number of catalog rules with this indicator, the rule
  // itself included when the catalog holds it ("blank or 1 shows that the indicator is specific
  // to this rule"), so a rule's own copy never makes an indicator look shared.
  return index.counts.get(key) ?? 0;
}

/** A loaded catalog: its index and the diagnostics of loading it. */
export interface LoadedCatalog {
  index: CatalogIndex;
  /** Files and documents read. */
  files: number;
  /** Documents that failed to load and had no usable partial rule (left out). */
  skipped: number;
  diagnostics: Diagnostic[];
}

/**
 * Loads every rule under the paths (files or folders) and indexes them. Documents that failed to
 * load still count when a partial rule is available (e.g. unresolved placeholders).
 */
export function loadCatalog(paths: readonly string[], options: LoadOptions = {}): LoadedCatalog {
  const set = collectRules(paths, options);
  const rules: SigmaRule[] = [];
  let partial = 0;
  let skipped = 0;
  for (const f of set.files) {
    pushAll(rules, f.rules);
    for (const bad of f.invalid) {
      if (bad.partial !== undefined) {
        rules.push(bad.partial);
        partial++;
      } else skipped++;
    }
  }
  const index = buildCatalogIndex(rules);
  index.partial = partial;
  return { index, files: set.files.length, skipped, diagnostics: set.diagnostics };
}
