/**
 * Witness synthesis: events that give a rule's identifiers the truths a term asks for. For each
 * identifier that must hold, one alternative of its body is chosen and its items become
 * requirements on field values; each field gets one value meeting all of its requirements
 * ({@link realizeMatcher}, merged when several patterns share a field); `fieldref` copies the
 * other field. Identifiers that must not hold are checked afterwards, and fields that make them
 * hold are dropped or refilled. Every result is verified with the reference evaluator, so a
 * returned event is a real witness; failures carry the reason (the field whose requirements no
 * value met).
 */
import type { Matcher, MatchPlan, PlanItem, SearchNode } from '../plan/plan.js';
import { EventView, evaluatePlan, matcherHolds } from '../evaluate/evaluate.js';
import type { Event } from '../evaluate/evaluate.js';
import { ABSENT, pick, realizeMatcher, realizePattern } from './realize.js';
import type { RealizeContext } from './realize.js';
import type { Term } from './condition-terms.js';

export type Synthesis = { ok: true; event: Event } | { ok: false; reason: string };

const NO_EVENT = new EventView({});

interface Requirement {
  field: string | null;
  matchers: Matcher[];
  items: PlanItem[];
}

/** Chooses the items that make a search body true (one alternative of each OR). */
function chooseItems(n: SearchNode, rnd: () => number, out: PlanItem[]): void {
  switch (n.kind) {
    case 'item':
      out.push(n.item);
      return;
    case 'and':
      out.push(...n.items);
      return;
    case 'allOf':
      for (const c of n.children) chooseItems(c, rnd, out);
      return;
    case 'or':
      if (n.children.length > 0) chooseItems(pick(rnd, n.children), rnd, out);
  }
}

function holdsOn(m: Matcher, value: unknown, event: Event): boolean {
  const vals = value === ABSENT ? undefined : Array.isArray(value) ? value : [value];
  return matcherHolds(m, vals, m.kind === 'fieldref' ? new EventView(event) : NO_EVENT);
}

/** One value for a field meeting every matcher, trying merged and single realisations. */
function valueFor(req: Requirement, event: Event, ctx: RealizeContext): unknown {
  const ms = req.matchers;
  const candidates: unknown[] = [];
  // Alternatives (windash, base64offset, placeholders) settle on one member for merging.
  const concrete = ms.map(function one(m: Matcher): Matcher {
    return m.kind === 'anyOf' && m.members.length > 0 ? one(pick(ctx.rnd, m.members)) : m;
  });
  const strings = concrete.filter((m): m is Extract<Matcher, { kind: 'string' }> => m.kind === 'string');
  const regexes = concrete.filter((m) => m.kind === 're');
  if (strings.length + regexes.length > 1) {
    const found = regexes.map((m) => realizeMatcher(m, req.field, ctx));
    if (found.every((x) => typeof x === 'string')) candidates.push(mergeStrings(strings, found as string[], req.field, ctx));
  }
  for (const m of ms) {
    if (m.kind === 'fieldref') {
      const other = event[m.field];
      const base = typeof other === 'string' || typeof other === 'number' ? String(other) : undefined;
      if (base === undefined) continue;
      const pad = (): string => (ctx.rnd() < 0.5 ? '' : pick(ctx.rnd, ['x', 'abc', '\\tmp', ' -v']));
      candidates.push(m.mode === 'eq' ? base : m.mode === 'startswith' ? base + pad() : m.mode === 'endswith' ? pad() + base : pad() + base + pad());
      continue;
    }
    const v = realizeMatcher(m, req.field, ctx);
    if (v !== undefined) candidates.push(v);
  }
  if (ms.length === 0) candidates.push(ABSENT);
  for (const c of candidates) if (ms.every((m) => holdsOn(m, c, event))) return c;
  return undefined;
}

/** startswith-like first, then contains-like cores, then endswith-like: one text for several patterns. */
function mergeStrings(ms: Array<Extract<Matcher, { kind: 'string' }>>, regexTexts: string[], field: string | null, ctx: RealizeContext): string {
  const lead = (m: (typeof ms)[number]): boolean => m.pattern.tokens[0]?.t === 'any';
  const trail = (m: (typeof ms)[number]): boolean => m.pattern.tokens[m.pattern.tokens.length - 1]?.t === 'any';
  const core = (m: (typeof ms)[number]): string => {
    const toks = m.pattern.tokens.slice(lead(m) ? 1 : 0, trail(m) ? -1 : undefined);
    return realizePattern({ tokens: toks, bytes: m.pattern.bytes }, m.cased, field, ctx);
  };
  const starts = ms.filter((m) => !lead(m)).sort((a, b) => core(b).length - core(a).length);
  const ends = ms.filter((m) => lead(m) && !trail(m)).sort((a, b) => core(b).length - core(a).length);
  const mids = ms.filter((m) => lead(m) && trail(m));
  const sep = (): string => pick(ctx.rnd, ['', ' ', '\\', 'x']);
  return [starts[0] ? core(starts[0]) : '', ...mids.map(core), ...regexTexts, ends[0] ? core(ends[0]) : ''].join(sep());
}

