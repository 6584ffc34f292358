import { describe, expect, it } from 'vitest';
import { ruleSetOf } from '../../test/support/correlation.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import { planMatcher } from '../compile/compile-plan.js';
import { foldCoverage, observe } from '../coverage/coverage.js';
import { fuzzRule } from '../fuzz/fuzz-rule.js';
import { RuleIndex } from '../compile/rule-index.js';
import type { SigmaRule } from '../rules/load-rule.js';

const RAR = `title: Data compressed with rar
id: 6f3e2987-db24-4c78-a860-b4f4095a7095
logsource: {category: process_creation, product: windows}
detection:
  selection: {Image|endswith: '\\rar.exe'}
  filter_main: {CommandLine|contains: ' l '}
  condition: selection and not filter_main
`;
const JUMP = `title: Login on jump host
id: df0841c0-9846-4e9f-ad8a-7df91571771b
logsource: {category: process_creation, product: windows}
detection:
  selection: {Image|endswith: '\\mstsc.exe'}
  condition: selection
`;
const OTHER = `title: Whoami
id: 1e0c2a77-7a51-4c1e-8a3d-6c0b3c9a8e21
logsource: {category: process_creation, product: windows}
detection:
  selection: {Image|endswith: '\\whoami.exe'}
  condition: selection
`;
/** The filter of the specification's example, with `not selection` (pySigma's composition). */
const ADMIN = `title: Filter Administrator account
description: The valid administrator account start with adm_
logsource:
    category: process_creation
    product: windows
filter:
    rules:
        - 6f3e2987-db24-4c78-a860-b4f4095a7095 # Data Compressed - rar.exe
        - df0841c0-9846-4e9f-ad8a-7df91571771b # Login on jump host
    selection:
        User|startswith: 'adm_'
    condition: not selection
`;

function rule(set: ReturnType<typeof ruleSetOf>, id: string): SigmaRule {
  return set.rules.find((r) => r.id === id) as SigmaRule;
}

