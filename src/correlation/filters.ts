/**
 * Sigma filters composed into the rules they name (filters specification; semantics §10): the
 * filter's search identifiers are added to the rule's plan, renamed after the filter, and the
 * rule's condition `c` becomes `c and <filter condition>`, as pySigma composes them. With the
 * usual `condition: not selection`, that is `c and not <filter>`: the filter is one more
 * exclusion of the rule, a stage named after the filter. So everything that reads plans sees it
 * with no special case: the reference evaluator and its traces, the compiled matchers and the
 * rule index, coverage (its values are exclusions to cover), fuzzing (a filter that suppresses
 * every event is found like any exclusion), explain and the gate.
 *
 * The stage is named after the filter: its `name`, else its file name without extension (with
 * `_<document>` when the file holds several filters); a filter with several search identifiers
 * gives one stage per identifier, `<filter>.<identifier>`. A name already taken in the rule gets
 * `_2`, `_3`… Items keep their filter file (`file`) and their paths (`filter.selection…`).
 */
import { basename, extname } from 'node:path';
import { printCondition } from '../condition/parse-condition.js';
import type { ConditionNode } from '../condition/parse-condition.js';
import { assertNever } from '../diagnostics/diagnostics.js';
import type { MatchPlan, PlanIdentifier, PlanItem, PlanStage, SearchNode } from '../plan/plan.js';
import type { SigmaFilter } from './documents.js';

/** The base of a filter's stage names (see the module comment); `several`: its file holds more than one filter. */
export function filterStageBase(f: SigmaFilter, several: boolean): string {
  if (f.name !== undefined) return f.name;
  const base = basename(f.file, extname(f.file));
  return several ? `${base}_${f.document}` : base;
}

/** `plan` with filter `f` composed into it; `base` names its stages. */
export function composeFilter(plan: MatchPlan, f: SigmaFilter, base: string): MatchPlan {
  const fp = f.plan;
  const taken = new Set([...plan.identifiers.map((i) => i.name), ...Object.keys(plan.targets)]);
  const unique = (name: string): string => {
    let n = name;
    for (let k = 2; taken.has(n); k++) n = `${name}_${k}`;
    taken.add(n);
    return n;
  };
  const rename = new Map<string, string>();
  for (const ident of fp.identifiers) rename.set(ident.name, unique(fp.identifiers.length === 1 ? base : `${base}.${ident.name}`));
  const renamed = (n: string): string => rename.get(n) ?? n;

  // Items: new ids after the rule's, the filter's file, the renamed identifier.
  const items: PlanItem[] = [...plan.items];
  const itemMap = new Map<PlanItem, PlanItem>();
  for (const it of fp.items) {
    const copy: PlanItem = { ...it, id: items.length, identifier: renamed(it.identifier), file: f.file };
    itemMap.set(it, copy);
    items.push(copy);
  }
  const copyBody = (n: SearchNode): SearchNode => {
    switch (n.kind) {
      case 'item':
        return { kind: 'item', item: itemMap.get(n.item) as PlanItem };
      case 'and':
        return { kind: 'and', items: n.items.map((it) => itemMap.get(it) as PlanItem) };
      case 'or':
        return { kind: 'or', children: n.children.map(copyBody) };
      case 'allOf':
        return { kind: 'allOf', children: n.children.map(copyBody) };
      default:
        return assertNever(n);
    }
  };
  const origin = { file: f.file, document: f.document, title: f.title, ...(f.id !== undefined ? { id: f.id } : {}) };
  const identifiers: PlanIdentifier[] = [
    ...plan.identifiers,
    ...fp.identifiers.map((ident) => {
      const copy: PlanIdentifier = { name: renamed(ident.name), body: copyBody(ident.body), path: ident.path, filter: { ...origin, identifier: ident.name } };
      if (ident.pos !== undefined) copy.pos = ident.pos;
      return copy;
    }),
  ];

  // The filter's condition with its identifiers and `of` targets renamed.
  const targets: Record<string, string[]> = { ...plan.targets };
  const targetKey = new Map<string, string>();
  for (const [t, ids] of Object.entries(fp.targets)) {
    const key = unique(`${base}:${t}`);
    targetKey.set(t, key);
    targets[key] = ids.map(renamed);
  }
  const renameCond = (n: ConditionNode): ConditionNode => {
    switch (n.kind) {
      case 'id':
        return { ...n, name: renamed(n.name) };
      case 'of':
        return { ...n, target: targetKey.get(n.target) ?? n.target };
      case 'not':
        return { kind: 'not', arg: renameCond(n.arg) };
      case 'and':
      case 'or':
        return { kind: n.kind, args: n.args.map(renameCond) };
      default:
        return assertNever(n);
    }
  };
  const filterCond = renameCond(fp.condition);
  const conj = (n: ConditionNode): ConditionNode[] => (n.kind === 'and' ? n.args : [n]);
  const condition: ConditionNode = { kind: 'and', args: [...conj(plan.condition), ...conj(filterCond)] };

  // Stages: the rule's, then the filter's identifiers in the order its condition uses them.
  const stages: PlanStage[] = [...plan.stages];
  const add = (name: string, exclusion: boolean): void => {
    const s = stages.find((x) => x.name === name);
    if (s === undefined) stages.push({ index: stages.length, name, exclusion });
    else if (exclusion && !s.exclusion) s.exclusion = true;
  };
  const visit = (n: ConditionNode, underNot: boolean): void => {
    switch (n.kind) {
      case 'id':
        add(n.name, underNot);
        break;
      case 'of':
        for (const id of targets[n.target] ?? []) add(id, underNot);
        break;
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
  for (const c of conj(filterCond)) {
    if (c.kind === 'not') visit(c.arg, true);
    else visit(c, false);
  }
  const composed: MatchPlan = {
    identifiers,
    condition,
    conditionText: `${plan.condition.kind === 'or' ? `(${plan.conditionText})` : plan.conditionText} and ${filterCond.kind === 'or' ? `(${printCondition(filterCond)})` : printCondition(filterCond)}`,
    stages,
    items,
    targets,
    unfiltered: plan.unfiltered ?? plan,
  };
  if (plan.conditionPos !== undefined) composed.conditionPos = plan.conditionPos;
  return composed;
}
