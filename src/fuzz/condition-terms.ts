/**
 * The condition as a disjunction of terms: each term is a partial assignment of identifier truths
 * (identifiers it does not mention do not matter) under which the condition holds. Synthesis
 * realises terms as events; the analyses ask for the terms of derived conditions (the rest of the
 * rule with an exclusion forced false, "this stage changes the verdict"...).
 *
 * Expansion is capped: past {@link MAX_TERMS} terms a random sample is kept (`truncated`), so a
 * finding that depends on having seen every term can say so.
 */
import type { ConditionNode } from '../condition/parse-condition.js';
import type { MatchPlan } from '../plan/plan.js';

export type Term = ReadonlyMap<string, boolean>;

export const MAX_TERMS = 256;

/** A condition over identifiers with `of` resolved, constants allowed. */
export type BoolExpr =
  | { k: 'id'; name: string }
  | { k: 'const'; value: boolean }
  | { k: 'not'; arg: BoolExpr }
  | { k: 'and'; args: BoolExpr[] }
  | { k: 'or'; args: BoolExpr[] };

export function toBoolExpr(plan: MatchPlan, n: ConditionNode = plan.condition): BoolExpr {
  switch (n.kind) {
    case 'id':
      return plan.identifiers.some((i) => i.name === n.name) ? { k: 'id', name: n.name } : { k: 'const', value: false };
    case 'not':
      return { k: 'not', arg: toBoolExpr(plan, n.arg) };
    case 'and':
      return { k: 'and', args: n.args.map((a) => toBoolExpr(plan, a)) };
    case 'or':
      return { k: 'or', args: n.args.map((a) => toBoolExpr(plan, a)) };
    case 'of': {
      const ids = (plan.targets[n.target] ?? []).map((name): BoolExpr => ({ k: 'id', name }));
      if (ids.length === 0) return { k: 'const', value: n.quant === 'all' };
      return n.quant === 'one' ? { k: 'or', args: ids } : { k: 'and', args: ids };
    }
  }
}

/** The expression with an identifier replaced by a constant. */
export function substitute(e: BoolExpr, name: string, value: boolean): BoolExpr {
  switch (e.k) {
    case 'id':
      return e.name === name ? { k: 'const', value } : e;
    case 'const':
      return e;
    case 'not':
      return { k: 'not', arg: substitute(e.arg, name, value) };
    case 'and':
    case 'or':
      return { k: e.k, args: e.args.map((a) => substitute(a, name, value)) };
  }
}

export function evalBool(e: BoolExpr, truth: (name: string) => boolean): boolean {
  switch (e.k) {
    case 'id':
      return truth(e.name);
    case 'const':
      return e.value;
    case 'not':
      return !evalBool(e.arg, truth);
    case 'and':
      return e.args.every((a) => evalBool(a, truth));
    case 'or':
      return e.args.some((a) => evalBool(a, truth));
  }
}

export interface Terms {
  terms: Term[];
  truncated: boolean;
}

/** Terms of `e` (positive) or of its negation. */
export function termsOf(e: BoolExpr, rnd: () => number = Math.random): Terms {
  let truncated = false;
  const cap = (ts: Term[]): Term[] => {
    if (ts.length <= MAX_TERMS) return ts;
    truncated = true;
    const copy = [...ts];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as Term, copy[i] as Term];
    }
    return copy.slice(0, MAX_TERMS);
  };
  const walk = (x: BoolExpr, positive: boolean): Term[] => {
    switch (x.k) {
      case 'const':
        return x.value === positive ? [new Map()] : [];
      case 'id':
        return [new Map([[x.name, positive]])];
      case 'not':
        return walk(x.arg, !positive);
      case 'and':
      case 'or': {
        const conj = (x.k === 'and') === positive;
        if (!conj) return cap(x.args.flatMap((a) => walk(a, positive)));
        let acc: Term[] = [new Map()];
        for (const a of x.args) {
          const next: Term[] = [];
          for (const t of walk(a, positive)) for (const u of acc) {
            const merged = mergeTerms(u, t);
            if (merged !== undefined) next.push(merged);
          }
          acc = cap(dedupe(next));
          if (acc.length === 0) return [];
        }
        return acc;
      }
    }
  };
  return { terms: dedupe(walk(e, true)), truncated };
}

/** Two partial assignments together, or undefined when they disagree. */
export function mergeTerms(a: Term, b: Term): Term | undefined {
  const out = new Map(a);
  for (const [k, v] of b) {
    const have = out.get(k);
    if (have !== undefined && have !== v) return undefined;
    out.set(k, v);
  }
  return out;
}

function dedupe(ts: Term[]): Term[] {
  const seen = new Set<string>();
  return ts.filter((t) => {
    const k = [...t].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([n, v]) => `${v ? '+' : '-'}${n}`).join(' ');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
