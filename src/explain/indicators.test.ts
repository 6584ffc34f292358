/**
 * Indicator kinds (the coarse table of indicators.ts), grouping of a rule's values, exclusion
 * rows, and catalog counts on a small temporary catalog with hand-computed expectations.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileDetection, fieldRule } from '../../test/support/rules.js';
import { loadRuleFile, loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { buildCatalogIndex, corpusCount, indicatorKey, kindLabel, kindText, loadCatalog, ruleExclusions, ruleIndicators, valueKind } from './indicators.js';

function kindOf(key: string, valueYaml: string, placeholders?: Record<string, string[]>): string {
  const rule = fieldRule(key, valueYaml, placeholders === undefined ? {} : { placeholders });
  const item = rule.plan.items[0];
  const value = item?.values[0];
  if (item === undefined || value === undefined) throw new Error('no item');
  return kindLabel(valueKind(item, value), item.neq);
}

describe('valueKind', () => {
  it.each([
    ['Image', "'C:\\Windows\\x.exe'", 'eq'],
    ['Image', "'C:\\Windows\\\\*.exe'", 'match'],
    ['Image', "'C:\\Windows\\*.exe'", 'eq'], // `\*` is an escaped star, the common mistake of §5.1
    ['Image', "'what?'", 'match'],
    ['Image', "'a\\*b'", 'eq'], // escaped star: a literal, no wildcard (§5.1)
    ['Image|contains', 'x', 'match'],
    ['Image|startswith', 'x', 'match'],
    ['Image|endswith', 'x', 'match'],
    ['Image|contains|all', '[a, b]', 'match'],
    ['EventID', '4688', 'eq'],
    ['EventID', "'4688'", 'eq'],
    ['Signed', 'true', 'eq'],
    ['F', "''", 'eq'],
    ['F|re', "'a.*b'", 'regex'],
    ['F|re|i', "'a.*b'", 'regex'],
    ['Ip|cidr', "'10.0.0.0/8'", 'cidr'],
    ['F|exists', 'true', 'exists'],
    ['F', 'null', 'null'],
    ['N|gt', '5', 'gt'],
    ['N|gte', '5', 'gte'],
    ['N|lt', '5', 'lt'],
    ['N|lte', '5', 'lte'],
    ['T|hour', '5', 'hour'],
    ['T|hour|gte', '22', 'hour gte'],
    ['A|fieldref', 'B', 'fieldref'],
    ['A|fieldref|startswith', 'B', 'fieldref'],
    ['F|base64', 'abc', 'eq'],
    ['F|base64offset|contains', 'abc', 'match'],
    ['F|wide|base64offset|contains', 'abc', 'match'],
    ['F|utf16le', 'abc', 'eq'],
    ['F|windash', "'-x'", 'eq'],
    ['F|windash|contains', "' -x'", 'match'],
    ['F|cased', 'X', 'eq'],
    ['F|cased', "'X*'", 'match'],
    ['F|neq', 'x', 'not eq'],
    ['F|neq|contains', 'x', 'not match'],
    ["'|re'", "'x.y'", 'keyword'],
    ["'|all'", '[a, b]', 'keyword'],
  ])('%s: %s is %s', (key, value, kind) => {
    expect(kindOf(key, value)).toBe(kind);
  });

  it('keeps the kind of a value as written, whatever its configured placeholder values', () => {
    expect(kindOf('User|expand', "'%Admins%'", { Admins: ['adm*'] })).toBe('eq');
    expect(kindOf('User|expand', "'%Admins%*'", { Admins: ['adm'] })).toBe('match');
  });

  it('classifies keyword lists as keyword', () => {
    const rule = compileDetection("kw:\n  - foo\n  - 'bar*'\ncondition: kw");
    expect(ruleIndicators(rule).map((g) => [g.field, g.kind, g.values])).toEqual([[null, 'keyword', ['foo', 'bar*']]]);
  });
});

describe('ruleIndicators and ruleExclusions', () => {
  const rule = compileDetection(`
    sel:
      Image|endswith:
        - '\\a.exe'
        - '\\A.EXE'
      CommandLine: ['x', '*y*']
    sel2:
      Image|contains: '\\b'
      EventID: 1
    unused:
      Image: 'never.exe'
    filter_main:
      - Image: 'C:\\ok.exe'
      - ParentImage|startswith: ['C:\\p', 'C:\\q']
    filter_opt:
      User: ['a', 'b*']
    condition: (sel or sel2) and not filter_main and not 1 of filter_o*
  `);

  it('groups the values of positive identifiers by field and kind, once each case-insensitively', () => {
    expect(ruleIndicators(rule).map((g) => ({ field: g.field, kind: g.kind, values: g.values, identifiers: g.identifiers, valueIdentifiers: g.valueIdentifiers }))).toEqual([
      { field: 'Image', kind: 'match', values: ['\\a.exe', '\\b'], identifiers: ['sel', 'sel2'], valueIdentifiers: [['sel'], ['sel2']] },
      { field: 'CommandLine', kind: 'eq', values: ['x'], identifiers: ['sel'], valueIdentifiers: [['sel']] },
      { field: 'CommandLine', kind: 'match', values: ['*y*'], identifiers: ['sel'], valueIdentifiers: [['sel']] },
      { field: 'EventID', kind: 'eq', values: ['1'], identifiers: ['sel2'], valueIdentifiers: [['sel2']] },
    ]);
  });

  it('records what each match value does (the kind stays coarse for comparing)', () => {
    expect(ruleIndicators(rule).map((g) => [g.field, kindLabel(g.kind, g.negated), g.valueShapes])).toEqual([
      ['Image', 'match', [['endswith'], ['contains']]],
      ['CommandLine', 'eq', [[]]],
      ['CommandLine', 'match', [['wildcard']]],
      ['EventID', 'eq', [[]]],
    ]);
    expect(ruleExclusions(rule).map((r) => kindText(r.kind, r.negated, r.shapes))).toEqual(['eq', 'match (startswith)', 'eq', 'match (wildcard)']);
    // One value through two modifiers keeps both, in order of appearance.
    const both = compileDetection("a:\n  Image|contains: 'x'\nb:\n  Image|endswith: 'X'\ncondition: a or b");
    const [g] = ruleIndicators(both);
    expect([g?.values, g?.valueShapes, kindText('match', false, g?.valueShapes[0])]).toEqual([['x'], [['contains', 'endswith']], 'match (contains, endswith)']);
    expect(kindText('match', true, ['contains'])).toBe('not match (contains)');
  });

  it('attaches each value to the identifiers it comes from, not to every identifier of its group', () => {
    const r = loadRuleText(
      `title: t
logsource: {product: windows, category: process_creation}
detection:
  sel_a:
    Image|endswith: ['\\a.exe', '\\shared.exe']
  sel_b:
    Image|endswith: ['\\b.exe', '\\SHARED.EXE']
  condition: 1 of sel_*
`,
      'r.yml',
    ).rules[0] as SigmaRule;
    const [g] = ruleIndicators(r);
    expect(g?.identifiers).toEqual(['sel_a', 'sel_b']);
    expect(g?.values.map((v, k) => [v, g.valueIdentifiers[k]])).toEqual([
      ['\\a.exe', ['sel_a']],
      ['\\shared.exe', ['sel_a', 'sel_b']],
      ['\\b.exe', ['sel_b']],
    ]);
  });

  it('lists one exclusion row per item of each exclusion identifier (split by kind)', () => {
    expect(ruleExclusions(rule).map((r) => [r.field, r.kind, r.values, r.identifier, r.path])).toEqual([
      ['Image', 'eq', ['C:\\ok.exe'], 'filter_main', 'detection.filter_main[0].Image'],
      ['ParentImage', 'match', ['C:\\p', 'C:\\q'], 'filter_main', 'detection.filter_main[1]["ParentImage|startswith"]'],
      ['User', 'eq', ['a'], 'filter_opt', 'detection.filter_opt.User'],
      ['User', 'match', ['b*'], 'filter_opt', 'detection.filter_opt.User'],
    ]);
  });
});

describe('identifiers negated inside a branch', () => {
  it('are neither indicators nor top-level exclusions; double negation is positive', () => {
    const rule = compileDetection(`
      sel_a: {A: 1}
      filter_a: {FA: 1}
      sel_b: {B: 1}
      twice: {T: 1}
      top: {X: 1}
      condition: ((sel_a and not filter_a) or sel_b or not (not twice)) and not top
    `);
    expect(ruleIndicators(rule).map((g) => g.field)).toEqual(['A', 'B', 'T']);
    expect(ruleExclusions(rule).map((r) => r.field)).toEqual(['X']);
  });
});

describe('catalog counts', () => {
  const rule = (title: string, detection: string): string =>
    `title: ${title}\nlogsource:\n    category: registry_set\n    product: windows\ndetection:\n${detection.replace(/^/gm, '    ')}\n`;

  function catalogDir(): string {
    const d = mkdtempSync(join(tmpdir(), 'sigmatest-explain-'));
    mkdirSync(join(d, 'sub'));
    // The explained rule: TargetObject match \Foo, Image match \x.exe, Details eq ok.
    writeFileSync(join(d, 'a.yml'), rule('A', "sel:\n    TargetObject|contains: '\\Foo'\n    Image|endswith: '\\x.exe'\n    Details: ok\ncondition: sel"));
    // Same indicator, other modifier and case (counts); \x.exe only in an exclusion (does not count).
    writeFileSync(join(d, 'b.yml'), rule('B', "sel:\n    TargetObject|endswith: '\\FOO'\nfilter:\n    Image|endswith: '\\x.exe'\ncondition: sel and not filter"));
    // Same text but kind eq, and a different match value: neither counts for \Foo; `Details: OK` counts for eq ok.
    writeFileSync(join(d, 'c.yml'), rule('C', "sel:\n    TargetObject:\n        - '\\foo'\n        - '*\\Foo'\n    Details: OK\ncondition: sel"));
    // Unresolved placeholder: fails to load, its partial rule still counts.
    writeFileSync(join(d, 'sub', 'd.yml'), rule('D', "sel:\n    TargetObject|contains: '\\foo'\n    User|expand: '%Admins%'\ncondition: sel"));
    // Broken (unknown modifier): no partial rule, left out.
    writeFileSync(join(d, 'sub', 'e.yml'), rule('E', "sel:\n    TargetObject|contans: '\\Foo'\ncondition: sel"));
    // Two rule documents in one file: two rules. The second has \Foo only in an unused identifier.
    writeFileSync(
      join(d, 'sub', 'f.yml'),
      `${rule('F1', "sel:\n    TargetObject|contains: '\\Foo'\n    Image|endswith: '\\X.EXE'\ncondition: sel")}---\n${rule('F2', "sel:\n    Image: y\nunused:\n    TargetObject|contains: '\\Foo'\ncondition: sel")}`,
    );
    // A field differing only in case is another field.
    writeFileSync(join(d, 'sub', 'g.yml'), rule('G', "sel:\n    targetobject|contains: '\\Foo'\ncondition: sel"));
    return d;
  }

  it('counts the catalog rules per value (the rule itself included, as on the catalog page) with hand-computed expectations', () => {
    const d = catalogDir();
    const catalog = loadCatalog([d]);
    // a, b, c, d (partial), f1, f2, g; e is left out.
    expect(catalog.index.rules).toBe(7);
    expect(catalog.index.partial).toBe(1);
    expect(catalog.skipped).toBe(1);
    const a = loadRuleFile(join(d, 'a.yml')).rules[0] as SigmaRule;
    const count = (field: string, kind: 'eq' | 'match', value: string): number => corpusCount(catalog.index, a, indicatorKey(field, kind, false, value));
    expect(count('TargetObject', 'match', '\\Foo')).toBe(4); // a itself, b, d, f1 (not c, f2's unused, g)
    expect(count('Image', 'match', '\\x.exe')).toBe(2); // a, f1 (b has it in a filter)
    expect(count('Details', 'eq', 'ok')).toBe(2); // a, c
    expect(count('TargetObject', 'eq', '\\foo')).toBe(1); // c
  });

  it('counts a rule once however its path is spelled, and the same for every rule of the catalog', () => {
    const d = catalogDir();
    const catalog = loadCatalog([join(d, 'sub', '..'), d]);
    const f = loadRuleFile(join(d, 'sub', 'f.yml')).rules;
    const key = indicatorKey('TargetObject', 'match', false, '\\foo');
    expect(corpusCount(catalog.index, f[0] as SigmaRule, key)).toBe(4); // a, b, d, f1
    expect(corpusCount(catalog.index, f[1] as SigmaRule, key)).toBe(4);
  });

  it('copies of one rule (same id) count once', () => {
    const withId = (title: string): string => rule(title, "sel:\n    TargetObject|contains: '\\Foo'\ncondition: sel").replace('title:', 'id: 0b0d7e4a-4a55-4a43-8d3c-6c7f6b1e0a99\ntitle:');
    const one = loadRuleText(withId('A'), '/x/a.yml').rules[0] as SigmaRule;
    const copy = loadRuleText(withId('A'), '/y/a.yml').rules[0] as SigmaRule;
    const index = buildCatalogIndex([one, copy]);
    expect(corpusCount(index, one, indicatorKey('TargetObject', 'match', false, '\\foo'))).toBe(1);
  });

  it('counts each rule once per indicator, however often it repeats the value', () => {
    const r = compileDetection("s1:\n  F|contains: x\ns2:\n  F|endswith: X\ncondition: s1 or s2");
    const index = buildCatalogIndex([r]);
    expect(index.counts.get(indicatorKey('F', 'match', false, 'x'))).toBe(1);
  });
});
