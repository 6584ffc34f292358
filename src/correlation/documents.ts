/**
 * Correlation rules and Sigma filters as typed documents (Sigma v2.1: the correlation rules and
 * filters specifications), checked with a located diagnostic for every problem. The loader
 * (rules/load-rule.ts) recognises them by their `correlation` or `filter` key and keeps their
 * YAML nodes; this module reads them. References to other rules are resolved across all the
 * loaded files in rule-set.ts.
 *
 * Correlation documents follow pySigma (the reference parser) where the specification leaves room:
 * `generate` under `correlation:` or at the top, `rules` and `group-by` as one string or a list,
 * `timespan` with w/M/y besides s/m/h/d, a `percentile` key for value_percentile, and a
 * temporal correlation without `condition` means "every referred rule" (gte: number of rules).
 * Ranges (`gt: 100` and `lte: 200`), which the specification shows but pySigma rejects, are
 * accepted and ANDed (semantics §11).
 */
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic, DiagnosticCode, SourcePos } from '../diagnostics/diagnostics.js';
import { childPath } from '../diagnostics/doc-path.js';
import { mapGet, toPlain } from '../yaml/yaml-tree.js';
import type { YMap, YNode } from '../yaml/yaml-tree.js';
import { planDetection } from '../plan/build-plan.js';
import type { PlanOptions } from '../plan/build-plan.js';
import { readDetection } from '../plan/detection.js';
import { applyPipeline } from '../pipeline/apply-pipeline.js';
import type { ResolvedPipeline } from '../pipeline/pipeline.js';
import { limitsOf } from '../util/limits.js';
import type { MatchPlan } from '../plan/plan.js';
import type { Logsource } from '../logsource/types.js';
import type { SigmaMetaDocument } from '../rules/load-rule.js';
import { parseTimespan } from './timespan.js';
import type { Timespan } from './timespan.js';

/** The correlation types of Sigma v2.1. */
export const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile'] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

/** The comparison operators of a correlation condition. */
export const CONDITION_OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

/** Types that aggregate a `field` of the events. */
const VALUE_TYPES: ReadonlySet<CorrelationType> = new Set(['value_count', 'value_sum', 'value_avg', 'value_percentile']);

/** A correlation's condition: thresholds (ANDed), the field of the value types, the percentile. */
export interface CorrelationCondition {
  ops: Array<{ op: ConditionOp; value: number }>;
  /** value_count: the fields whose distinct values (combinations) are counted; value_sum/avg/percentile: the one numeric field. */
  field?: string[];
  /** value_percentile: which percentile (0-100; default 50, the median). */
  percentile?: number;
  /** Not written: a temporal correlation's default (every referred rule). */
  defaulted: boolean;
}

/** A reference to another rule by id or name, where it is written. */
export interface RuleReference {
  ref: string;
  path: string;
  pos?: SourcePos;
}

/** One alias of `aliases`: the field it stands for in the events of each referred rule. */
export interface CorrelationAlias {
  alias: string;
  pos?: SourcePos;
  fields: Array<{ ref: string; field: string; pos?: SourcePos }>;
}

