/**
 * Applying a processing pipeline to one rule, before it is planned, with pySigma's semantics
 * (sigma/processing/: transformations/, conditions/, pipeline.py):
 *
 * - items run in order; an item applies when its rule conditions hold (no condition: always);
 * - detection-item transformations (field mappings, value transformations, drop) visit every
 *   item of every identifier, nested ones included, and act on those whose detection item and
 *   field name conditions hold;
 * - a field mapped to one name is renamed; to several, the item becomes alternatives (OR), each
 *   a copy with one of the names; `fieldref` values are mapped as field names too;
 * - value transformations see values as pySigma holds them after the modifiers (sigma-string.ts):
 *   `endswith: '\calc.exe'` is `*\calc.exe`; expansions (windash, base64offset), regexes,
 *   networks, comparisons keep their values;
 * - processing-item tracking (`processing_item_applied` conditions) follows pySigma: a rule is
 *   marked by every item that applies to it, a detection item by the items that changed it (a
 *   copy made for a one-to-many mapping starts with only that item's mark), a field name of the
 *   rule's `fields:` list by the mappings that renamed it.
 *
 * The detection is changed in place (it is read afresh for every load); the new logsource is
 * returned. Problems (a missing variable, a value that cannot be transformed) are reported
 * through `err` at the rule's item, naming the pipeline item.
 */
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { YMap, YNode, YScalar } from '../yaml/yaml-tree.js';
import type { ConditionNode } from '../condition/parse-condition.js';
import { assertNever } from '../diagnostics/diagnostics.js';
import { childPath } from '../diagnostics/doc-path.js';
import { isChainError, parseModifierChain } from '../plan/modifier-chain.js';
import { detectionItems, readSearch } from '../plan/detection.js';
import type { DetectionItemSource, DetectionNode, DetectionSource, ReadContext } from '../plan/detection.js';
import type { Logsource } from '../logsource/types.js';
import type { CompareOp, ConditionSet, DetectionItemCondition, FieldNameCondition, ProcessingItem, ResolvedPipeline, RuleCondition, Transformation } from './pipeline.js';
import { pythonSub } from './python-regex.js';
import { hasPlaceholder, hasSpecial, insertPlaceholders, normalizeParts, parseSigmaString, pyValue, toPlain, toSigmaText } from './sigma-string.js';
import type { PyValue, StringPart } from './sigma-string.js';

/** What a pipeline sees of a rule and may change. */
export interface PipelineRule {
  detection: DetectionSource;
  logsource: Logsource;
  /** The rule as plain data (metadata for rule_attribute, tag, fields). */
  raw: Record<string, unknown>;
}

/** The result of applying a pipeline: the rule's new logsource and the items that applied, by place. */
export interface PipelineResult {
  logsource: Logsource;
  applied: string[];
}

/** Per-rule state of an application (pySigma resets it for every rule). */
interface State {
  ruleApplied: Set<string>;
  fieldApplied: Map<string, Set<string>>;
  values: Map<string, unknown>;
  vars: Record<string, unknown>;
  fields: string[];
}

const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
const STATUSES = ['unsupported', 'deprecated', 'experimental', 'test', 'stable'];

