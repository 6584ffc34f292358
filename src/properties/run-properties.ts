/**
 * Running properties: each property of a case file builds `runs` events (fast-check, seeded; the
 * default seed derives from the rule and the property's name, so CI runs are reproducible),
 * evaluates each with the reference evaluator and the compiled matcher (they must agree: a
 * disagreement is an engine error), and checks `expect` and `stages`. A failing run is shrunk
 * by fast-check to a minimal event, reported with the seed and path that replay it and the
 * stage-by-stage explanation failing cases get. `known_gap` turns an expected failure into a
 * reported gap (with its example event), and a property that starts to hold into `gap-closed`.
 *
 * `runProperties` is the reusable core (a plan, a case file's properties, a seed → results and
 * what the runs exercised); `runRuleProperties` adapts it to the suite runner (`PropertyRunner`).
 * Operators and generator kinds come from generators/ (mutations.ts, expressions.ts), including
 * those registered there.
 */
import { basename } from 'node:path';
import fc from 'fast-check';
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic, DiagnosticCode, SourcePos } from '../diagnostics/diagnostics.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import type { Event, Trace } from '../evaluate/evaluate.js';
import { planMatcher } from '../compile/compile-plan.js';
import { emptyObservation, observe } from '../coverage/coverage.js';
import type { Observation } from '../coverage/coverage.js';
import { describeStages } from '../trace/describe-trace.js';
import { flattenEvent } from '../events/flatten-event.js';
import { compileLogsourceFilter } from '../logsource/logsource.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import type { MatchPlan } from '../plan/plan.js';
import type { SigmaRule } from '../rules/load-rule.js';
import type { CaseFile, FieldMutation, GenSpec, MutationStep, Property } from '../cases/load-cases.js';
import type { Counterexample, PropertyResult, PropertyRun, PropertyRunner } from '../cases/run-cases.js';
import { fnv1a } from '../../generators/common.js';
import { DROPPED, mutationOperator, operatorNames } from '../../generators/mutations.js';
import { expressionProblems, generatorExpression } from '../../generators/expressions.js';
import '../../generators/local.js';

/** A field's value while mutations apply: a value, or absent. */
type Value = unknown;
const ABSENT: unique symbol = Symbol('absent');
type Slot = Value | typeof ABSENT;

/** The value at a dotted path: through nested objects, and through the elements of a list (the first that has it). */
function getPath(cur: unknown, parts: readonly string[]): Slot {
  if (parts.length === 0) return cur;
  if (Array.isArray(cur)) {
    for (const el of cur) {
      const v = getPath(el, parts);
      if (v !== ABSENT) return v;
    }
    return ABSENT;
  }
  if (typeof cur !== 'object' || cur === null) return ABSENT;
  const [head, ...rest] = parts as [string, ...string[]];
  return Object.hasOwn(cur, head) ? getPath((cur as Record<string, unknown>)[head], rest) : ABSENT;
}

/** Sets (or removes) the value at a dotted path in place, in every element of a list on the way; false when the path leads nowhere. */
function setPath(cur: unknown, parts: readonly string[], value: Slot): boolean {
  if (Array.isArray(cur)) return cur.map((el) => setPath(el, parts, value)).some(Boolean);
  if (typeof cur !== 'object' || cur === null) return false;
  const obj = cur as Record<string, unknown>;
  const [head, ...rest] = parts as [string, ...string[]];
  if (rest.length === 0) {
    if (value === ABSENT) delete obj[head];
    else obj[head] = value;
    return true;
  }
  return Object.hasOwn(obj, head) && setPath(obj[head], rest, value);
}

/**
 * The value of `field` in a (flattened) event: its own key, else a dotted path through nested
 * objects and lists (as rules resolve `requestParameters.instancesSet.items.maxCount`).
 */
export function getField(event: Event, field: string): Slot {
  if (Object.hasOwn(event, field)) return event[field];
  return field.includes('.') ? getPath(event, field.split('.')) : ABSENT;
}

/**
 * A copy of `event` with `field` set (or removed, for ABSENT): its own key if it has one, else
 * the dotted path where it leads (in every element of a list on the way), else a new key.
 */
