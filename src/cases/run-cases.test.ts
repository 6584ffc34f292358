/**
 * The case runner and coverage per stage on small rules with hand-computed coverage:
 * stage counts, value coverage, exclusion coverage (the exclusion as the deciding reason),
 * stage expectations, events_file counts, and located errors for bad case files.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { loadCaseText } from './load-cases.js';
import type { CaseFile } from './load-cases.js';
import { runSuite } from './run-cases.js';
import { builtinMapping } from '../logsource/logsource.js';

const RULE = `title: Encoded PowerShell
id: 0b0d7e4a-4a55-4a43-8d3c-6c7f6b1e0a01
logsource: {category: process_creation, product: windows}
detection:
    selection_img:
        Image|endswith: '\\powershell.exe'
    selection_cli:
        CommandLine|contains:
            - ' -enc '
            - ' -EncodedCommand '
    filter_main_sccm:
        ParentImage|endswith: '\\CCM\\CcmExec.exe'
    filter_optional_defender:
        - ParentImage|startswith: 'C:\\ProgramData\\Microsoft\\Windows Defender\\'
        - User: 'NT AUTHORITY\\SYSTEM'
    condition: all of selection_* and not 1 of filter_*
`;

function rule(text = RULE): SigmaRule {
  const l = loadRuleText(text, '/virtual/rule.yml');
  expect(l.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return l.rules[0] as SigmaRule;
}

function cases(yaml: string, file = '/virtual/cases/c.yml'): CaseFile {
  const l = loadCaseText(yaml, file);
  expect(l.diagnostics).toEqual([]);
  return l.caseFile as CaseFile;
}

const EV = (extra: Record<string, string>): string =>
  JSON.stringify({ Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', CommandLine: 'powershell.exe -enc SQBFAFgA', ParentImage: 'C:\\Windows\\explorer.exe', ...extra });

describe('coverage per stage', () => {
  it('counts stages, values and exclusions as defined, by hand', () => {
    const r = rule();
    const cf = cases(`rule: ${r.id}
cases:
  - name: hit
    expect: match
    event: ${EV({})}
  - name: sccm parent
    expect: no-match
    event: ${EV({ ParentImage: 'C:\\Windows\\CCM\\CcmExec.exe' })}
  - name: not powershell
    expect: no-match
    event: ${EV({ Image: 'C:\\Windows\\System32\\cmd.exe' })}
`);
    const s = runSuite([r], [cf], { mapping: builtinMapping });
    const run = s.rules[0];
    expect(run?.cases.map((c) => c.status)).toEqual(['pass', 'pass', 'pass']);
    const cov = run!.coverage;
    // stages: condition T1/F2, selection_img T2/F1, selection_cli T3/F0, filter_main T1/F2, filter_optional T0/F3
    expect(cov.stages.map((x) => [x.name, x.true, x.false, x.covered])).toEqual([
      ['condition', 1, 2, true],
      ['selection_img', 2, 1, true],
      ['selection_cli', 3, 0, false],
      ['filter_main_sccm', 1, 2, true],
      ['filter_optional_defender', 0, 3, false],
    ]);
    // values: img 1/1, cli 1/2 (' -enc ' only), sccm 1/1, defender 0/2 → 3/6
    expect([cov.values.covered, cov.values.total]).toEqual([3, 6]);
    expect(cov.values.missed.map((v) => v.source)).toEqual([' -EncodedCommand ', 'C:\\ProgramData\\Microsoft\\Windows Defender\\', 'NT AUTHORITY\\SYSTEM']);
    // exclusions: the sccm value decided case 2; the defender values never did → 1/3
    expect([cov.exclusions.covered, cov.exclusions.total]).toEqual([1, 3]);
    // 3 stages + 3 values + 1 exclusion covered of 5 + 6 + 3
    expect([cov.covered, cov.total]).toEqual([7, 14]);
    expect(cov.percent).toBe(50);
  });

  it('an excluded value matching while another part of the condition fails is not the deciding reason', () => {
    const r = rule();
    const cf = cases(`rule: ${r.id}
cases:
  - name: sccm parent but no encoded command
    expect: no-match
    event: ${EV({ ParentImage: 'C:\\Windows\\CCM\\CcmExec.exe', CommandLine: 'powershell.exe -File x.ps1' })}
`);
    const cov = runSuite([r], [cf], { mapping: builtinMapping }).rules[0]!.coverage;
    expect(cov.values.missed.map((v) => v.source)).not.toContain('\\CCM\\CcmExec.exe');
    expect(cov.exclusions.covered).toBe(0);
  });

  it('a value of an exclusion matching in a match case covers the value but not the exclusion', () => {
    const r = rule(RULE.replace("condition: all of selection_* and not 1 of filter_*", 'condition: all of selection_* and not filter_main_sccm or filter_optional_defender'));
    expect(r.plan.stages.filter((s) => s.exclusion).map((s) => s.name)).toEqual([]);
  });
});

describe('case expectations', () => {
  it('checks stage expectations and explains failures from the trace', () => {
    const r = rule();
    const cf = cases(`rule: ${r.id}
cases:
  - name: wrong stage expectation
    expect: no-match
    stages: {filter_main_sccm: false}
    event: ${EV({ ParentImage: 'C:\\Windows\\CCM\\CcmExec.exe' })}
`);
    const res = runSuite([r], [cf], { mapping: builtinMapping }).rules[0]!.cases[0]!;
    expect(res.status).toBe('fail');
    expect(res.messages[0]).toBe('expected stage filter_main_sccm to be false, got true');
    expect(res.messages).toContain('filter_main_sccm (exclusion): true because ParentImage ends with \\CCM\\CcmExec.exe (case-insensitive)');
  });

  it('an unknown stage or rule is an error, not a skip', () => {
    const r = rule();
    const cf = cases(`rule: ${r.id}
cases:
  - name: typo
    expect: match
    stages: {selection_imgs: true}
    event: ${EV({})}
`);
    const s = runSuite([r], [cf], { mapping: builtinMapping });
    expect(s.rules[0]!.cases[0]!.status).toBe('error');
    expect(s.diagnostics.map((d) => d.code)).toEqual(['CASE_STAGE_UNKNOWN']);
    const unknown = cases(`rule: 99999999-2222-4333-8444-555555555555\ncases:\n  - name: x\n    expect: match\n    event: {a: 1}\n`);
    const s2 = runSuite([r], [unknown], { mapping: builtinMapping });
    expect(s2.diagnostics.map((d) => [d.code, d.pos?.line])).toEqual([['CASE_RULE_UNKNOWN', 1]]);
    expect(s2.untested).toEqual([r]);
  });

  it('events_file cases: count and expect-for-every-event, relative to the case file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigmatest-cases-'));
    writeFileSync(join(dir, 'e.jsonl'), `${EV({})}\n${EV({ Image: 'x' })}\n${EV({ CommandLine: 'a -EncodedCommand b' })}\n`);
    const r = rule();
    const cf = cases(
      `rule: ${r.id}
cases:
  - name: two of three
    events_file: e.jsonl
    count: {at_least: 2, at_most: 2}
  - name: all match (wrong)
    events_file: e.jsonl
    expect: match
  - name: exactly three (wrong)
    events_file: e.jsonl
    count: {exactly: 3}
`,
      join(dir, 'c.yml'),
    );
    const res = runSuite([r], [cf], { mapping: builtinMapping }).rules[0]!.cases;
    expect(res.map((c) => [c.status, c.events, c.matched])).toEqual([
      ['pass', 3, 2],
      ['fail', 3, 2],
      ['fail', 3, 2],
    ]);
    expect(res[1]!.messages[0]).toBe('event 1: expected match, got no-match');
    expect(res[2]!.messages[0]).toBe('expected exactly 3 matching events, got 2');
  });
});

describe('case file validation', () => {
  it.each([
    ['rule: x\ncases: []\n', 'CASE_FILE_INVALID', 2, 8],
    ['cases:\n  - {name: a, expect: match, event: {a: 1}}\n', 'CASE_RULE_MISSING', 1, 1],
    ['rule: x\ncases:\n  - name: a\n    expect: maybe\n    event: {a: 1}\n', 'CASE_INVALID', 4, 13],
    ['rule: x\ncases:\n  - name: a\n    expect: match\n', 'CASE_INVALID', 3, 5],
    ['rule: x\ncases:\n  - name: a\n    expect: match\n    event: {a: 1}\n    events_file: f.jsonl\n', 'CASE_INVALID', 3, 5],
    ['rule: x\ncases:\n  - name: a\n    events_file: f.jsonl\n', 'CASE_INVALID', 3, 5],
    ['rule: x\ncases:\n  - name: a\n    expect: match\n    event: {a: 1}\n    evnt: {}\n', 'CASE_INVALID', 6, 5],
    ['rule: x\ncases:\n  - name: a\n    expect: match\n    stages: {sel: yes}\n    event: {a: 1}\n', 'CASE_INVALID', 5, 19],
    ['rule: x\ncases:\n  - name: a\n    expect: match\n    event: {a: 1, a: 2}\n', 'YAML_DUPLICATE_KEY', 5, 19],
  ])('%j → %s at %i:%i', (yaml, code, line, column) => {
    const l = loadCaseText(yaml, 'c.yml');
    expect(l.caseFile).toBeUndefined();
    expect(l.diagnostics[0]).toMatchObject({ code, file: 'c.yml', pos: { line, column } });
  });
});

describe('prototype keys are ordinary keys', () => {
  const PROTO_RULE = `title: Proto
id: 0b0d7e4a-4a55-4a43-8d3c-6c7f6b1e0a02
logsource: {category: process_creation, product: windows}
detection:
    __proto__:
        Image|endswith: '\\\\evil.exe'
    constructor:
        CommandLine|contains: 'x'
    condition: __proto__ and not constructor
`;

  it("a case event's __proto__ key is a field: evaluator and compiled matcher agree (it was an internal error)", () => {
    const r = rule(PROTO_RULE);
    const cf = cases(`rule: ${r.id}
cases:
  - name: Image only under __proto__
    expect: no-match
    event: {__proto__: {Image: 'C:\\\\evil.exe'}}
  - name: the real field
    expect: match
    event: {Image: 'C:\\\\evil.exe', __proto__: {CommandLine: 'x'}}
`);
    expect(Object.getPrototypeOf(cf.cases[0]?.event)).toBe(Object.prototype);
    expect(Object.keys(cf.cases[0]?.event ?? {})).toEqual(['__proto__']);
    const s = runSuite([r], [cf], { mapping: builtinMapping });
    expect(s.diagnostics).toEqual([]);
    expect(s.rules[0]?.cases.map((c) => [c.status, c.messages])).toEqual([
      ['pass', []],
      ['pass', []],
    ]);
  });

  it('a search identifier named __proto__ (or constructor) is a real stage, and so is its expectation', () => {
    const r = rule(PROTO_RULE);
    expect(r.plan.stages.map((s) => [s.name, s.exclusion])).toEqual([
      ['condition', false],
      ['__proto__', false],
      ['constructor', true],
    ]);
    const cf = cases(`rule: ${r.id}
cases:
  - name: stages
    expect: match
    stages: {__proto__: true, constructor: false}
    event: {Image: 'C:\\\\evil.exe'}
  - name: a wrong expectation on __proto__ fails
    expect: no-match
    stages: {__proto__: false}
    event: {Image: 'C:\\\\evil.exe', CommandLine: 'x'}
`);
    const s = runSuite([r], [cf], { mapping: builtinMapping });
    expect(s.rules[0]?.cases.map((c) => c.status)).toEqual(['pass', 'fail']);
    expect(s.rules[0]?.coverage.stages.map((x) => [x.name, x.true, x.false])).toEqual([
      ['condition', 1, 1],
      ['__proto__', 2, 0],
      ['constructor', 1, 1],
    ]);
  });
});
