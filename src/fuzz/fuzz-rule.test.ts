import { describe, expect, it } from 'vitest';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { builtinMapping } from '../logsource/logsource.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import { coveringIndex, coversValue, fuzzRule } from './fuzz-rule.js';
import type { ListValue } from './fuzz-rule.js';
import fc from 'fast-check';
import type { FindingCode } from './fuzz-rule.js';
import { oracleMatch } from './oracle.js';
import { parsePattern } from '../sigma/pattern.js';
import { synthesizeWitness } from './witness.js';

function rule(detection: string, category = 'process_creation'): SigmaRule {
  const loaded = loadRuleText(`title: planted\nlogsource: {product: windows, category: ${category}}\ndetection:\n${detection}`, 'planted.yml');
  const r = loaded.rules[0];
  if (r === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
  return r;
}

const fuzz = (r: SigmaRule, runs = 60) => fuzzRule(r, { runs, seed: 5, mapping: builtinMapping });
const codes = (r: SigmaRule): FindingCode[] => fuzz(r).findings.map((f) => f.code);

describe('fuzzRule findings', () => {
  it('passes a sound rule with witnesses that match', () => {
    const r = rule(`  selection:\n    Image|endswith: '\\\\rundll32.exe'\n    CommandLine|contains: ',DllRegisterServer'\n  filter:\n    ParentImage: 'C:\\\\Windows\\\\System32\\\\msiexec.exe'\n  condition: selection and not filter`);
    const res = fuzz(r);
    expect(res.findings).toEqual([]);
    expect(res.status).toBe('pass');
    expect(res.witnesses.length).toBeGreaterThan(20);
    for (const w of res.witnesses) expect(evaluatePlan(r.plan, w).match).toBe(true);
    // The witness carries the logsource's Channel and EventID.
    expect(res.witnesses[0]).toMatchObject({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1 });
  });

  it('RULE_UNSATISFIABLE: two equalities on one field, with the reason', () => {
    const res = fuzz(rule(`  a: {Image: 'C:\\\\a.exe'}\n  b: {Image: 'C:\\\\b.exe'}\n  condition: a and b`));
    expect(res.status).toBe('fail');
    const f = res.findings.find((x) => x.code === 'RULE_UNSATISFIABLE');
    expect(f?.severity).toBe('error');
    expect(f?.message).toMatch(/Image/);
    expect(codes(rule(`  a: {Image: 'x'}\n  condition: a and not a`))).toContain('RULE_UNSATISFIABLE');
    const total = fuzz(rule(`  selection: {Image|endswith: '\\\\cmd.exe'}\n  filter: {Image|endswith: '\\\\cmd.exe'}\n  condition: selection and not filter`));
    expect(total.findings.map((f) => f.code)).toEqual(['RULE_UNSATISFIABLE']);
    expect(total.findings[0]?.message).toMatch(/exclusion 'filter' suppresses every event the rest of the rule matches/);
  });

  it('EXCLUSION_DEAD: a filter that contradicts the selection, or that another filter always covers', () => {
    expect(codes(rule(`  selection: {Image|endswith: '\\\\powershell.exe'}\n  filter: {Image|endswith: '\\\\cmd.exe'}\n  condition: selection and not filter`))).toEqual(['EXCLUSION_DEAD']);
    const covered = fuzz(rule(`  selection: {Image|endswith: '.exe'}\n  filter_a: {Image|contains: '\\\\Program Files\\\\'}\n  filter_b: {Image|startswith: 'C:\\\\Program Files\\\\Java\\\\'}\n  condition: selection and not 1 of filter_*`));
    expect(covered.findings.map((f) => [f.code, f.stage])).toContainEqual(['EXCLUSION_DEAD', 'filter_b']);
  });

  it('EXCLUSION_EVADABLE: a name-only exclusion on a path, with the event that slips through', () => {
    const r = rule(`  selection: {CommandLine|contains: ' -enc '}\n  filter: {ParentImage|endswith: '\\\\msiexec.exe'}\n  condition: selection and not filter`);
    const f = fuzz(r).findings.find((x) => x.code === 'EXCLUSION_EVADABLE');
    expect(f).toBeDefined();
    expect(f?.stage).toBe('filter');
    const e = f?.event as Record<string, unknown>;
    expect(String(e['ParentImage']).toLowerCase()).toMatch(/\\msiexec\.exe$/);
    expect(evaluatePlan(r.plan, e).match).toBe(false); // it is still suppressed: that is the problem
    // An exclusion of a user-writable folder: anything dropped there is hidden.
    const temp = fuzz(rule(`  selection: {CommandLine|contains: ' -enc '}\n  filter: {Image|contains: '\\\\AppData\\\\Local\\\\Temp\\\\'}\n  condition: selection and not filter`));
    expect(temp.findings.map((x) => x.code)).toEqual(['EXCLUSION_EVADABLE']);
    // A full-path exclusion in a protected folder is not evadable by relocation.
    expect(codes(rule(`  selection: {CommandLine|contains: ' -enc '}\n  filter: {ParentImage: 'C:\\\\Windows\\\\System32\\\\msiexec.exe'}\n  condition: selection and not filter`))).toEqual([]);
  });

  it('STAGE_UNREACHABLE: by the condition alone, and by field constraints', () => {
    expect(codes(rule(`  sel: {Image|endswith: '\\\\a.exe'}\n  extra: {User: 'x'}\n  condition: sel or (sel and extra)`))).toContain('STAGE_UNREACHABLE');
    const implied = fuzz(rule(`  sel1: {Image|endswith: '\\\\whoami.exe'}\n  sel2: {Image|endswith: '.exe'}\n  condition: sel1 and sel2`));
    expect(implied.findings.map((f) => [f.code, f.stage])).toEqual([['STAGE_UNREACHABLE', 'sel2']]);
  });

  it('VALUE_SHADOWED: a list value another value covers, duplicates included', () => {
    const res = fuzz(rule(`  sel:\n    CommandLine|contains: ['enc', ' -encodedcommand ', 'ENC', 'nop']\n    Image|endswith: ['\\\\cmd.exe', 'cmd.exe']\n  condition: sel`));
    const shadowed = res.findings.filter((f) => f.code === 'VALUE_SHADOWED').map((f) => f.value);
    expect(shadowed.sort()).toEqual([' -encodedcommand ', 'ENC', String.raw`\\cmd.exe`].sort());
  });

  it('VALUE_SHADOWED across a list of maps, for duplicates of numbers and regexes, wildcards and windash', () => {
    const shadowed = (d: string): Array<string | undefined> => fuzz(rule(d)).findings.filter((f) => f.code === 'VALUE_SHADOWED').map((f) => f.value);
    expect(shadowed(`  sel:\n    - Image|endswith: '\\\\cmd.exe'\n    - Image|endswith: 'cmd.exe'\n  condition: sel`)).toEqual([String.raw`\\cmd.exe`]);
    expect(shadowed(`  sel:\n    EventID: [1, 1]\n  condition: sel`)).toEqual(['1']);
    expect(shadowed(`  sel:\n    CommandLine|re: ['mimikatz', 'mimikatz']\n  condition: sel`)).toEqual(['mimikatz']);
    expect(shadowed(`  sel:\n    CommandLine|contains: ['mimi?atz', 'mimikatz']\n  condition: sel`)).toEqual(['mimikatz']);
    expect(shadowed(`  sel:\n    CommandLine|windash|contains: [' -enc', ' -encodedcommand']\n  condition: sel`)).toEqual([' -encodedcommand']);
    // Not shadowed: a wildcard that needs a character the other value does not have.
    expect(shadowed(`  sel:\n    CommandLine|contains: ['mimi?atz', 'mimiatz']\n  condition: sel`)).toEqual([]);
    expect(shadowed(`  sel:\n    CommandLine|startswith: ['ab', 'abc']\n    Image|endswith: ['.exe', '.com']\n  condition: sel`)).toEqual(['abc']);
  });

  it('PROPERTY_FAILED: an engine whose matcher disagrees with the pattern is caught, with a replayable seed', () => {
    const r = rule(`  sel: {CommandLine|contains: 'mimikatz'}\n  condition: sel`);
    // Simulate an engine bug: the compiled literal lost its case folding.
    const item = r.plan.items[0];
    const m = item?.values[0]?.matcher;
    if (m?.kind !== 'string') throw new Error('expected a string matcher');
    delete m.literal;
    Object.defineProperty(m, 'wildcard', { value: { test: (t: string): boolean => /mimikatz/.test(t), usesFoldedText: false } });
    const res = fuzz(r, 200);
    const f = res.findings.find((x) => x.code === 'PROPERTY_FAILED');
    expect(f?.severity).toBe('error');
    expect(f?.message).toMatch(/engine says no match/);
    expect(f?.seed).toBe(5);
    expect(f?.path).not.toBe('');
  });
});

describe('fuzzRule findings: data in fields, located in the file', () => {
  // Lines of the planted rule: 1 title, 2 logsource, 3 detection, then the snippet from line 4.
  it('EXCLUSION_EVADABLE names the field, the values, the variant that slips through, and the item key', () => {
    const r = rule(`  selection: {CommandLine|contains: ' -enc '}\n  filter:\n    ParentImage|endswith: '\\\\msiexec.exe'\n  condition: selection and not filter`);
    const f = fuzz(r).findings.find((x) => x.code === 'EXCLUSION_EVADABLE');
    expect(f).toMatchObject({ file: 'planted.yml', stage: 'filter', field: 'ParentImage', value: String.raw`\\msiexec.exe`, pos: { line: 6, column: 5 } });
    expect(f?.variant).toBe((f?.event as Record<string, unknown>)['ParentImage']);
    expect(f?.variantReason).toMatch(/folder|drive|name/);
    expect(f?.message).toContain(JSON.stringify(f?.variant));
  });

  it('VALUE_SHADOWED points at the shadowed value and names the value covering it', () => {
    const r = rule(`  sel:\n    CommandLine|contains:\n      - 'enc'\n      - ' -encodedcommand '\n  condition: sel`);
    const f = fuzz(r).findings.find((x) => x.code === 'VALUE_SHADOWED');
    expect(f).toMatchObject({ file: 'planted.yml', stage: 'sel', field: 'CommandLine', value: ' -encodedcommand ', coveredBy: 'enc', pos: { line: 7, column: 10 } }); // a quoted scalar starts after its quote
  });

  it('stage findings point at the identifier; RULE_UNSATISFIABLE at the exclusion to blame, else the condition', () => {
    const implied = fuzz(rule(`  sel1: {Image|endswith: '\\\\whoami.exe'}\n  sel2: {Image|endswith: '.exe'}\n  condition: sel1 and sel2`));
    expect(implied.findings).toEqual([expect.objectContaining({ code: 'STAGE_UNREACHABLE', stage: 'sel2', file: 'planted.yml', pos: { line: 5, column: 3 } })]);
    const total = fuzz(rule(`  selection: {Image|endswith: '\\\\cmd.exe'}\n  filter: {Image|endswith: '\\\\cmd.exe'}\n  condition: selection and not filter`));
    expect(total.findings).toEqual([expect.objectContaining({ code: 'RULE_UNSATISFIABLE', stage: 'filter', pos: { line: 5, column: 3 } })]);
    const contradiction = fuzz(rule(`  a: {Image: 'C:\\\\a.exe'}\n  b: {Image: 'C:\\\\b.exe'}\n  condition: a and b`));
    expect(contradiction.findings).toEqual([expect.objectContaining({ code: 'RULE_UNSATISFIABLE', pos: { line: 6, column: 14 } })]);
    expect(contradiction.findings[0]?.stage).toBeUndefined();
  });
});

describe('oracle', () => {
  it('matches wildcards, case and dashes independently of the engine', () => {
    expect(oracleMatch(parsePattern('*\\cmd.exe'), false, 'C:\\Windows\\CMD.EXE')).toBe(true);
    expect(oracleMatch(parsePattern('a?c*'), false, 'abcdef')).toBe(true);
    expect(oracleMatch(parsePattern('a?c'), false, 'ac')).toBe(false);
    expect(oracleMatch(parsePattern('ABC'), true, 'abc')).toBe(false);
    expect(oracleMatch({ tokens: [{ t: 'lit', s: 'x' }, { t: 'dash' }, { t: 'lit', s: 'y' }], bytes: false }, false, 'x\u2013y')).toBe(true);
  });
});

describe('synthesizeWitness', () => {
  it('honours modifiers: cidr, numbers, regex, base64offset, windash, fieldref, null and exists', () => {
    const r = rule(
      `  sel:\n    DestinationIp|cidr: '10.1.0.0/16'\n    DestinationPort|gte: 1024\n    CommandLine|re: '^curl\\s+-k'\n    ScriptBlockText|base64offset|contains: 'IEX'\n    Args|windash|contains: ' -decode '\n    ParentImage|fieldref: Image\n    User: null\n    Hashes|exists: true\n  condition: sel`,
      'network_connection',
    );
    for (let s = 1; s <= 20; s++) {
      const w = synthesizeWitness(r, s, builtinMapping);
      expect(w.ok, w.ok ? '' : w.reason).toBe(true);
      if (w.ok) expect(evaluatePlan(r.plan, w.event).match).toBe(true);
    }
  });
});

describe('fuzzing rules whose fields are named like Object.prototype members', () => {
  it.each(['__proto__', 'constructor', 'toString'])("'%s|exists: true' is satisfiable and its witnesses hold the field as their own", (field) => {
    const r = rule(`  sel:\n    ${field}|exists: true\n    Image|endswith: '\\\\a.exe'\n  condition: sel`);
    const res = fuzz(r);
    expect(res.findings.map((f) => f.code)).not.toContain('RULE_UNSATISFIABLE');
    expect(res.witnesses.length).toBeGreaterThan(0);
    for (const w of res.witnesses) {
      expect(Object.hasOwn(w, field)).toBe(true);
      expect(evaluatePlan(r.plan, w).match).toBe(true);
    }
  });

  it("a value test on '__proto__' realises the field too", () => {
    const r = rule(`  sel:\n    __proto__|contains: 'mimikatz'\n  condition: sel`);
    const res = fuzz(r);
    expect(res.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(res.witnesses.some((w) => typeof w['__proto__'] === 'string' && /mimikatz/i.test(w['__proto__']))).toBe(true);
  });
});

describe('VALUE_SHADOWED on long lists', () => {
  it('finds by lookups what the pairwise search finds (property)', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'A', '\\'), { maxLength: 4 }).map((cs) => cs.join(''));
    const value = fc.tuple(fc.constantFrom('', '|contains', '|startswith', '|endswith', '|cased', '|contains|cased'), text);
    fc.assert(
      fc.property(fc.array(value, { minLength: 65, maxLength: 90 }), (vals) => {
        // One list per modifier chain is what the rule holds: a list of maps of one field.
        const yaml = vals.map(([mods, t]) => `      - F${mods}: '${t.replace(/'/g, "''")}'`).join('\n');
        const r = rule(`  sel:\n${yaml}\n  condition: sel`);
        const items = r.plan.items;
        const list: ListValue[] = items.flatMap((item) => item.values.map((v) => ({ item, value: v })));
        const fast = coveringIndex(list);
        list.forEach((v, i) => {
          const pairwise = list.findIndex((w, j) => j !== i && coversValue(w.value.matcher, v.value.matcher, 0, false) && (!coversValue(v.value.matcher, w.value.matcher, 0, false) || j < i));
          expect(fast(i), `value ${i} '${v.value.source}'`).toBe(pairwise);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('50,000 values are checked in seconds (pairwise took 150 s)', () => {
    const values = Array.from({ length: 50_000 }, (_, k) => `'\\\\tool${k}.exe'`);
    values.push("'\\\\tool7.exe'");
    const r = rule(`  sel:\n    Image|endswith: [${values.join(', ')}]\n  condition: sel`);
    const t0 = Date.now();
    const shadowed = fuzz(r, 5).findings.filter((f) => f.code === 'VALUE_SHADOWED');
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(shadowed.map((f) => f.value)).toEqual(['\\\\tool7.exe']);
  });
});
