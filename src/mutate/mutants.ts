/**
 * Mutants of a rule, made from its match plan (not its text): each one a small, plausible change
 * of the kind detection engineers actually make (a value or a field left out, the wrong anchoring
 * modifier, `and` for `or`, a forgotten `not`, a typo, a backslash too many or too few). A mutant
 * is a new plan (the original's objects are shared, never changed) with the detection path and
 * rule file line it changes and a small YAML diff of that line, for reports.
 *
 * The stages of a mutant are the original's (an identifier an exclusion-drop removes from the
 * condition is still evaluated), so the stage expectations of cases keep their meaning.
 */
import { readFileSync } from 'node:fs';
import { printCondition } from '../condition/parse-condition.js';
import type { ConditionNode } from '../condition/parse-condition.js';
import { buildMatcher } from '../plan/build-matcher.js';
import { isChainError, parseModifierChain } from '../plan/modifier-chain.js';
import type { ModifierChain } from '../plan/modifier-chain.js';
import { valuePath } from '../plan/plan.js';
import type { MatchPlan, PlanIdentifier, PlanItem, PlanValue, SearchNode } from '../plan/plan.js';
import type { SigmaRule } from '../rules/load-rule.js';

/** The mutation operators (see the README, Mutation score). */
export type MutantOperator =
  | 'value-drop'
  | 'item-drop'
  | 'modifier-change'
  | 'modifier-drop'
  | 'and-or'
  | 'not-drop'
  | 'exclusion-drop'
  | 'of-quantifier'
  | 'literal-typo'
  | 'compare-boundary'
  | 'path-backslash';

/** Every operator, in the order mutants are listed. */
export const MUTANT_OPERATORS: readonly MutantOperator[] = [
  'value-drop',
  'item-drop',
  'modifier-change',
  'modifier-drop',
  'and-or',
  'not-drop',
  'exclusion-drop',
  'of-quantifier',
  'literal-typo',
  'compare-boundary',
  'path-backslash',
];

/** A small YAML diff: the rule file lines a mutant removes and the lines it adds in their place. */
export interface MutantDiff {
  /** 1-based line of the first removed line. */
  line: number;
  removed: string[];
  added: string[];
}

/** One mutant of a rule's plan. */
export interface Mutant {
  operator: MutantOperator;
  /** The detection path it changes, e.g. `detection.filter[1].Image` or `detection.condition`. */
  path: string;
  /** The rule file line it changes (1-based; 0 when the plan has no position). */
  line: number;
  /** What changed, in one line. */
  description: string;
  diff: MutantDiff;
  plan: MatchPlan;
}

const NO_PLACEHOLDERS = { placeholders: () => undefined };

/** A copy of the plan with one search body node replaced (by identity) or removed (`null`). */
function mapBody(n: SearchNode, f: (n: SearchNode) => SearchNode | null | undefined): SearchNode | null {
  const r = f(n);
  if (r !== undefined) return r;
  switch (n.kind) {
    case 'item':
      return n;
    case 'and': {
      const items: PlanItem[] = [];
      for (const it of n.items) {
        const m = f({ kind: 'item', item: it });
        if (m === undefined) items.push(it);
        else if (m !== null) {
          if (m.kind !== 'item') return n;
          items.push(m.item);
        }
      }
      return { kind: 'and', items };
    }
    case 'allOf':
    case 'or': {
      const children = n.children.map((c) => mapBody(c, f)).filter((c): c is SearchNode => c !== null);
      return { kind: n.kind, children };
    }
  }
}

function withItem(plan: MatchPlan, item: PlanItem, replacement: PlanItem | null): MatchPlan {
  const f = (n: SearchNode): SearchNode | null | undefined => (n.kind === 'item' && n.item === item ? (replacement === null ? null : { kind: 'item', item: replacement }) : undefined);
  const identifiers = plan.identifiers.map((i): PlanIdentifier => (i.name === item.identifier ? { ...i, body: mapBody(i.body, f) ?? { kind: 'and', items: [] } } : i));
  const items = replacement === null ? plan.items : plan.items.map((it) => (it === item ? replacement : it));
  return { ...plan, identifiers, items };
}