export function withField(event: Event, field: string, value: Slot): Event {
  if (!Object.hasOwn(event, field) && field.includes('.') && getPath(event, field.split('.').slice(0, -1)) !== ABSENT) {
    // A nested path: change a deep copy (the base event is shared by every run).
    const deep = structuredClone(event);
    if (setPath(deep, field.split('.'), value)) return deep;
  }
  const out = { ...event };
  if (value === ABSENT) delete out[field];
  else out[field] = value;
  return out;
}

/** A scalar as the text operators work on; undefined for lists, maps and absent values. */
function asText(v: Slot): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

const stepLabel = (s: MutationStep): string => (s.kind === 'op' ? s.name : `{gen: ${s.spec.gen}}`);

/** The values of one step applied to `value`. */
function stepArbitrary(step: MutationStep, value: Slot, field: string): fc.Arbitrary<Slot> {
  if (step.kind === 'gen') return generatorExpression(step.spec.gen, step.spec.options, field);
  const op = mutationOperator(step.name);
  if (op === undefined) throw new Error(`unknown operator ${step.name}`);
  const text = asText(value);
  if (text === undefined && op.anyValue !== true) return fc.constant(value);
  // A step meets the variants of the steps before it (and a template's generated values), which
  // propertyProblems checked on one sample only: a variant the operator cannot vary (windash after
  // a look-alike `_install` took the flag's letter) stays as it is, instead of an operator whose
  // values must differ from it retrying for ever.
  if (text !== undefined && op.check?.(text, { field }) !== undefined) return fc.constant(value);
  return op.mutate(text ?? '', { field }).map((v) => (v === DROPPED ? ABSENT : v));
}

/** The values of a field after all its steps, from a starting value. */
function fieldArbitrary(m: FieldMutation, value: Slot): fc.Arbitrary<Slot> {
  const [first, ...rest] = m.steps;
  if (first === undefined) return fc.constant(value);
  return rest.reduce((arb, step) => arb.chain((v) => stepArbitrary(step, v, m.field)), stepArbitrary(first, value, m.field));
}

/** A template event: literal values, generator expressions filled in, then flattened. */
function templateArbitrary(p: Property): fc.Arbitrary<Event> {
  const template = p.event ?? {};
  if (p.slots.length === 0) return fc.constant(flattenEvent(structuredClone(template)));
  return fc.tuple(...p.slots.map((s) => generatorExpression(s.spec.gen, s.spec.options, String(s.keys[s.keys.length - 1] ?? '')))).map((values) => {
    const e = structuredClone(template) as Record<string, unknown>;
    p.slots.forEach((s, i) => {
      let cur: Record<string | number, unknown> = e;
      s.keys.slice(0, -1).forEach((k) => {
        cur = cur[k] as Record<string | number, unknown>;
      });
      cur[s.keys[s.keys.length - 1] as string | number] = values[i];
    });
    return flattenEvent(e);
  });
}

/** The mutated event from a base event. */
function mutatedArbitrary(p: Property, base: Event): fc.Arbitrary<Event> {
  if (p.mutate.length === 0) return fc.constant(base);
  return fc.tuple(...p.mutate.map((m) => fieldArbitrary(m, getField(base, m.field)))).map((values) => p.mutate.reduce((e, m, i) => withField(e, m.field, values[i]), base));
}

/** Base and mutated events of a property. */
function propertyArbitrary(p: Property, base: Event | undefined): fc.Arbitrary<{ base: Event; event: Event }> {
  if (base !== undefined) return mutatedArbitrary(p, base).map((event) => ({ base, event }));
  return templateArbitrary(p).chain((b) => mutatedArbitrary(p, b).map((event) => ({ base: b, event })));
}

