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
import { parseCondition, isConditionError, printCondition, resolveTarget } from '../condition/parse-condition.js';
import type { ConditionNode } from '../condition/parse-condition.js';
import { childPath } from '../diagnostics/doc-path.js';
import type { SourcePos } from '../diagnostics/diagnostics.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { YMap, YNode, YScalar } from '../yaml/yaml-tree.js';
import { buildMatcher } from './build-matcher.js';
import type { ChainContext } from './build-matcher.js';
import { isChainError } from './modifier-chain.js';
import { readDetection } from './detection.js';
import type { DetectionItemSource, DetectionNode, DetectionSource } from './detection.js';
import { assertNever } from '../diagnostics/diagnostics.js';
import type { MatchPlan, PlanIdentifier, PlanItem, PlanStage, PlanValue, SearchNode } from './plan.js';

/** Placeholder values for `expand` (§7.13), name → values (each a Sigma string pattern). */
export interface PlanOptions {
  placeholders?: Record<string, readonly string[]>;
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
  return planDetection(readDetection(det, ctx), ctx);
}

/**
 * Plans a detection as read (detection.ts), possibly rewritten by a processing pipeline:
 * identifiers a pipeline emptied are left out of the condition the way pySigma leaves them out of
 * its condition tree (an `and`/`or` loses the argument, a `not` of nothing is nothing), and
 * identifiers it put in front of the condition (add_condition) are ANDed with it.
 */
