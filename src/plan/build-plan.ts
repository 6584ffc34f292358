/**
 * Planning (§3, §7, §8): the `detection` mapping of a rule becomes a {@link MatchPlan}. Every
 * search identifier becomes a search tree of items; every `field|modifiers: values` item has its
 * modifier chain parsed once (modifier-chain.ts) and gets one typed matcher per value
 * (build-matcher.ts); the condition is parsed and its stages and exclusions worked out. Problems
 * are reported through the context, located at their YAML node.
 *
 * Identifiers, items, values and the condition keep the position of their node (the context turns
 * offsets into lines and columns, see line-index.ts), so later stages never go back to the text.
 */
import { parseCondition, isConditionError, resolveTarget } from '../condition/parse-condition.js';
import type { ConditionNode } from '../condition/parse-condition.js';
import { childPath } from '../diagnostics/doc-path.js';
import type { SourcePos } from '../diagnostics/diagnostics.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { YMap, YNode, YScalar } from '../yaml/yaml-tree.js';
import { buildMatcher } from './build-matcher.js';
import type { ChainContext } from './build-matcher.js';
import { isChainError, parseModifierChain, splitItemKey } from './modifier-chain.js';
import type { MatchPlan, PlanIdentifier, PlanItem, PlanStage, PlanValue, SearchNode } from './plan.js';
import { dictionary, ownValue } from '../util/own-field.js';
import { limitsOf } from '../util/limits.js';
import type { Limits } from '../util/limits.js';

const IDENT_NAME = /^[A-Za-z0-9_-]+$/;

/** Options of planning: placeholder values for `expand` (§7.13), name → values (each a Sigma string pattern), and the limits. */
export interface PlanOptions {
  placeholders?: Record<string, readonly string[]>;
  /** The limits of util/limits.ts (the defaults for those not given). */
  limits?: Partial<Limits>;
}

/** Where planning reports problems: the YAML node (for its position) and the logical path. */
export interface PlanContext {
  err: (code: DiagnosticCode, message: string, n: YNode | undefined, path: string) => void;
  warn: (code: DiagnosticCode, message: string, n: YNode | undefined, path: string) => void;
  /** The line and column of an offset in the rule's text (for the positions the plan keeps). */
  pos: (offset: number) => SourcePos;
  options: PlanOptions;
}

/** A plan with nothing in it: what a rule whose detection could not be planned carries. */
export function emptyPlan(): MatchPlan {
  return { identifiers: [], condition: { kind: 'or', args: [] }, conditionText: '', stages: [], items: [], targets: {} };
}

/** Plans a `detection` mapping; undefined when an error makes the rule unusable. */
export function buildPlan(det: YMap, ctx: PlanContext): MatchPlan | undefined {
  const { err, warn } = ctx;
  const limits = limitsOf(ctx.options.limits);
  const items: PlanItem[] = [];
  const identifiers: PlanIdentifier[] = [];
  const chainCtx: ChainContext = {
    placeholders: (name) => ownValue(ctx.options.placeholders, name),
    maxAlternatives: limits.valueAlternatives,
  };

  function makeItem(identifier: string, key: string, keyNode: YNode, valueNode: YNode, path: string): PlanItem | undefined {
    const { field, names } = splitItemKey(key);
    const keyword = field === null;
    const chain = parseModifierChain(names, keyword);
    if (isChainError(chain) && chain.code === 'MODIFIER_UNKNOWN') {
      err('MODIFIER_UNKNOWN', chain.message, keyNode, path);
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
    if (!isChainError(chain) && chain.all && values.length < 2) {
      err('MODIFIER_ALL_SINGLE', `'all' needs at least two values to AND together; '${key}' has one (remove '|all')`, keyNode, path);
      return undefined;
    }
    const list = valueNode.kind === 'seq';
    // A value's path is only for diagnostics: built when one is reported.
    const pathOf = (k: number): string => (list ? childPath(path, k) : path);
    if (isChainError(chain)) {
      // A chain that cannot be applied is reported at the first value, as a value it cannot take.
      const v = values[0] as YScalar;
      err(chain.code, `${chain.message} (in '${identifier}', rule value '${v.value.text}')`, v, pathOf(0));
      return undefined;
    }
    const planValues: PlanValue[] = [];
    for (let k = 0; k < values.length; k++) {
      const v = values[k] as YScalar;
      const r = buildMatcher(v.value, chain, keyword, chainCtx);
      if ('code' in r) {
        err(r.code, `${r.message} (in '${identifier}', rule value '${v.value.text}')`, v, pathOf(k));
        return undefined;
      }
      if (r.missing.length > 0) {
        err(
          'PLACEHOLDER_UNRESOLVED',
          `the placeholder %${r.missing.join('%, %')}% has no configured values; give it values under 'placeholders:' in the sigmatest config file (--config), or the rule cannot be evaluated`,
          v,
          pathOf(k),
        );
      }
      for (const w of r.warnings) warn(w.code, `${w.message} (in '${identifier}', pattern '${v.value.text}')`, v, pathOf(k));
      planValues.push({ source: v.value.type === 'null' ? 'null' : v.value.text, matcher: r.matcher, pos: ctx.pos(v.offset) });
    }
    const item: PlanItem = {
      id: items.length,
      identifier,
      field,
      chain,
      all: chain.all,
      neq: chain.neq,
      values: planValues,
      path,
      list,
      pos: ctx.pos(keyNode.offset),
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
    identifiers.push({ name: e.key, body, path, pos: ctx.pos(e.keyNode.offset) });
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
    const tree = parseCondition(t.text, limits.conditionDepth);
    if (isConditionError(tree)) {
      // A long condition is quoted around the place of the problem only.
      const quoted = t.text.length <= 200 ? t.text : `${tree.offset > 60 ? '…' : ''}${t.text.slice(Math.max(0, tree.offset - 60), tree.offset + 60)}…`;
      err(tree.code, `${tree.message} (at character ${tree.offset + 1} of '${quoted}')`, t.node, t.path);
      return undefined;
    }
    trees.push(tree);
  }
  const condition: ConditionNode = trees.length === 1 ? (trees[0] as ConditionNode) : { kind: 'or', args: trees };
  const conditionText = texts.map((t) => t.text).join(' or ');

  // Resolve identifiers and quantifier targets over *all* declared identifiers (also broken ones,
  // so one bad selection is not reported twice as undefined).
  const declared = det.entries.filter((e) => e.key !== 'condition').map((e) => e.key);
  const targets = dictionary<string[]>();
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

  const stages: PlanStage[] = [
    { index: 0, name: 'condition', exclusion: false },
    ...stageNames.map((name, k) => ({ index: k + 1, name, exclusion: exclusions.has(name) })),
  ];
  return { identifiers, condition, conditionText, conditionPos: ctx.pos(conditionNode.offset), stages, items, targets };
}