/** Where a property runs: its rule's plan and the events and logsource setting of its case file. */
export interface PropertyContext {
  plan: MatchPlan;
  /** The case file (for locations) and its cases' events by name (for `from`). */
  file: string;
  caseEvents: ReadonlyMap<string, Event>;
  /** With `logsource: map`, the rule's logsource filter: events outside it never match. */
  applies?: ((event: Event) => boolean) | undefined;
  /** Identifies the rule in the default seed (its id, else its file name). */
  ruleKey: string;
  /** The seed of every run (default: derived from `ruleKey` and the property's name). */
  seed?: number | undefined;
  /** fast-check's path of a counterexample: with its seed, replays that event alone. */
  path?: string | undefined;
}

/** The default seed of a property: a 31-bit hash of the rule's key and the property's name. */
export function propertySeed(ruleKey: string, name: string): number {
  return fnv1a(`${ruleKey}\u0000${name}`) & 0x7fffffff;
}

/** Problems that keep a property from running: unknown operators and kinds, bad options, fields to mutate that are not there. */
export function propertyProblems(p: Property, ctx: PropertyContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (code: DiagnosticCode, message: string, path: string, pos: SourcePos | undefined): void => {
    out.push(diagnostic(code, `property '${p.name}': ${message}`, { file: ctx.file, path, pos }));
  };
  const genProblems = (spec: GenSpec, field: string): void => {
    for (const problem of expressionProblems(spec.gen, spec.options, field)) {
      const unknown = problem.option === undefined && problem.message.startsWith('unknown generator kind');
      at(unknown ? 'PROPERTY_GENERATOR_UNKNOWN' : 'PROPERTY_OPTION_INVALID', problem.message, problem.option !== undefined ? `${spec.path}.${problem.option}` : spec.path, problem.option !== undefined ? (spec.optionPos[problem.option] ?? spec.pos) : spec.pos);
    }
  };
  for (const s of p.slots) genProblems(s.spec, String(s.keys[s.keys.length - 1] ?? ''));
  const names = new Set(ctx.plan.stages.map((s) => s.name));
  for (const n of Object.keys(p.stages ?? {})) {
    if (!names.has(n)) at('CASE_STAGE_UNKNOWN', `expects stage '${n}', which is not a stage of the rule (stages: ${[...names].join(', ')})`, `properties[${p.index}].stages.${n}`, p.stagesPos);
  }
  let stepsOk = true;
  for (const m of p.mutate) {
    for (const step of m.steps) {
      if (step.kind === 'gen') {
        const before = out.length;
        genProblems(step.spec, m.field);
        if (out.length > before) stepsOk = false;
      } else if (mutationOperator(step.name) === undefined) {
        at('PROPERTY_OPERATOR_UNKNOWN', `unknown operator '${step.name}' (operators: ${operatorNames().join(', ')}, or a {gen: KIND} expression; register your own in generators/)`, step.path, step.pos);
        stepsOk = false;
      }
    }
  }
  if (out.length > 0 || !stepsOk) return out;
  // The operators against the values they will meet: the case's, or one template event's (seed 1).
  let base: Event | undefined = p.from !== undefined ? ctx.caseEvents.get(p.from) : undefined;
  if (base === undefined) {
    try {
      base = fc.sample(templateArbitrary(p), { seed: 1, numRuns: 1 })[0];
    } catch (e) {
      at('PROPERTY_OPTION_INVALID', `the event template cannot be built: ${(e as Error).message}`, `properties[${p.index}].event`, p.pos);
      return out;
    }
  }
  for (const m of p.mutate) {
    let value: Slot = base === undefined ? ABSENT : getField(base, m.field);
    for (const step of m.steps) {
      if (step.kind === 'gen') {
        value = fc.sample(stepArbitrary(step, value, m.field), { seed: 1, numRuns: 1 })[0];
        continue;
      }
      const op = mutationOperator(step.name);
      if (op === undefined) break;
      const text = asText(value);
      if (op.anyValue !== true && text === undefined) {
        const what = value === ABSENT ? (p.from !== undefined ? `case '${p.from}' has no field '${m.field}'` : `the event template has no field '${m.field}'`) : `'${m.field}' is not a single value`;
        at('PROPERTY_MUTATION_INVALID', `${step.name} needs a value to vary, but ${what}${m.steps.indexOf(step) > 0 ? ` after ${m.steps.slice(0, m.steps.indexOf(step)).map(stepLabel).join(', ')}` : ''}`, step.path, step.pos);
        break;
      }
      const why = op.check?.(text ?? '', { field: m.field });
      if (why !== undefined) {
        at('PROPERTY_MUTATION_INVALID', `${step.name}: ${JSON.stringify(text)} ${why}`, step.path, step.pos);
        break;
      }
      value = fc.sample(stepArbitrary(step, value, m.field), { seed: 1, numRuns: 1 })[0];
    }
  }
  return out;
}

