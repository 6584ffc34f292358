/**
 * pySigma processing pipelines (YAML), read with a located diagnostic for every problem.
 *
 * A pipeline is what teams keep to convert Sigma rules for their SIEM: field names mapped to
 * theirs, conditions added, log sources changed. sigmatest applies the same file to a rule before
 * planning it (apply-pipeline.ts), so a rule is tested as the SIEM sees it. The format is
 * pySigma's (`ProcessingPipeline.from_yaml`):
 *
 * ```yaml
 * name: my pipeline
 * priority: 20                      # pipelines run lowest priority first
 * vars: {admins: [root, admin]}     # values for value_placeholders
 * transformations:
 *   - id: image                     # optional; conditions may refer to it
 *     type: field_name_mapping
 *     mapping: {Image: process.executable, User: [user.name, user.id]}
 *     rule_conditions:              # a list (AND unless rule_cond_op: or), or a mapping with rule_cond_expr
 *       - type: logsource
 *         product: windows
 *     rule_cond_not: false
 *     field_name_conditions: [{type: include_fields, fields: [Image]}]
 *     detection_item_conditions: [{type: match_string, pattern: '^C:', cond: any}]
 * ```
 *
 * Supported transformations: field_name_mapping, field_name_prefix_mapping, field_name_prefix,
 * field_name_suffix, drop_detection_item, add_condition, change_logsource, replace_string,
 * value_placeholders, wildcard_placeholders, set_state. Conditions: rule (logsource,
 * contains_detection_item, contains_field, processing_item_applied, processing_state,
 * is_sigma_rule, is_sigma_correlation_rule, rule_attribute, tag), detection item (match_string,
 * match_value, contains_wildcard, is_null, processing_item_applied, processing_state) and field
 * name (include_fields, exclude_fields, processing_item_applied, processing_state), each with
 * its `_cond_op`, `_cond_not` and `_cond_expr`. Any other transformation or condition type is an
 * error naming it, with the file, line and column: a pipeline is never applied in part.
 * `allowed_backends` is ignored (sigmatest is no backend); `postprocessing` and `finalizers`
 * shape query text, which sigmatest never writes: a warning says they are ignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnostic, readErrorReason } from '../diagnostics/diagnostics.js';
import type { Diagnostic, DiagnosticCode, SourcePos } from '../diagnostics/diagnostics.js';
import { childPath } from '../diagnostics/doc-path.js';
import { LineIndex } from '../diagnostics/line-index.js';
import { mapGet, parseYaml, toPlain } from '../yaml/yaml-tree.js';
import type { YMap, YNode } from '../yaml/yaml-tree.js';
import { isConditionError, parseCondition } from '../condition/parse-condition.js';
import type { ConditionNode } from '../condition/parse-condition.js';
import { pythonRegex, pythonReplacement, replacementGroupsExist } from './python-regex.js';
import type { PythonReplacement } from './python-regex.js';

/** Where something is written in a pipeline file. */
export interface PipelineLocation {
  file: string;
  path: string;
  pos?: SourcePos;
}

/** A comparison of rule_attribute and processing_state conditions. */
export type CompareOp = 'eq' | 'ne' | 'gte' | 'gt' | 'lte' | 'lt';

/** A rule condition (`rule_conditions`). */
export type RuleCondition =
  | { type: 'logsource'; category?: string; product?: string; service?: string }
  | { type: 'contains_detection_item'; field: string; value: string | number | boolean }
  | { type: 'contains_field'; field: string }
  | { type: 'processing_item_applied'; id: string }
  | { type: 'processing_state'; key: string; val: unknown; op: CompareOp }
  | { type: 'is_sigma_rule' }
  | { type: 'is_sigma_correlation_rule' }
  | { type: 'rule_attribute'; attribute: string; value: string | number; op: CompareOp | 'in' | 'not_in' }
  | { type: 'tag'; tag: string };

/** A detection item condition (`detection_item_conditions`); `cond`: any or all of the item's values. */
export type DetectionItemCondition =
  | { type: 'match_string'; regex: RegExp; negate: boolean; all: boolean }
  | { type: 'match_value'; value: string | number | boolean; all: boolean }
  | { type: 'contains_wildcard'; all: boolean }
  | { type: 'is_null'; all: boolean }
  | { type: 'processing_item_applied'; id: string }
  | { type: 'processing_state'; key: string; val: unknown; op: CompareOp };

/** A field name condition (`field_name_conditions`). */
export type FieldNameCondition =
  | { type: 'include_fields' | 'exclude_fields'; fields: string[]; regexes?: RegExp[] }
  | { type: 'processing_item_applied'; id: string }
  | { type: 'processing_state'; key: string; val: unknown; op: CompareOp };

