/**
 * Rule loading: a YAML file becomes typed Sigma documents (§1) with a match plan for every
 * detection rule (§3, §7, §8), and every problem a rule author can cause becomes a located
 * diagnostic (§9). All diagnostics of a file are collected; a broken rule never stops the others.
 */
import { readFileSync } from 'node:fs';
import { diagnostic, offsetToPos, offsetsToLines, hasErrors } from '../diagnostics.js';
import type { Diagnostic, SourcePos } from '../diagnostics.js';
import { parseYaml, toPlain, mapGet } from '../yaml/yaml-tree.js';
import type { YMap, YNode, YScalar } from '../yaml/yaml-tree.js';
import { parseCondition, isConditionError, resolveTarget } from '../condition/parse-condition.js';
import type { ConditionNode } from '../condition/parse-condition.js';
import { buildMatcher, checkModifierNames } from './modifiers.js';
import type { ChainContext } from './modifiers.js';
import type { MatchPlan, PlanIdentifier, PlanItem, PlanStage, PlanValue, SearchNode } from '../plan/plan.js';

export interface Logsource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
}

/** A detection rule with its plan. `diagnostics` may hold warnings; errors make it unusable. */
export interface SigmaRule {
  kind: 'detection';
  file: string;
  /** 0-based index of the YAML document in the file. */
  document: number;
  id?: string;
  title: string;
  status?: string;
  level?: string;
  description?: string;
  tags: string[];
  logsource: Logsource;
  /** The rule as plain data. */
  raw: Record<string, unknown>;
  plan: MatchPlan;
  /** Where the document starts. */
  pos: SourcePos;
  /** Line of each top-level key, for reports (e.g. `detection`). */
  keyLines: Record<string, number>;
  /** `detection` identifier lines. */
  diagnostics: Diagnostic[];
}

/** A correlation or filter document: recognised and loaded, evaluated by a later component. */
export interface SigmaMetaDocument {
  kind: 'correlation' | 'filter';
  file: string;
  document: number;
  id?: string;
  title?: string;
  raw: Record<string, unknown>;
  pos: SourcePos;
}

export interface LoadedFile {
  file: string;
  /** Detection rules whose plan has no error. */
  rules: SigmaRule[];
  /** Detection rules that failed to load, with what could be read of them (for explain and lint). */
  invalid: Array<{ document: number; id?: string; title?: string; partial?: SigmaRule; diagnostics: Diagnostic[] }>;
  others: SigmaMetaDocument[];
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /** Placeholder values for `expand` (§7.13), name → values (each a Sigma string pattern). */
  placeholders?: Record<string, readonly string[]>;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const LEVELS = new Set(['informational', 'low', 'medium', 'high', 'critical']);
const STATUSES = new Set(['stable', 'test', 'experimental', 'deprecated', 'unsupported']);
const IDENT_NAME = /^[A-Za-z0-9_-]+$/;

/** `detection.sel["Image|endswith"]`: dotted for simple keys, bracketed otherwise. */
export function childPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

/** Loads a rule file from disk. An unreadable file is one diagnostic. */
export function loadRuleFile(file: string, options: LoadOptions = {}): LoadedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return {
      file,
      rules: [],
      invalid: [],
      others: [],
      diagnostics: [diagnostic('FILE_UNREADABLE', `cannot read the rule file: ${(e as Error).message}`, { file })],
    };
  }
  return loadRuleText(text, file, options);
}

/**
 * The plain form of a rule's mapping. `detection`, most of it and read by few, is converted when
 * first read (the property then becomes a plain value).
 */
function plainRule(root: YMap): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const e of root.entries) {
    if (e.key !== 'detection') {
      o[e.key] = toPlain(e.value);
      continue;
    }
    Object.defineProperty(o, e.key, {
      enumerable: true,
      configurable: true,
      get(): unknown {
        const value = toPlain(e.value);
        Object.defineProperty(o, e.key, { value, writable: true, enumerable: true, configurable: true });
        return value;
      },
    });
  }
  return o;
}

