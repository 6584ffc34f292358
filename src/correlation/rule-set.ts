/**
 * The rules of a run with their correlations and filters: every rule file under the given paths
 * loaded ({@link collectRules}), its correlation and filter documents typed (documents.ts), the
 * references of correlations resolved across all the files (by id or `name`; chains of
 * correlations ordered so that inner ones come first, cycles refused), and the filters composed
 * into the rules they name (filters.ts). Every command that loads rules loads them through here,
 * so filters apply wherever rules run.
 *
 * A reference that matches several rules prefers the one in the correlation's own file (a
 * multi-document correlation file holds its base rules), else it is ambiguous.
 *
 * `generate` (semantics §11, pySigma): a rule or correlation referred to by a correlation that
 * does not set `generate: true` reports no alerts of its own; its matches only feed the
 * correlation. It reports them when every correlation referring to it says `generate: true`.
 */
import { collectRules } from '../rules/collect-rules.js';
import type { RuleSet } from '../rules/collect-rules.js';
import type { LoadOptions, SigmaRule } from '../rules/load-rule.js';
import { isUuid } from '../rules/uuid.js';
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import type { Logsource } from '../logsource/types.js';
import { childPath } from '../diagnostics/doc-path.js';
import { parseMetaDocument } from './documents.js';
import type { CorrelationRule, RuleReference, SigmaFilter } from './documents.js';
import { composeFilter, filterStageBase } from './filters.js';

/** What a correlation input refers to: a detection rule or another correlation. */
export type CorrelationTarget = { kind: 'detection'; rule: SigmaRule } | { kind: 'correlation'; rule: CorrelationRule };

/** One referred rule of a correlation, resolved: what it is, and the field each group-by entry reads in its events. */
export interface CorrelationInput {
  ref: RuleReference;
  target: CorrelationTarget;
  /** How reports name it: the reference as written. */
  label: string;
  /** For each group-by entry (in order): the field of this input's events (an alias resolved, else the entry itself). */
  groupFields: string[];
}

/** A correlation with its references resolved. */
export interface ResolvedCorrelation {
  rule: CorrelationRule;
  inputs: CorrelationInput[];
}

/** The correlations of a rule set, ready to evaluate. */
export interface CorrelationGraph {
  /** Valid correlations, inner ones (referred to by others) before the ones referring to them. */
  correlations: ResolvedCorrelation[];
  /** Rules and correlations whose own matches or alerts are not reported: referred to without `generate: true`. */
  silenced: ReadonlySet<SigmaRule | CorrelationRule>;
}

/** A rule set with its correlations and filters. */
export interface FullRuleSet extends RuleSet {
  /** Correlations without errors (also the ones a cycle or a bad reference leaves out of `graph`). */
  correlationDocs: CorrelationRule[];
  filters: SigmaFilter[];
  graph: CorrelationGraph;
}

/** Loads every rule file under the paths with its correlations and filters (see the module comment). */
export function collectRuleSet(paths: readonly string[], options: LoadOptions = {}): FullRuleSet {
  return completeRuleSet(collectRules(paths, options), options);
}

/** Types the correlation and filter documents of a loaded rule set, resolves them and applies the filters. */
export function completeRuleSet(set: RuleSet, options: LoadOptions = {}): FullRuleSet {
  const diagnostics: Diagnostic[] = [...set.diagnostics];
  const correlations: CorrelationRule[] = [];
  const filters: SigmaFilter[] = [];
  /** Ids and names of documents that did not load, for better messages about references to them. */
  const broken = new Set<string>();
  for (const f of set.files) {
    for (const bad of f.invalid) {
      if (bad.id !== undefined) broken.add(bad.id.toLowerCase());
      const name = bad.partial?.name;
      if (name !== undefined) broken.add(name.toLowerCase());
    }
    for (const meta of f.others) {
      const parsed = parseMetaDocument(meta, options);
      diagnostics.push(...parsed.diagnostics);
      if (parsed.correlation !== undefined) correlations.push(parsed.correlation);
      else if (parsed.filter !== undefined) filters.push(parsed.filter);
      else {
        for (const k of ['id', 'name']) {
          const v = meta.raw[k];
          if (typeof v === 'string') broken.add(v.toLowerCase());
        }
      }
    }
  }
  const graph = resolveCorrelations(set.rules, correlations, broken, diagnostics);
  applyFilters(set.rules, correlations, filters, diagnostics);
  return { ...set, diagnostics, correlationDocs: correlations, filters, graph };
}

type Candidate = CorrelationTarget;