/** Conditions of one kind and how they combine: a list linked by `op`, or named ones in an expression; then `not`. */
export interface ConditionSet<C> {
  conditions: C[];
  /** With an expression: the conditions by name. */
  named?: Map<string, C>;
  expression?: ConditionNode;
  op: 'and' | 'or';
  negated: boolean;
}

/** A field mapping: each field to one field, or to several (any of them, OR). */
export type FieldMapping = Array<[string, string | string[]]>;

/** A transformation (`type` and its parameters). */
export type Transformation =
  | { type: 'field_name_mapping'; mapping: FieldMapping }
  | { type: 'field_name_prefix_mapping'; mapping: FieldMapping }
  | { type: 'field_name_prefix'; prefix: string }
  | { type: 'field_name_suffix'; suffix: string }
  | { type: 'drop_detection_item' }
  | { type: 'add_condition'; conditions: YMap; name?: string; template: boolean; negated: boolean; text: string; lines: LineIndex }
  | { type: 'change_logsource'; category?: string; product?: string; service?: string }
  | { type: 'replace_string'; regex: RegExp; replacement: Extract<PythonReplacement, { replace: unknown }>['replace']; skipSpecial: boolean; interpretSpecial: boolean }
  | { type: 'value_placeholders' | 'wildcard_placeholders'; include?: string[]; exclude?: string[] }
  | { type: 'set_state'; key: string; val: unknown };

/** One entry of `transformations`. */
export interface ProcessingItem {
  id?: string;
  transformation: Transformation;
  rule: ConditionSet<RuleCondition>;
  detectionItem: ConditionSet<DetectionItemCondition>;
  fieldName: ConditionSet<FieldNameCondition>;
  where: PipelineLocation;
  /** The pipeline's display name (its name, else its file). */
  pipeline: string;
}

/** A loaded pipeline. */
export interface Pipeline {
  name?: string;
  priority: number;
  vars: Record<string, unknown>;
  items: ProcessingItem[];
  /** The file it was read from (absolute), and how it was named (a built-in name or the path given). */
  file: string;
  label: string;
}

/** Pipelines combined in application order (by priority, lowest first; the order given for equal priorities). */
export interface ResolvedPipeline {
  pipelines: Pipeline[];
  items: ProcessingItem[];
  /** The pipelines' vars merged, later pipelines winning. */
  vars: Record<string, unknown>;
  /** The labels, in application order (for reports). */
  labels: string[];
}

const TOP_KEYS = ['name', 'priority', 'vars', 'transformations', 'postprocessing', 'finalizers', 'allowed_backends'];
const ITEM_KEYS = new Set([
  'id', 'type',
  'rule_conditions', 'rule_cond_expr', 'rule_cond_op', 'rule_cond_not',
  'detection_item_conditions', 'detection_item_cond_expr', 'detection_item_cond_op', 'detection_item_cond_not',
  'field_name_conditions', 'field_name_cond_expr', 'field_name_cond_op', 'field_name_cond_not',
]);

/** The parameters of each supported transformation type (pySigma's), required ones marked. */
const TRANSFORMATIONS: Record<Transformation['type'], Record<string, boolean>> = {
  field_name_mapping: { mapping: true },
  field_name_prefix_mapping: { mapping: true },
  field_name_prefix: { prefix: true },
  field_name_suffix: { suffix: true },
  drop_detection_item: {},
  add_condition: { conditions: true, name: false, template: false, negated: false },
  change_logsource: { category: false, product: false, service: false },
  replace_string: { regex: true, replacement: true, skip_special: false, interpret_special: false },
  value_placeholders: { include: false, exclude: false },
  wildcard_placeholders: { include: false, exclude: false },
  set_state: { key: true, val: true },
};

/** pySigma transformation types sigmatest does not apply (named in the error, so it is clear the type exists). */
const KNOWN_UNSUPPORTED = new Set([
  'field_name_transform', 'add_field', 'remove_field', 'set_field', 'map_string', 'regex', 'set_value', 'convert_type',
  'case', 'hashes_fields', 'extract_fields', 'set_custom_attribute', 'query_expression_placeholders', 'file_placeholders',
  'http_placeholders', 'command_placeholders', 'rule_failure', 'detection_item_failure', 'strict_field_mapping_failure', 'nest',
]);