/** Loads every document of a YAML text. */
export function loadRuleText(text: string, file: string, options: LoadOptions = {}): LoadedFile {
  const out: LoadedFile = { file, rules: [], invalid: [], others: [], diagnostics: [] };
  const parsed = parseYaml(text, file);
  out.diagnostics.push(...parsed.diagnostics);
  if (parsed.documents.length === 0) {
    if (parsed.diagnostics.length === 0) out.diagnostics.push(diagnostic('RULE_EMPTY', 'the file holds no YAML document', { file }));
    out.invalid.push({ document: 0, diagnostics: [...out.diagnostics] });
  }
  parsed.documents.forEach((doc, index) => {
    const pos = offsetToPos(text, doc.offset);
    if (doc.root === null) return; // an empty document (e.g. a trailing ---)
    if (doc.root.kind !== 'map') {
      const d = diagnostic('RULE_NOT_MAPPING', 'a Sigma document must be a YAML mapping', { file, pos });
      out.diagnostics.push(d);
      out.invalid.push({ document: index, diagnostics: [d] });
      return;
    }
    const root = doc.root;
    const raw = plainRule(root);
    if (mapGet(root, 'correlation') !== undefined || mapGet(root, 'filter') !== undefined) {
      const meta: SigmaMetaDocument = {
        kind: mapGet(root, 'correlation') !== undefined ? 'correlation' : 'filter',
        file,
        document: index,
        raw,
        pos,
      };
      if (typeof raw.id === 'string') meta.id = raw.id;
      if (typeof raw.title === 'string') meta.title = raw.title;
      out.others.push(meta);
      return;
    }
    const ds: Diagnostic[] = [];
    const rule = buildRule(root, raw, text, file, index, pos, ds, options);
    out.diagnostics.push(...ds);
    if (rule !== undefined) rule.diagnostics = ds;
    if (rule !== undefined && !hasErrors(ds) && !doc.broken) out.rules.push(rule);
    else {
      const entry: LoadedFile['invalid'][number] = { document: index, diagnostics: doc.broken ? [...parsed.diagnostics.filter((d) => d.pos === undefined || d.pos.line >= pos.line), ...ds] : ds };
      if (typeof raw.id === 'string') entry.id = raw.id;
      if (typeof raw.title === 'string') entry.title = raw.title;
      if (rule !== undefined) entry.partial = rule;
      out.invalid.push(entry);
    }
  });
  return out;
}