/** Applies a pipeline to a rule (see the file comment). */
export function applyPipeline(pipeline: ResolvedPipeline, rule: PipelineRule, err: ReadContext['err']): PipelineResult {
  const fields = Array.isArray(rule.raw.fields) ? rule.raw.fields.filter((f): f is string => typeof f === 'string') : [];
  const state: State = { ruleApplied: new Set(), fieldApplied: new Map(), values: new Map(), vars: pipeline.vars, fields };
  let logsource: Logsource = { ...rule.logsource };
  const applied: string[] = [];
  pipeline.items.forEach((pi, index) => {
    const view = { ...rule, logsource };
    if (!matchRule(pi.rule, view, state)) return;
    if (pi.id !== undefined) state.ruleApplied.add(pi.id);
    applied.push(`${pi.pipeline}: ${pi.id ?? pi.where.path}`);
    const t = pi.transformation;
    switch (t.type) {
      case 'field_name_mapping':
      case 'field_name_prefix_mapping':
      case 'field_name_prefix':
      case 'field_name_suffix':
        applyFieldMapping(pi, t, rule.detection, state);
        break;
      case 'drop_detection_item':
        applyDrop(pi, rule.detection, state);
        break;
      case 'add_condition':
        applyAddCondition(pi, t, rule.detection, logsource, index, err);
        break;
      case 'change_logsource': {
        const ls: Logsource = {};
        if (t.category !== undefined) ls.category = t.category;
        if (t.product !== undefined) ls.product = t.product;
        if (t.service !== undefined) ls.service = t.service;
        logsource = ls;
        break;
      }
      case 'replace_string':
      case 'value_placeholders':
      case 'wildcard_placeholders':
        applyValues(pi, t, rule.detection, state, err);
        break;
      case 'set_state':
        state.values.set(t.key, t.val);
        break;
      default:
        assertNever(t);
    }
  });
  return { logsource, applied };
}

// ---------------------------------------------------------------------------------------------
// Conditions.

function evalSet<C>(set: ConditionSet<C>, test: (c: C) => boolean): boolean {
  let r: boolean;
  if (set.expression !== undefined && set.named !== undefined) {
    const named = set.named;
    const walk = (n: ConditionNode): boolean => {
      switch (n.kind) {
        case 'id':
          return test(named.get(n.name) as C);
        case 'not':
          return !walk(n.arg);
        case 'and':
          return n.args.every(walk);
        case 'or':
          return n.args.some(walk);
        case 'of':
          return false;
        default:
          return assertNever(n);
      }
    };
    r = walk(set.expression);
  } else r = set.op === 'and' ? set.conditions.every(test) : set.conditions.some(test);
  return set.negated ? !r : r;
}

function compare(a: unknown, b: unknown, op: CompareOp): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gte':
      return (a as number) >= (b as number);
    case 'gt':
      return (a as number) > (b as number);
    case 'lte':
      return (a as number) <= (b as number);
    case 'lt':
      return (a as number) < (b as number);
    default:
      return assertNever(op);
  }
}

function stateHolds(state: State, key: string, val: unknown, op: CompareOp): boolean {
  if (!state.values.has(key)) return false;
  return compare(state.values.get(key), val, op);
}

function pyValuesOf(item: DetectionItemSource): PyValue[] {
  if (isChainError(item.chain)) return [];
  const chain = item.chain;
  return item.values.map((v) => pyValue(v.value, chain));
}

function sameString(a: readonly StringPart[], b: readonly StringPart[]): boolean {
  return toPlain(normalizeParts(a)) === toPlain(normalizeParts(b));
}

/** pySigma's equality of a rule value with a condition's plain value (a string is read as a Sigma string). */
function valueEquals(v: PyValue, x: string | number | boolean): boolean {
  if (typeof x === 'string') return v.kind === 'string' && sameString(v.parts, parseSigmaString(x));
  if (typeof x === 'boolean') return v.kind === 'bool' && v.value === x;
  return v.kind === 'number' && v.value === x;
}

function matchRule(set: ConditionSet<RuleCondition>, rule: PipelineRule, state: State): boolean {
  if (set.conditions.length === 0) return true;
  return evalSet(set, (c) => ruleConditionHolds(c, rule, state));
}

function ruleConditionHolds(c: RuleCondition, rule: PipelineRule, state: State): boolean {
  switch (c.type) {
    case 'logsource':
      return (['category', 'product', 'service'] as const).every((k) => c[k] === undefined || c[k] === rule.logsource[k]);
    case 'contains_detection_item':
      return allItems(rule.detection).some((it) => it.field !== null && it.field === c.field && pyValuesOf(it).some((v) => valueEquals(v, c.value)));
    case 'contains_field':
      return allItems(rule.detection).some((it) => it.field !== null && it.field === c.field);
    case 'processing_item_applied':
      return state.ruleApplied.has(c.id);
    case 'processing_state':
      return stateHolds(state, c.key, c.val, c.op);
    case 'is_sigma_rule':
      return true;
    case 'is_sigma_correlation_rule':
      return false;
    case 'rule_attribute':
      return ruleAttributeHolds(c, rule);
    case 'tag':
      return Array.isArray(rule.raw.tags) && rule.raw.tags.some((t) => t === c.tag);
    default:
      return assertNever(c);
  }
}

