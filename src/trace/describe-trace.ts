/**
 * Explanations from a trace, in the words of a rule author: for every stage, whether it was true
 * or false and which values decided it ("filter: true because Image equals
 * C:\Windows\System32\MsiExec.exe (case-insensitive)"). Built only from the plan and the trace,
 * so every report (text, Markdown, JUnit, HTML) explains failures the same way; an item's verb
 * and notes come from its parsed modifier chain (`item.chain`).
 */
import type { MatchPlan, PlanItem, SearchNode } from '../plan/plan.js';
import type { ItemTrace, Trace } from '../evaluate/evaluate.js';
import { renderScalar, resolveField } from '../evaluate/field-access.js';
import { assertNever } from '../diagnostics/diagnostics.js';

const COMPARE_VERB = { gt: 'is greater than', gte: 'is at least', lt: 'is less than', lte: 'is at most' } as const;

/** The verb of an item: equals, contains, matches regex, is in network… (from its parsed chain). */
export function itemVerb(item: PlanItem): string {
  const chain = item.chain;
  const first = item.values[0]?.matcher;
  if (item.field === null) return chain.kind === 'regex' ? 'the event has a value matching regex' : 'the event contains';
  switch (chain.kind) {
    case 'regex':
      return 'matches regex';
    case 'cidr':
      return 'is in network';
    case 'exists':
      return first?.kind === 'exists' && !first.value ? 'is absent' : 'exists';
    case 'fieldref':
      return { contains: 'contains the value of field', startswith: 'starts with the value of field', endswith: 'ends with the value of field', equals: 'equals the value of field' }[chain.match];
    case 'compare':
      if (chain.compare !== undefined) return COMPARE_VERB[chain.compare];
      return `has ${chain.timePart ?? 'part'}`;
    case 'plain':
    case 'pattern':
      break;
  }
  if (chain.match === 'contains') return 'contains';
  if (chain.match === 'startswith') return 'starts with';
  if (chain.match === 'endswith') return 'ends with';
  if (first?.kind === 'null') return 'is null or absent';
  if (item.values.some((v) => v.matcher.kind === 'string' && v.matcher.pattern.tokens.some((t) => t.t !== 'lit'))) return 'matches';
  return 'equals';
}

function caseNote(item: PlanItem): string {
  const m = item.values[0]?.matcher;
  if (m === undefined) return '';
  const stringish = m.kind === 'string' || m.kind === 'anyOf' || (m.kind === 'fieldref');
  if (!stringish) return '';
  // windash and the encodings, as written (`wide variants`), in chain order.
  const variants = item.chain.steps.filter((s) => s.op !== 'contains' && s.op !== 'startswith' && s.op !== 'endswith').map((s) => `${s.name} variants`);
  return ` (${[item.chain.cased ? 'case-sensitive' : 'case-insensitive', ...variants].join(', ')})`;
}

/** The item's field as the rule names it, and the event field it reads when a pipeline mapped it (`Image as process.executable`). */
function fieldName(item: PlanItem): string {
  if (item.field === null) return 'keyword';
  return item.ruleField !== undefined && item.ruleField !== null && item.ruleField !== item.field ? `${item.ruleField} as ${item.field}` : item.field;
}

function quote(values: readonly string[]): string {
  return values.length === 1 ? (values[0] as string) : values.map((v) => `'${v}'`).join(', ');
}

