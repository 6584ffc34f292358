/**
 * Witnesses of a rule: events that make it match, synthesised from its condition's terms with
 * realistic filler from `generators/`, carrying the Channel/EventID/Provider of the rule's
 * logsource so that an engine applying the logsource mapping accepts them too.
 */
import fc from 'fast-check';
import type { SigmaRule } from '../rules/load-rule.js';
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

const aliases = new WeakMap<MatchPlan, Map<string, string>>();

/**
 * Randomness and realistic filler for one synthesis. With a plan whose fields a processing
 * pipeline renamed, a field's filler comes from the generator of the name the rule gave it
 * (`process.command_line` gets command lines, as `CommandLine` would): events come out in the
 * mapped shape with the values that field holds.
 */
export function realizeContext(seed: number, plan?: MatchPlan): RealizeContext {
  if (plan === undefined) return { rnd: seededRandom(seed), pool: fieldPool };
  let names = aliases.get(plan);
  if (names === undefined) {
    names = new Map();
    for (const it of plan.items) if (it.field !== null && typeof it.ruleField === 'string' && it.ruleField !== it.field) names.set(it.field, it.ruleField);
    aliases.set(plan, names);
  }
  const own = names;
  return { rnd: seededRandom(seed), pool: own.size === 0 ? fieldPool : (field) => fieldPool(own.get(field) ?? field) };
}

/** Channel, EventID and Provider_Name of the first source of the rule's logsource, when known. */
export function logsourceBase(rule: SigmaRule, mapping: LogsourceMapping | null): Event {
  if (mapping === null) return {};
  const r = resolveLogsource(rule.logsource, mapping);
  const s = r.sources[0];
  if (!r.known || s === undefined) return {};
  const base: Event = {};
  // Under a pipeline, by the names it gives these fields (winlog.channel, event.code for ECS).
  const name = (f: string): string => rule.eventFieldNames?.[f] ?? f;
  if (s.channels?.[0] !== undefined) base[name('Channel')] = s.channels[0];
  if (s.eventIds?.[0] !== undefined) base[name('EventID')] = s.eventIds[0];
  if (s.provider !== undefined) base[name('Provider_Name')] = s.provider;
  return base;
}

/** Terms under which the rule matches. */
export function matchTerms(plan: MatchPlan, rnd: () => number): Term[] {
  return termsOf(toBoolExpr(plan), rnd).terms;
}

/**
 * An event realising one of the terms: the smallest term first, then random ones, each attempt
 * with its own seed (`seed + k`), with the logsource's fields and, since the detection may
 * contradict them (another EventID), without. The failure reason is the first one met.
 */
export function realizeTerms(plan: MatchPlan, terms: readonly Term[], base: Event, seed: number, attempts: number): Synthesis {
  let reason: string | undefined;
  for (let k = 0; k < attempts && terms.length > 0; k++) {
    const ctx = realizeContext(seed + k, plan);
    const term = k === 0 ? terms.reduce((a, x) => (x.size < a.size ? x : a)) : pick(ctx.rnd, terms);
    for (const b of Object.keys(base).length > 0 ? [base, {}] : [{}]) {
      const r = synthesize(plan, term, ctx, { base: b, tries: 3 });
      if (r.ok) return r;
      reason ??= r.reason;
    }
  }
  return { ok: false, reason: reason ?? 'the condition can never be true, whatever the identifiers' };
}

/** One witness of the rule (see {@link realizeTerms}). */
export function synthesizeWitness(rule: SigmaRule, seed: number, mapping: LogsourceMapping | null, base?: Event): Synthesis {
  return realizeTerms(rule.plan, matchTerms(rule.plan, seededRandom(seed)), base ?? logsourceBase(rule, mapping), seed, 8);
}
