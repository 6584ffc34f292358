/**
 * Witnesses of a rule: events that make it match, synthesised from its condition's terms with
 * realistic filler from `generators/`, carrying the Channel/EventID/Provider of the rule's
 * logsource so that an engine applying the logsource mapping accepts them too.
 */
import fc from 'fast-check';
import type { SigmaRule } from '../sigma/load-rule.js';
import type { MatchPlan } from '../plan/plan.js';
import type { Event } from '../evaluate/evaluate.js';
import { resolveLogsource } from '../logsource/logsource.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { generatorFor } from '../../generators/registry.js';
import { createRng } from '../../generators/common.js';
import { termsOf, toBoolExpr } from './condition-terms.js';
import type { Term } from './condition-terms.js';
import { pick } from './realize.js';
import type { RealizeContext } from './realize.js';
import { synthesize } from './synthesize.js';
import type { Synthesis } from './synthesize.js';

/** A small, fast, seedable PRNG (the generators' mulberry32). */
export const seededRandom = createRng;

const pools = new Map<string, string[]>();
/** Realistic values of a field from its generator (a fixed sample per field, shared by all rules). */
export function fieldPool(field: string): string[] {
  let p = pools.get(field);
  if (p === undefined) {
    try {
      p = fc.sample(generatorFor(field), { numRuns: 12, seed: 0x5eed });
    } catch {
      p = [];
    }
    pools.set(field, p);
  }
  return p;
}

export function realizeContext(seed: number): RealizeContext {
  return { rnd: seededRandom(seed), pool: fieldPool };
}

/** Channel, EventID and Provider_Name of the first source of the rule's logsource, when known. */
export function logsourceBase(rule: SigmaRule, mapping: LogsourceMapping | null): Event {
  if (mapping === null) return {};
  const r = resolveLogsource(rule.logsource, mapping);
  const s = r.sources[0];
  if (!r.known || s === undefined) return {};
  const base: Event = {};
  if (s.channels?.[0] !== undefined) base['Channel'] = s.channels[0];
  if (s.eventIds?.[0] !== undefined) base['EventID'] = s.eventIds[0];
  if (s.provider !== undefined) base['Provider_Name'] = s.provider;
  return base;
}

/** Terms under which the rule matches. */
export function matchTerms(plan: MatchPlan, rnd: () => number): Term[] {
  return termsOf(toBoolExpr(plan), rnd).terms;
}

/**
 * One witness: tries terms in random order until one is realised. The failure reason is the one
 * most terms failed with.
 */
export function synthesizeWitness(rule: SigmaRule, seed: number, mapping: LogsourceMapping | null, base?: Event): Synthesis {
  const ctx = realizeContext(seed);
  const terms = matchTerms(rule.plan, ctx.rnd);
  if (terms.length === 0) return { ok: false, reason: 'the condition can never be true, whatever the identifiers' };
  const b = base ?? logsourceBase(rule, mapping);
  const reasons: string[] = [];
  const order = [...terms];
  for (let i = 0; i < Math.min(order.length, 8); i++) {
    const t = i === 0 ? order.reduce((a, x) => (x.size < a.size ? x : a)) : pick(ctx.rnd, order);
    const r = synthesize(rule.plan, t, ctx, { base: b });
    if (r.ok) return r;
    reasons.push(r.reason);
    // The logsource fields may be what the detection contradicts (e.g. another EventID).
    if (Object.keys(b).length > 0) {
      const bare = synthesize(rule.plan, t, ctx, {});
      if (bare.ok) return bare;
    }
  }
  return { ok: false, reason: reasons[0] ?? 'no term could be realised' };
}