function withAlternativeDropped(plan: MatchPlan, ident: PlanIdentifier, or: SearchNode & { kind: 'or' }, k: number): MatchPlan {
  const drop = or.children[k];
  const f = (n: SearchNode): SearchNode | null | undefined => (n === drop ? null : undefined);
  const identifiers = plan.identifiers.map((i): PlanIdentifier => (i === ident ? { ...i, body: mapBody(i.body, f) ?? { kind: 'or', children: [] } } : i));
  return { ...plan, identifiers };
}

function itemsOf(n: SearchNode): PlanItem[] {
  switch (n.kind) {
    case 'item':
      return [n.item];
    case 'and':
      return n.items;
    case 'allOf':
    case 'or':
      return n.children.flatMap(itemsOf);
  }
}

/** Rebuilds the values of an item under a chain; undefined when a value does not fit it. */
function rebuild(item: PlanItem, chain: ModifierChain, values: ReadonlyArray<{ v: PlanValue; text: string }>): PlanItem | undefined {
  const out: PlanValue[] = [];
  for (const { v, text } of values) {
    const r = buildMatcher({ type: 'string', text }, chain, item.field === null, NO_PLACEHOLDERS);
    if ('code' in r || r.missing.length > 0) return undefined;
    out.push({ ...v, source: text, matcher: r.matcher });
  }
  return { ...item, chain, all: chain.all, neq: chain.neq, values: out };
}

/** Items whose values are string patterns the mutator may rewrite (not rewritten by a pipeline, no placeholders). */
function stringItem(item: PlanItem): boolean {
  if (item.pipelineValues === true || item.chain.expand) return false;
  if (item.chain.kind !== 'pattern' && item.chain.kind !== 'plain') return false;
  return item.values.length > 0 && item.values.every((v) => v.matcher.kind === 'string' || v.matcher.kind === 'anyOf');
}

/** The character `c` changed to a neighbour of its kind (a letter stays a letter, keeping case). */
function typoChar(c: string): string | undefined {
  if (/[a-y]/i.test(c)) return String.fromCharCode(c.charCodeAt(0) + 1);
  if (c === 'z') return 'a';
  if (c === 'Z') return 'A';
  if (/[0-8]/.test(c)) return String(Number(c) + 1);
  if (c === '9') return '0';
  return undefined;
}

/** The literal with its middle letter or digit changed (never a wildcard or an escape); undefined when it has none. */
export function literalTypo(text: string): string | undefined {
  const positions: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (typoChar(text[i] as string) !== undefined) positions.push(i);
  }
  if (positions.length === 0) return undefined;
  const at = positions[Math.floor(positions.length / 2)] as number;
  return text.slice(0, at) + (typoChar(text[at] as string) as string) + text.slice(at + 1);
}

/** The path-backslash variants of a value containing a backslash: leading and trailing one added or removed. */
export function backslashVariants(text: string): Array<{ text: string; what: string }> {
  if (!text.includes('\\')) return [];
  const out: Array<{ text: string; what: string }> = [];
  const special = (c: string | undefined): boolean => c === '*' || c === '?' || c === '\\';
  if (text.startsWith('\\') && !special(text[1])) out.push({ text: text.slice(1), what: 'leading backslash removed' });
  else if (!special(text[0])) out.push({ text: `\\${text}`, what: 'leading backslash added' });
  const last = text[text.length - 1];
  const beforeLast = text[text.length - 2];
  if (last === '\\' && beforeLast !== '\\') out.push({ text: text.slice(0, -1), what: 'trailing backslash removed' });
  else if (!special(last)) out.push({ text: `${text}\\`, what: 'trailing backslash added' });
  return out;
}