const RULE_CONDITIONS: Record<RuleCondition['type'], Record<string, boolean>> = {
  logsource: { category: false, product: false, service: false },
  contains_detection_item: { field: true, value: true },
  contains_field: { field: true },
  processing_item_applied: { processing_item_id: true },
  processing_state: { key: true, val: true, op: false },
  is_sigma_rule: {},
  is_sigma_correlation_rule: {},
  rule_attribute: { attribute: true, value: true, op: false },
  tag: { tag: true },
};
const DETECTION_ITEM_CONDITIONS: Record<DetectionItemCondition['type'], Record<string, boolean>> = {
  match_string: { pattern: true, cond: true, negate: false },
  match_value: { value: true, cond: true },
  contains_wildcard: { cond: true },
  is_null: { cond: true },
  processing_item_applied: { processing_item_id: true },
  processing_state: { key: true, val: true, op: false },
};
const FIELD_NAME_CONDITIONS: Record<FieldNameCondition['type'], Record<string, boolean>> = {
  include_fields: { fields: true, mode: false },
  exclude_fields: { fields: true, mode: false },
  processing_item_applied: { processing_item_id: true },
  processing_state: { key: true, val: true, op: false },
};

const COMPARE_OPS = new Set(['eq', 'ne', 'gte', 'gt', 'lte', 'lt']);

/** Reading state for one file. */
class Reader {
  readonly diagnostics: Diagnostic[] = [];
  ok = true;
  constructor(
    readonly file: string,
    readonly lines: LineIndex,
  ) {}

  at(n: YNode | undefined, path: string): PipelineLocation {
    const w: PipelineLocation = { file: this.file, path };
    if (n !== undefined) w.pos = this.lines.pos(n.offset);
    return w;
  }

  error(code: DiagnosticCode, message: string, n: YNode | undefined, path: string): void {
    this.ok = false;
    this.diagnostics.push(diagnostic(code, message, this.at(n, path)));
  }

  warn(code: DiagnosticCode, message: string, n: YNode | undefined, path: string): void {
    this.diagnostics.push(diagnostic(code, message, this.at(n, path), 'warning'));
  }

  /** Checks a mapping's keys against a parameter table (unknown ones: errors, as pySigma's TypeError; missing required ones too). */
  params(m: YMap, table: Record<string, boolean>, skip: ReadonlySet<string>, what: string, path: string): boolean {
    let ok = true;
    for (const e of m.entries) {
      if (skip.has(e.key) || e.key in table) continue;
      const known = Object.keys(table);
      this.error('PIPELINE_INVALID', `${what} has no parameter '${e.key}'${known.length ? ` (parameters: ${known.join(', ')})` : ' (it takes none)'}`, e.keyNode, childPath(path, e.key));
      ok = false;
    }
    for (const [k, required] of Object.entries(table)) {
      if (required && mapGet(m, k) === undefined) {
        this.error('PIPELINE_INVALID', `${what} needs '${k}'`, m, path);
        ok = false;
      }
    }
    return ok;
  }

  text(m: YMap, key: string, path: string, what: string): string | undefined {
    const n = mapGet(m, key);
    if (n === undefined || (n.kind === 'scalar' && n.value.type === 'null')) return undefined;
    if (n.kind === 'scalar' && n.value.type !== 'null') return n.value.text;
    this.error('PIPELINE_INVALID', `${what}: '${key}' must be text`, n, childPath(path, key));
    return undefined;
  }

  bool(m: YMap, key: string, path: string, what: string): boolean {
    const n = mapGet(m, key);
    if (n === undefined) return false;
    if (n.kind === 'scalar' && n.value.type === 'bool') return n.value.value;
    this.error('PIPELINE_INVALID', `${what}: '${key}' must be true or false`, n, childPath(path, key));
    return false;
  }

  textList(m: YMap, key: string, path: string, what: string): string[] | undefined {
    const n = mapGet(m, key);
    if (n === undefined || (n.kind === 'scalar' && n.value.type === 'null')) return undefined;
    const items = n.kind === 'seq' ? n.items : [n];
    const out: string[] = [];
    for (const x of items) {
      if (x.kind !== 'scalar' || x.value.type === 'null') {
        this.error('PIPELINE_INVALID', `${what}: '${key}' must be a list of text`, x, childPath(path, key));
        return undefined;
      }
      out.push(x.value.text);
    }
    return out;
  }
}

/** The scalar value of a node as pySigma's YAML loader gives it (numbers as numbers, text as text). */
function scalarOf(n: YNode | undefined): string | number | boolean | null | undefined {
  if (n === undefined || n.kind !== 'scalar') return undefined;
  const v = n.value;
  return v.type === 'string' ? v.text : v.type === 'null' ? null : v.value;
}

function readCompareOp(r: Reader, m: YMap, path: string, what: string, extra: readonly string[] = []): string {
  const op = r.text(m, 'op', path, what) ?? 'eq';
  if (!COMPARE_OPS.has(op) && !extra.includes(op)) r.error('PIPELINE_INVALID', `${what}: op '${op}' is not one of ${[...COMPARE_OPS, ...extra].join(', ')}`, mapGet(m, 'op'), childPath(path, 'op'));
  return op;
}