/** Finds what a reference names among the rules and correlations. */
function lookup(ref: string, rules: readonly SigmaRule[], correlations: readonly CorrelationRule[], fromFile: string): { found?: Candidate; candidates: Candidate[] } {
  const key = ref.toLowerCase();
  const byId = isUuid(ref);
  const matches = (d: { id?: string | undefined; name?: string | undefined }): boolean => (byId ? d.id?.toLowerCase() === key : d.name === ref || d.id === ref);
  const candidates: Candidate[] = [
    ...rules.filter(matches).map((rule): Candidate => ({ kind: 'detection', rule })),
    ...correlations.filter(matches).map((rule): Candidate => ({ kind: 'correlation', rule })),
  ];
  if (candidates.length === 1) return { found: candidates[0] as Candidate, candidates };
  const local = candidates.filter((c) => c.rule.file === fromFile);
  if (local.length === 1) return { found: local[0] as Candidate, candidates };
  return { candidates };
}

function describe(c: Candidate): string {
  return `${c.kind === 'detection' ? 'rule' : 'correlation'} '${c.rule.title}' (${c.rule.file})`;
}

function resolveCorrelations(rules: readonly SigmaRule[], correlations: readonly CorrelationRule[], broken: ReadonlySet<string>, diagnostics: Diagnostic[]): CorrelationGraph {
  const resolved = new Map<CorrelationRule, ResolvedCorrelation>();
  for (const c of correlations) {
    const err = (code: 'CORRELATION_RULE_UNKNOWN' | 'CORRELATION_RULE_AMBIGUOUS' | 'CORRELATION_ALIAS_INVALID', message: string, path: string, pos = c.pos): void => {
      diagnostics.push(diagnostic(code, message, { file: c.file, path, pos }));
    };
    let ok = true;
    const inputs: CorrelationInput[] = [];
    for (const ref of c.rules) {
      const { found, candidates } = lookup(ref.ref, rules, correlations, c.file);
      if (found === undefined) {
        ok = false;
        if (candidates.length > 1) err('CORRELATION_RULE_AMBIGUOUS', `'${ref.ref}' names ${candidates.length} rules: ${candidates.map(describe).join(', ')}`, ref.path, ref.pos);
        else if (broken.has(ref.ref.toLowerCase())) err('CORRELATION_RULE_UNKNOWN', `'${ref.ref}' names a rule that could not be loaded (see its errors)`, ref.path, ref.pos);
        else err('CORRELATION_RULE_UNKNOWN', `no loaded rule or correlation has the ${isUuid(ref.ref) ? 'id' : 'name or id'} '${ref.ref}' (load the file that defines it with --rules)`, ref.path, ref.pos);
        continue;
      }
      if (found.rule === c) {
        ok = false;
        diagnostics.push(diagnostic('CORRELATION_CYCLE', `the correlation refers to itself ('${ref.ref}')`, { file: c.file, path: ref.path, pos: ref.pos }));
        continue;
      }
      inputs.push({ ref, target: found, label: ref.ref, groupFields: [] });
    }
    // Aliases: each entry names a referred rule (by a reference that resolves to one of the inputs).
    const aliasFields = new Map<string, Map<CorrelationInput, string>>();
    for (const a of c.aliases) {
      const m = new Map<CorrelationInput, string>();
      for (const f of a.fields) {
        const path = childPath(childPath('correlation.aliases', a.alias), f.ref);
        const { found } = lookup(f.ref, rules, correlations, c.file);
        const input = inputs.find((i) => i.ref.ref === f.ref || (found !== undefined && i.target.rule === found.rule));
        if (input === undefined) {
          if (ok) err('CORRELATION_ALIAS_INVALID', `alias '${a.alias}' names '${f.ref}', which is not one of the rules this correlation refers to (${c.rules.map((r) => r.ref).join(', ')})`, path, f.pos);
          ok = false;
          continue;
        }
        m.set(input, f.field);
      }
      aliasFields.set(a.alias, m);
    }
    if (!ok) continue;
    for (const input of inputs) {
      for (const g of c.groupBy) {
        const m = aliasFields.get(g);
        if (m === undefined) {
          input.groupFields.push(g);
          continue;
        }
        const field = m.get(input);
        if (field === undefined) {
          ok = false;
          err('CORRELATION_ALIAS_INVALID', `alias '${g}' (in group-by) does not say which field it is in the events of '${input.label}'`, childPath('correlation.aliases', g), c.aliases.find((a) => a.alias === g)?.pos);
          break;
        }
        input.groupFields.push(field);
      }
    }
    if (ok) resolved.set(c, { rule: c, inputs });
  }

  // Chains: order inner correlations first; a cycle leaves out every correlation on it; a
  // correlation referring to one left out is left out too.
  const order: ResolvedCorrelation[] = [];
  const state = new Map<CorrelationRule, 'visiting' | 'done' | 'bad'>();
  const visit = (c: CorrelationRule, stack: CorrelationRule[]): boolean => {
    const s = state.get(c);
    if (s === 'done') return true;
    if (s === 'bad') return false;
    const r = resolved.get(c);
    if (r === undefined) {
      state.set(c, 'bad');
      return false;
    }
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(c)), c];
      for (const x of cycle.slice(0, -1)) {
        if (state.get(x) === 'bad') continue;
        state.set(x, 'bad');
        diagnostics.push(diagnostic('CORRELATION_CYCLE', `chained correlations refer to each other in a cycle: ${cycle.map((y) => `'${y.name ?? y.id ?? y.title}'`).join(' → ')}`, { file: x.file, path: 'correlation.rules', pos: x.positions.rules ?? x.pos }));
      }
      return false;
    }
    state.set(c, 'visiting');
    let ok = true;
    for (const input of r.inputs) {
      if (input.target.kind !== 'correlation') continue;
      if (!visit(input.target.rule, [...stack, c])) {
        ok = false;
        if (state.get(c) !== 'bad') {
          diagnostics.push(
            diagnostic('CORRELATION_RULE_UNKNOWN', `'${input.label}' is a correlation that cannot be evaluated (see its errors)`, { file: c.file, path: input.ref.path, pos: input.ref.pos }),
          );
        }
      }
    }
    if (state.get(c) === 'bad') return false;
    state.set(c, ok ? 'done' : 'bad');
    if (ok) order.push(r);
    return ok;
  };
  for (const c of correlations) visit(c, []);

  const silenced = new Set<SigmaRule | CorrelationRule>();
  for (const r of order) {
    if (r.rule.generate) continue;
    for (const input of r.inputs) silenced.add(input.target.rule);
  }
  return { correlations: order, silenced };
}