/** pySigma's RuleAttributeCondition: text and ids by equality, lists by membership, levels, statuses, dates and numbers by order. */
function ruleAttributeHolds(c: Extract<RuleCondition, { type: 'rule_attribute' }>, rule: PipelineRule): boolean {
  const v = rule.raw[c.attribute];
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) {
    if (c.op === 'in') return v.some((x) => x === c.value);
    if (c.op === 'not_in') return !v.some((x) => x === c.value);
    return c.op === 'ne';
  }
  const order = (list: string[]): boolean => {
    const a = list.indexOf(String(v).toLowerCase());
    const b = list.indexOf(String(c.value).toLowerCase());
    return a >= 0 && b >= 0 && c.op !== 'in' && c.op !== 'not_in' && compare(a, b, c.op);
  };
  if (c.attribute === 'level') return order(LEVELS);
  if (c.attribute === 'status') return order(STATUSES);
  if ((c.attribute === 'date' || c.attribute === 'modified') && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
    return c.op !== 'in' && c.op !== 'not_in' && compare(v, String(c.value), c.op);
  }
  if (typeof v === 'number') return c.op !== 'in' && c.op !== 'not_in' && compare(v, Number(c.value), c.op);
  if (c.op === 'eq') return String(v) === String(c.value);
  if (c.op === 'ne') return String(v) !== String(c.value);
  return false;
}

function allItems(d: DetectionSource): DetectionItemSource[] {
  return d.identifiers.flatMap((i) => [...detectionItems(i.body)]);
}

function detectionItemConditionHolds(c: DetectionItemCondition, item: DetectionItemSource, state: State): boolean {
  switch (c.type) {
    case 'processing_item_applied':
      return item.applied?.has(c.id) === true;
    case 'processing_state':
      return stateHolds(state, c.key, c.val, c.op);
    default:
      break;
  }
  const values = pyValuesOf(item);
  const one = (v: PyValue): boolean => {
    switch (c.type) {
      case 'match_string': {
        let r = false;
        if (v.kind === 'string') {
          c.regex.lastIndex = 0;
          r = c.regex.test(toPlain(v.parts));
        }
        return c.negate ? !r : r;
      }
      case 'match_value':
        return valueEquals(v, c.value);
      case 'contains_wildcard':
        return v.kind === 'string' && hasSpecial(v.parts);
      case 'is_null':
        return v.kind === 'null';
    }
  };
  return c.all ? values.every(one) : values.some(one);
}

/** A field name condition on a field name (pySigma's `match_field_name`). */
function fieldNameHolds(c: FieldNameCondition, field: string | null, state: State): boolean {
  switch (c.type) {
    case 'include_fields':
    case 'exclude_fields': {
      let included = false;
      if (field !== null) {
        if (c.regexes === undefined) included = c.fields.includes(field);
        else
          included = c.regexes.some((re) => {
            re.lastIndex = 0;
            return re.test(field);
          });
      }
      return c.type === 'include_fields' ? included : !included;
    }
    case 'processing_item_applied':
      return field !== null && state.fieldApplied.get(field)?.has(c.id) === true;
    case 'processing_state':
      return stateHolds(state, c.key, c.val, c.op);
    default:
      return assertNever(c);
  }
}

/** A field name condition on a detection item: its field, or a field its `fieldref` values name. */
function fieldNameHoldsOnItem(c: FieldNameCondition, item: DetectionItemSource, state: State): boolean {
  if (c.type === 'processing_item_applied') return item.applied?.has(c.id) === true;
  if (c.type === 'processing_state') return stateHolds(state, c.key, c.val, c.op);
  if (fieldNameHolds(c, item.field, state)) return true;
  return isFieldref(item) && item.values.some((v) => fieldNameHolds(c, v.value.text, state));
}

