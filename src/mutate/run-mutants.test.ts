/**
 * On a planted rule and case file (not the bundled ones): dropping an excluded value that a
 * no-match case exercises is killed by that case; dropping one no case exercises survives, with a
 * killer event the reference evaluator confirms; --save adds that event as a case with the rule's
 * verdict, and the mutant is then killed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluatePlan } from '../evaluate/evaluate.js';
import { loadCaseFile } from '../cases/load-cases.js';
import { builtinMapping } from '../logsource/builtin-mapping.js';
import { loadRuleFile } from '../rules/load-rule.js';
import { ruleMutants } from './mutants.js';
import { mutateRule } from './run-mutants.js';
import { mutateSuite, saveKillers } from '../app/mutate-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'sigmatest-mutate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'rules'));
mkdirSync(join(dir, 'cases'));
writeFileSync(join(dir, '.git'), ''); // the case files' root
const RULE = join(dir, 'rules', 'whoami.yml');
writeFileSync(
  RULE,
  `title: Planted whoami
id: 5d1c6a2e-8f3b-4c7d-9e0a-1b2c3d4e5f60
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  filter:
    ParentImage:
      - 'C:\\Windows\\explorer.exe'
      - 'C:\\Tools\\admin.exe'
  condition: selection and not filter
`,
);
const CASES = join(dir, 'cases', 'whoami.yml');
writeFileSync(
  CASES,
  `rule: 5d1c6a2e-8f3b-4c7d-9e0a-1b2c3d4e5f60
cases:
  - name: whoami from a shell
    expect: match
    event: {Image: 'C:\\Windows\\System32\\whoami.exe', ParentImage: 'C:\\Windows\\System32\\cmd.exe'}
  - name: whoami from explorer is excluded
    expect: no-match
    event: {Image: 'C:\\Windows\\System32\\whoami.exe', ParentImage: 'C:\\Windows\\explorer.exe'}
`,
);

describe('mutateRule on a planted suite', () => {
  const rule = loadRuleFile(RULE).rules[0];
  const cf = loadCaseFile(CASES).caseFile;
  if (rule === undefined || cf === undefined) throw new Error('planted files do not load');
  const { result } = mutateRule(rule, [{ cf, cases: cf.cases }], { mapping: builtinMapping, cwd: dir });
  const byDescription = (re: RegExp) => result.mutants.find((m) => re.test(m.description));

  it('kills the mutant dropping the excluded value a no-match case exercises', () => {
    const m = byDescription(/^value 'C:\\Windows\\explorer\.exe' of ParentImage dropped$/);
    expect(m?.status).toBe('killed');
    expect(m?.killedBy).toEqual(['whoami from explorer is excluded']);
    expect(m?.killer).toBeNull();
  });

  it('lets the mutant dropping the unexercised excluded value survive, with a killer the evaluator confirms', () => {
    const m = byDescription(/^value 'C:\\Tools\\admin\.exe' of ParentImage dropped$/);
    expect(m?.status).toBe('survived');
    expect(m?.killedBy).toEqual([]);
    const killer = m?.killer;
    expect(killer).not.toBeNull();
    if (!killer) return;
    expect(killer.verdict).toBe('no-match');
    const mutant = ruleMutants(rule).find((x) => x.description === m?.description);
    expect(evaluatePlan(rule.plan, killer.event).match).toBe(false);
    expect(mutant && evaluatePlan(mutant.plan, killer.event).match).toBe(true);
    expect(String(killer.event['ParentImage']).toLowerCase()).toBe('c:\\tools\\admin.exe');
  });

  it('scores killed / (mutants - equivalent)', () => {
    const k = result.mutants.filter((m) => m.status === 'killed').length;
    const s = result.mutants.filter((m) => m.status === 'survived').length;
    expect(result.killed + result.survived + result.equivalent).toBe(result.mutants.length);
    expect(result.score).toBe(Math.round((k / (k + s)) * 1000) / 10);
    expect(s).toBeGreaterThan(0);
  });
});

describe('saveKillers', () => {
  it('adds each killer as a case with the rule verdict, and the mutant is killed afterwards; never twice', () => {
    const before = mutateSuite(['rules'], ['cases'], { cwd: dir });
    const survivors = before.report.rules[0]?.mutants.filter((m) => m.status === 'survived') ?? [];
    expect(survivors.length).toBeGreaterThan(0);
    const saved = saveKillers(before.results);
    // One case per distinct killer event (two mutants may share one).
    const distinct = new Map(survivors.map((m) => [JSON.stringify(m.killer?.event), m.killer?.verdict]));
    expect(saved).toEqual([{ file: CASES, saved: distinct.size }]);
    const cf = loadCaseFile(CASES).caseFile;
    const added = cf?.cases.slice(2) ?? [];
    expect(added.map((c) => c.expect)).toEqual(added.map((c) => distinct.get(JSON.stringify(c.event))));
    expect(added.length).toBe(distinct.size);
    expect(added[0]?.name).toMatch(/^kills mutant /);
    const after = mutateSuite(['rules'], ['cases'], { cwd: dir });
    const r = after.report.rules[0];
    expect(r?.survived).toBe(0);
    expect(r?.score).toBe(100);
    const text = readFileSync(CASES, 'utf8');
    expect(saveKillers(before.results)).toEqual([{ file: CASES, saved: 0 }]);
    expect(readFileSync(CASES, 'utf8')).toBe(text);
  });
});