/** What the event held for an item's field, for context in explanations. */
function eventValue(item: PlanItem, event: Record<string, unknown> | undefined): string {
  if (event === undefined || item.field === null) return '';
  const vals = resolveField(event, item.field);
  if (vals === undefined) return `; ${item.field} is absent`;
  const shown = vals.map((v) => (v === null ? 'null' : (renderScalar(v) ?? JSON.stringify(v))));
  const text = shown.length === 1 ? `'${shown[0] as string}'` : `[${shown.map((s) => `'${s}'`).join(', ')}]`;
  return `; ${item.field} is ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}

/** Why one item was true or false. */
export function describeItem(item: PlanItem, t: ItemTrace, event?: Record<string, unknown>): string {
  const verb = itemVerb(item);
  const not = item.neq ? 'not ' : '';
  if (item.values.length === 1 && (verb === 'exists' || verb === 'is absent' || verb === 'is null or absent')) {
    return `${fieldName(item)} ${t.result ? '' : 'not: '}${not}${verb}${eventValue(item, event)}`;
  }
  const hit = item.values.filter((_, k) => t.values[k]).map((v) => v.source);
  const missed = item.values.filter((_, k) => !t.values[k]).map((v) => v.source);
  const note = caseNote(item);
  const field = fieldName(item);
  if (item.all) {
    if (missed.length === 0) return `${field} ${not}${verb} all of ${quote(hit)}${note}`;
    return `${field} ${not}${verb} ${quote(hit.length ? hit : [])}${hit.length ? ' but ' : ''}not ${quote(missed)}${note}${eventValue(item, event)}`;
  }
  if (hit.length > 0) return `${field} ${not}${verb} ${quote(hit)}${note}${item.neq ? eventValue(item, event) : ''}`;
  const any = item.values.length > 1 ? 'any of ' : '';
  return `${field} does not ${verb.replace(/^is /, 'be ').replace(/^(equals|contains|matches|has)\b/, (w) => ({ equals: 'equal', contains: 'contain', matches: 'match', has: 'have' })[w] ?? w).replace(/^starts/, 'start').replace(/^ends/, 'end')} ${any}${quote(missed)}${note}${eventValue(item, event)}`;
}

function describeNode(n: SearchNode, trace: Trace, event: Record<string, unknown> | undefined, want: boolean): string[] {
  const itemOf = (it: PlanItem): ItemTrace => trace.items[it.id] as ItemTrace;
  switch (n.kind) {
    case 'item':
      return [describeItem(n.item, itemOf(n.item), event)];
    case 'and': {
      const pick = want ? n.items : n.items.filter((it) => !itemOf(it).result);
      return pick.map((it) => describeItem(it, itemOf(it), event));
    }
    case 'allOf': {
      const pick = want ? n.children : n.children.filter((c) => !searchTruth(c, trace));
      return pick.flatMap((c) => describeNode(c, trace, event, want));
    }
    case 'or': {
      if (want) {
        const first = n.children.find((c) => searchTruth(c, trace));
        return first === undefined ? [] : describeNode(first, trace, event, true);
      }
      return n.children.flatMap((c) => describeNode(c, trace, event, false));
    }
    default:
      return assertNever(n);
  }
}

function searchTruth(n: SearchNode, trace: Trace): boolean {
  switch (n.kind) {
    case 'item':
      return trace.items[n.item.id]?.result ?? false;
    case 'and':
      return n.items.every((it) => trace.items[it.id]?.result ?? false);
    case 'allOf':
      return n.children.every((c) => searchTruth(c, trace));
    case 'or':
      return n.children.some((c) => searchTruth(c, trace));
    default:
      return assertNever(n);
  }
}

/** One line per stage: `name: true|false because …`. Stage 0 first. */
export function describeStages(plan: MatchPlan, trace: Trace, event?: Record<string, unknown>): string[] {
  const lines = [`condition: ${trace.match} (${plan.conditionText})`];
  for (const s of trace.stages) {
    if (s.index === 0) continue;
    const ident = plan.identifiers.find((i) => i.name === s.name);
    if (ident === undefined) continue;
    const reasons = describeNode(ident.body, trace, event, s.result);
    const label = s.exclusion ? `${s.name} (exclusion)` : s.name;
    lines.push(`${label}: ${s.result} because ${reasons.join(s.result ? ' and ' : '; ')}`);
  }
  return lines;
}
