/**
 * The differential property: on generated events, the compiled matcher and the rule index agree
 * with the reference evaluator for every rule: the bundled rules, rules written to hit the fast
 * paths' corners, and (when ../shared is present) a sample of the SigmaHQ corpus. Events are made
 * from each rule's own literals, cut, re-cased, mixed with characters that fold oddly (ſ, K, İ,
 * ß, emoji), or replaced by numbers, booleans, nulls, arrays and nested objects; some carry the
 * shape of a source the logsource mapping sees through a view (Security 4688, 4657, 4663, 5156).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectRules } from '../rules/collect-rules.js';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import type { Matcher, MatchPlan } from '../plan/plan.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import type { Event } from '../evaluate/evaluate.js';
import { compilePlan } from './compile-plan.js';
import { RuleIndex } from './rule-index.js';
import { builtinMapping, compileLogsourceFilter } from '../logsource/logsource.js';
import { sourceVerdict } from '../evaluate/source-verdict.js';

const ODD = ['ſ', 'K', 'İ', 'ß', 'ẞ', '😀', 'é', 'É', '\u2013', '/', '-', '\\', '*', '?', ' ', '"', 'A', 'z', '0'];

/** Literal texts of a matcher tree (what the rule looks for). */
function literals(m: Matcher, out: string[]): void {
  if (m.kind === 'string') {
    for (const t of m.pattern.tokens) if (t.t === 'lit') out.push(m.pattern.bytes ? t.s.replace(/\0/g, '') : t.s);
  } else if (m.kind === 'anyOf') for (const mm of m.members) literals(mm, out);
  else if (m.kind === 'number' || m.kind === 'compare') out.push(String(m.value));
  else if (m.kind === 'cidr') out.push(m.text.replace(/\/.*/, ''));
}

function planMaterial(plan: MatchPlan): { fields: string[]; words: string[] } {
  const fields = new Set<string>(['Channel', 'EventID', 'Image', 'CommandLine']);
  const words: string[] = [];
  for (const item of plan.items) {
    if (item.field !== null) fields.add(item.field);
    for (const v of item.values) literals(v.matcher, words);
    for (const v of item.values) if (v.matcher.kind === 'fieldref') fields.add(v.matcher.field);
  }
  return { fields: [...fields], words: words.length ? words : ['x'] };
}

/** A string built from the rule's literals and odd characters, sometimes re-cased or cut. */
function textArb(words: string[]): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...words) },
    { weight: 2, arbitrary: fc.constantFrom(...words).chain((w) => fc.tuple(fc.nat(w.length), fc.nat(w.length)).map(([a, b]) => w.slice(Math.min(a, b), Math.max(a, b)))) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  );
  return fc
    .tuple(fc.array(piece, { maxLength: 5 }), fc.constantFrom('keep', 'upper', 'lower', 'flip', 'fold'))
    .map(([ps, c]) => {
      const s = ps.join('');
      if (c === 'upper') return s.toUpperCase();
      if (c === 'lower') return s.toLowerCase();
      // Characters that fold into ASCII letters under case-insensitive matching.
      if (c === 'fold') return s.replace(/s/g, 'ſ').replace(/k/gi, '\u212a');
      if (c === 'flip') return Array.from(s, (ch, i) => (i % 2 ? ch.toUpperCase() : ch.toLowerCase())).join('');
      return s;
    });
}

function valueArb(words: string[]): fc.Arbitrary<unknown> {
  const text = textArb(words);
  const scalar = fc.oneof(
    { weight: 8, arbitrary: text },
    { weight: 1, arbitrary: fc.integer({ min: -5, max: 70000 }) },
    { weight: 1, arbitrary: text.map((t) => Number.parseFloat(t)).filter((n) => Number.isFinite(n)) },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  return fc.oneof(
    { weight: 8, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'b', 'Image'), scalar, { maxKeys: 2 }) },
  );
}

/**
 * Events of the sources the built-in mapping sees through a view (Security 4688, 4657, 4663,
 * 5156), their own fields filled with the rule's words: the rule index must then give the
 * verdict of the rule on the view (sourceVerdict), unknown fields never decisive.
 */
function sourceShapeArb(words: string[]): fc.Arbitrary<Event> {
  const t = textArb(words);
  return fc.oneof(
    fc.constant({}),
    fc.record({ Channel: fc.constant('Security'), EventID: fc.constant(4688), NewProcessName: t, ParentProcessName: t, CommandLine: t, NewProcessId: fc.constantFrom('0x1a2b', '0x4'), ProcessId: fc.constantFrom('0x46c', 'x'), MandatoryLabel: fc.constantFrom('S-1-16-12288', 'S-1-16-4096'), SubjectUserSid: fc.constantFrom('S-1-5-18', 'S-1-5-21-1-2-3-1001'), SubjectUserName: t, SubjectDomainName: t, TargetUserName: fc.constantFrom('-', 'admin') }, { requiredKeys: ['Channel', 'EventID'] }),
    fc.record({ Channel: fc.constant('Security'), EventID: fc.constant(4657), OperationType: fc.constantFrom('%%1904', '%%1905', '%%1906'), ObjectName: t.map((x) => `\\REGISTRY\\MACHINE\\${x}`), ObjectValueName: t, NewValueType: fc.constantFrom('%%1873', '%%1876'), NewValue: t, ProcessName: t }, { requiredKeys: ['Channel', 'EventID'] }),
    fc.record({ Channel: fc.constant('Security'), EventID: fc.constant(5156), Direction: fc.constantFrom('%%14592', '%%14593'), SourceAddress: t, DestAddress: t, DestPort: fc.constantFrom('443', '3389'), Protocol: fc.constantFrom('6', '17') }, { requiredKeys: ['Channel', 'EventID'] }),
    fc.record({ Channel: fc.constant('Security'), EventID: fc.constant(4663), ObjectType: fc.constantFrom('File', 'Key'), ObjectName: t, ProcessName: t }, { requiredKeys: ['Channel', 'EventID'] }),
  );
}