describe('a filter composed into the rules it names', () => {
  const set = ruleSetOf({ 'rules/rar.yml': RAR, 'rules/jump.yml': JUMP, 'rules/whoami.yml': OTHER, 'filters/mf_admin_accounts.yml': ADMIN });

  it('adds an exclusion stage named after the filter to exactly the rules it names', () => {
    expect(set.diagnostics).toEqual([]);
    const rar = rule(set, '6f3e2987-db24-4c78-a860-b4f4095a7095');
    expect(rar.plan.stages.map((s) => [s.name, s.exclusion])).toEqual([
      ['condition', false],
      ['selection', false],
      ['filter_main', true],
      ['mf_admin_accounts', true],
    ]);
    expect(rar.plan.conditionText).toBe('selection and not filter_main and not mf_admin_accounts');
    const added = rar.plan.items.at(-1);
    expect([added?.identifier, added?.path, added?.file, added?.pos]).toEqual(['mf_admin_accounts', 'filter.selection["User|startswith"]', 'filters/mf_admin_accounts.yml', { line: 11, column: 9 }]);
    expect(rar.plan.identifiers.at(-1)?.filter).toEqual({ file: 'filters/mf_admin_accounts.yml', document: 0, title: 'Filter Administrator account', identifier: 'selection' });
    expect(rar.plan.unfiltered?.stages.map((s) => s.name)).toEqual(['condition', 'selection', 'filter_main']);
    expect(rule(set, 'df0841c0-9846-4e9f-ad8a-7df91571771b').plan.stages.map((s) => s.name)).toEqual(['condition', 'selection', 'mf_admin_accounts']);
    expect(rule(set, '1e0c2a77-7a51-4c1e-8a3d-6c0b3c9a8e21').plan.stages.map((s) => s.name)).toEqual(['condition', 'selection']);
  });

  it('the evaluator, the compiled matcher and the rule index suppress exactly the filtered events', () => {
    const rar = rule(set, '6f3e2987-db24-4c78-a860-b4f4095a7095');
    const admin = { Image: 'C:\\tools\\rar.exe', User: 'adm_bob', CommandLine: 'rar a x.rar' };
    const user = { Image: 'C:\\tools\\rar.exe', User: 'bob', CommandLine: 'rar a x.rar' };
    const t = evaluatePlan(rar.plan, admin);
    expect(t.match).toBe(false);
    expect(t.stages.map((s) => [s.name, s.result])).toEqual([
      ['condition', false],
      ['selection', true],
      ['filter_main', false],
      ['mf_admin_accounts', true],
    ]);
    expect(evaluatePlan(rar.plan, user).match).toBe(true);
    expect(evaluatePlan(rar.plan.unfiltered as NonNullable<typeof rar.plan.unfiltered>, admin).match).toBe(true);
    const compiled = planMatcher(rar.plan);
    expect(compiled.compiled).toBe(true);
    expect([compiled.match(admin), compiled.match(user)]).toEqual([false, true]);
    const index = new RuleIndex(set.rules, { mapping: null });
    expect(index.matches(admin).map((r) => r.title)).toEqual([]);
    expect(index.matches({ ...admin, Image: 'C:\\x\\whoami.exe' }).map((r) => r.title)).toEqual(['Whoami']);
  });

  it("the filter's values are exclusions to cover", () => {
    const rar = rule(set, '6f3e2987-db24-4c78-a860-b4f4095a7095');
    const admin = { Image: 'C:\\tools\\rar.exe', User: 'adm_bob', CommandLine: 'rar a x.rar' };
    const before = foldCoverage(rar.plan, [observe(rar.plan, evaluatePlan(rar.plan, { ...admin, User: 'bob' }), false)]);
    expect(before.exclusions.missed.map((v) => [v.identifier, v.source])).toEqual([
      ['filter_main', ' l '],
      ['mf_admin_accounts', 'adm_'],
    ]);
    const after = foldCoverage(rar.plan, [observe(rar.plan, evaluatePlan(rar.plan, admin), true)]);
    expect(after.exclusions.missed.map((v) => v.identifier)).toEqual(['filter_main']);
  });

  it('a filter with several identifiers gives a stage per identifier; names stay unique', () => {
    const two = ruleSetOf({
      'r.yml': RAR,
      'f.yml': `title: F\nname: tune\nlogsource: {category: process_creation}\nfilter:\n  rules: any\n  a: {User: x}\n  b: {User: y}\n  condition: not a and not b\n---\ntitle: G\nname: tune\nlogsource: {product: windows}\nfilter:\n  rules: []\n  sel: {User: z}\n  condition: not 1 of sel*\n`,
    });
    expect(two.diagnostics).toEqual([]);
    const r = two.rules[0] as SigmaRule;
    expect(r.plan.stages.map((s) => [s.name, s.exclusion])).toEqual([
      ['condition', false],
      ['selection', false],
      ['filter_main', true],
      ['tune.a', true],
      ['tune.b', true],
      ['tune', true],
    ]);
    expect(r.plan.conditionText).toBe('selection and not filter_main and not tune.a and not tune.b and not 1 of tune:sel*');
    expect(evaluatePlan(r.plan, { Image: 'a\\rar.exe', User: 'z' }).match).toBe(false);
    expect(evaluatePlan(r.plan, { Image: 'a\\rar.exe', User: 'w' }).match).toBe(true);
    expect(planMatcher(r.plan).match({ Image: 'a\\rar.exe', User: 'z' })).toBe(false);
  });

  it("pySigma's composition: a condition without not keeps only what it selects (and warns)", () => {
    const keep = ruleSetOf({ 'r.yml': JUMP, 'f.yml': ADMIN.replace('condition: not selection', 'condition: selection') });
    // (The rar rule the filter also names is not loaded here.)
    expect(keep.diagnostics.map((d) => d.code)).toEqual(['FILTER_CONDITION_NO_NOT', 'FILTER_RULE_UNKNOWN']);
    const r = keep.rules[0] as SigmaRule;
    expect(evaluatePlan(r.plan, { Image: 'x\\mstsc.exe', User: 'adm_1' }).match).toBe(true);
    expect(evaluatePlan(r.plan, { Image: 'x\\mstsc.exe', User: 'bob' }).match).toBe(false);
  });
});

describe('the fuzzer checks filters', () => {
  it('a filter that suppresses every event of a rule is an error finding in the filter file', () => {
    const set = ruleSetOf({
      'rules/jump.yml': JUMP,
      'filters/mf_all.yml': `title: Everything from mstsc\nlogsource: {category: process_creation}\nfilter:\n  rules: [df0841c0-9846-4e9f-ad8a-7df91571771b]\n  selection: {Image|endswith: '.exe'}\n  condition: not selection\n`,
    });
    const result = fuzzRule(set.rules[0] as SigmaRule, { runs: 20, seed: 7, mapping: null });
    expect(result.status).toBe('fail');
    expect(result.findings.map((f) => [f.code, f.severity, f.file, f.pos, f.stage])).toEqual([['FILTER_SUPPRESSES_ALL', 'error', 'filters/mf_all.yml', { line: 5, column: 3 }, 'mf_all']]);
    // The rule alone is fine.
    const alone = ruleSetOf({ 'rules/jump.yml': JUMP });
    expect(fuzzRule(alone.rules[0] as SigmaRule, { runs: 20, seed: 7, mapping: null }).findings).toEqual([]);
  });

  it('a filter that never applies to what the rule matches is a dead exclusion, in the filter file', () => {
    const set = ruleSetOf({
      'rules/jump.yml': JUMP,
      'filters/mf_dead.yml': `title: Never\nlogsource: {category: process_creation}\nfilter:\n  rules: [df0841c0-9846-4e9f-ad8a-7df91571771b]\n  selection: {Image|endswith: '\\notepad.exe'}\n  condition: not selection\n`,
    });
    const result = fuzzRule(set.rules[0] as SigmaRule, { runs: 20, seed: 7, mapping: null });
    expect(result.findings.map((f) => [f.code, f.file, f.pos?.line, f.stage])).toEqual([['EXCLUSION_DEAD', 'filters/mf_dead.yml', 5, 'mf_dead']]);
  });
});