export function planDetection(src: DetectionSource, ctx: PlanContext): MatchPlan | undefined {
  const { err, warn } = ctx;
  const items: PlanItem[] = [];
  const identifiers: PlanIdentifier[] = [];
  const baseCtx: ChainContext = {
    placeholders: (name) => ctx.options.placeholders?.[name],
  };
  // Nodes of pipeline-written items are not in the rule's text: their problems are reported at the rule.
  const at = (it: DetectionItemSource, n: YNode): YNode | undefined => (it.external === undefined ? n : undefined);
  const posOf = (it: DetectionItemSource, offset: number): SourcePos | undefined => (it.external === undefined ? ctx.pos(offset) : undefined);

  function makeItem(src: DetectionItemSource): PlanItem | undefined {
    const { identifier, field, chain, values, path } = src;
    const keyword = field === null;
    const list = src.list;
    const where = src.external === undefined ? '' : ` (written by ${src.external})`;
    // A value's path is only for diagnostics: built when one is reported.
    const pathOf = (k: number): string => (list ? childPath(path, k) : path);
    if (isChainError(chain)) {
      // A chain that cannot be applied is reported at the first value, as a value it cannot take.
      const v = values[0] as YScalar;
      err(chain.code, `${chain.message} (in '${identifier}', rule value '${v.value.text}')${where}`, at(src, v), pathOf(0));
      return undefined;
    }
    const own = src.placeholders;
    const chainCtx: ChainContext = own === undefined ? baseCtx : { placeholders: (name) => own[name] ?? ctx.options.placeholders?.[name] };
    const planValues: PlanValue[] = [];
    for (let k = 0; k < values.length; k++) {
      const v = values[k] as YScalar;
      const r = buildMatcher(v.value, chain, keyword, chainCtx);
      if ('code' in r) {
        err(r.code, `${r.message} (in '${identifier}', rule value '${v.value.text}')${where}`, at(src, v), pathOf(k));
        return undefined;
      }
      if (r.missing.length > 0) {
        err(
          'PLACEHOLDER_UNRESOLVED',
          `the placeholder %${r.missing.join('%, %')}% has no configured values; give it values under 'placeholders:' in the sigmatest config file (--config), or the rule cannot be evaluated`,
          at(src, v),
          pathOf(k),
        );
      }
      for (const w of r.warnings) warn(w.code, `${w.message} (in '${identifier}', pattern '${v.value.text}')${where}`, at(src, v), pathOf(k));
      const pv: PlanValue = { source: v.value.type === 'null' ? 'null' : v.value.text, matcher: r.matcher };
      const pos = posOf(src, v.offset);
      if (pos !== undefined) pv.pos = pos;
      planValues.push(pv);
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
    };
    const pos = posOf(src, src.keyNode.offset);
    if (pos !== undefined) item.pos = pos;
    if (src.ruleField !== undefined && src.ruleField !== field) item.ruleField = src.ruleField;
    if (src.rewritten === true) item.pipelineValues = true;
    items.push(item);
    return item;
  }

  function searchNode(n: DetectionNode): SearchNode | undefined {
    switch (n.kind) {
      case 'item': {
        const it = makeItem(n.item);
        return it === undefined ? undefined : { kind: 'item', item: it };
      }
      case 'map': {
        const its: PlanItem[] = [];
        const nodes: SearchNode[] = [];
        let ok = true;
        for (const c of n.children) {
          const x = searchNode(c);
          if (x === undefined) ok = false;
          else nodes.push(x);
        }
        if (!ok) return undefined;
        // A mapping of items is an AND of items; one whose item a pipeline replaced by alternatives (field_name_mapping to several fields) an AND of nodes.
        for (const x of nodes) if (x.kind === 'item') its.push(x.item);
        return its.length === nodes.length ? { kind: 'and', items: its } : { kind: 'allOf', children: nodes };
      }
      case 'list': {
        const children: SearchNode[] = [];
        let ok = true;
        for (const c of n.children) {
          const x = searchNode(c);
          if (x === undefined) ok = false;
          else children.push(x);
        }
        return ok ? { kind: 'or', children } : undefined;
      }
      default:
        return assertNever(n);
    }
  }

  let ok = src.ok;
  const vanished = new Set<string>();
  for (const ident of src.identifiers) {
    if (ident.body === null) {
      vanished.add(ident.name);
      continue;
    }
    const body = searchNode(ident.body);
    if (body === undefined) {
      ok = false;
      continue;
    }
    const pi: PlanIdentifier = { name: ident.name, body, path: ident.path };
    if (ident.external === undefined) pi.pos = ctx.pos(ident.keyNode.offset);
    identifiers.push(pi);
  }

  // Condition (§8).
  const conditionNode = src.conditionNode;
  if (src.conditions === undefined || conditionNode === undefined) return undefined;
  const texts = src.conditions;
  const trees: ConditionNode[] = [];
  for (const t of texts) {
    const tree = parseCondition(t.text);
    if (isConditionError(tree)) {
      err(tree.code, `${tree.message} (at character ${tree.offset + 1} of '${t.text}')`, t.node, t.path);
      return undefined;
    }
    trees.push(tree);
  }
  const written: ConditionNode = trees.length === 1 ? (trees[0] as ConditionNode) : { kind: 'or', args: trees };
  const condPath = 'detection.condition';
  // Resolve identifiers and quantifier targets over *all* declared identifiers (also broken ones,
  // so one bad selection is not reported twice as undefined).
  const declared = src.declared;
  const undefinedIds = (n: ConditionNode): void => {
    switch (n.kind) {
      case 'id':
        if (!declared.includes(n.name)) {
          err('CONDITION_UNDEFINED_IDENTIFIER', `the condition refers to '${n.name}', which is not a search identifier of this rule (defined: ${declared.join(', ')})`, conditionNode, condPath);
          ok = false;
        }
        break;
      case 'not':
        undefinedIds(n.arg);
        break;
      case 'and':
      case 'or':
        for (const a of n.args) undefinedIds(a);
        break;
      case 'of':
        break;
      default:
        assertNever(n);
    }
  };
  undefinedIds(written);

  // What a pipeline did to the condition: emptied identifiers leave it, guards are ANDed in front.
  let condition: ConditionNode | null = vanished.size === 0 ? written : pruneCondition(written, declared, vanished);
  if (condition !== null && src.conditionGuards.length > 0) {
    const guards: ConditionNode[] = src.conditionGuards.map((g) => {
      const id: ConditionNode = { kind: 'id', name: g.name, offset: 0 };
      return g.negated ? { kind: 'not', arg: id } : id;
    });
    condition = { kind: 'and', args: [...guards, ...(condition.kind === 'and' ? condition.args : [condition])] };
  } else if (condition === null && src.conditionGuards.length > 0) {
    err('PIPELINE_DETECTION_EMPTY', 'the processing pipeline dropped every detection item the condition uses; only its added conditions would remain', conditionNode, condPath);
    return undefined;
  }
  if (condition === null) {
    err('PIPELINE_DETECTION_EMPTY', 'the processing pipeline dropped every detection item the condition uses: the rule has nothing left to match', conditionNode, condPath);
    return undefined;
  }
  const changed = condition !== written;
  const conditionText = changed ? printCondition(condition) : texts.map((t) => t.text).join(' or ');

  const targets: Record<string, string[]> = {};
  const stageNames: string[] = [];
  const exclusions = new Set<string>();
  const visit = (n: ConditionNode, underNot: boolean): void => {
    switch (n.kind) {
      case 'id':
        if (!stageNames.includes(n.name)) stageNames.push(n.name);
        if (underNot) exclusions.add(n.name);
        break;
      case 'of': {
        const ids = resolveTarget(n.target, declared).filter((id) => !vanished.has(id));
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
      default:
        assertNever(n);
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

/**
 * The condition without the identifiers a pipeline emptied, as pySigma leaves them out: an
 * emptied identifier is nothing, `not` of nothing is nothing, `and`/`or` drop nothing arguments
 * (one left: that one; none left: nothing), and `1 of`/`all of` whose identifiers were all emptied
 * is nothing. Null: nothing is left.
 */
export function pruneCondition(n: ConditionNode, declared: readonly string[], vanished: ReadonlySet<string>): ConditionNode | null {
  switch (n.kind) {
    case 'id':
      return vanished.has(n.name) ? null : n;
    case 'not': {
      const a = pruneCondition(n.arg, declared, vanished);
      return a === null ? null : a === n.arg ? n : { kind: 'not', arg: a };
    }
    case 'and':
    case 'or': {
      const args = n.args.map((a) => pruneCondition(a, declared, vanished)).filter((a): a is ConditionNode => a !== null);
      if (args.length === 0) return null;
      if (args.length === 1) return args[0] as ConditionNode;
      return args.length === n.args.length && args.every((a, k) => a === n.args[k]) ? n : { kind: n.kind, args };
    }
    case 'of': {
      const ids = resolveTarget(n.target, declared);
      return ids.length > 0 && ids.every((id) => vanished.has(id)) ? null : n;
    }
    default:
      return assertNever(n);
  }
}