/** Condition variants: and↔or, a dropped not, 1 of ↔ all of, each at one node. */
function* conditionVariants(n: ConditionNode, targets: Readonly<Record<string, string[]>>): Generator<{ operator: MutantOperator; node: ConditionNode; what: string }> {
  switch (n.kind) {
    case 'id':
      return;
    case 'of':
      // Over a single identifier `1 of` and `all of` are the same: no mutant.
      if ((targets[n.target]?.length ?? 0) < 2) return;
      yield { operator: 'of-quantifier', node: { ...n, quant: n.quant === 'one' ? 'all' : 'one' }, what: `${n.quant === 'one' ? '1 of' : 'all of'} ${n.target} → ${n.quant === 'one' ? 'all of' : '1 of'} ${n.target}` };
      return;
    case 'not':
      yield { operator: 'not-drop', node: n.arg, what: `not ${printCondition(n.arg)} → ${printCondition(n.arg)}` };
      for (const v of conditionVariants(n.arg, targets)) yield { ...v, node: { kind: 'not', arg: v.node } };
      return;
    case 'and':
    case 'or': {
      const other = n.kind === 'and' ? 'or' : 'and';
      yield { operator: 'and-or', node: { kind: other, args: n.args }, what: `${n.kind} → ${other} in ${printCondition(n)}` };
      for (let k = 0; k < n.args.length; k++) {
        for (const v of conditionVariants(n.args[k] as ConditionNode, targets)) {
          const args = n.args.slice();
          args[k] = v.node;
          yield { ...v, node: { kind: n.kind, args } };
        }
      }
    }
  }
}

/** Top-level `not` conjuncts of the condition removed, one at a time. */
function* exclusionDrops(c: ConditionNode): Generator<{ node: ConditionNode; what: string }> {
  if (c.kind !== 'and') return;
  for (let k = 0; k < c.args.length; k++) {
    const a = c.args[k] as ConditionNode;
    if (a.kind !== 'not') continue;
    const rest = c.args.filter((_, j) => j !== k);
    yield { node: rest.length === 1 ? (rest[0] as ConditionNode) : { kind: 'and', args: rest }, what: `exclusion 'and ${printCondition(a)}' removed from the condition` };
  }
}

/** The rule file's lines (empty when it cannot be read: diffs then show only the new text). */
function fileLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    return [];
  }
}