function readCond(r: Reader, m: YMap, path: string, what: string): boolean {
  const cond = r.text(m, 'cond', path, what);
  if (cond !== 'any' && cond !== 'all') {
    r.error('PIPELINE_INVALID', `${what}: 'cond' must be any or all, not '${String(cond)}'`, mapGet(m, 'cond') ?? m, childPath(path, 'cond'));
    return false;
  }
  return cond === 'all';
}

type Kind = 'rule' | 'detection_item' | 'field_name';

function readOneCondition(r: Reader, kind: Kind, n: YNode, path: string): RuleCondition | DetectionItemCondition | FieldNameCondition | undefined {
  const label = { rule: 'rule condition', detection_item: 'detection item condition', field_name: 'field name condition' }[kind];
  if (n.kind !== 'map') {
    r.error('PIPELINE_INVALID', `a ${label} must be a mapping with a 'type'`, n, path);
    return undefined;
  }
  const typeNode = mapGet(n, 'type');
  const type = scalarOf(typeNode);
  if (typeof type !== 'string') {
    r.error('PIPELINE_INVALID', `a ${label} needs a 'type'`, n, path);
    return undefined;
  }
  const tables: Record<Kind, Record<string, Record<string, boolean>>> = { rule: RULE_CONDITIONS, detection_item: DETECTION_ITEM_CONDITIONS, field_name: FIELD_NAME_CONDITIONS };
  const table = tables[kind][type];
  if (table === undefined) {
    r.error('PIPELINE_CONDITION_UNSUPPORTED', `${label} type '${type}' is not supported (supported: ${Object.keys(tables[kind]).join(', ')})`, typeNode, childPath(path, 'type'));
    return undefined;
  }
  const what = `${label} '${type}'`;
  if (!r.params(n, table, new Set(['type']), what, path)) return undefined;
  const before = r.diagnostics.length;
  let c: RuleCondition | DetectionItemCondition | FieldNameCondition | undefined;
  const stateCond = (): { type: 'processing_state'; key: string; val: unknown; op: CompareOp } => ({
    type: 'processing_state',
    key: r.text(n, 'key', path, what) ?? '',
    val: toPlain(mapGet(n, 'val') ?? null),
    op: readCompareOp(r, n, path, what) as CompareOp,
  });
  if (type === 'processing_item_applied') c = { type, id: r.text(n, 'processing_item_id', path, what) ?? '' };
  else if (type === 'processing_state') c = stateCond();
  else if (kind === 'rule') {
    switch (type) {
      case 'logsource': {
        const ls: { type: 'logsource'; category?: string; product?: string; service?: string } = { type };
        for (const k of ['category', 'product', 'service'] as const) {
          const v = r.text(n, k, path, what);
          if (v !== undefined) ls[k] = v;
        }
        c = ls;
        break;
      }
      case 'contains_detection_item': {
        const v = scalarOf(mapGet(n, 'value'));
        if (v === null || v === undefined) r.error('PIPELINE_INVALID', `${what}: 'value' must be text, a number or a boolean`, mapGet(n, 'value'), childPath(path, 'value'));
        else c = { type, field: r.text(n, 'field', path, what) ?? '', value: v };
        break;
      }
      case 'contains_field':
        c = { type, field: r.text(n, 'field', path, what) ?? '' };
        break;
      case 'is_sigma_rule':
      case 'is_sigma_correlation_rule':
        c = { type };
        break;
      case 'rule_attribute': {
        const v = scalarOf(mapGet(n, 'value'));
        if (typeof v !== 'string' && typeof v !== 'number') r.error('PIPELINE_INVALID', `${what}: 'value' must be text or a number`, mapGet(n, 'value'), childPath(path, 'value'));
        else c = { type, attribute: r.text(n, 'attribute', path, what) ?? '', value: v, op: readCompareOp(r, n, path, what, ['in', 'not_in']) as CompareOp };
        break;
      }
      case 'tag':
        c = { type, tag: r.text(n, 'tag', path, what) ?? '' };
        break;
    }
  } else if (kind === 'detection_item') {
    switch (type) {
      case 'match_string': {
        const pattern = r.text(n, 'pattern', path, what) ?? '';
        const re = pythonRegex(pattern, { sticky: true });
        if ('error' in re) r.error('PIPELINE_INVALID', `${what}: the pattern '${pattern}' is not a usable regular expression: ${re.error}`, mapGet(n, 'pattern'), childPath(path, 'pattern'));
        else c = { type, regex: re.regex, negate: r.bool(n, 'negate', path, what), all: readCond(r, n, path, what) };
        break;
      }
      case 'match_value': {
        const v = scalarOf(mapGet(n, 'value'));
        if (v === null || v === undefined) r.error('PIPELINE_INVALID', `${what}: 'value' must be text, a number or a boolean`, mapGet(n, 'value'), childPath(path, 'value'));
        else c = { type, value: v, all: readCond(r, n, path, what) };
        break;
      }
      case 'contains_wildcard':
      case 'is_null':
        c = { type, all: readCond(r, n, path, what) };
        break;
    }
  } else {
    const fields = r.textList(n, 'fields', path, what) ?? [];
    const mode = r.text(n, 'mode', path, what) ?? 'plain';
    if (mode !== 'plain' && mode !== 're') r.error('PIPELINE_INVALID', `${what}: mode must be plain or re, not '${mode}'`, mapGet(n, 'mode'), childPath(path, 'mode'));
    const fc: FieldNameCondition = { type: type as 'include_fields' | 'exclude_fields', fields };
    if (mode === 're') {
      fc.regexes = [];
      for (const f of fields) {
        const re = pythonRegex(f, { sticky: true });
        if ('error' in re) r.error('PIPELINE_INVALID', `${what}: '${f}' is not a usable regular expression: ${re.error}`, mapGet(n, 'fields'), childPath(path, 'fields'));
        else fc.regexes.push(re.regex);
      }
    }
    c = fc;
  }
  return r.diagnostics.length > before && r.diagnostics.slice(before).some((d) => d.severity === 'error') ? undefined : c;
}