function buildRule(
  root: YMap,
  raw: Record<string, unknown>,
  text: string,
  file: string,
  document: number,
  pos: SourcePos,
  ds: Diagnostic[],
  options: LoadOptions,
): SigmaRule | undefined {
  const at = (n: YNode | undefined, path: string): { file: string; path: string; pos?: SourcePos } => {
    const w: { file: string; path: string; pos?: SourcePos } = { file, path };
    if (n !== undefined) w.pos = offsetToPos(text, n.offset);
    return w;
  };
  const err = (code: string, message: string, n: YNode | undefined, path: string): void => {
    ds.push(diagnostic(code, message, at(n ?? root, path)));
  };
  const warn = (code: string, message: string, n: YNode | undefined, path: string): void => {
    ds.push(diagnostic(code, message, at(n ?? root, path), 'warning'));
  };
  const keyLines: Record<string, number> = {};
  const lines = offsetsToLines(text, root.entries.map((e) => e.keyNode.offset));
  root.entries.forEach((e, i) => (keyLines[e.key] = lines[i] as number));

  // Metadata (§1).
  const titleNode = mapGet(root, 'title');
  const title = typeof raw.title === 'string' ? raw.title : '';
  if (titleNode === undefined) err('RULE_TITLE_MISSING', "the rule has no 'title'", root, 'title');
  else if (typeof raw.title !== 'string' || raw.title.trim() === '') err('RULE_TITLE_INVALID', "'title' must be a non-empty string", titleNode, 'title');
  else if (raw.title.length > 256) err('RULE_TITLE_INVALID', `'title' is ${raw.title.length} characters long; at most 256 are allowed`, titleNode, 'title');

  const idNode = mapGet(root, 'id');
  if (idNode !== undefined && (typeof raw.id !== 'string' || !UUID.test(raw.id))) {
    err('RULE_ID_INVALID', `'id' must be a UUID such as 929a690e-bef0-4204-a928-ef5e620d6fcc, not '${String(raw.id)}'`, idNode, 'id');
  }
  const levelNode = mapGet(root, 'level');
  if (levelNode !== undefined && (typeof raw.level !== 'string' || !LEVELS.has(raw.level))) {
    err('RULE_LEVEL_INVALID', `'level' must be one of ${[...LEVELS].join(', ')}, not '${String(raw.level)}'`, levelNode, 'level');
  }
  const statusNode = mapGet(root, 'status');
  if (statusNode !== undefined && (typeof raw.status !== 'string' || !STATUSES.has(raw.status))) {
    err('RULE_STATUS_INVALID', `'status' must be one of ${[...STATUSES].join(', ')}, not '${String(raw.status)}'`, statusNode, 'status');
  }

  const lsNode = mapGet(root, 'logsource');
  const logsource: Logsource = {};
  if (lsNode === undefined) err('RULE_LOGSOURCE_MISSING', "the rule has no 'logsource'", root, 'logsource');
  else if (lsNode.kind !== 'map') err('RULE_LOGSOURCE_INVALID', "'logsource' must be a mapping with category, product and/or service", lsNode, 'logsource');
  else {
    for (const k of ['category', 'product', 'service', 'definition'] as const) {
      const v = mapGet(lsNode, k);
      if (v === undefined) continue;
      if (v.kind !== 'scalar' || v.value.type === 'null') {
        if (k !== 'definition') err('RULE_LOGSOURCE_INVALID', `'logsource.${k}' must be text`, v, `logsource.${k}`);
        continue;
      }
      logsource[k] = v.value.text;
    }
    if (logsource.category === undefined && logsource.product === undefined && logsource.service === undefined) {
      err('RULE_LOGSOURCE_INVALID', "'logsource' needs at least one of category, product or service", lsNode, 'logsource');
    }
  }

  const tags = Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string') : [];

  // Detection (§3).
  const detNode = mapGet(root, 'detection');
  let plan: MatchPlan | undefined;
  if (detNode === undefined) err('RULE_DETECTION_MISSING', "the rule has no 'detection'", root, 'detection');
  else if (detNode.kind !== 'map') err('RULE_DETECTION_INVALID', "'detection' must be a mapping of search identifiers and a condition", detNode, 'detection');
  else plan = buildPlan(detNode, { err, warn, options });

  const rule: SigmaRule = {
    kind: 'detection',
    file,
    document,
    title,
    tags,
    logsource,
    raw,
    plan: plan ?? emptyPlan(),
    pos,
    keyLines,
    diagnostics: ds,
  };
  if (typeof raw.id === 'string') rule.id = raw.id;
  if (typeof raw.status === 'string') rule.status = raw.status;
  if (typeof raw.level === 'string') rule.level = raw.level;
  if (typeof raw.description === 'string') rule.description = raw.description;
  return plan === undefined ? undefined : rule;
}

function emptyPlan(): MatchPlan {
  return { identifiers: [], condition: { kind: 'or', args: [] }, conditionText: '', stages: [], items: [], targets: {} };
}

interface PlanContext {
  err: (code: string, message: string, n: YNode | undefined, path: string) => void;
  warn: (code: string, message: string, n: YNode | undefined, path: string) => void;
  options: LoadOptions;
}