/** Events for a plan: a subset of its fields (dotted ones sometimes nested), with generated values; some shaped as a mapped source's. */
function eventArb(plan: MatchPlan): fc.Arbitrary<Event> {
  const { fields, words } = planMaterial(plan);
  const value = valueArb(words);
  return fc.tuple(fc.subarray(fields), fc.array(value, { minLength: fields.length, maxLength: fields.length }), fc.boolean(), sourceShapeArb(words)).map(([chosen, values, nest, shape]) => {
    const e: Event = { ...shape };
    chosen.forEach((f, i) => {
      const v = values[i];
      const dot = f.indexOf('.');
      if (nest && dot > 0) e[f.slice(0, dot)] = { [f.slice(dot + 1)]: v };
      else e[f] = v;
    });
    return e;
  });
}

const filters = new WeakMap<SigmaRule, (e: Event) => boolean>();
function applies(rule: SigmaRule): (e: Event) => boolean {
  let f = filters.get(rule);
  if (f === undefined) filters.set(rule, (f = compileLogsourceFilter(rule.logsource, builtinMapping)));
  return f;
}

const verdicts = new WeakMap<SigmaRule, (e: Event) => boolean>();
function viewed(rule: SigmaRule): (e: Event) => boolean {
  let f = verdicts.get(rule);
  if (f === undefined) verdicts.set(rule, (f = sourceVerdict(rule.plan, rule.logsource, builtinMapping)));
  return f;
}

function checkRules(rules: readonly SigmaRule[], runs: number): void {
  const index = new RuleIndex(rules, { mapping: null, views: null });
  const mapped = new RuleIndex(rules, { mapping: builtinMapping });
  const views = new RuleIndex(rules, { mapping: null, views: builtinMapping });
  expect(index.stats().declined).toEqual([]);
  rules.forEach((rule) => {
    const compiled = compilePlan(rule.plan);
    if (!compiled.ok) throw new Error(`${rule.file}: ${compiled.reason}`);
    fc.assert(
      fc.property(eventArb(rule.plan), (e) => {
        const expected = evaluatePlan(rule.plan, e).match;
        expect(compiled.compiled.match(e), `${rule.file} on ${JSON.stringify(e)}`).toBe(expected);
        expect(index.matches(e).includes(rule), `index: ${rule.file} on ${JSON.stringify(e)}`).toBe(expected);
        // With the logsource applied: the verdict as the rule's logsource sees the event, where it takes the event.
        const seen = viewed(rule)(e);
        expect(mapped.matches(e).includes(rule), `mapped: ${rule.file} on ${JSON.stringify(e)}`).toBe(seen && applies(rule)(e));
        expect(views.matches(e).includes(rule), `views: ${rule.file} on ${JSON.stringify(e)}`).toBe(seen);
      }),
      { numRuns: runs, seed: 20261127 },
    );
  });
}

const CORNERS = `
title: corners
logsource: {product: windows, category: process_creation}
detection:
  sel_a: {CommandLine|contains|all: ['-enc', 'ſomething'], Image|endswith: '\\\\x.exe'}
  sel_b: {CommandLine|contains|windash: ' -k '}
  sel_c: {Image|cased: 'C:\\\\Win*', EventID: [1, 4688]}
  sel_d: {Details|re: '^DWORD \\(0x0+[1-9]\\)$', TargetObject|startswith: 'HKLM\\\\'}
  sel_e: {a.b: 'x', User: null, OriginalFileName|exists: false}
  sel_f: {ParentImage|fieldref: Image, Count|gte: 3}
  sel_g: {CommandLine|base64offset|contains: 'IEX', Hash|contains: '😀'}
  sel_h: {DestinationIp|cidr: '10.0.0.0/8'}
  keywords: ['mimikatz', 'sekurlsa::*', 'KERBEROS']
  filter: {Image|endswith: ['\\\\msiexec.exe', '\\\\é.exe']}
  condition: (1 of sel_* or keywords) and not filter
`;

describe('compiled matchers and the rule index equal the reference evaluator', () => {
  it('on rules written for the corners of the fast paths', () => {
    const loaded = loadRuleText(CORNERS, 'corners.yml');
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    checkRules(loaded.rules, 3000);
  });

  it('on the bundled rules', () => {
    const set = collectRules([fileURLToPath(new URL('../../rules', import.meta.url))]);
    expect(set.rules.length).toBeGreaterThan(10);
    checkRules(set.rules, 300);
  });

  const corpus = fileURLToPath(new URL('../../../shared/corpus/sigmahq/rules/windows', import.meta.url));
  it.runIf(existsSync(corpus))('on every 10th rule of the SigmaHQ windows rules', () => {
    const set = collectRules([corpus]);
    checkRules(
      set.rules.filter((_, i) => i % 10 === 0),
      40,
    );
  });
});