function isFieldref(item: DetectionItemSource): boolean {
  return !isChainError(item.chain) && item.chain.kind === 'fieldref';
}

/** pySigma's `match_detection_item`: the detection item conditions and the field name conditions. */
function matchDetectionItem(pi: ProcessingItem, item: DetectionItemSource, state: State): boolean {
  return evalSet(pi.detectionItem, (c) => detectionItemConditionHolds(c, item, state)) && evalSet(pi.fieldName, (c) => fieldNameHoldsOnItem(c, item, state));
}

/** pySigma's `match_field_name`. */
function matchFieldName(pi: ProcessingItem, field: string | null, state: State): boolean {
  return evalSet(pi.fieldName, (c) => fieldNameHolds(c, field, state));
}

function markApplied(pi: ProcessingItem, item: DetectionItemSource): void {
  if (pi.id === undefined) return;
  (item.applied ??= new Set()).add(pi.id);
}

// ---------------------------------------------------------------------------------------------
// Walking detection items.

/**
 * Visits every item under each identifier; `visit` returns a replacement node, `null` to drop the
 * item, or undefined to keep it. Emptied nodes are dropped (pySigma's empty detection becomes
 * nothing in the condition); an identifier left empty gets a null body.
 */
function rewriteItems(d: DetectionSource, visit: (item: DetectionItemSource) => DetectionNode | null | undefined): void {
  const walk = (n: DetectionNode): DetectionNode | null => {
    if (n.kind === 'item') {
      const r = visit(n.item);
      return r === undefined ? n : r;
    }
    const children: DetectionNode[] = [];
    for (const c of n.children) {
      const x = walk(c);
      if (x !== null) children.push(x);
    }
    if (children.length === 0) return null;
    n.children = children;
    return n;
  };
  for (const ident of d.identifiers) if (ident.body !== null) ident.body = walk(ident.body);
}

function withModifiers(item: DetectionItemSource, modifiers: string[]): void {
  item.modifiers = modifiers;
  item.chain = parseModifierChain(modifiers, item.field === null);
}

// ---------------------------------------------------------------------------------------------
// Field name transformations.

type FieldTransformation = Extract<Transformation, { type: 'field_name_mapping' | 'field_name_prefix_mapping' | 'field_name_prefix' | 'field_name_suffix' }>;

/** pySigma's `apply_field_name`: the new name(s), or undefined when the transformation leaves the field alone. */
function mapFieldName(t: FieldTransformation, field: string | null): string | string[] | undefined {
  if (field === null) return undefined;
  switch (t.type) {
    case 'field_name_mapping':
      return t.mapping.find(([k]) => k === field)?.[1];
    case 'field_name_prefix_mapping': {
      for (const [src, dest] of t.mapping) {
        if (!field.startsWith(src)) continue;
        const rest = field.slice(src.length);
        return typeof dest === 'string' ? dest + rest : dest.map((x) => x + rest);
      }
      return undefined;
    }
    case 'field_name_prefix':
      return t.prefix + field;
    case 'field_name_suffix':
      return field + t.suffix;
    default:
      return assertNever(t);
  }
}

/** pySigma's `_apply_field_name` (with the field-name tracking): the names a field becomes. */
function trackedFieldNames(pi: ProcessingItem, t: FieldTransformation, field: string, state: State): string[] {
  const r = mapFieldName(t, field);
  if (r === undefined || !matchFieldName(pi, field, state)) return [field];
  const dest = typeof r === 'string' ? [r] : r;
  if (!(dest.length === 1 && dest[0] === field)) {
    const ids = state.fieldApplied.get(field) ?? new Set<string>();
    if (pi.id !== undefined) ids.add(pi.id);
    state.fieldApplied.delete(field);
    for (const f of dest) state.fieldApplied.set(f, new Set(ids));
  }
  return dest;
}