const verdict = (b: boolean): 'match' | 'no-match' => (b ? 'match' : 'no-match');

/**
 * Renders a value for a message (absent fields included), non-ASCII characters as `\uXXXX` so a
 * homoglyph (`nеt.exe` with a Cyrillic е) shows how it differs.
 */
function shown(v: Slot): string {
  if (v === ABSENT) return '(absent)';
  return (JSON.stringify(v) ?? String(v)).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The outcome of one property: its result and what its runs exercised. */
export interface PropertyOutcome {
  result: PropertyResult;
  observation?: Observation;
}

/**
 * Runs one property (already checked with `propertyProblems`). The plan may be any plan (a rule's,
 * or a mutant of it): this is the reusable core.
 */
export function runProperty(p: Property, ctx: PropertyContext): PropertyOutcome {
  const seed = ctx.seed ?? propertySeed(ctx.ruleKey, p.name);
  const base = p.from !== undefined ? ctx.caseEvents.get(p.from) : undefined;
  const fast = planMatcher(ctx.plan);
  const obs = emptyObservation();
  const hit = (trace: Trace, event: Event): boolean => trace.match && (ctx.applies === undefined || ctx.applies(event));
  const expected = (b: Event): boolean | undefined => (p.expect === 'same' ? hit(evaluatePlan(ctx.plan, b), b) : p.expect === 'match');
  let runs = 0;
  let shrinking = false;
  let disagreement: Event | undefined;
  /** Why an event breaks the property (empty: it holds). */
  const problemsOf = (b: Event, event: Event, trace: Trace): string[] => {
    const out: string[] = [];
    const want = expected(b);
    const got = hit(trace, event);
    if (want !== undefined && want !== got) {
      const outside = ctx.applies !== undefined && trace.match && !got ? " (the event is outside the rule's logsource)" : '';
      out.push(`expected ${verdict(want)}${p.expect === 'same' ? ' (the verdict of the event before mutate)' : ''}, got ${verdict(got)}${outside}`);
    }
    for (const [name, want2] of Object.entries(p.stages ?? {})) {
      const g = name === 'condition' ? trace.match : trace.identifiers[name];
      if (g !== want2) out.push(`expected stage ${name} to be ${want2}, got ${String(g)}`);
    }
    return out;
  };
  const property = fc.property(propertyArbitrary(p, base), ({ base: b, event }) => {
    const trace = evaluatePlan(ctx.plan, event);
    if (fast.match(event) !== trace.match) {
      disagreement ??= event;
      return false;
    }
    const bad = problemsOf(b, event, trace).length > 0;
    if (!shrinking) {
      runs++;
      const want = expected(b);
      observe(ctx.plan, trace, want === false, obs);
    }
    if (bad) shrinking = true;
    return !bad;
  });
  const details = fc.check(property, ctx.path === undefined ? { seed, numRuns: p.runs } : { seed, numRuns: p.runs, path: ctx.path });
  const result: PropertyResult = {
    name: p.name,
    file: ctx.file,
    line: p.pos.line,
    status: 'pass',
    expect: p.expect,
    runs,
    seed,
    knownGap: p.knownGap ?? null,
    counterexample: null,
    messages: [],
  };
  if (disagreement !== undefined) {
    const trace = evaluatePlan(ctx.plan, disagreement);
    result.status = 'error';
    result.messages = [
      `internal error: the compiled matcher says ${trace.match ? 'no-match' : 'match'} where the reference evaluator says ${trace.match ? 'match' : 'no-match'}; please report this rule and event: ${JSON.stringify(disagreement)}`,
    ];
    return { result, observation: obs };
  }
  const found = details.failed ? details.counterexample?.[0] : undefined;
  if (details.failed && found === undefined) {
    result.status = 'error';
    result.messages = [`the property could not run: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance ?? 'fast-check gave up (too many generated values were rejected by not patterns)')}`];
    return { result, observation: obs };
  }
  if (found !== undefined) {
    const trace = evaluatePlan(ctx.plan, found.event);
    const want = expected(found.base);
    const counterexample: Counterexample = {
      event: found.event,
      path: details.counterexamplePath ?? '',
      base: found.base,
      expected: verdict(want ?? false),
      got: verdict(hit(trace, found.event)),
    };
    const changed = p.mutate
      .map((m) => [m.field, getField(found.base, m.field), getField(found.event, m.field)] as const)
      .filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b))
      .map(([f, a, b]) => `${f}: ${shown(a)} → ${shown(b)}`);
    result.counterexample = counterexample;
    result.status = p.knownGap !== undefined ? 'known-gap' : 'fail';
    result.messages = [
      ...(p.knownGap !== undefined ? [`known gap: ${p.knownGap}`] : []),
      ...problemsOf(found.base, found.event, trace),
      ...changed.map((c) => `mutated ${c}`),
      ...describeStages(ctx.plan, trace, found.event),
      `replay: seed ${seed}, path ${counterexample.path}`,
    ];
  } else if (p.knownGap !== undefined) {
    result.status = 'gap-closed';
    result.messages = [`known gap closed: ${runs} runs held (${p.knownGap}); remove known_gap to keep it a property`];
  }
  return { result, observation: obs };
}