/** A correlation rule document, typed. */
export interface CorrelationRule {
  kind: 'correlation';
  file: string;
  document: number;
  id?: string;
  name?: string;
  title: string;
  status?: string;
  level?: string;
  description?: string;
  tags: string[];
  type: CorrelationType;
  rules: RuleReference[];
  groupBy: string[];
  timespan: Timespan;
  condition: CorrelationCondition;
  aliases: CorrelationAlias[];
  /** The referred rules also report their own matches (default false). */
  generate: boolean;
  /** Where the document starts. */
  pos: SourcePos;
  /** Where the parts of the correlation section are written (`type`, `rules`, `group-by`, `timespan`, `condition`, `aliases`). */
  positions: Record<string, SourcePos>;
  raw: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

/** A Sigma filter document, typed: its selection and condition planned like a detection. */
export interface SigmaFilter {
  kind: 'filter';
  file: string;
  document: number;
  id?: string;
  name?: string;
  title: string;
  description?: string;
  logsource: Logsource;
  /** The rules it applies to, or every rule of its logsource (`any`, `all` or an empty list: pySigma's extension). */
  rules: RuleReference[] | 'any';
  /** The filter's search identifiers and condition (paths `filter.<identifier>…`). */
  plan: MatchPlan;
  pos: SourcePos;
  positions: Record<string, SourcePos>;
  raw: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

/** What a correlation or filter document gave: the typed document when it has no error, and the diagnostics. */
export interface ParsedMeta {
  correlation?: CorrelationRule;
  filter?: SigmaFilter;
  diagnostics: Diagnostic[];
}

const LEVELS = new Set(['informational', 'low', 'medium', 'high', 'critical']);
const STATUSES = new Set(['stable', 'test', 'experimental', 'deprecated', 'unsupported']);
const CORRELATION_KEYS = ['type', 'rules', 'aliases', 'group-by', 'timespan', 'condition', 'generate'];

/** The display name of a correlation or filter: its name, else its id, else its title. */
export function metaLabel(d: { name?: string | undefined; id?: string | undefined; title: string }): string {
  return d.name ?? d.id ?? d.title;
}

/** Reads a correlation or filter document (see the module comment). */
/** How meta documents are read: as rules are planned, and through the rules' processing pipeline (filters). */
export type MetaOptions = PlanOptions & { pipeline?: ResolvedPipeline | undefined };

export function parseMetaDocument(meta: SigmaMetaDocument, options: MetaOptions = {}): ParsedMeta {
  return meta.kind === 'correlation' ? parseCorrelation(meta) : parseFilter(meta, options);
}

/** The reporting helpers of one document. */
function reporter(meta: SigmaMetaDocument, ds: Diagnostic[]) {
  const where = (n: YNode | undefined, path: string): { file: string; path: string; pos: SourcePos } => ({ file: meta.file, path, pos: n === undefined ? meta.pos : meta.at(n.offset) });
  return {
    err: (code: DiagnosticCode, message: string, n: YNode | undefined, path: string): void => {
      ds.push(diagnostic(code, message, where(n, path)));
    },
    warn: (code: DiagnosticCode, message: string, n: YNode | undefined, path: string): void => {
      ds.push(diagnostic(code, message, where(n, path), 'warning'));
    },
    pos: (n: YNode): SourcePos => meta.at(n.offset),
  };
}

/** Text of a scalar node that is a non-empty string (numbers keep their text: `name: 1234`). */
function text(n: YNode | undefined): string | undefined {
  if (n === undefined || n.kind !== 'scalar') return undefined;
  if (n.value.type === 'string' || n.value.type === 'number') return n.value.text === '' ? undefined : n.value.text;
  return undefined;
}

/** Common metadata: title (required), id, name, level, status, description, tags. */
function readMetadata(root: YMap, code: DiagnosticCode, r: ReturnType<typeof reporter>): { title: string; id?: string; name?: string; level?: string; status?: string; description?: string; tags: string[] } {
  const out: { title: string; id?: string; name?: string; level?: string; status?: string; description?: string; tags: string[] } = { title: '', tags: [] };
  const titleNode = mapGet(root, 'title');
  const title = titleNode === undefined ? undefined : toPlain(titleNode);
  if (titleNode === undefined) r.err(code, "the document has no 'title'", root, 'title');
  else if (typeof title !== 'string' || title.trim() === '') r.err(code, "'title' must be a non-empty string", titleNode, 'title');
  else if (title.length > 256) r.err(code, `'title' is ${title.length} characters long; at most 256 are allowed`, titleNode, 'title');
  else out.title = title;
  for (const key of ['id', 'name'] as const) {
    const n = mapGet(root, key);
    if (n === undefined) continue;
    const t = text(n);
    if (t === undefined) r.err(code, `'${key}' must be non-empty text`, n, key);
    else out[key] = t;
  }
  const levelNode = mapGet(root, 'level');
  if (levelNode !== undefined) {
    const v = toPlain(levelNode);
    if (typeof v !== 'string' || !LEVELS.has(v)) r.err(code, `'level' must be one of ${[...LEVELS].join(', ')}, not '${String(v)}'`, levelNode, 'level');
    else out.level = v;
  }
  const statusNode = mapGet(root, 'status');
  if (statusNode !== undefined) {
    const v = toPlain(statusNode);
    if (typeof v !== 'string' || !STATUSES.has(v)) r.err(code, `'status' must be one of ${[...STATUSES].join(', ')}, not '${String(v)}'`, statusNode, 'status');
    else out.status = v;
  }
  const description = toPlain(mapGet(root, 'description') ?? null);
  if (typeof description === 'string') out.description = description;
  const tags = toPlain(mapGet(root, 'tags') ?? null);
  if (Array.isArray(tags)) out.tags = tags.filter((t): t is string => typeof t === 'string');
  return out;
}

/** A list of references (`rules:`): one string or a list of strings. */
function readReferences(n: YNode, path: string, r: ReturnType<typeof reporter>, code: DiagnosticCode): RuleReference[] | undefined {
  const items = n.kind === 'seq' ? n.items : [n];
  const refs: RuleReference[] = [];
  let ok = true;
  items.forEach((item, k) => {
    const p = n.kind === 'seq' ? childPath(path, k) : path;
    const t = text(item);
    if (t === undefined) {
      r.err(code, `a rule reference must be a rule id or name (text), not ${item.kind === 'scalar' ? String(toPlain(item)) : `a ${item.kind === 'seq' ? 'list' : 'mapping'}`}`, item, p);
      ok = false;
      return;
    }
    if (refs.some((x) => x.ref === t)) {
      r.err(code, `'${t}' is listed twice`, item, p);
      ok = false;
      return;
    }
    refs.push({ ref: t, path: p, pos: r.pos(item) });
  });
  return ok ? refs : undefined;
}

function parseCorrelation(meta: SigmaMetaDocument): ParsedMeta {
  const ds: Diagnostic[] = [];
  const r = reporter(meta, ds);
  const root = meta.node;
  const md = readMetadata(root, 'CORRELATION_INVALID', r);
  const section = mapGet(root, 'correlation') as YNode;
  if (section.kind !== 'map') {
    r.err('CORRELATION_INVALID', "'correlation' must be a mapping with type, rules, group-by, timespan and condition", section, 'correlation');
    return { diagnostics: ds };
  }
  const positions: Record<string, SourcePos> = {};
  for (const e of section.entries) {
    positions[e.key] = r.pos(e.value);
    if (!CORRELATION_KEYS.includes(e.key)) r.err('CORRELATION_INVALID', `unknown key '${e.key}' under correlation (known: ${CORRELATION_KEYS.join(', ')})`, e.keyNode, childPath('correlation', e.key));
  }

  // type
  const typeNode = mapGet(section, 'type');
  const typeText = typeNode === undefined ? undefined : toPlain(typeNode);
  let type: CorrelationType | undefined;
  if (typeNode === undefined) r.err('CORRELATION_TYPE_UNKNOWN', `the correlation has no 'type' (one of ${CORRELATION_TYPES.join(', ')})`, section, 'correlation.type');
  else if (typeof typeText !== 'string' || !(CORRELATION_TYPES as readonly string[]).includes(typeText)) {
    r.err('CORRELATION_TYPE_UNKNOWN', `'${String(typeText)}' is not a correlation type (${CORRELATION_TYPES.join(', ')})`, typeNode, 'correlation.type');
  } else type = typeText as CorrelationType;

  // rules
  const rulesNode = mapGet(section, 'rules');
  let rules: RuleReference[] | undefined;
  if (rulesNode === undefined) r.err('CORRELATION_RULES_INVALID', "the correlation has no 'rules' (the ids or names of the rules it correlates)", section, 'correlation.rules');
  else if (rulesNode.kind === 'seq' && rulesNode.items.length === 0) r.err('CORRELATION_RULES_INVALID', "'rules' is empty", rulesNode, 'correlation.rules');
  else if (rulesNode.kind === 'map') r.err('CORRELATION_RULES_INVALID', "'rules' must be a list of rule ids or names", rulesNode, 'correlation.rules');
  else rules = readReferences(rulesNode, 'correlation.rules', r, 'CORRELATION_RULES_INVALID');

  // group-by
  const groupNode = mapGet(section, 'group-by');
  let groupBy: string[] | undefined = [];
  if (groupNode === undefined) {
    r.warn('CORRELATION_GROUP_BY_MISSING', "the correlation has no 'group-by': every event it counts falls into one group", section, 'correlation.group-by');
  } else {
    const items = groupNode.kind === 'seq' ? groupNode.items : [groupNode];
    for (const [k, item] of items.entries()) {
      const t = text(item);
      const p = groupNode.kind === 'seq' ? childPath('correlation.group-by', k) : 'correlation.group-by';
      if (t === undefined) {
        r.err('CORRELATION_GROUP_BY_INVALID', "'group-by' lists field or alias names (text)", item, p);
        groupBy = undefined;
        break;
      }
      if (groupBy.includes(t)) {
        r.err('CORRELATION_GROUP_BY_INVALID', `'${t}' is listed twice in group-by`, item, p);
        groupBy = undefined;
        break;
      }
      groupBy.push(t);
    }
  }

  // timespan
  const spanNode = mapGet(section, 'timespan');
  let timespan: Timespan | undefined;
  if (spanNode === undefined) r.err('CORRELATION_TIMESPAN_INVALID', "the correlation has no 'timespan' (e.g. 5m, 1h, 1d)", section, 'correlation.timespan');
  else {
    const t = parseTimespan(toPlain(spanNode));
    if (typeof t === 'string') r.err('CORRELATION_TIMESPAN_INVALID', t, spanNode, 'correlation.timespan');
    else timespan = t;
  }

  // condition
  const condition = type === undefined ? undefined : readCondition(section, type, rules?.length ?? 0, r);

  // aliases
  const aliases: CorrelationAlias[] = [];
  const aliasNode = mapGet(section, 'aliases');
  let aliasesOk = true;
  if (aliasNode !== undefined) {
    if (aliasNode.kind !== 'map') {
      r.err('CORRELATION_ALIAS_INVALID', "'aliases' maps each alias to a mapping of rule names to field names", aliasNode, 'correlation.aliases');
      aliasesOk = false;
    } else {
      for (const e of aliasNode.entries) {
        const p = childPath('correlation.aliases', e.key);
        if (e.value.kind !== 'map' || e.value.entries.length === 0) {
          r.err('CORRELATION_ALIAS_INVALID', `alias '${e.key}' must map rule names to the field the alias stands for in their events`, e.value, p);
          aliasesOk = false;
          continue;
        }
        const fields: CorrelationAlias['fields'] = [];
        for (const f of e.value.entries) {
          const field = text(f.value);
          if (field === undefined) {
            r.err('CORRELATION_ALIAS_INVALID', `alias '${e.key}': the field for rule '${f.key}' must be a field name (text)`, f.value, childPath(p, f.key));
            aliasesOk = false;
            continue;
          }
          fields.push({ ref: f.key, field, pos: r.pos(f.keyNode) });
        }
        aliases.push({ alias: e.key, pos: r.pos(e.keyNode), fields });
      }
    }
  }
  if (groupBy !== undefined) {
    for (const a of aliases) {
      if (!groupBy.includes(a.alias)) r.warn('CORRELATION_ALIAS_UNUSED', `alias '${a.alias}' is not used in group-by: it changes nothing`, aliasNode, childPath('correlation.aliases', a.alias));
    }
  }

  // generate: under correlation (pySigma, Hayabusa) or at the top (the JSON schema)
  let generate = false;
  const genInner = mapGet(section, 'generate');
  const genTop = mapGet(root, 'generate');
  if (genInner !== undefined && genTop !== undefined) r.err('CORRELATION_INVALID', "'generate' is given twice (at the top and under correlation)", genTop, 'generate');
  const genNode = genInner ?? genTop;
  if (genNode !== undefined) {
    const v = toPlain(genNode);
    if (typeof v !== 'boolean') r.err('CORRELATION_INVALID', `'generate' must be true or false, not '${String(v)}'`, genNode, genInner !== undefined ? 'correlation.generate' : 'generate');
    else generate = v;
  }

  if (ds.some((d) => d.severity === 'error') || meta.broken || type === undefined || rules === undefined || groupBy === undefined || timespan === undefined || condition === undefined || !aliasesOk) {
    return { diagnostics: ds };
  }
  const c: CorrelationRule = {
    kind: 'correlation',
    file: meta.file,
    document: meta.document,
    title: md.title,
    tags: md.tags,
    type,
    rules,
    groupBy,
    timespan,
    condition,
    aliases,
    generate,
    pos: meta.pos,
    positions,
    raw: meta.raw,
    diagnostics: ds,
  };
  for (const k of ['id', 'name', 'level', 'status', 'description'] as const) if (md[k] !== undefined) c[k] = md[k];
  return { correlation: c, diagnostics: ds };
}

/** The condition of a correlation of type `type` with `ruleCount` referred rules. */
function readCondition(section: YMap, type: CorrelationType, ruleCount: number, r: ReturnType<typeof reporter>): CorrelationCondition | undefined {
  const node = mapGet(section, 'condition');
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  const bad = (message: string, n: YNode, path = 'correlation.condition'): undefined => {
    r.err('CORRELATION_CONDITION_INVALID', message, n, path);
    return undefined;
  };
  if (node === undefined) {
    if (temporal) return { ops: [{ op: 'gte', value: ruleCount }], defaulted: true };
    return bad(`a ${type} correlation needs a 'condition' (gt, gte, lt, lte, eq or neq and a number${VALUE_TYPES.has(type) ? ', and the field' : ''})`, section);
  }
  if (node.kind !== 'map') {
    if (node.kind === 'scalar' && node.value.type === 'string' && temporal) return bad("extended conditions (a boolean expression over rule names) are not supported: write a mapping such as {gte: 2}", node);
    return bad("'condition' must be a mapping such as {gte: 100}", node);
  }
  const cond: CorrelationCondition = { ops: [], defaulted: false };
  let ok = true;
  for (const e of node.entries) {
    const p = childPath('correlation.condition', e.key);
    if ((CONDITION_OPS as readonly string[]).includes(e.key)) {
      const v = e.value.kind === 'scalar' && e.value.value.type === 'number' ? e.value.value.value : Number.NaN;
      if (!Number.isFinite(v)) {
        bad(`condition ${e.key} must be a number, not '${String(toPlain(e.value))}'`, e.value, p);
        ok = false;
      } else cond.ops.push({ op: e.key as ConditionOp, value: v });
    } else if (e.key === 'field') {
      const items = e.value.kind === 'seq' ? e.value.items : [e.value];
      const fields = items.map(text);
      if (items.length === 0 || fields.some((f) => f === undefined)) {
        bad("'field' must be a field name (or, for value_count, a list of them)", e.value, p);
        ok = false;
      } else cond.field = fields as string[];
    } else if (e.key === 'percentile') {
      const v = e.value.kind === 'scalar' && e.value.value.type === 'number' ? e.value.value.value : Number.NaN;
      if (!(v >= 0 && v <= 100)) {
        bad(`'percentile' must be a number from 0 to 100, not '${String(toPlain(e.value))}'`, e.value, p);
        ok = false;
      } else cond.percentile = v;
    } else {
      bad(`unknown key '${e.key}' in the condition (known: ${CONDITION_OPS.join(', ')}, field, percentile)`, e.keyNode, p);
      ok = false;
    }
  }
  if (!ok) return undefined;
  if (cond.ops.length === 0) return bad(`the condition has no threshold (${CONDITION_OPS.join(', ')})`, node);
  if (VALUE_TYPES.has(type)) {
    if (cond.field === undefined) return bad(`a ${type} correlation's condition needs 'field': the field whose values it ${type === 'value_count' ? 'counts' : 'aggregates'}`, node);
    if (type !== 'value_count' && cond.field.length > 1) return bad(`a ${type} correlation aggregates one numeric field, not ${cond.field.length}`, node, 'correlation.condition.field');
  } else if (cond.field !== undefined) return bad(`'field' belongs to the value types (value_count, value_sum, value_avg, value_percentile), not to ${type}`, node, 'correlation.condition.field');
  if (cond.percentile !== undefined && type !== 'value_percentile') return bad(`'percentile' belongs to value_percentile, not to ${type}`, node, 'correlation.condition.percentile');
  if (type === 'value_percentile' && cond.percentile === undefined) cond.percentile = 50;
  // A range that no value satisfies. Bounds are (value, inclusive); on equal values the exclusive one is stricter.
  let lo = { v: -Infinity, incl: true };
  let hi = { v: Infinity, incl: true };
  const raise = (v: number, incl: boolean): void => {
    if (v > lo.v || (v === lo.v && !incl)) lo = { v, incl };
  };
  const lower = (v: number, incl: boolean): void => {
    if (v < hi.v || (v === hi.v && !incl)) hi = { v, incl };
  };
  for (const { op, value } of cond.ops) {
    if (op === 'gt' || op === 'gte' || op === 'eq') raise(value, op !== 'gt');
    if (op === 'lt' || op === 'lte' || op === 'eq') lower(value, op !== 'lt');
  }
  if (lo.v > hi.v || (lo.v === hi.v && !(lo.incl && hi.incl))) return bad(`no value satisfies this condition (${cond.ops.map((o) => `${o.op} ${o.value}`).join(' and ')})`, node);
  return cond;
}

function parseFilter(meta: SigmaMetaDocument, options: MetaOptions): ParsedMeta {
  const ds: Diagnostic[] = [];
  const r = reporter(meta, ds);
  const root = meta.node;
  const md = readMetadata(root, 'FILTER_INVALID', r);
  const positions: Record<string, SourcePos> = {};

  // logsource (mandatory)
  const lsNode = mapGet(root, 'logsource');
  const logsource: Logsource = {};
  if (lsNode === undefined) r.err('FILTER_INVALID', "the filter has no 'logsource' (the category, product and service of the rules it tunes)", root, 'logsource');
  else if (lsNode.kind !== 'map') r.err('FILTER_INVALID', "'logsource' must be a mapping with category, product and/or service", lsNode, 'logsource');
  else {
    positions.logsource = r.pos(lsNode);
    for (const k of ['category', 'product', 'service', 'definition'] as const) {
      const v = mapGet(lsNode, k);
      if (v === undefined) continue;
      const t = text(v);
      if (t === undefined) r.err('FILTER_INVALID', `'logsource.${k}' must be text`, v, `logsource.${k}`);
      else logsource[k] = t;
    }
  }

  const section = mapGet(root, 'filter') as YNode;
  if (section.kind !== 'map') {
    r.err('FILTER_INVALID', "'filter' must be a mapping with rules, the selection and a condition", section, 'filter');
    return { diagnostics: ds };
  }
  positions.filter = r.pos(section);
  // rules: a list of ids or names; `any`/`all` or an empty list: every rule of the logsource (pySigma).
  const rulesNode = mapGet(section, 'rules');
  let rules: RuleReference[] | 'any' | undefined;
  if (rulesNode === undefined) r.err('FILTER_INVALID', "the filter has no 'rules' (the ids or names of the rules it applies to; 'any' for every rule of its logsource)", section, 'filter.rules');
  else {
    positions.rules = r.pos(rulesNode);
    const t = text(rulesNode);
    if ((rulesNode.kind === 'seq' && rulesNode.items.length === 0) || (t !== undefined && ['any', 'all'].includes(t.toLowerCase()))) rules = 'any';
    else if (rulesNode.kind === 'map') r.err('FILTER_INVALID', "'rules' must be a list of rule ids or names", rulesNode, 'filter.rules');
    else rules = readReferences(rulesNode, 'filter.rules', r, 'FILTER_INVALID');
  }
  // The detection: every other key, planned as a rule's detection would be.
  const condNode = mapGet(section, 'condition');
  if (condNode === undefined) r.err('FILTER_INVALID', "the filter has no 'condition' (e.g. 'not selection')", section, 'filter.condition');
  else if (condNode.kind !== 'scalar' || condNode.value.type !== 'string') r.err('FILTER_INVALID', "a filter's 'condition' is one string (e.g. 'not selection')", condNode, 'filter.condition');
  const detection: YMap = { kind: 'map', offset: section.offset, entries: section.entries.filter((e) => e.key !== 'rules') };
  let plan: MatchPlan | undefined;
  if (detection.entries.filter((e) => e.key !== 'condition').length === 0) r.err('FILTER_INVALID', "the filter has no selection (a search identifier such as 'selection')", section, 'filter');
  else if (condNode !== undefined && condNode.kind === 'scalar' && condNode.value.type === 'string') {
    const toFilterPath = (p: string): string => (p.startsWith('detection') ? `filter${p.slice('detection'.length)}` : p);
    const ctx = {
      err: (code: DiagnosticCode, message: string, n: YNode | undefined, p: string) => r.err(code, message, n, toFilterPath(p)),
      warn: (code: DiagnosticCode, message: string, n: YNode | undefined, p: string) => r.warn(code, message, n, toFilterPath(p)),
      pos: (offset: number) => meta.at(offset),
      options,
    };
    const read = readDetection(detection, ctx);
    // The filter goes through the rules' processing pipeline as the rules it tunes did (field
    // names, values, logsource), so that it tests the fields their events carry.
    if (options.pipeline !== undefined && read.ok) {
      const piped = applyPipeline(options.pipeline, { detection: read, logsource, raw: meta.raw }, ctx.err, limitsOf(options.limits).valueAlternatives);
      for (const k of ['category', 'product', 'service', 'definition'] as const) delete logsource[k];
      Object.assign(logsource, piped.logsource);
    }
    plan = planDetection(read, ctx);
    if (plan !== undefined) {
      for (const it of plan.items) it.path = toFilterPath(it.path);
      for (const id of plan.identifiers) id.path = toFilterPath(id.path);
      if (!/(^|[\s(])not(?=[\s(])/.test(plan.conditionText)) {
        r.warn(
          'FILTER_CONDITION_NO_NOT',
          `the condition '${plan.conditionText}' has no 'not': a filter's condition is ANDed to the rule's (pySigma), so this keeps only the events it selects; write 'not ${plan.conditionText}' to exclude them`,
          condNode,
          'filter.condition',
        );
      }
    }
  }
  if (ds.some((d) => d.severity === 'error') || meta.broken || rules === undefined || plan === undefined) return { diagnostics: ds };
  const f: SigmaFilter = {
    kind: 'filter',
    file: meta.file,
    document: meta.document,
    title: md.title,
    logsource,
    rules,
    plan,
    pos: meta.pos,
    positions,
    raw: meta.raw,
    diagnostics: ds,
  };
  for (const k of ['id', 'name', 'description'] as const) if (md[k] !== undefined) f[k] = md[k];
  return { filter: f, diagnostics: ds };
}