function applyFieldMapping(pi: ProcessingItem, t: FieldTransformation, d: DetectionSource, state: State): void {
  // The rule's `fields:` list first (pySigma maps it, and tracks the names for field name conditions).
  state.fields = state.fields.flatMap((f) => trackedFieldNames(pi, t, f, state));
  rewriteItems(d, (item) => {
    if (!matchDetectionItem(pi, item, state)) return undefined;
    let changed = false;
    if (isFieldref(item)) {
      const values: YScalar[] = [];
      let mapped = false;
      for (const v of item.values) {
        const name = v.value.text;
        if (matchFieldName(pi, name, state)) {
          mapped = true;
          for (const f of trackedFieldNames(pi, t, name, state)) values.push(stringScalar(f, v));
        } else values.push(v);
      }
      if (mapped) {
        item.values = values;
        if (values.length > 1 && !item.list) item.list = true;
        changed = true;
      }
    }
    const mapping = mapFieldName(t, item.field);
    if (mapping !== undefined && matchFieldName(pi, item.field, state)) {
      const original = item.ruleField !== undefined ? item.ruleField : item.field;
      if (typeof mapping === 'string') {
        item.field = mapping;
        item.ruleField = original;
        markApplied(pi, item);
        return { kind: 'item', item };
      }
      // One field to several: alternatives, each a copy that starts with only this item's mark.
      return {
        kind: 'list',
        children: mapping.map((f) => {
          const copy: DetectionItemSource = { ...item, field: f, ruleField: original, values: [...item.values], modifiers: [...item.modifiers] };
          delete copy.applied;
          markApplied(pi, copy);
          return { kind: 'item', item: copy };
        }),
      };
    }
    if (changed) {
      markApplied(pi, item);
      return { kind: 'item', item };
    }
    return undefined;
  });
}

function stringScalar(text: string, like: YScalar): YScalar {
  return { kind: 'scalar', value: { type: 'string', text }, plain: false, offset: like.offset };
}

// ---------------------------------------------------------------------------------------------
// drop_detection_item, add_condition.

function applyDrop(pi: ProcessingItem, d: DetectionSource, state: State): void {
  rewriteItems(d, (item) => (matchDetectionItem(pi, item, state) ? null : undefined));
}

/** `$category`, `${product}`, `$service` substituted as Python's string.Template.safe_substitute does (`$$` is `$`; unknown names stay). */
function substituteTemplate(text: string, ls: Logsource): string {
  return text.replace(/\$(?:(\$)|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})/g, (whole, dollar: string | undefined, a: string | undefined, b: string | undefined) => {
    if (dollar !== undefined) return '$';
    const name = a ?? b ?? '';
    if (name !== 'category' && name !== 'product' && name !== 'service') return whole;
    return ls[name] ?? 'None';
  });
}

function templated(n: YNode, ls: Logsource): YNode {
  switch (n.kind) {
    case 'scalar':
      return n.value.type === 'string' ? { ...n, value: { type: 'string', text: substituteTemplate(n.value.text, ls) } } : n;
    case 'seq':
      return { ...n, items: n.items.map((x) => templated(x, ls)) };
    case 'map':
      // pySigma substitutes in the values (and value lists), not in the keys.
      return { ...n, entries: n.entries.map((e) => ({ ...e, value: templated(e.value, ls) })) };
    default:
      return assertNever(n);
  }
}