function readConditionSet<C>(r: Reader, kind: Kind, item: YMap, path: string): ConditionSet<C> {
  const prefix = kind === 'rule' ? 'rule' : kind;
  const listKey = `${prefix}_conditions`;
  const set: ConditionSet<C> = { conditions: [], op: 'and', negated: false };
  const list = mapGet(item, listKey);
  const exprText = mapGet(item, `${prefix}_cond_expr`);
  const opNode = mapGet(item, `${prefix}_cond_op`);
  const notNode = mapGet(item, `${prefix}_cond_not`);
  if (notNode !== undefined) {
    if (notNode.kind === 'scalar' && notNode.value.type === 'bool') set.negated = notNode.value.value;
    else r.error('PIPELINE_INVALID', `'${prefix}_cond_not' must be true or false`, notNode, childPath(path, `${prefix}_cond_not`));
  }
  if (opNode !== undefined) {
    const op = scalarOf(opNode);
    if (op === 'and' || op === 'or') set.op = op;
    else r.error('PIPELINE_INVALID', `'${prefix}_cond_op' must be and or or`, opNode, childPath(path, `${prefix}_cond_op`));
  }
  if (list !== undefined && !(list.kind === 'scalar' && list.value.type === 'null')) {
    if (list.kind === 'seq') {
      list.items.forEach((n, k) => {
        const c = readOneCondition(r, kind, n, childPath(childPath(path, listKey), k));
        if (c !== undefined) set.conditions.push(c as C);
      });
    } else if (list.kind === 'map') {
      set.named = new Map();
      for (const e of list.entries) {
        const c = readOneCondition(r, kind, e.value, childPath(childPath(path, listKey), e.key));
        if (c !== undefined) {
          set.conditions.push(c as C);
          set.named.set(e.key, c as C);
        }
      }
    } else r.error('PIPELINE_INVALID', `'${listKey}' must be a list of conditions, or a mapping of named conditions for ${prefix}_cond_expr`, list, childPath(path, listKey));
  }
  if (exprText !== undefined) {
    const where = childPath(path, `${prefix}_cond_expr`);
    if (opNode !== undefined) r.error('PIPELINE_INVALID', `'${prefix}_cond_expr' and '${prefix}_cond_op' exclude each other`, exprText, where);
    const text = scalarOf(exprText);
    if (typeof text !== 'string') r.error('PIPELINE_INVALID', `'${prefix}_cond_expr' must be a condition text`, exprText, where);
    else if (set.named === undefined) r.error('PIPELINE_INVALID', `'${prefix}_cond_expr' needs '${listKey}' as a mapping of named conditions`, exprText, where);
    else {
      const tree = parseCondition(text);
      if (isConditionError(tree)) r.error('PIPELINE_INVALID', `'${prefix}_cond_expr': ${tree.message} (at character ${tree.offset + 1} of '${text}')`, exprText, where);
      else {
        const refs = new Set<string>();
        const walk = (n: ConditionNode): void => {
          if (n.kind === 'id') refs.add(n.name);
          else if (n.kind === 'not') walk(n.arg);
          else if (n.kind === 'and' || n.kind === 'or') n.args.forEach(walk);
          else r.error('PIPELINE_INVALID', `'${prefix}_cond_expr' takes and, or, not, parentheses and condition names, not '${n.quant === 'one' ? '1' : 'all'} of'`, exprText, where);
        };
        walk(tree);
        for (const id of refs) if (!set.named.has(id)) r.error('PIPELINE_INVALID', `'${prefix}_cond_expr' refers to '${id}', which is not one of the named conditions (${[...set.named.keys()].join(', ')})`, exprText, where);
        const unused = [...set.named.keys()].filter((k) => !refs.has(k));
        if (unused.length > 0) r.error('PIPELINE_INVALID', `'${prefix}_cond_expr' does not use the conditions ${unused.join(', ')}`, exprText, where);
        set.expression = tree;
      }
    }
  } else if (set.named !== undefined) {
    // pySigma uses named conditions without an expression as a list.
    delete set.named;
  }
  return set;
}

