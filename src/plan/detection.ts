/**
 * A rule's `detection` as written, before it is planned: search identifiers holding trees of
 * detection items (`field|modifiers: values`), the condition texts, and nothing interpreted yet
 * beyond the modifier chain's names. This is the level pySigma's processing pipelines work at
 * (its SigmaDetection / SigmaDetectionItem): a pipeline (src/pipeline/) renames fields, rewrites
 * values, drops items and adds identifiers here, and build-plan.ts plans the result, so coverage,
 * fuzzing, explain and the compiled path all see the rule the pipeline made.
 *
 * Reading checks the shape of values (a mapping or nested list as a value, an empty list, null in
 * a list) and unknown modifiers, with the same located diagnostics as before; everything that
 * depends on what a value means is left to planning.
 */
import { childPath } from '../diagnostics/doc-path.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { YMap, YNode, YScalar } from '../yaml/yaml-tree.js';
import { isChainError, parseModifierChain, splitItemKey } from './modifier-chain.js';
import type { ChainError, ModifierChain } from './modifier-chain.js';

/** One `field|modifiers: values` item (or a keyword item) as written, or as a pipeline rewrote it. */
export interface DetectionItemSource {
  /** The search identifier it belongs to. */
  identifier: string;
  /** The field; null for keyword (field-less) items. */
  field: string | null;
  /** The field as the rule writes it, when a processing pipeline changed it. */
  ruleField?: string | null;
  /** The modifiers as written after the field (`['contains', 'all']`). */
  modifiers: string[];
  /** The parsed chain of `modifiers` (or why it cannot apply). */
  chain: ModifierChain | ChainError;
  /** The values, in order (a value written alone is a list of one). */
  values: YScalar[];
  /** The values were written as a YAML list. */
  list: boolean;
  /** Logical address, e.g. `detection.filter[1].Image`. */
  path: string;
  /** The key's node (or the value's, for a key-less keyword item): where the item is written. */
  keyNode: YNode;
  /** Written in a pipeline file (add_condition), not the rule: its nodes are not in the rule's text. */
  external?: string;
  /** Placeholder values a pipeline gave this item, by name. */
  placeholders?: Readonly<Record<string, readonly string[]>>;
  /** A pipeline rewrote the values (they are not as the rule writes them). */
  rewritten?: true;
  /** Identifiers of the pipeline items applied to it (pySigma's processing-item tracking). */
  applied?: Set<string>;
}

/** A search identifier's body: AND of a mapping's items, OR of a list's alternatives, or one item. */
export type DetectionNode =
  | { kind: 'map'; children: DetectionNode[] }
  | { kind: 'list'; children: DetectionNode[] }
  | { kind: 'item'; item: DetectionItemSource };

/** A search identifier as written; `body` null when a pipeline dropped everything in it. */
export interface DetectionIdentifierSource {
  name: string;
  body: DetectionNode | null;
  path: string;
  keyNode: YNode;
  /** See {@link DetectionItemSource.external}. */
  external?: string;
}

/** One condition string as written (a list condition has several). */
export interface ConditionSource {
  text: string;
  node: YNode;
  path: string;
}

/** A rule's detection before planning. */
export interface DetectionSource {
  identifiers: DetectionIdentifierSource[];
  /** Every identifier the detection declares, also those that failed to read (so one bad one is not reported again as undefined). */
  declared: string[];
  /** The condition strings; undefined when the condition is missing or not text (already reported). */
  conditions: ConditionSource[] | undefined;
  /** The `condition` node, for diagnostics about the condition as a whole. */
  conditionNode: YNode | undefined;
  /** Identifiers a pipeline put in front of the condition (`name and (condition)`, add_condition), in order. */
  conditionGuards: Array<{ name: string; negated: boolean }>;
  /** The `detection` mapping. */
  node: YMap;
  /** False when an identifier could not be read (its error is reported): the rule cannot be planned. */
  ok: boolean;
}

/** Where reading reports problems (the YAML node for its position, and the logical path). */
export interface ReadContext {
  err: (code: DiagnosticCode, message: string, n: YNode | undefined, path: string) => void;
  warn: (code: DiagnosticCode, message: string, n: YNode | undefined, path: string) => void;
}

const IDENT_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Reads one `key: value` of a search identifier into a detection item, or undefined after an
 * error (unknown modifier, a value of the wrong shape, `all` on one value).
 */