function describeRequirement(req: Requirement): string {
  const vals = req.items.map((it) => `${it.path}: ${it.values.map((v) => v.source).join(', ')}`);
  return `no value of ${req.field ?? 'any field (keywords)'} meets ${vals.join(' and ')}`;
}

export interface SynthesisOptions {
  /** Fields every event starts from (e.g. Channel and EventID of the rule's logsource). */
  base?: Event;
  tries?: number;
}

/** An event whose identifier truths are those of `term` (identifiers it omits are free). */
export function synthesize(plan: MatchPlan, term: Term, ctx: RealizeContext, options: SynthesisOptions = {}): Synthesis {
  const bodies = new Map(plan.identifiers.map((i) => [i.name, i]));
  const reasons = new Map<string, number>();
  const fail = (r: string): void => void reasons.set(r, (reasons.get(r) ?? 0) + 1);
  const tries = options.tries ?? 12;
  attempts: for (let attempt = 0; attempt < tries; attempt++) {
    const reqs = new Map<string, Requirement>();
    const negatedItems: PlanItem[] = [];
    let keywordN = 0;
    for (const [name, want] of term) {
      const ident = bodies.get(name);
      if (ident === undefined) {
        if (want) {
          fail(`the condition needs '${name}', which is not defined`);
          continue attempts;
        }
        continue;
      }
      if (!want) continue;
      const items: PlanItem[] = [];
      chooseItems(ident.body, ctx.rnd, items);
      for (const it of items) {
        if (it.neq) {
          negatedItems.push(it);
          continue;
        }
        const chosen = it.all ? it.values.map((v) => v.matcher) : [pick(ctx.rnd, it.values).matcher];
        // Keyword items: the value goes in a leaf of its own.
        const key = it.field ?? `Message${keywordN++ === 0 ? '' : keywordN}`;
        let r = reqs.get(key);
        if (r === undefined) reqs.set(key, (r = { field: it.field ?? null, matchers: [], items: [] }));
        r.matchers.push(...chosen);
        r.items.push(it);
      }
    }
    const event: Event = { ...(options.base ?? {}) };
    // fieldref requirements last: they copy the field they refer to.
    const order = [...reqs].sort(([, a], [, b]) => Number(a.matchers.some((m) => m.kind === 'fieldref')) - Number(b.matchers.some((m) => m.kind === 'fieldref')));
    for (const [key, req] of order) {
      for (const m of req.matchers) {
        if (m.kind === 'fieldref' && event[m.field] === undefined) {
          const pool = ctx.pool(m.field);
          event[m.field] = pool.length ? pick(ctx.rnd, pool) : 'x';
        }
      }
      const v = valueFor(req, event, ctx);
      if (v === undefined) {
        fail(describeRequirement(req));
        continue attempts;
      }
      if (v === ABSENT) delete event[key];
      else event[key] = v;
    }
    // neq items that must hold: their field must not match; a generated value usually does not.
    for (const it of negatedItems) {
      if (it.field === null || reqs.has(it.field)) continue;
      if (ctx.rnd() < 0.5) delete event[it.field];
      else {
        const pool = ctx.pool(it.field);
        if (pool.length) event[it.field] = pick(ctx.rnd, pool);
      }
    }
    // Realistic values for other fields the rule reads, sometimes: they may upset a must-not-hold identifier.
    for (const it of plan.items) {
      if (it.field === null || it.field in event || reqs.has(it.field) || ctx.rnd() < 0.6) continue;
      const pool = ctx.pool(it.field);
      if (pool.length) event[it.field] = pick(ctx.rnd, pool);
    }
    for (let repair = 0; repair < 8; repair++) {
      const trace = evaluatePlan(plan, event);
      const wrong = [...term].filter(([name, want]) => (trace.identifiers[name] ?? false) !== want);
      if (wrong.length === 0) return { ok: true, event };
      // A must-not-hold identifier holds: drop a field it reads that no requirement set.
      // A must-not-hold identifier holds: drop (or, for null/exists tests, set) a field it reads that no requirement set.
      const fixable = wrong.flatMap(([name, want]) => (want ? [] : plan.items.filter((it) => it.identifier === name && it.field !== null && !reqs.has(it.field))));
      if (fixable.length === 0) {
        const held = wrong.filter(([, w]) => !w).map(([n]) => `'${n}'`);
        const missed = wrong.filter(([, w]) => w).map(([n]) => `'${n}'`);
        fail(
          [held.length ? `${held.join(', ')} ${held.length > 1 ? 'hold' : 'holds'} as well on every such event` : '', missed.length ? `${missed.join(', ')} cannot be made true alongside` : '']
            .filter(Boolean)
            .join('; '),
        );
        continue attempts;
      }
      const f = pick(ctx.rnd, fixable).field as string;
      const pool = ctx.pool(f);
      if (f in event && event[f] !== null) delete event[f];
      else event[f] = pool.length && ctx.rnd() < 0.5 ? pick(ctx.rnd, pool) : `v${Math.floor(ctx.rnd() * 1e6)}`;
    }
    fail('could not separate the identifiers that must not hold');
  }
  const best = [...reasons].sort((a, b) => b[1] - a[1])[0];
  return { ok: false, reason: best?.[0] ?? 'no attempt succeeded' };
}