/** Every mutant of a rule's plan, in a stable order (operators, then document order). */
export function ruleMutants(rule: SigmaRule, text?: string): Mutant[] {
  const plan = rule.plan;
  const lines = text !== undefined ? text.split(/\r?\n/) : fileLines(rule.file);
  const at = (line: number): string => lines[line - 1] ?? '';
  const out: Mutant[] = [];
  const push = (m: Omit<Mutant, 'diff'> & { diff?: MutantDiff }): void => {
    out.push({ ...m, diff: m.diff ?? { line: m.line, removed: [], added: [] } });
  };
  const lineOf = (v: { pos?: { line: number } | undefined }): number => v.pos?.line ?? 0;
  /** The line with `from` replaced by `to` (the first occurrence after the column), or a comment when `from` is not on it. */
  const replaced = (line: number, from: string, to: string, column = 1): MutantDiff => {
    const old = at(line);
    const i = old.indexOf(from, Math.max(0, column - 1));
    const j = i >= 0 ? i : old.indexOf(from);
    return { line, removed: [old], added: [j >= 0 ? old.slice(0, j) + to + old.slice(j + from.length) : `${old}  # → ${to}`] };
  };
  const removedLines = (first: number, last: number): MutantDiff => ({ line: first, removed: lines.slice(first - 1, last), added: [] });
  const itemLastLine = (it: PlanItem): number => Math.max(lineOf(it), ...it.values.map(lineOf));

  // value-drop: one value of a list, or one alternative of a list of maps.
  for (const ident of plan.identifiers) {
    const visit = (n: SearchNode): void => {
      if (n.kind === 'or' && n.children.length > 1) {
        n.children.forEach((child, k) => {
          const its = itemsOf(child);
          const first = its[0];
          if (first === undefined) return;
          const path = its.length === 1 ? first.path : `${ident.path}[${k}]`;
          const firstLine = Math.min(...its.map(lineOf));
          const lastLine = Math.max(...its.map(itemLastLine));
          const shown = its.map((it) => `${it.field ?? '(keyword)'}: ${it.values.map((v) => v.source).join(', ')}`).join(', ');
          push({ operator: 'value-drop', path, line: firstLine, description: `alternative ${k + 1} of ${ident.name} dropped (${shown})`, diff: removedLines(firstLine, lastLine), plan: withAlternativeDropped(plan, ident, n, k) });
        });
      }
      if (n.kind === 'or' || n.kind === 'allOf') n.children.forEach(visit);
    };
    visit(ident.body);
  }
  for (const item of plan.items) {
    if (item.values.length < 2 || item.pipelineValues === true) continue;
    item.values.forEach((v, k) => {
      const values = item.values.filter((_, j) => j !== k);
      const line = lineOf(v);
      const diff = item.list && at(line).trimStart().startsWith('-') ? removedLines(line, line) : replaced(line, v.source, '');
      push({ operator: 'value-drop', path: valuePath(item, k), line, description: `value '${v.source}' of ${item.field ?? 'the keywords'} dropped`, diff, plan: withItem(plan, item, { ...item, values }) });
    });
  }
  // item-drop: one field of a map with several.
  for (const ident of plan.identifiers) {
    const visit = (n: SearchNode): void => {
      if (n.kind === 'and' && n.items.length > 1) {
        for (const it of n.items) {
          push({ operator: 'item-drop', path: it.path, line: lineOf(it), description: `${it.field ?? 'keyword'}${it.chain.text ? `|${it.chain.text}` : ''} dropped from ${ident.name}`, diff: removedLines(lineOf(it), itemLastLine(it)), plan: withItem(plan, it, null) });
        }
      }
      if (n.kind === 'or' || n.kind === 'allOf') n.children.forEach(visit);
    };
    visit(ident.body);
  }
  // modifier-change and modifier-drop.
  for (const item of plan.items) {
    if (!stringItem(item) && item.chain.kind !== 'compare') continue;
    const written = item.chain.written;
    const keyText = (names: readonly string[]): string => [item.ruleField ?? item.field ?? '', ...names].join('|');
    const variant = (operator: MutantOperator, names: string[], what: string): void => {
      const chain = parseModifierChain(names, item.field === null);
      if (isChainError(chain)) return;
      const next = rebuild(item, chain, item.values.map((v) => ({ v, text: v.source })));
      if (next === undefined) return;
      const line = lineOf(item);
      push({ operator, path: item.path, line, description: `${keyText(written)} → ${keyText(names)}${what}`, diff: replaced(line, keyText(written), keyText(names), item.pos?.column), plan: withItem(plan, item, next) });
    };
    if (stringItem(item)) {
      const anchors = written.filter((w) => w === 'contains' || w === 'startswith' || w === 'endswith');
      if (anchors.length === 1) {
        const a = anchors[0] as string;
        const idx = written.indexOf(a);
        const swap = (to: string | null): string[] => (to === null ? written.filter((_, j) => j !== idx) : written.map((w, j) => (j === idx ? to : w)));
        if (a === 'contains') {
          variant('modifier-change', swap('startswith'), '');
          variant('modifier-change', swap('endswith'), '');
          variant('modifier-change', swap(null), ' (equality)');
        } else variant('modifier-change', swap('contains'), '');
      } else if (anchors.length === 0 && item.field !== null) {
        variant('modifier-change', ['contains', ...written], ' (was equality)');
      }
      for (const [k, w] of written.entries()) {
        if (['all', 'cased', 'windash', 'base64', 'base64offset', 'utf16le', 'wide', 'utf16be', 'utf16'].includes(w)) {
          if (w === 'all' && item.values.length < 2) continue;
          variant('modifier-drop', written.filter((_, j) => j !== k), '');
        }
      }
    }
  }
  // Condition: and ↔ or, not dropped, exclusion dropped, 1 of ↔ all of.
  const condLine = plan.conditionPos?.line ?? 0;
  const condDiff = (node: ConditionNode): MutantDiff => replaced(condLine, plan.conditionText, printCondition(node));
  const condPlan = (node: ConditionNode): MatchPlan => ({ ...plan, condition: node, conditionText: printCondition(node) });
  const variants = [...conditionVariants(plan.condition, plan.targets)];
  for (const op of ['and-or', 'not-drop'] as const) {
    for (const v of variants.filter((x) => x.operator === op)) push({ operator: op, path: 'detection.condition', line: condLine, description: v.what, diff: condDiff(v.node), plan: condPlan(v.node) });
  }
  for (const v of exclusionDrops(plan.condition)) push({ operator: 'exclusion-drop', path: 'detection.condition', line: condLine, description: v.what, diff: condDiff(v.node), plan: condPlan(v.node) });
  for (const v of variants.filter((x) => x.operator === 'of-quantifier')) push({ operator: 'of-quantifier', path: 'detection.condition', line: condLine, description: v.what, diff: condDiff(v.node), plan: condPlan(v.node) });
  // literal-typo: one character of each string literal.
  for (const item of plan.items) {
    if (!stringItem(item)) continue;
    item.values.forEach((v, k) => {
      const typo = literalTypo(v.source);
      if (typo === undefined) return;
      const next = rebuild(item, item.chain, item.values.map((x, j) => ({ v: x, text: j === k ? typo : x.source })));
      if (next === undefined) return;
      push({ operator: 'literal-typo', path: valuePath(item, k), line: lineOf(v), description: `'${v.source}' → '${typo}'`, diff: replaced(lineOf(v), v.source, typo, v.pos?.column), plan: withItem(plan, item, next) });
    });
  }
  // compare-boundary: gt ↔ gte, lt ↔ lte.
  for (const item of plan.items) {
    const op = item.chain.compare;
    if (item.chain.kind !== 'compare' || op === undefined || item.chain.timePart !== undefined) continue;
    const to = ({ gt: 'gte', gte: 'gt', lt: 'lte', lte: 'lt' } as const)[op];
    const names = item.chain.written.map((w) => (w === op ? to : w));
    const chain = parseModifierChain(names, false);
    if (isChainError(chain)) continue;
    const values = item.values.map((v): PlanValue => (v.matcher.kind === 'compare' ? { ...v, matcher: { ...v.matcher, op: to } } : v));
    const field = item.ruleField ?? item.field ?? '';
    push({ operator: 'compare-boundary', path: item.path, line: lineOf(item), description: `${field}|${op} → ${field}|${to}`, diff: replaced(lineOf(item), `|${op}`, `|${to}`, item.pos?.column), plan: withItem(plan, item, { ...item, chain, values }) });
  }
  // path-backslash: a leading or trailing backslash added or removed.
  for (const item of plan.items) {
    if (!stringItem(item)) continue;
    item.values.forEach((v, k) => {
      for (const b of backslashVariants(v.source)) {
        const next = rebuild(item, item.chain, item.values.map((x, j) => ({ v: x, text: j === k ? b.text : x.source })));
        if (next === undefined) continue;
        push({ operator: 'path-backslash', path: valuePath(item, k), line: lineOf(v), description: `'${v.source}' → '${b.text}' (${b.what})`, diff: replaced(lineOf(v), v.source, b.text, v.pos?.column), plan: withItem(plan, item, next) });
      }
    });
  }
  return out;
}