/** The identifier an add_condition adds: its `name`, else `_cond_<id>`, else `_cond_<n>` (pySigma draws a random one). */
export function addedConditionName(pi: ProcessingItem, index: number): string {
  if (pi.transformation.type === 'add_condition' && pi.transformation.name !== undefined) return pi.transformation.name;
  if (pi.id !== undefined) return `_cond_${pi.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return `_cond_${index}`;
}

function applyAddCondition(pi: ProcessingItem, t: Extract<Transformation, { type: 'add_condition' }>, d: DetectionSource, ls: Logsource, index: number, err: ReadContext['err']): void {
  const name = addedConditionName(pi, index);
  const where = `pipeline ${pi.pipeline} (${pi.where.file}${pi.where.pos ? `:${pi.where.pos.line}` : ''})`;
  const node: YMap = t.template ? (templated(t.conditions, ls) as YMap) : t.conditions;
  const ctx: ReadContext = {
    err: (code: DiagnosticCode, message: string) => err('PIPELINE_APPLY_FAILED', `${where}: add_condition: ${message} [${code}]`, undefined, 'detection'),
    warn: () => undefined,
  };
  const body = readSearch(name, node, childPath('detection', name), ctx, where);
  if (body === undefined) return;
  for (const it of detectionItems(body)) {
    if (pi.id !== undefined) it.applied = new Set([pi.id]);
  }
  const ident = { name, body, path: childPath('detection', name), keyNode: t.conditions as YNode, external: where };
  const at = d.identifiers.findIndex((i) => i.name === name);
  if (at >= 0) d.identifiers[at] = ident;
  else {
    d.identifiers.push(ident);
    d.declared.push(name);
  }
  d.conditionGuards.unshift({ name, negated: t.negated });
}

// ---------------------------------------------------------------------------------------------
// Value transformations.

type ValueTransformation = Extract<Transformation, { type: 'replace_string' | 'value_placeholders' | 'wildcard_placeholders' }>;

function handled(t: Extract<ValueTransformation, { type: 'value_placeholders' | 'wildcard_placeholders' }>, name: string): boolean {
  if (t.include !== undefined) return t.include.includes(name);
  if (t.exclude !== undefined) return !t.exclude.includes(name);
  return true;
}

/** pySigma's `replace_placeholders`: every combination of the placeholders' replacements, in order. */
function replacePlaceholders(parts: readonly StringPart[], replacement: (name: string) => StringPart[][] | undefined): StringPart[][] {
  const at = parts.findIndex((p) => typeof p !== 'string' && 'placeholder' in p);
  if (at < 0) return [[...parts]];
  const p = parts[at] as { placeholder: string };
  const options = replacement(p.placeholder) ?? [[p]];
  const suffixes = replacePlaceholders(parts.slice(at + 1), replacement);
  const out: StringPart[][] = [];
  for (const o of options) for (const s of suffixes) out.push([...parts.slice(0, at), ...o, ...s]);
  return out;
}

class ApplyError extends Error {}

/** One value through a value transformation: its new values (pySigma strings), or undefined when it is left alone. */
function transformValue(t: ValueTransformation, v: PyValue, vars: Record<string, unknown>): StringPart[][] | undefined {
  if (t.type === 'replace_string') {
    let parts: StringPart[];
    if (v.kind === 'number') parts = [String(v.value)];
    else if (v.kind === 'string') parts = v.parts;
    else if (v.kind === 'other' && v.what === 'encoded') throw new ApplyError('replace_string on a base64/utf16-encoded value (pySigma would rewrite the encoded text) is not supported');
    else return undefined;
    if (t.skipSpecial) {
      const out: StringPart[] = [];
      for (const p of parts) {
        if (typeof p !== 'string') out.push(p);
        else {
          const r = pythonSub(t.regex, t.replacement, p);
          if (t.interpretSpecial) out.push(...parseSigmaString(r));
          else out.push(r);
        }
      }
      return [normalizeParts(out)];
    }
    const replaced = pythonSub(t.regex, t.replacement, toPlain(parts));
    // pySigma doubles every backslash not before a wildcard, then reads the text as a Sigma string.
    const text = replaced.replace(/\\(?![*?])/g, '\\\\');
    let out = parseSigmaString(text);
    if (hasPlaceholder(parts)) out = insertPlaceholders(out);
    return [out];
  }
  if (v.kind === 'other' && v.what === 'regex' && /%[^%]+%/.test(v.text)) throw new ApplyError(`${t.type} on a placeholder inside a regular expression is not supported`);
  if (v.kind !== 'string' || !v.parts.some((p) => typeof p !== 'string' && 'placeholder' in p && handled(t, p.placeholder))) return undefined;
  return replacePlaceholders(v.parts, (name) => {
    if (!handled(t, name)) return undefined;
    if (t.type === 'wildcard_placeholders') return [[{ special: '*' }]];
    if (!Object.prototype.hasOwnProperty.call(vars, name)) throw new ApplyError(`the placeholder %${name}% has no variable of that name in the pipelines' vars`);
    const raw = vars[name];
    const list = Array.isArray(raw) ? raw : [raw];
    if (!list.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) throw new ApplyError(`the variable '${name}' holds a value that is not text or a number`);
    return list.map((x) => parseSigmaString(typeof x === 'boolean' ? (x ? 'True' : 'False') : String(x)));
  }).map(normalizeParts);
}