function buildPlan(det: YMap, ctx: PlanContext): MatchPlan | undefined {
  const { err, warn } = ctx;
  const items: PlanItem[] = [];
  const identifiers: PlanIdentifier[] = [];
  const missingPlaceholders = new Set<string>();
  const chainCtx: ChainContext = {
    placeholders: (name) => ctx.options.placeholders?.[name],
  };

  function makeItem(identifier: string, key: string, keyNode: YNode, valueNode: YNode, path: string): PlanItem | undefined {
    const [field = '', ...mods] = key.split('|');
    const keyword = field === '';
    const unknown = checkModifierNames(mods);
    if (unknown !== undefined) {
      err('MODIFIER_UNKNOWN', unknown, keyNode, path);
      return undefined;
    }
    // Value shape (§3).
    let values: YScalar[];
    if (valueNode.kind === 'map') {
      err('VALUE_MAP', `a field value cannot be a mapping; write a value or a list of values for '${key}'`, valueNode, path);
      return undefined;
    }
    if (valueNode.kind === 'seq') {
      if (valueNode.items.length === 0) {
        err('VALUE_LIST_EMPTY', `the value list of '${key}' is empty; write null to test for an absent field`, valueNode, path);
        return undefined;
      }
      values = [];
      for (let k = 0; k < valueNode.items.length; k++) {
        const v = valueNode.items[k] as YNode;
        if (v.kind !== 'scalar') {
          err(v.kind === 'seq' ? 'VALUE_NESTED_LIST' : 'VALUE_MAP', `a value list cannot contain a ${v.kind === 'seq' ? 'list' : 'mapping'}`, v, childPath(path, k));
          return undefined;
        }
        values.push(v);
      }
      if (values.length > 1 && values.some((v) => v.value.type === 'null')) {
        const k = values.findIndex((v) => v.value.type === 'null');
        err('VALUE_NULL_IN_LIST', `null cannot be mixed with other values in a list; use a separate selection for the null test`, values[k], childPath(path, k));
        return undefined;
      }
    } else values = [valueNode];
    const all = mods.includes('all');
    if (all && values.length < 2) {
      err('MODIFIER_ALL_SINGLE', `'all' needs at least two values to AND together; '${key}' has one (remove '|all')`, keyNode, path);
      return undefined;
    }
    const planValues: PlanValue[] = [];
    // A value's path is only for diagnostics: built when one is reported.
    const pathOf = (k: number): string => (valueNode.kind === 'seq' ? childPath(path, k) : path);
    for (let k = 0; k < values.length; k++) {
      const v = values[k] as YScalar;
      const r = buildMatcher(v.value, mods, keyword, chainCtx);
      if ('code' in r) {
        err(r.code, `${r.message} (in '${identifier}', rule value '${v.value.text}')`, v, pathOf(k));
        return undefined;
      }
      for (const name of r.missing) missingPlaceholders.add(name);
      if (r.missing.length > 0) {
        err(
          'PLACEHOLDER_UNRESOLVED',
          `the placeholder %${r.missing.join('%, %')}% has no configured values; give it values under 'placeholders:' in the sigmatest config file (--config), or the rule cannot be evaluated`,
          v,
          pathOf(k),
        );
      }
      for (const w of r.warnings) warn(/backtrack/.test(w) ? 'REGEX_BACKTRACKING_RISK' : 'MODIFIER_WARNING', `${w} (in '${identifier}', pattern '${v.value.text}')`, v, pathOf(k));
      planValues.push({ source: v.value.type === 'null' ? 'null' : v.value.text, matcher: r.matcher });
    }
    const item: PlanItem = {
      id: items.length,
      identifier,
      field: keyword ? null : field,
      modifiers: mods,
      all,
      neq: mods.includes('neq'),
      values: planValues,
      path,
    };
    items.push(item);
    return item;
  }

  function searchNode(identifier: string, n: YNode, path: string): SearchNode | undefined {
    if (n.kind === 'map') {
      if (n.entries.length === 0) {
        err('SEARCH_EMPTY', `the search identifier '${identifier}' is an empty mapping`, n, path);
        return undefined;
      }
      const its: PlanItem[] = [];
      let ok = true;
      for (const e of n.entries) {
        const it = makeItem(identifier, e.key, e.keyNode, e.value, childPath(path, e.key));
        if (it === undefined) ok = false;
        else its.push(it);
      }
      return ok ? { kind: 'and', items: its } : undefined;
    }
    if (n.kind === 'seq') {
      if (n.items.length === 0) {
        err('SEARCH_EMPTY', `the search identifier '${identifier}' is an empty list`, n, path);
        return undefined;
      }
      if (n.items.every((x) => x.kind === 'scalar')) {
        const it = makeItem(identifier, '', n, n, path);
        return it === undefined ? undefined : { kind: 'item', item: it };
      }
      const children: SearchNode[] = [];
      let ok = true;
      for (const [k, x] of n.items.entries()) {
        const c = x.kind === 'scalar' ? keywordNode(identifier, x, childPath(path, k)) : searchNode(identifier, x, childPath(path, k));
        if (c === undefined) ok = false;
        else children.push(c);
      }
      return ok ? { kind: 'or', children } : undefined;
    }
    if (n.value.type === 'null') {
      err('SEARCH_EMPTY', `the search identifier '${identifier}' has no definition`, n, path);
      return undefined;
    }
    return keywordNode(identifier, n, path);
  }

  function keywordNode(identifier: string, n: YScalar, path: string): SearchNode | undefined {
    const it = makeItem(identifier, '', n, n, path);
    return it === undefined ? undefined : { kind: 'item', item: it };
  }

  let conditionNode: YNode | undefined;
  let ok = true;
  for (const e of det.entries) {
    if (e.key === 'condition') {
      conditionNode = e.value;
      continue;
    }
    const path = childPath('detection', e.key);
    if (!IDENT_NAME.test(e.key)) {
      warn('IDENTIFIER_NAME', `the search identifier '${e.key}' has characters outside [A-Za-z0-9_-]; a condition cannot refer to it`, e.keyNode, path);
    }
    const body = searchNode(e.key, e.value, path);
    if (body === undefined) {
      ok = false;
      continue;
    }
    identifiers.push({ name: e.key, body, path });
  }
  if (det.entries.filter((e) => e.key !== 'condition').length === 0) {
    err('RULE_NO_SEARCH', "'detection' has no search identifier", det, 'detection');
    ok = false;
  }

  // Condition (§8).
  if (conditionNode === undefined) {
    err('RULE_CONDITION_MISSING', "'detection' has no 'condition'", det, 'detection.condition');
    return undefined;
  }
  const texts: { text: string; node: YNode; path: string }[] = [];
  if (conditionNode.kind === 'scalar' && conditionNode.value.type === 'string') texts.push({ text: conditionNode.value.text, node: conditionNode, path: 'detection.condition' });
  else if (conditionNode.kind === 'seq' && conditionNode.items.length > 0 && conditionNode.items.every((x) => x.kind === 'scalar' && x.value.type === 'string')) {
    conditionNode.items.forEach((x, k) => texts.push({ text: (x as YScalar).value.text, node: x, path: `detection.condition[${k}]` }));
  } else {
    err('CONDITION_EMPTY', "'condition' must be a non-empty string (or a list of strings)", conditionNode, 'detection.condition');
    return undefined;
  }
  const trees: ConditionNode[] = [];
  for (const t of texts) {
    const tree = parseCondition(t.text);
    if (isConditionError(tree)) {
      err(tree.code, `${tree.message} (at character ${tree.offset + 1} of '${t.text}')`, t.node, t.path);
      return undefined;
    }
    trees.push(tree);
  }
  const condition: ConditionNode = trees.length === 1 ? (trees[0] as ConditionNode) : { kind: 'or', args: trees };
  const conditionText = texts.map((t) => t.text).join(' or ');

  // Resolve identifiers and quantifier targets over *all* declared identifiers (also broken ones,
  // so one bad selection is not reported twice as undefined).
  const declared = det.entries.filter((e) => e.key !== 'condition').map((e) => e.key);
  const targets: Record<string, string[]> = {};
  const stageNames: string[] = [];
  const exclusions = new Set<string>();
  const condPath = 'detection.condition';
  const visit = (n: ConditionNode, underNot: boolean): void => {
    switch (n.kind) {
      case 'id':
        if (!declared.includes(n.name)) {
          err('CONDITION_UNDEFINED_IDENTIFIER', `the condition refers to '${n.name}', which is not a search identifier of this rule (defined: ${declared.join(', ')})`, conditionNode, condPath);
          ok = false;
        }
        if (!stageNames.includes(n.name)) stageNames.push(n.name);
        if (underNot) exclusions.add(n.name);
        break;
      case 'of': {
        const ids = resolveTarget(n.target, declared);
        targets[n.target] = ids;
        if (ids.length === 0) {
          warn('CONDITION_PATTERN_EMPTY', `'${n.quant === 'one' ? '1' : 'all'} of ${n.target}' matches no search identifier (${n.quant === 'one' ? 'false' : 'true'})`, conditionNode, condPath);
        }
        for (const id of ids) {
          if (!stageNames.includes(id)) stageNames.push(id);
          if (underNot) exclusions.add(id);
        }
        break;
      }
      case 'not':
        visit(n.arg, underNot);
        break;
      case 'and':
      case 'or':
        for (const a of n.args) visit(a, underNot);
        break;
    }
  };
  // Exclusions are the conjuncts under a top-level `not` (the seed's `not filter`).
  const conjuncts = condition.kind === 'and' ? condition.args : [condition];
  for (const c of conjuncts) {
    if (c.kind === 'not') visit(c.arg, true);
    else visit(c, false);
  }
  if (!ok) return undefined;
  void missingPlaceholders;

  const stages: PlanStage[] = [
    { index: 0, name: 'condition', exclusion: false },
    ...stageNames.map((name, k) => ({ index: k + 1, name, exclusion: exclusions.has(name) })),
  ];
  return { identifiers, condition, conditionText, stages, items, targets };
}

/** Is the path a rule file by name? */
export function isRuleFileName(path: string): boolean {
  return /\.(ya?ml)$/i.test(path);
}