export function readItem(identifier: string, key: string, keyNode: YNode, valueNode: YNode, path: string, ctx: ReadContext, external?: string): DetectionItemSource | undefined {
  const { err } = ctx;
  const { field, names } = splitItemKey(key);
  const chain = parseModifierChain(names, field === null);
  if (isChainError(chain) && chain.code === 'MODIFIER_UNKNOWN') {
    err('MODIFIER_UNKNOWN', chain.message, keyNode, path);
    return undefined;
  }
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
  if (!isChainError(chain) && chain.all && values.length < 2) {
    err('MODIFIER_ALL_SINGLE', `'all' needs at least two values to AND together; '${key}' has one (remove '|all')`, keyNode, path);
    return undefined;
  }
  const item: DetectionItemSource = { identifier, field, modifiers: names, chain, values, list: valueNode.kind === 'seq', path, keyNode };
  if (external !== undefined) item.external = external;
  return item;
}

/** Reads a search identifier's body (a mapping, a list, or a keyword value); undefined after an error. */
export function readSearch(identifier: string, n: YNode, path: string, ctx: ReadContext, external?: string): DetectionNode | undefined {
  const { err } = ctx;
  if (n.kind === 'map') {
    if (n.entries.length === 0) {
      err('SEARCH_EMPTY', `the search identifier '${identifier}' is an empty mapping`, n, path);
      return undefined;
    }
    const children: DetectionNode[] = [];
    let ok = true;
    for (const e of n.entries) {
      const it = readItem(identifier, e.key, e.keyNode, e.value, childPath(path, e.key), ctx, external);
      if (it === undefined) ok = false;
      else children.push({ kind: 'item', item: it });
    }
    return ok ? { kind: 'map', children } : undefined;
  }
  if (n.kind === 'seq') {
    if (n.items.length === 0) {
      err('SEARCH_EMPTY', `the search identifier '${identifier}' is an empty list`, n, path);
      return undefined;
    }
    if (n.items.every((x) => x.kind === 'scalar')) {
      const it = readItem(identifier, '', n, n, path, ctx, external);
      return it === undefined ? undefined : { kind: 'item', item: it };
    }
    const children: DetectionNode[] = [];
    let ok = true;
    for (const [k, x] of n.items.entries()) {
      const c = x.kind === 'scalar' ? keyword(identifier, x, childPath(path, k), ctx, external) : readSearch(identifier, x, childPath(path, k), ctx, external);
      if (c === undefined) ok = false;
      else children.push(c);
    }
    return ok ? { kind: 'list', children } : undefined;
  }
  if (n.value.type === 'null') {
    err('SEARCH_EMPTY', `the search identifier '${identifier}' has no definition`, n, path);
    return undefined;
  }
  return keyword(identifier, n, path, ctx, external);
}

function keyword(identifier: string, n: YScalar, path: string, ctx: ReadContext, external?: string): DetectionNode | undefined {
  const it = readItem(identifier, '', n, n, path, ctx, external);
  return it === undefined ? undefined : { kind: 'item', item: it };
}

/** Reads a `detection` mapping (see the file comment). */
export function readDetection(det: YMap, ctx: ReadContext): DetectionSource {
  const { err, warn } = ctx;
  const identifiers: DetectionIdentifierSource[] = [];
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
    const body = readSearch(e.key, e.value, path, ctx);
    if (body === undefined) {
      ok = false;
      continue;
    }
    identifiers.push({ name: e.key, body, path, keyNode: e.keyNode });
  }
  const declared = det.entries.filter((e) => e.key !== 'condition').map((e) => e.key);
  if (declared.length === 0) {
    err('RULE_NO_SEARCH', "'detection' has no search identifier", det, 'detection');
    ok = false;
  }
  let conditions: ConditionSource[] | undefined;
  if (conditionNode === undefined) err('RULE_CONDITION_MISSING', "'detection' has no 'condition'", det, 'detection.condition');
  else if (conditionNode.kind === 'scalar' && conditionNode.value.type === 'string') {
    conditions = [{ text: conditionNode.value.text, node: conditionNode, path: 'detection.condition' }];
  } else if (conditionNode.kind === 'seq' && conditionNode.items.length > 0 && conditionNode.items.every((x) => x.kind === 'scalar' && x.value.type === 'string')) {
    conditions = conditionNode.items.map((x, k) => ({ text: (x as YScalar).value.text, node: x, path: `detection.condition[${k}]` }));
  } else err('CONDITION_EMPTY', "'condition' must be a non-empty string (or a list of strings)", conditionNode, 'detection.condition');
  return { identifiers, declared, conditions, conditionNode, conditionGuards: [], node: det, ok };
}

/** Every item of a detection node, in document order. */
export function* detectionItems(n: DetectionNode | null): Generator<DetectionItemSource> {
  if (n === null) return;
  if (n.kind === 'item') yield n.item;
  else for (const c of n.children) yield* detectionItems(c);
}
