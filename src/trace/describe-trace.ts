/**
 * Explanations from a trace, in the words of a rule author: for every stage, whether it was true
 * or false and which values decided it ("filter: true because Image equals
 * C:\Windows\System32\MsiExec.exe (case-insensitive)"). Built only from the plan and the trace,
 * so every report (text, Markdown, JUnit, HTML) explains failures the same way.
 */
import type { MatchPlan, PlanItem, SearchNode } from '../plan/plan.js';
import type { ItemTrace, Trace } from '../evaluate/evaluate.js';
import { renderScalar, resolveField } from '../evaluate/field-access.js';

/** The verb of an item: equals, contains, matches regex, is in network… */
export function itemVerb(item: PlanItem): string {
  const mods = new Set(item.modifiers);
  const first = item.values[0]?.matcher;
  if (item.field === null) return mods.has('re') ? 'the event has a value matching regex' : 'the event contains';
  if (mods.has('re')) return 'matches regex';
  if (mods.has('cidr')) return 'is in network';
  if (mods.has('exists')) return first?.kind === 'exists' && !first.value ? 'is absent' : 'exists';
  if (mods.has('fieldref')) return mods.has('contains') ? 'contains the value of field' : mods.has('startswith') ? 'starts with the value of field' : mods.has('endswith') ? 'ends with the value of field' : 'equals the value of field';
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
    if (mods.has(op)) return { gt: 'is greater than', gte: 'is at least', lt: 'is less than', lte: 'is at most' }[op];
  }
  const part = ['minute', 'hour', 'day', 'week', 'month', 'year'].find((p) => mods.has(p));
  if (part !== undefined) return `has ${part}`;
  if (mods.has('contains')) return 'contains';
  if (mods.has('startswith')) return 'starts with';
  if (mods.has('endswith')) return 'ends with';
  if (first?.kind === 'null') return 'is null or absent';
  if (item.values.some((v) => v.matcher.kind === 'string' && v.matcher.pattern.tokens.some((t) => t.t !== 'lit'))) return 'matches';
  return 'equals';
}

function caseNote(item: PlanItem): string {
  const m = item.values[0]?.matcher;
  if (m === undefined) return '';
  const stringish = m.kind === 'string' || m.kind === 'anyOf' || (m.kind === 'fieldref');
  if (!stringish) return '';
  const enc = item.modifiers.filter((x) => ['base64', 'base64offset', 'utf16le', 'wide', 'utf16be', 'utf16', 'windash'].includes(x));
  const notes = [item.modifiers.includes('cased') ? 'case-sensitive' : 'case-insensitive', ...enc.map((e) => `${e} variants`)];
  return ` (${notes.join(', ')})`;
}

function fieldName(item: PlanItem): string {
  return item.field ?? 'keyword';
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
    case 'or': {
      if (want) {
        const first = n.children.find((c) => searchTruth(c, trace));
        return first === undefined ? [] : describeNode(first, trace, event, true);
      }
      return n.children.flatMap((c) => describeNode(c, trace, event, false));
    }
  }
}

function searchTruth(n: SearchNode, trace: Trace): boolean {
  switch (n.kind) {
    case 'item':
      return trace.items[n.item.id]?.result ?? false;
    case 'and':
      return n.items.every((it) => trace.items[it.id]?.result ?? false);
    case 'or':
      return n.children.some((c) => searchTruth(c, trace));
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