function readMapping(r: Reader, m: YMap, path: string, what: string): FieldMapping | undefined {
  const n = mapGet(m, 'mapping');
  if (n === undefined || n.kind !== 'map') {
    r.error('PIPELINE_INVALID', `${what}: 'mapping' must map field names to a field name or a list of field names`, n ?? m, childPath(path, 'mapping'));
    return undefined;
  }
  const out: FieldMapping = [];
  for (const e of n.entries) {
    const v = e.value;
    const p = childPath(childPath(path, 'mapping'), e.key);
    if (v.kind === 'scalar' && v.value.type !== 'null') out.push([e.key, v.value.text]);
    else if (v.kind === 'seq' && v.items.length > 0 && v.items.every((x) => x.kind === 'scalar' && x.value.type !== 'null')) {
      out.push([e.key, v.items.map((x) => (x.kind === 'scalar' ? x.value.text : ''))]);
    } else r.error('PIPELINE_INVALID', `${what}: '${e.key}' must map to a field name or a non-empty list of field names`, v, p);
  }
  return out;
}

function readTransformation(r: Reader, m: YMap, path: string, text: string): Transformation | undefined {
  const typeNode = mapGet(m, 'type');
  const type = scalarOf(typeNode);
  if (typeof type !== 'string') {
    r.error('PIPELINE_INVALID', "a transformation needs a 'type'", m, path);
    return undefined;
  }
  const table = (TRANSFORMATIONS as Record<string, Record<string, boolean>>)[type];
  if (table === undefined) {
    const why = KNOWN_UNSUPPORTED.has(type) ? 'is a pySigma transformation sigmatest does not apply' : 'is not a pySigma transformation type';
    r.error('PIPELINE_TRANSFORMATION_UNSUPPORTED', `transformation type '${type}' ${why} (supported: ${Object.keys(TRANSFORMATIONS).join(', ')})`, typeNode, childPath(path, 'type'));
    return undefined;
  }
  const what = `transformation '${type}'`;
  if (!r.params(m, table, ITEM_KEYS, what, path)) return undefined;
  const before = r.diagnostics.filter((d) => d.severity === 'error').length;
  let t: Transformation | undefined;
  switch (type as Transformation['type']) {
    case 'field_name_mapping':
    case 'field_name_prefix_mapping': {
      const mapping = readMapping(r, m, path, what);
      if (mapping !== undefined) t = { type: type as 'field_name_mapping', mapping };
      break;
    }
    case 'field_name_prefix':
      t = { type: 'field_name_prefix', prefix: r.text(m, 'prefix', path, what) ?? '' };
      break;
    case 'field_name_suffix':
      t = { type: 'field_name_suffix', suffix: r.text(m, 'suffix', path, what) ?? '' };
      break;
    case 'drop_detection_item':
      t = { type: 'drop_detection_item' };
      break;
    case 'add_condition': {
      const conditions = mapGet(m, 'conditions');
      if (conditions === undefined || conditions.kind !== 'map' || conditions.entries.length === 0) {
        r.error('PIPELINE_INVALID', `${what}: 'conditions' must map fields (with modifiers) to values`, conditions ?? m, childPath(path, 'conditions'));
        break;
      }
      const name = r.text(m, 'name', path, what);
      if (name !== undefined && !/^[A-Za-z0-9_-]+$/.test(name)) r.error('PIPELINE_INVALID', `${what}: 'name' must be a search identifier ([A-Za-z0-9_-])`, mapGet(m, 'name'), childPath(path, 'name'));
      const ac: Transformation = { type: 'add_condition', conditions, template: r.bool(m, 'template', path, what), negated: r.bool(m, 'negated', path, what), text, lines: r.lines };
      if (name !== undefined) ac.name = name;
      t = ac;
      break;
    }
    case 'change_logsource': {
      const cl: { type: 'change_logsource'; category?: string; product?: string; service?: string } = { type: 'change_logsource' };
      for (const k of ['category', 'product', 'service'] as const) {
        const v = r.text(m, k, path, what);
        if (v !== undefined) cl[k] = v;
      }
      t = cl;
      break;
    }
    case 'replace_string': {
      const source = r.text(m, 'regex', path, what) ?? '';
      const re = pythonRegex(source, { global: true });
      const template = r.text(m, 'replacement', path, what) ?? '';
      const rep = pythonReplacement(template);
      if ('error' in re) r.error('PIPELINE_INVALID', `${what}: the regex '${source}' is not a usable regular expression: ${re.error}`, mapGet(m, 'regex'), childPath(path, 'regex'));
      else if ('error' in rep) r.error('PIPELINE_INVALID', `${what}: ${rep.error}`, mapGet(m, 'replacement'), childPath(path, 'replacement'));
      else {
        const missing = replacementGroupsExist(template, re.regex);
        if (missing !== undefined) r.error('PIPELINE_INVALID', `${what}: ${missing}`, mapGet(m, 'replacement'), childPath(path, 'replacement'));
        else t = { type: 'replace_string', regex: re.regex, replacement: rep.replace, skipSpecial: r.bool(m, 'skip_special', path, what), interpretSpecial: r.bool(m, 'interpret_special', path, what) };
      }
      break;
    }
    case 'value_placeholders':
    case 'wildcard_placeholders': {
      const include = r.textList(m, 'include', path, what);
      const exclude = r.textList(m, 'exclude', path, what);
      if (include !== undefined && exclude !== undefined) r.error('PIPELINE_INVALID', `${what}: 'include' and 'exclude' exclude each other`, m, path);
      const vp: Transformation = { type: type as 'value_placeholders' };
      if (include !== undefined) vp.include = include;
      if (exclude !== undefined) vp.exclude = exclude;
      t = vp;
      break;
    }
    case 'set_state':
      t = { type: 'set_state', key: r.text(m, 'key', path, what) ?? '', val: toPlain(mapGet(m, 'val') ?? null) };
      break;
  }
  return r.diagnostics.filter((d) => d.severity === 'error').length > before ? undefined : t;
}