function applyValues(pi: ProcessingItem, t: ValueTransformation, d: DetectionSource, state: State, err: ReadContext['err']): void {
  rewriteItems(d, (item) => {
    if (!matchDetectionItem(pi, item, state) || isChainError(item.chain)) return undefined;
    const chain = item.chain;
    const values: YScalar[] = [];
    let touched = false;
    let textChanged = false;
    try {
      for (const v of item.values) {
        const pv = pyValue(v.value, chain);
        const out = transformValue(t, pv, state.vars);
        if (out === undefined) {
          values.push(v);
          continue;
        }
        touched = true;
        for (const parts of out) {
          const s = stringScalar(toSigmaText(parts), v);
          if (out.length !== 1 || pv.kind !== 'string' || !sameString(parts, pv.parts)) textChanged = true;
          values.push(s);
        }
      }
    } catch (e) {
      if (!(e instanceof ApplyError)) throw e;
      err('PIPELINE_APPLY_FAILED', `pipeline ${pi.pipeline} (${pi.where.file}${pi.where.pos ? `:${pi.where.pos.line}` : ''}, ${t.type}): ${e.message}`, item.external === undefined ? item.keyNode : undefined, item.path);
      return undefined;
    }
    if (!touched) return undefined;
    markApplied(pi, item);
    if (!textChanged) return { kind: 'item', item };
    // The values now hold their wildcards: the affixes go; `expand` stays while a placeholder does.
    const stillPlaceholders = values.some((v) => v.value.type === 'string' && /(?<!\\)%[^%]+%/.test(v.value.text));
    const modifiers = item.modifiers.filter((m) => m !== 'contains' && m !== 'startswith' && m !== 'endswith' && (m !== 'expand' || stillPlaceholders));
    item.values = values;
    item.rewritten = true;
    if (values.length > 1) item.list = true;
    withModifiers(item, modifiers);
    return { kind: 'item', item };
  });
}

/**
 * The names a pipeline gives fields that a rule does not itself test (the Channel, EventID and
 * Provider_Name an event of the rule's logsource carries): the pipeline applied to a detection of
 * just those fields, with the rule's logsource and metadata. A name the pipeline maps to several
 * fields takes the first. Used to write generated events in the mapped shape.
 */
export function mappedFieldNames(pipeline: ResolvedPipeline, rule: Omit<PipelineRule, 'detection'>, names: readonly string[]): Record<string, string> {
  const node = (offset: number): YScalar => ({ kind: 'scalar', value: { type: 'string', text: 'x' }, plain: true, offset });
  const items = names.map((field, k): DetectionNode => ({
    kind: 'item',
    item: { identifier: 'sel', field, modifiers: [], chain: parseModifierChain([], false), values: [node(k)], list: false, path: `detection.sel.${field}`, keyNode: node(k), external: 'generated' },
  }));
  const detection: DetectionSource = { identifiers: [{ name: 'sel', body: { kind: 'map', children: items }, path: 'detection.sel', keyNode: node(0) }], declared: ['sel'], conditions: [], conditionNode: undefined, conditionGuards: [], node: { kind: 'map', entries: [], offset: 0 }, ok: true };
  applyPipeline(pipeline, { ...rule, detection }, () => undefined);
  const out: Record<string, string> = {};
  const body = detection.identifiers.find((i) => i.name === 'sel')?.body ?? null;
  for (const it of detectionItems(body)) {
    const from = it.ruleField !== undefined ? it.ruleField : it.field;
    if (typeof from === 'string' && it.field !== null && out[from] === undefined) out[from] = it.field;
  }
  return out;
}
