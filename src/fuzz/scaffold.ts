/**
 * Starter cases for a rule: one matching witness, and for every value of every exclusion an
 * event that the rest of the rule matches and that this value (alone in its item) excludes.
 * Case names show the item as written (`excluded: Image endswith \msiexec.exe`, the chain's text).
 */
import type { SigmaRule } from '../rules/load-rule.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import type { Event } from '../evaluate/evaluate.js';
import { evaluateCondition, evaluatePlan, EventView, matcherHolds } from '../evaluate/evaluate.js';
import { mergeTerms, substitute, termsOf, toBoolExpr } from './condition-terms.js';
import { realizeMatcher, ABSENT } from './realize.js';
import { synthesize } from './synthesize.js';
import { logsourceBase, realizeContext, seededRandom, synthesizeWitness } from './witness.js';
import type { NewCase } from './case-writer.js';

export interface Scaffold {
  cases: NewCase[];
  /** Values for which no excluding event was found, with why. */
  skipped: string[];
}

export function scaffoldCases(rule: SigmaRule, mapping: LogsourceMapping | null, seed = 1): Scaffold {
  const cases: NewCase[] = [];
  const skipped: string[] = [];
  const w = synthesizeWitness(rule, seed, mapping);
  if (w.ok) cases.push({ name: 'a matching event (generated; replace with a real one)', expect: 'match', event: w.event });
  else skipped.push(`no matching event: ${w.reason}`);
  const expr = toBoolExpr(rule.plan);
  const base = logsourceBase(rule, mapping);
  for (const stage of rule.plan.stages) {
    if (!stage.exclusion) continue;
    const rest = termsOf(substitute(expr, stage.name, false), seededRandom(seed)).terms;
    const terms = rest.flatMap((t) => mergeTerms(t, new Map([[stage.name, true]])) ?? []);
    for (const item of rule.plan.items.filter((it) => it.identifier === stage.name)) {
      item.values.forEach((v, vi) => {
        const found = excludedBy(rule, stage.name, item.field, v.matcher, terms, base, seed + vi);
        if (found === undefined) skipped.push(`${item.path} '${v.source}': no event found that the rest matches and this value excludes`);
        else cases.push({ name: `excluded: ${item.field ?? 'keyword'} ${item.chain.text ? `${item.chain.text} ` : ''}${v.source}`, expect: 'no-match', stages: { [stage.name]: true }, event: found });
      });
    }
  }
  return { cases, skipped };
}

/** An event the rest of the rule matches whose exclusion holds, with the field set from this value. */
function excludedBy(
  rule: SigmaRule,
  stage: string,
  field: string | null,
  m: Parameters<typeof matcherHolds>[0],
  terms: ReturnType<typeof termsOf>['terms'],
  base: Event,
  seed: number,
): Event | undefined {
  for (let k = 0; k < 24 && terms.length > 0; k++) {
    const ctx = realizeContext(seed * 97 + k, rule.plan);
    const term = terms[k % terms.length];
    if (term === undefined) break;
    const r = synthesize(rule.plan, term, ctx, { base: k % 2 === 0 ? base : {}, tries: 2 });
    if (!r.ok) continue;
    const e: Event = { ...r.event };
    if (field !== null) {
      const v = realizeMatcher(m, field, ctx);
      if (v === undefined) continue;
      if (v === ABSENT) delete e[field];
      else e[field] = v;
      if (!matcherHolds(m, v === ABSENT ? undefined : [v], new EventView(e))) continue;
    }
    const t = evaluatePlan(rule.plan, e);
    if (!t.match && t.identifiers[stage] === true && evaluateCondition(rule.plan, (n) => (n === stage ? false : (t.identifiers[n] ?? false)))) return e;
  }
  return undefined;
}
