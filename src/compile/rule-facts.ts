/**
 * What the rule index needs of a rule besides its plan, when known beforehand: the rule cache
 * (src/cache/) stores it with the rule and remembers it here, so that an index over cached rules
 * is built without building their plans (a rule's plan is then built when the rule is first tried).
 * Facts are those of the rule's plan as loaded: whoever replaces a rule's plan (a filter composed
 * into it) forgets them.
 */
import type { SigmaRule } from '../rules/load-rule.js';
import type { Clauses } from './needles.js';

/** What the rule index reads of a rule's necessary clauses up front, and the clauses themselves when it first needs them. */
export interface ClauseFacts {
  /**
   * The plan's necessary clauses (see needles.ts). The rule cache works them out of their text on
   * first read: an index reads them only for the kinds of event it meets.
   */
  readonly clauses: Clauses;
  /** How many clauses (`clauses.length`). */
  readonly clauseCount: number;
  /** The fields of the clauses' numeric needles (see Needle.numeric), each once. */
  readonly numericFields: readonly string[];
}

/** The facts of a rule's plan that the index and a scan's catalog read. */
export interface RuleFacts extends ClauseFacts {
  /** How many values its items hold. */
  readonly values: number;
  /** The fields its detection items read, in document order, each once. */
  readonly fields: readonly string[];
}

/** The clause facts of some clauses at hand. */
export function clauseFacts(clauses: Clauses): ClauseFacts {
  const numeric = new Set<string>();
  for (const c of clauses) for (const n of c) if (n.numeric === true) numeric.add(n.field);
  return { clauses, clauseCount: clauses.length, numericFields: [...numeric] };
}

const known = new WeakMap<SigmaRule, RuleFacts>();

/** Remembers the facts of a rule's current plan. */
export function rememberRuleFacts(rule: SigmaRule, facts: RuleFacts): void {
  known.set(rule, facts);
}

/** Forgets them (the rule's plan was replaced). */
export function forgetRuleFacts(rule: SigmaRule): void {
  known.delete(rule);
}

/** The remembered facts of a rule, if any. */
export function knownRuleFacts(rule: SigmaRule): RuleFacts | undefined {
  return known.get(rule);
}

/** The fields a plan's detection items read, in document order, each once. */
export function planFields(plan: SigmaRule['plan']): string[] {
  return [...new Set(plan.items.flatMap((i) => (i.field === null ? [] : [i.field])))];
}