/** Does the rule's logsource have every category, product and service the filter sets (pySigma)? */
export function logsourceFits(filter: Logsource, rule: Logsource): boolean {
  return (['category', 'product', 'service'] as const).every((k) => filter[k] === undefined || filter[k] === rule[k]);
}

function applyFilters(rules: readonly SigmaRule[], correlations: readonly CorrelationRule[], filters: readonly SigmaFilter[], diagnostics: Diagnostic[]): void {
  const perFile = new Map<string, number>();
  for (const f of filters) perFile.set(f.file, (perFile.get(f.file) ?? 0) + 1);
  for (const f of filters) {
    const warn = (code: 'FILTER_RULE_UNKNOWN' | 'FILTER_LOGSOURCE_MISMATCH', message: string, ref: RuleReference): void => {
      diagnostics.push(diagnostic(code, message, { file: f.file, path: ref.path, pos: ref.pos }));
    };
    const targets: SigmaRule[] = [];
    if (f.rules === 'any') targets.push(...rules.filter((r) => logsourceFits(f.logsource, r.logsource)));
    else {
      for (const ref of f.rules) {
        const { found, candidates } = lookup(ref.ref, rules, correlations, f.file);
        const hits = found !== undefined ? [found] : candidates;
        const detections = hits.filter((c): c is Extract<Candidate, { kind: 'detection' }> => c.kind === 'detection');
        if (detections.length === 0) {
          warn(
            'FILTER_RULE_UNKNOWN',
            hits.length > 0 ? `'${ref.ref}' is a correlation: filters apply to detection rules (name the rules it correlates)` : `no loaded rule has the ${isUuid(ref.ref) ? 'id' : 'name or id'} '${ref.ref}'; the filter applies to the rules that are loaded`,
            ref,
          );
          continue;
        }
        // Copies of a rule (the same id in several files) are all filtered.
        for (const d of detections) {
          if (!logsourceFits(f.logsource, d.rule.logsource)) {
            warn('FILTER_LOGSOURCE_MISMATCH', `rule '${d.rule.title}' (${d.rule.file}) has logsource ${JSON.stringify(d.rule.logsource)}, which is not the filter's ${JSON.stringify(f.logsource)}: the filter is not applied to it`, ref);
            continue;
          }
          if (!targets.includes(d.rule)) targets.push(d.rule);
        }
      }
    }
    const base = filterStageBase(f, (perFile.get(f.file) ?? 0) > 1);
    for (const r of targets) r.plan = composeFilter(r.plan, f, base);
  }
}
