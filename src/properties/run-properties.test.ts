/**
 * The property runner on small rules: statuses (pass, fail, known-gap, gap-closed, error),
 * shrunk counterexamples that the seed and path replay, expect same, stages, templates with
 * generator expressions, located errors for unknown operators and kinds, coverage from property
 * runs, the logsource setting, dotted fields, and the seed derived from the rule and the name.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { loadCaseText } from '../cases/load-cases.js';
import type { CaseFile } from '../cases/load-cases.js';
import { runSuite } from '../cases/run-cases.js';
import type { PropertyResult } from '../cases/run-cases.js';
import { builtinMapping } from '../logsource/logsource.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import { getField, propertySeed, runProperties, runProperty, runRuleProperties, withField } from './run-properties.js';

const RULE = `title: Catalog entry written
id: 1c2d3e4f-0000-4000-8000-000000000017
logsource: {category: registry_set, product: windows}
detection:
    selection:
        TargetObject|contains: '\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters\\Protocol_Catalog9\\'
    filter_installer:
        Image|endswith: '\\msiexec.exe'
    filter_empty:
        Details: '(Empty)'
    condition: selection and not 1 of filter_*
`;

function rule(text = RULE): SigmaRule {
  const l = loadRuleText(text, '/virtual/rules/catalog.yml');
  expect(l.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return l.rules[0] as SigmaRule;
}

const KEY = 'HKLM\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters\\Protocol_Catalog9\\Catalog_Entries\\000000000012\\PackedCatalogItem';
const CASES = `rule: 1c2d3e4f-0000-4000-8000-000000000017
cases:
  - name: rogue entry
    expect: match
    event: {EventID: 13, TargetObject: '${KEY}', Details: 'Binary Data', Image: 'C:\\Users\\Public\\lsp.exe'}
  - name: installer
    expect: no-match
    event: {EventID: 13, TargetObject: '${KEY}', Details: 'Binary Data', Image: 'C:\\Windows\\System32\\msiexec.exe'}
`;

function caseFile(properties: string, cases = CASES): CaseFile {
  const l = loadCaseText(`${cases}properties:\n${properties}`, '/virtual/cases/catalog.yml');
  expect(l.diagnostics).toEqual([]);
  return l.caseFile as CaseFile;
}

function run(properties: string, options: { seed?: number; cases?: string; text?: string } = {}): ReturnType<typeof runProperties> {
  const r = rule(options.text);
  return runProperties(caseFile(properties, options.cases), { plan: r.plan, ruleKey: r.id ?? '', seed: options.seed });
}

const only = (r: ReturnType<typeof runProperties>): PropertyResult => {
  expect(r.results).toHaveLength(1);
  return r.results[0] as PropertyResult;
};

describe('property statuses', () => {
  it('passes when every run holds: runs and seed reported, no counterexample', () => {
    const p = only(run(`  - name: any case of the key
    from: rogue entry
    mutate: {TargetObject: recase, Image: [relocate, recase]}
    expect: match
    runs: 150
`));
    expect(p).toMatchObject({ status: 'pass', runs: 150, counterexample: null, knownGap: null, expect: 'match', line: 10 });
    expect(p.seed).toBe(propertySeed('1c2d3e4f-0000-4000-8000-000000000017', 'any case of the key'));
  });

  it('fails with a shrunk counterexample, the expectation, the mutated field, the stages explained and the replay', () => {
    const p = only(run(`  - name: the installer's name elsewhere is not excluded
    from: installer
    mutate: {Image: relocate}
    expect: match
`));
    expect(p.status).toBe('fail');
    const ex = p.counterexample;
    expect(ex).not.toBeNull();
    if (ex === null) return;
    // The first candidate relocate gives (a user-writable folder) already fails; the name is kept.
    expect(String(ex.event['Image'])).toMatch(/\\msiexec\.exe$/);
    expect(ex).toMatchObject({ expected: 'match', got: 'no-match', base: { Image: 'C:\\Windows\\System32\\msiexec.exe' } });
    expect(evaluatePlan(rule().plan, ex.event).match).toBe(false);
    expect(p.messages[0]).toBe('expected match, got no-match');
    expect(p.messages[1]).toMatch(/^mutated Image: "C:\\\\Windows\\\\System32\\\\msiexec\.exe" → ".*msiexec\.exe"$/);
    expect(p.messages).toContain('condition: false (selection and not 1 of filter_*)');
    expect(p.messages.some((m) => m.startsWith('filter_installer (exclusion): true because Image ends with \\msiexec.exe'))).toBe(true);
    expect(p.messages[p.messages.length - 1]).toBe(`replay: seed ${p.seed}, path ${ex.path}`);
  });

  it('the seed and path replay the counterexample directly, and the same seed finds it again', () => {
    const props = `  - name: the installer's name elsewhere is not excluded
    from: installer
    mutate: {Image: relocate}
    expect: match
`;
    const first = only(run(props));
    const again = only(run(props));
    expect(again).toEqual(first);
    const r = rule();
    const cf = caseFile(props);
    const prop = cf.properties[0];
    if (prop === undefined || first.counterexample === null) throw new Error('no counterexample');
    const caseEvents = new Map(cf.cases.map((c) => [c.name, c.event ?? {}]));
    const replay = runProperty(prop, { plan: r.plan, file: cf.file, caseEvents, ruleKey: r.id ?? '', seed: first.seed, path: first.counterexample.path });
    expect(replay.result.counterexample?.event).toEqual(first.counterexample.event);
    expect(replay.result.runs).toBe(1);
  });

  it('known_gap: the failure is reported as a known gap with its example; once it holds, gap-closed', () => {
    const gap = only(run(`  - name: every spelling of the key
    from: rogue entry
    mutate: {TargetObject: respell}
    expect: match
    known_gap: the rule looks for CurrentControlSet only
`));
    expect(gap.status).toBe('known-gap');
    expect(gap.knownGap).toBe('the rule looks for CurrentControlSet only');
    expect(gap.messages[0]).toBe('known gap: the rule looks for CurrentControlSet only');
    // Shrunk to the first spelling that misses: the same root, ControlSet001.
    expect(gap.counterexample?.event['TargetObject']).toBe(KEY.replace('CurrentControlSet', 'ControlSet001'));
    const closed = only(run(`  - name: case does not matter
    from: rogue entry
    mutate: {TargetObject: recase}
    expect: match
    known_gap: once thought case-sensitive
`));
    expect(closed.status).toBe('gap-closed');
    expect(closed.counterexample).toBeNull();
    expect(closed.messages[0]).toMatch(/^known gap closed: 100 runs held \(once thought case-sensitive\)/);
  });

  it('expect same compares with the event before mutate, whatever its verdict', () => {
    const both = run(`  - name: case never changes the installer's exclusion
    from: installer
    mutate: {Image: recase}
    expect: same
  - name: case never changes a match
    from: rogue entry
    mutate: {Image: recase, TargetObject: recase}
    expect: same
  - name: Details forms decide
    from: rogue entry
    mutate: {Details: details}
    expect: same
`).results;
    expect(both.map((p) => p.status)).toEqual(['pass', 'pass', 'fail']);
    // (Empty) is excluded: the one Details form that changes the verdict.
    expect(both[2]?.counterexample?.event['Details']).toBe('(Empty)');
    expect(both[2]?.counterexample).toMatchObject({ expected: 'match', got: 'no-match' });
  });

  it('checks stages on every run', () => {
    const p = only(run(`  - name: the filter stays false
    from: rogue entry
    mutate: {Details: details}
    expect: same
    stages: {filter_empty: false}
`));
    expect(p.status).toBe('fail');
    expect(p.messages).toContain('expected stage filter_empty to be false, got true');
  });

  it('builds events from a template with generator expressions, nested events flattened', () => {
    const r = run(`  - name: any writer but the installer
    event:
      EventID: 13
      TargetObject: {gen: registry-key, under: 'HKLM\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters\\Protocol_Catalog9\\Catalog_Entries'}
      Details: {gen: registry-details, not: ['(Empty)']}
      Image: {gen: path, not: ['*\\msiexec.exe']}
    expect: match
    stages: {filter_installer: false, filter_empty: false}
  - name: EVTX-JSON templates are flattened
    event: {Event: {System: {EventID: 13}, EventData: {TargetObject: {gen: registry-key, under: 'HKLM\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters\\Protocol_Catalog9'}, Image: {gen: path, dir: user-writable, not: ['*\\msiexec.exe']}}}}
    expect: match
  - name: without the not pattern the installer shows up
    event:
      TargetObject: '${KEY}'
      Image: {gen: path, dir: system, name: msiexec.exe}
    expect: match
`);
    expect(r.results.map((p) => [p.status, p.runs])).toEqual([['pass', 100], ['pass', 100], ['fail', 1]]);
  });
});

describe('property problems are located errors, and the other properties still run', () => {
  it('unknown operators and kinds, options a kind does not take, impossible options, missing fields', () => {
    const r = run(`  - name: typo
    from: rogue entry
    mutate: {Image: [relocate, recsae]}
    expect: match
  - name: no such kind
    event: {Image: {gen: pth}}
    expect: match
  - name: option of another kind
    event: {Image: {gen: path, scope: public}}
    expect: match
  - name: nothing left
    event: {Image: {gen: path, not: ['*']}}
    expect: match
  - name: respell of a path
    from: rogue entry
    mutate: {Image: respell}
    expect: match
  - name: absent field
    from: rogue entry
    mutate: {CommandLine: recase}
    expect: match
  - name: unknown stage
    from: rogue entry
    mutate: {Image: recase}
    expect: match
    stages: {nope: true}
  - name: still runs
    from: rogue entry
    mutate: {Image: recase}
    expect: match
`);
    expect(r.results.map((p) => p.status)).toEqual(['error', 'error', 'error', 'error', 'error', 'error', 'error', 'pass']);
    const at = r.diagnostics.map((d) => `${d.code} ${d.pos?.line}:${d.pos?.column} ${d.path}`);
    expect(at).toEqual([
      'PROPERTY_OPERATOR_UNKNOWN 12:32 properties[0].mutate.Image[1]',
      'PROPERTY_GENERATOR_UNKNOWN 15:20 properties[1].event.Image',
      'PROPERTY_OPTION_INVALID 18:39 properties[2].event.Image.scope',
      'PROPERTY_OPTION_INVALID 21:37 properties[3].event.Image.not',
      'PROPERTY_MUTATION_INVALID 25:21 properties[4].mutate.Image',
      'PROPERTY_MUTATION_INVALID 29:27 properties[5].mutate.CommandLine',
      'CASE_STAGE_UNKNOWN 35:13 properties[6].stages.nope',
    ]);
    for (const d of r.diagnostics) expect(d.file).toBe('/virtual/cases/catalog.yml');
    expect(r.diagnostics[0]?.message).toMatch(/unknown operator 'recsae' \(operators: recase, respell, relocate, lookalike, embed, windash, details, drop/);
    expect(r.diagnostics[4]?.message).toMatch(/respell: "C:\\\\Users\\\\Public\\\\lsp\.exe" is not a registry path/);
    expect(r.diagnostics[5]?.message).toMatch(/case 'rogue entry' has no field 'CommandLine'/);
    expect(r.results[0]?.messages[0]).toMatch(/^line 12: property 'typo': unknown operator 'recsae'/);
  });

  it('drop needs no value; an operator after drop does', () => {
    const r = run(`  - name: without Image the installer filter cannot hold
    from: installer
    mutate: {Image: drop}
    expect: match
  - name: nothing to re-case after drop
    from: rogue entry
    mutate: {Image: [drop, recase]}
    expect: match
`);
    expect(r.results.map((p) => p.status)).toEqual(['pass', 'error']);
    expect(r.diagnostics[0]?.message).toMatch(/recase needs a value to vary, but case 'rogue entry' has no field 'Image' after drop/);
  });

  it('a later step leaves alone a variant it cannot vary (windash after the look-alike _install), never retrying for ever', () => {
    const cases = `${CASES}  - name: with a flag
    expect: match
    event: {EventID: 13, TargetObject: '${KEY}', Details: 'Binary Data', Image: 'C:\\Users\\Public\\lsp.exe', CommandLine: 'C:\\Users\\Public\\lsp.exe /install'}
`;
    // One look-alike of 'install' in 11 is '_install', which leaves '/_install' no flag to re-dash: 200 runs meet it.
    const r = run(`  - name: any spelling of the command line
    from: with a flag
    mutate: {CommandLine: [lookalike, windash]}
    expect: match
    runs: 200
`, { seed: 1, cases });
    expect(r.diagnostics).toEqual([]);
    expect(r.results.map((p) => [p.status, p.runs])).toEqual([['pass', 200]]);
  });
});

describe('seeds', () => {
  it('derive from the rule and the property name; --seed replaces them all', () => {
    const props = `  - name: a
    from: rogue entry
    mutate: {Image: recase}
    expect: match
  - name: b
    from: rogue entry
    mutate: {Image: recase}
    expect: match
`;
    const derived = run(props).results.map((p) => p.seed);
    expect(derived[0]).not.toBe(derived[1]);
    expect(derived).toEqual([propertySeed('1c2d3e4f-0000-4000-8000-000000000017', 'a'), propertySeed('1c2d3e4f-0000-4000-8000-000000000017', 'b')]);
    expect(run(props, { seed: 42 }).results.map((p) => p.seed)).toEqual([42, 42]);
    expect(propertySeed('x', 'a')).toBeLessThan(2 ** 31);
  });
});

describe('in a suite', () => {
  it('property runs count for coverage: an exclusion no case exercised, stage counts per property', () => {
    const r = rule();
    const cf2 = loadCaseText(
      `${CASES}properties:
  - name: emptied values are excluded wherever the writer lives
    event: {TargetObject: '${KEY}', Image: 'C:\\Temp\\x.exe', Details: '(Empty)'}
    mutate: {Image: relocate}
    expect: no-match
`,
      '/virtual/cases/catalog.yml',
    ).caseFile as CaseFile;
    const s = runSuite([r], [cf2], { mapping: builtinMapping, properties: runRuleProperties });
    const ruleRun = s.rules[0];
    if (ruleRun === undefined) throw new Error('no run');
    expect(ruleRun.properties.map((p) => p.status)).toEqual(['pass']);
    // The cases never exercise filter_empty; the property does on every run (and counts once).
    expect(ruleRun.coverage.exclusions).toMatchObject({ covered: 1, total: 2 });
    expect(ruleRun.coverageWithProperties.exclusions).toMatchObject({ covered: 2, total: 2 });
    expect(ruleRun.coverageWithProperties.percent).toBeGreaterThan(ruleRun.coverage.percent);
    const empty = ruleRun.coverageWithProperties.stages.find((x) => x.name === 'filter_empty');
    const emptyCases = ruleRun.coverage.stages.find((x) => x.name === 'filter_empty');
    expect(empty).toMatchObject({ true: 1, false: 2, covered: true });
    expect(emptyCases).toMatchObject({ true: 0, false: 2, covered: false });
  });

  it('without a runner, properties are reported as not run', () => {
    const s = runSuite([rule()], [caseFile(`  - name: x\n    from: rogue entry\n    mutate: {Image: recase}\n    expect: match\n`)], { mapping: builtinMapping });
    expect(s.rules[0]?.properties.map((p) => [p.status, p.messages[0]])).toEqual([['error', expect.stringMatching(/^not run/)]]);
  });

  it('with logsource: map, an event outside the logsource is a no-match', () => {
    const cases = `rule: 1c2d3e4f-0000-4000-8000-000000000017
logsource: map
cases:
  - name: sysmon
    expect: match
    event: {Channel: Microsoft-Windows-Sysmon/Operational, EventID: 13, TargetObject: '${KEY}', Image: 'C:\\x.exe'}
`;
    const s = runSuite([rule()], [caseFile(`  - name: another EventID is not registry_set
    from: sysmon
    mutate: {EventID: {gen: number, min: 1, max: 11}}
    expect: no-match
  - name: without the mapping it would match
    from: sysmon
    mutate: {EventID: {gen: number, min: 1, max: 11}}
    expect: match
`, cases)], { mapping: builtinMapping, properties: runRuleProperties });
    const [a, b] = s.rules[0]?.properties ?? [];
    expect(a?.status).toBe('pass');
    expect(b?.status).toBe('fail');
    expect(b?.messages[0]).toBe("expected match, got no-match (the event is outside the rule's logsource)");
  });
});

describe('fields', () => {
  it('reads and writes a field by its own name, else through nested objects', () => {
    const e = { a: { b: 1 }, 'c.d': 2 };
    expect(getField(e, 'a.b')).toBe(1);
    expect(getField(e, 'c.d')).toBe(2);
    expect(withField(e, 'a.b', 3)).toEqual({ a: { b: 3 }, 'c.d': 2 });
    expect(withField(e, 'x', 'y')).toEqual({ a: { b: 1 }, 'c.d': 2, x: 'y' });
    expect(e).toEqual({ a: { b: 1 }, 'c.d': 2 });
    // Through lists, as rules resolve requestParameters.instancesSet.items.maxCount.
    const l = { r: { items: [{ min: 1, max: 20 }, { min: 2 }] } };
    expect(getField(l, 'r.items.max')).toBe(20);
    expect(withField(l, 'r.items.max', 5)).toEqual({ r: { items: [{ min: 1, max: 5 }, { min: 2, max: 5 }] } });
    expect(withField(l, 'r.items.min', getField({}, 'x'))).toEqual({ r: { items: [{ max: 20 }, {}] } });
  });

  it('mutates a nested field of a cloud event', () => {
    const text = `title: Trail stopped
id: 1c2d3e4f-0000-4000-8000-000000000018
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: StopLogging
    filter:
        userIdentity.invokedBy|exists: true
    condition: selection and not filter
`;
    const cases = `rule: 1c2d3e4f-0000-4000-8000-000000000018
cases:
  - name: by a console user
    expect: match
    event: {eventName: StopLogging, userIdentity: {type: IAMUser}}
  - name: by a service
    expect: no-match
    event: {eventName: StopLogging, userIdentity: {type: AWSService, invokedBy: 'cloudtrail.amazonaws.com'}}
`;
    const r = run(`  - name: without invokedBy it is a direct call
    from: by a service
    mutate: {userIdentity.invokedBy: drop}
    expect: match
  - name: event names are case-insensitive
    from: by a console user
    mutate: {eventName: recase}
    expect: match
`, { cases, text });
    expect(r.results.map((p) => p.status)).toEqual(['pass', 'pass']);
  });
});

describe('the bundled seed rule', () => {
  it('has the four properties of the issue: three hold, the ControlSet001 blind spot is a known gap', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const r = loadRuleText(readFileSync(`${root}rules/windows/registry/registry_set_asep_reg_keys_modification_winsock2.yml`, 'utf8'), 'winsock2.yml').rules[0] as SigmaRule;
    const cf = loadCaseText(readFileSync(`${root}cases/registry_set_asep_reg_keys_modification_winsock2.yml`, 'utf8'), 'winsock2-cases.yml').caseFile as CaseFile;
    const res = runProperties(cf, { plan: r.plan, ruleKey: r.id ?? '' }).results;
    const byName = new Map(res.map((p) => [p.name, p]));
    expect(byName.get('catalog entries match whatever the case of the key and wherever the writer lives')?.status).toBe('pass');
    expect(byName.get('any writer other than the installer triggers')?.status).toBe('pass');
    expect(byName.get("the installer's name in a user-writable folder is not excluded")?.status).toBe('pass');
    const gap = byName.get('catalog entries under every spelling of the key');
    expect(gap?.status).toBe('known-gap');
    expect(String(gap?.counterexample?.event['TargetObject'])).toMatch(/\\ControlSet00\d\\Services\\WinSock2\\/);
  });
});