/** Reads pipeline YAML text (see the format above); `file` is its absolute path, `label` how it was named. */
export function parsePipeline(text: string, file: string, label: string = file): { pipeline?: Pipeline; diagnostics: Diagnostic[] } {
  const parsed = parseYaml(text, file);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: parsed.diagnostics };
  const r = new Reader(file, new LineIndex(text));
  r.diagnostics.push(...parsed.diagnostics);
  const docs = parsed.documents.filter((d) => d.root !== null);
  const root = docs[0]?.root;
  if (docs.length !== 1 || root === undefined || root === null || root.kind !== 'map') {
    r.error('PIPELINE_INVALID', 'a processing pipeline is one YAML mapping (name, priority, vars, transformations)', root ?? undefined, '');
    return { diagnostics: r.diagnostics };
  }
  for (const e of root.entries) {
    if (!TOP_KEYS.includes(e.key)) r.error('PIPELINE_INVALID', `unknown key '${e.key}' (a pipeline has ${TOP_KEYS.join(', ')})`, e.keyNode, e.key);
  }
  const name = r.text(root, 'name', '', 'the pipeline');
  const priorityNode = mapGet(root, 'priority');
  let priority = 0;
  if (priorityNode !== undefined) {
    const p = scalarOf(priorityNode);
    if (typeof p === 'number' && Number.isInteger(p)) priority = p;
    else r.error('PIPELINE_INVALID', "'priority' must be a whole number", priorityNode, 'priority');
  }
  const varsNode = mapGet(root, 'vars');
  let vars: Record<string, unknown> = {};
  if (varsNode !== undefined && !(varsNode.kind === 'scalar' && varsNode.value.type === 'null')) {
    if (varsNode.kind !== 'map') r.error('PIPELINE_INVALID', "'vars' must map variable names to values", varsNode, 'vars');
    else vars = toPlain(varsNode) as Record<string, unknown>;
  }
  for (const key of ['postprocessing', 'finalizers']) {
    const n = mapGet(root, key);
    if (n !== undefined && !(n.kind === 'seq' && n.items.length === 0) && !(n.kind === 'scalar' && n.value.type === 'null')) {
      r.warn('PIPELINE_PART_IGNORED', `'${key}' shapes the query text a backend writes; sigmatest matches rules against events and writes no query, so it is ignored`, n, key);
    }
  }
  const label2 = name ?? label;
  const items: ProcessingItem[] = [];
  const list = mapGet(root, 'transformations');
  if (list !== undefined && !(list.kind === 'scalar' && list.value.type === 'null')) {
    if (list.kind !== 'seq') r.error('PIPELINE_INVALID', "'transformations' must be a list", list, 'transformations');
    else {
      list.items.forEach((n, k) => {
        const path = childPath('transformations', k);
        if (n.kind !== 'map') {
          r.error('PIPELINE_INVALID', 'a transformation must be a mapping with a type', n, path);
          return;
        }
        const transformation = readTransformation(r, n, path, text);
        const rule = readConditionSet<RuleCondition>(r, 'rule', n, path);
        const detectionItem = readConditionSet<DetectionItemCondition>(r, 'detection_item', n, path);
        const fieldName = readConditionSet<FieldNameCondition>(r, 'field_name', n, path);
        const id = scalarOf(mapGet(n, 'id'));
        if (transformation === undefined) return;
        const item: ProcessingItem = { transformation, rule, detectionItem, fieldName, where: r.at(n, path), pipeline: label2 };
        if (id !== undefined && id !== null) item.id = String(id);
        items.push(item);
      });
    }
  }
  if (!r.ok) return { diagnostics: r.diagnostics };
  const pipeline: Pipeline = { priority, vars, items, file, label };
  if (name !== undefined) pipeline.name = name;
  return { pipeline, diagnostics: r.diagnostics };
}