/**
 * Runs a case file's properties on a plan: each one checked (`propertyProblems`, an error result
 * when it cannot run), then run. The reusable entry point: plan + properties + seed → results.
 */
export function runProperties(cf: CaseFile, ctx: Omit<PropertyContext, 'file' | 'caseEvents'>): { results: PropertyResult[]; observations: Observation[]; diagnostics: Diagnostic[] } {
  const caseEvents = new Map<string, Event>();
  for (const c of cf.cases) if (c.event !== undefined) caseEvents.set(c.name, flattenEvent(c.event));
  const full: PropertyContext = { ...ctx, file: cf.file, caseEvents };
  const results: PropertyResult[] = [];
  const observations: Observation[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of cf.properties) {
    const problems = propertyProblems(p, full);
    if (problems.length > 0) {
      diagnostics.push(...problems);
      results.push({
        name: p.name,
        file: cf.file,
        line: p.pos.line,
        status: 'error',
        expect: p.expect,
        runs: 0,
        seed: full.seed ?? propertySeed(full.ruleKey, p.name),
        knownGap: p.knownGap ?? null,
        counterexample: null,
        messages: problems.map((d) => `${d.pos !== undefined ? `line ${d.pos.line}: ` : ''}${d.message}`),
      });
      continue;
    }
    const { result, observation } = runProperty(p, full);
    results.push(result);
    if (observation !== undefined && result.runs > 0) observations.push(observation);
  }
  return { results, observations, diagnostics };
}

/** The suite runner's hook (`PropertyRunner`): every property of a rule's case files. */
export const runRuleProperties: PropertyRunner = (rule: SigmaRule, files: ReadonlyArray<{ cf: CaseFile }>, options: { mapping: LogsourceMapping; seed?: number | undefined }): PropertyRun => {
  const out: PropertyRun = { results: [], observations: [], diagnostics: [] };
  const filter = compileLogsourceFilter(rule.logsource, options.mapping);
  for (const { cf } of files) {
    if (cf.properties.length === 0) continue;
    const r = runProperties(cf, { plan: rule.plan, ruleKey: rule.id ?? basename(rule.file), seed: options.seed, applies: cf.logsource === 'map' ? filter : undefined });
    out.results.push(...r.results);
    out.observations.push(...r.observations);
    out.diagnostics.push(...r.diagnostics);
  }
  return out;
};
