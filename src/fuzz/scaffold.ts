/**
 * Starter cases for a rule: one matching witness, and for every value of every exclusion an
 * event that the rest of the rule matches and that this value (alone in its item) excludes.
 * Case names show the item as written (`excluded: Image endswith \msiexec.exe`, the chain's text).
 * Then starter properties on those cases (respell, relocate, recase, embed), each run once on the
 * rule: one that does not hold is written with a known_gap for the author to review.
 */
import type { SigmaRule } from '../rules/load-rule.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import type { Event } from '../evaluate/evaluate.js';
import { evaluateCondition, evaluatePlan, EventView, matcherHolds } from '../evaluate/evaluate.js';
import { mergeTerms, substitute, termsOf, toBoolExpr } from './condition-terms.js';
import { realizeMatcher, ABSENT } from './realize.js';
import { synthesize } from './synthesize.js';
import { logsourceBase, realizeContext, seededRandom, synthesizeWitness } from './witness.js';
import { newCaseFileText } from './case-writer.js';
import type { NewCase, NewProperty } from './case-writer.js';
import { loadCaseText } from '../cases/load-cases.js';
import { runProperties } from '../properties/run-properties.js';
import { fieldKind, isPathLike } from '../../generators/registry.js';
import { mutationOperator } from '../../generators/mutations.js';
import { basename } from '../../generators/windows-paths.js';

export interface Scaffold {
  cases: NewCase[];
  /** Starter properties (from the cases above); those that did not hold carry a known_gap to review. */
  properties: NewProperty[];
  /** Values for which no excluding event was found, with why. */
  skipped: string[];
}

const WITNESS = 'a matching event (generated; replace with a real one)';

/**
 * Starter properties from the scaffolded cases: `respell` for every registry-key field of the
 * matching event, `relocate` (must match) and `recase` (stays excluded) for every excluded value of
 * a path-like field, `embed` for every field a `contains` value of the rule's selections tests.
 */
function starterProperties(rule: SigmaRule, cases: readonly NewCase[]): NewProperty[] {
  const out: NewProperty[] = [];
  const names = new Set<string>();
  const add = (p: NewProperty, value: unknown, op: string, field: string): void => {
    if (names.has(p.name) || typeof value !== 'string') return;
    if (mutationOperator(op)?.check?.(value, { field }) !== undefined) return;
    names.add(p.name);
    out.push(p);
  };
  const witness = cases.find((c) => c.name === WITNESS);
  const exclusions = new Set(rule.plan.stages.filter((s) => s.exclusion).map((s) => s.name));
  const selections = rule.plan.items.filter((it) => it.field !== null && !exclusions.has(it.identifier));
  if (witness !== undefined) {
    for (const [field, value] of Object.entries(witness.event)) {
      if (fieldKind(field) === 'registry-key') add({ name: `${field} matches under every spelling of the key`, from: WITNESS, mutate: { [field]: ['respell'] }, expect: 'match' }, value, 'respell', field);
    }
    // A field the selections test with contains only (embedding would break an equality, startswith or endswith).
    const fields = new Set(selections.filter((it) => it.chain.match === 'contains' && it.chain.encodings.length === 0).map((it) => it.field as string));
    for (const field of fields) {
      if (selections.some((it) => it.field === field && (it.chain.match !== 'contains' || it.chain.encodings.length > 0))) continue;
      add({ name: `${field} still matches inside longer text`, from: WITNESS, mutate: { [field]: ['embed'] }, expect: 'match' }, witness.event[field], 'embed', field);
    }
  }
  for (const item of rule.plan.items) {
    if (item.field === null || !exclusions.has(item.identifier) || !isPathLike(item.field)) continue;
    const field = item.field;
    for (const v of item.values) {
      const label = `${field} ${item.chain.text ? `${item.chain.text} ` : ''}${v.source}`;
      const c = cases.find((x) => x.name === `excluded: ${label}`);
      if (c === undefined) continue;
      const value = c.event[field];
      const name = basename(v.source) || v.source;
      add({ name: `${label}: ${name} in another folder is not excluded`, from: c.name, mutate: { [field]: ['relocate'] }, expect: 'match' }, value, 'relocate', field);
      if (!item.chain.cased) add({ name: `${label}: excluded in any letter case`, from: c.name, mutate: { [field]: ['recase'] }, expect: 'no-match' }, value, 'recase', field);
    }
  }
  return out;
}

/**
 * Runs the starter properties on the rule; one that does not hold is kept with a `known_gap` that
 * says so, for the author to review (fix the rule, or give the reason). One that cannot run is left out.
 */
function reviewProperties(rule: SigmaRule, cases: readonly NewCase[], properties: NewProperty[], seed: number): NewProperty[] {
  if (properties.length === 0) return properties;
  const text = newCaseFileText(rule.file.replace(/\.ya?ml$/i, '.cases.yml'), rule, cases, { properties });
  const cf = loadCaseText(text, 'scaffold.yml').caseFile;
  if (cf === undefined) return [];
  const run = runProperties(cf, { plan: rule.plan, ruleKey: rule.id ?? basename(rule.file), seed });
  return properties.flatMap((p) => {
    const r = run.results.find((x) => x.name === p.name);
    if (r === undefined || r.status === 'error') return [];
    if (r.status !== 'fail') return [p];
    const problem = r.messages[0] ?? 'it did not hold';
    const example = r.messages.find((m) => m.startsWith('mutated ')) ?? '';
    return [{ ...p, knownGap: `scaffold: does not hold (${problem}${example === '' ? '' : `; ${example}`}): fix the rule, or keep this and say why` }];
  });
}

/**
 * The event with a hive root (`HKLM`) before registry-key values that start below one
 * (`\System\...`), as Sysmon always writes one, when the rule still gives the same verdict.
 */
function withHives(rule: SigmaRule, event: Event): Event {
  let out = event;
  for (const [field, value] of Object.entries(event)) {
    if (fieldKind(field) !== 'registry-key' || typeof value !== 'string' || !value.startsWith('\\') || /^\\REGISTRY\\/i.test(value)) continue;
    const next = { ...out, [field]: `HKLM${value}` };
    if (evaluatePlan(rule.plan, next).match === evaluatePlan(rule.plan, out).match) out = next;
  }
  return out;
}

export function scaffoldCases(rule: SigmaRule, mapping: LogsourceMapping | null, seed = 1): Scaffold {
  const cases: NewCase[] = [];
  const skipped: string[] = [];
  const w = synthesizeWitness(rule, seed, mapping);
  if (w.ok) cases.push({ name: WITNESS, expect: 'match', event: withHives(rule, w.event) });
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
  return { cases, properties: reviewProperties(rule, cases, starterProperties(rule, cases), seed), skipped };
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
