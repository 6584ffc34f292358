/**
 * What the rule index needs of a rule besides its plan, when known beforehand: the rule cache
 * (src/cache/) stores it with the rule and remembers it here, so that an index over cached rules
 * is built without building their plans (a rule's plan is then built when the rule is first tried).
 * Facts are those of the rule's plan as loaded: whoever replaces a rule's plan (a filter composed
 * into it) forgets them.
 */
import type { SigmaRule } from '../rules/load-rule.js';
import type { Clauses } from './needles.js';

/** The facts of a rule's plan that the index and a scan's catalog read. */
export interface RuleFacts {
  /** The plan's necessary clauses (see needles.ts). */
  clauses: Clauses;
  /** How many values its items hold. */
  values: number;
  /** The fields its detection items read, in document order, each once. */
  fields: string[];
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