/** The folder of the built-in pipelines shipped with sigmatest (found from this module, wherever it is installed). */
export function builtinPipelineDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const d = join(dir, 'pipelines');
    if (existsSync(join(d, 'ecs-windows.yml'))) return d;
    dir = dirname(dir);
  }
  return undefined;
}

/** The names of the built-in pipelines (`ecs-windows`, …). */
export function builtinPipelineNames(): string[] {
  const dir = builtinPipelineDir();
  if (dir === undefined) return [];
  return BUILTIN_PIPELINES.filter((n) => existsSync(join(dir, `${n}.yml`)));
}

/** The built-in pipelines, by name (files `pipelines/<name>.yml` of the package). */
export const BUILTIN_PIPELINES: readonly string[] = ['ecs-windows', 'security-4688'];

/**
 * The file a pipeline spec names, seen from `cwd`: the file when there is one at that path, else
 * the built-in pipeline of that name; undefined when neither exists.
 */
export function pipelineFile(spec: string, cwd: string): string | undefined {
  const asFile = resolve(cwd, spec);
  if (existsSync(asFile)) return asFile;
  if (!BUILTIN_PIPELINES.includes(spec)) return undefined;
  const dir = builtinPipelineDir();
  return dir === undefined ? undefined : join(dir, `${spec}.yml`);
}

/**
 * Loads one pipeline: a file (resolved against `cwd`) when one exists at that path, else a
 * built-in name. A name that is neither is PIPELINE_NOT_FOUND.
 */
export function loadPipeline(spec: string, cwd: string, where: { file?: string; path?: string; pos?: SourcePos } = {}): { pipeline?: Pipeline; diagnostics: Diagnostic[] } {
  const asFile = resolve(cwd, spec);
  const file = pipelineFile(spec, cwd);
  if (file === undefined) {
    return {
      diagnostics: [diagnostic('PIPELINE_NOT_FOUND', `no pipeline file '${spec}' (resolved to ${asFile}) and no built-in pipeline of that name (built-in: ${BUILTIN_PIPELINES.join(', ')})`, where)],
    };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { diagnostics: [diagnostic('PIPELINE_UNREADABLE', `cannot read the pipeline file: ${readErrorReason(e)}`, { file })] };
  }
  return parsePipeline(text, file, spec);
}

/**
 * Combines pipelines the way pySigma's resolver does: sorted by priority, lowest first (a stable
 * sort: equal priorities keep the order given), items concatenated, vars merged. A pipeline file
 * named twice (say by the config and by a case file) is applied once, where it was first named.
 */
export function combinePipelines(pipelines: readonly Pipeline[]): ResolvedPipeline {
  const files = new Set<string>();
  const once: Pipeline[] = [];
  for (const p of pipelines) {
    if (files.has(p.file)) continue;
    files.add(p.file);
    once.push(p);
  }
  const sorted = once.map((p, k) => ({ p, k })).sort((a, b) => a.p.priority - b.p.priority || a.k - b.k).map((x) => x.p);
  const vars: Record<string, unknown> = {};
  for (const p of sorted) Object.assign(vars, p.vars);
  return { pipelines: sorted, items: sorted.flatMap((p) => p.items), vars, labels: sorted.map((p) => p.label) };
}

/** Loads and combines pipelines named by specs (files or built-in names), each located where it was given. */
export function loadPipelines(specs: ReadonlyArray<{ spec: string; cwd: string; where?: { file?: string; path?: string; pos?: SourcePos } }>): { pipeline?: ResolvedPipeline; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const loaded: Pipeline[] = [];
  for (const s of specs) {
    const r = loadPipeline(s.spec, s.cwd, s.where);
    diagnostics.push(...r.diagnostics);
    if (r.pipeline !== undefined) loaded.push(r.pipeline);
  }
  if (loaded.length === 0) return { diagnostics };
  return { pipeline: combinePipelines(loaded), diagnostics };
}
