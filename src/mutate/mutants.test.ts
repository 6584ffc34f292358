/** Mutants made from the plan: every operator where it applies, with path, line and a YAML diff of that line. */
import { describe, expect, it } from 'vitest';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import { planMatcher } from '../compile/compile-plan.js';
import { backslashVariants, literalTypo, ruleMutants } from './mutants.js';

const TEXT = `title: Planted
id: 0b6f1d3c-2a4e-4f5b-9c8d-7e6f5a4b3c2d
logsource: {category: process_creation, product: windows}
detection:
  selection_img:
    Image|endswith: '\\whoami.exe'
    CommandLine|contains|all:
      - '/user'
      - '/priv'
  selection_cnt:
    Count|gt: 3
  filter:
    ParentImage:
      - 'C:\\Windows\\explorer.exe'
      - 'C:\\Tools\\admin.exe'
  condition: 1 of selection_* and not filter
`;

function rule(text = TEXT): SigmaRule {
  const r = loadRuleText(text, '/virtual/planted.yml').rules[0];
  if (r === undefined) throw new Error('the planted rule does not load');
  return r;
}

describe('ruleMutants', () => {
  const r = rule();
  const mutants = ruleMutants(r, TEXT);
  const find = (op: string, description: RegExp) => mutants.find((m) => m.operator === op && description.test(m.description));

  it('makes every operator that applies, each at its path and rule file line', () => {
    expect(new Set(mutants.map((m) => m.operator))).toEqual(
      new Set(['value-drop', 'item-drop', 'modifier-change', 'modifier-drop', 'and-or', 'not-drop', 'exclusion-drop', 'of-quantifier', 'literal-typo', 'compare-boundary', 'path-backslash']),
    );
    const drop = find('value-drop', /C:\\Tools\\admin\.exe/);
    expect(drop?.path).toBe('detection.filter.ParentImage[1]');
    expect(drop?.line).toBe(15);
    expect(drop?.diff).toEqual({ line: 15, removed: ["      - 'C:\\Tools\\admin.exe'"], added: [] });
    const typo = find('literal-typo', /whoami/);
    expect(typo?.diff.removed).toEqual(["    Image|endswith: '\\whoami.exe'"]);
    expect(typo?.diff.added).toEqual(["    Image|endswith: '\\whoamj.exe'"]);
    const cmp = find('compare-boundary', /gt → /);
    expect(cmp?.diff).toEqual({ line: 11, removed: ['    Count|gt: 3'], added: ['    Count|gte: 3'] });
    const quant = find('of-quantifier', /1 of selection_\* → all of/);
    expect(quant?.diff.added).toEqual(['  condition: all of selection_* and not filter']);
    expect(find('exclusion-drop', /not filter/)?.diff.added).toEqual(['  condition: 1 of selection_*']);
    expect(find('modifier-drop', /contains\|all → CommandLine\|contains$/)?.line).toBe(7);
  });

  it('changes only the plan of the mutant: the original still evaluates as before, on both paths', () => {
    const e = { Image: 'C:\\x\\whoami.exe', CommandLine: 'whoami /user /priv', ParentImage: 'C:\\Tools\\admin.exe' };
    expect(evaluatePlan(r.plan, e).match).toBe(false);
    const drop = find('value-drop', /C:\\Tools\\admin\.exe/);
    expect(drop && evaluatePlan(drop.plan, e).match).toBe(true);
    expect(drop && planMatcher(drop.plan).match(e)).toBe(true);
    expect(planMatcher(r.plan).match(e)).toBe(false);
    const gte = find('compare-boundary', /gt → /);
    expect(gte && evaluatePlan(gte.plan, { Count: 3 }).match).toBe(true);
    expect(evaluatePlan(r.plan, { Count: 3 }).match).toBe(false);
    // The stages stay the original's, so stage expectations of cases keep their meaning.
    expect(find('exclusion-drop', /not filter/)?.plan.stages).toEqual(r.plan.stages);
  });

  it('flips and ↔ or and drops a not', () => {
    const and = find('and-or', /^and → or/);
    expect(and && evaluatePlan(and.plan, { ParentImage: 'C:\\Windows\\explorer.exe' }).match).toBe(false);
    const not = find('not-drop', /not filter → filter/);
    expect(not && evaluatePlan(not.plan, { Count: 5, ParentImage: 'C:\\Windows\\explorer.exe' }).match).toBe(true);
  });
});

describe('literal helpers', () => {
  it('changes one middle letter or digit, never a wildcard or an escape', () => {
    expect(literalTypo('abc')).toBe('acc');
    expect(literalTypo('*\\*')).toBeUndefined();
    expect(literalTypo('z')).toBe('a');
  });
  it('adds or removes a leading and a trailing backslash of a path', () => {
    expect(backslashVariants('\\net.exe').map((v) => v.text)).toEqual(['net.exe', '\\net.exe\\']);
    expect(backslashVariants('C:\\Temp\\').map((v) => v.text)).toEqual(['\\C:\\Temp\\', 'C:\\Temp']);
    expect(backslashVariants('*\\Temp\\*')).toEqual([]);
    expect(backslashVariants('plain')).toEqual([]);
  });
});
