/**
 * The constraint solver behind every claim of impossibility: the shapes of issue 18 (same-field
 * startswith + endswith filters on an endswith selection, two-field filters, nested conditions),
 * planted defects it must prove, what it must leave unknown (`|re`), and a brute-force check of
 * its soundness on random small rules: every "unsat" is checked against every string up to a
 * length over the alphabet of the patterns, every "sat" event with the reference evaluator.
 */
import { describe, expect, it } from 'vitest';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import { builtinMapping } from '../logsource/logsource.js';
import { evalBool, substitute, toBoolExpr } from './condition-terms.js';
import type { BoolExpr } from './condition-terms.js';
import { describeConflicts, solve } from './solver.js';
import { fuzzRule, isRealisticPath } from './fuzz-rule.js';
import { createRng } from '../../generators/common.js';

function rule(detection: string): SigmaRule {
  const loaded = loadRuleText(`title: t\nlogsource: {product: windows, category: image_load}\ndetection:\n${detection}`, 't.yml');
  const r = loaded.rules[0];
  if (r === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
  return r;
}

/** The rest of the rule matches and the exclusion holds. */
const suppresses = (r: SigmaRule, name: string): BoolExpr => ({ k: 'and', args: [substitute(toBoolExpr(r.plan), name, false), { k: 'id', name }] });
const holds = (r: SigmaRule, e: BoolExpr, event: Record<string, unknown>): boolean => {
  const t = evaluatePlan(r.plan, event);
  return evalBool(e, (n) => t.identifiers[n] ?? false);
};

const SIDE_LOAD = `  selection:
    ImageLoaded|endswith:
      - '\\\\cscui.dll'
      - '\\\\dbghelp.dll'
      - '\\\\version.dll'
  filter_main_generic:
    ImageLoaded|startswith:
      - 'C:\\\\Windows\\\\System32\\\\'
      - 'C:\\\\Windows\\\\SysWOW64\\\\'
  filter_main_dot_net:
    ImageLoaded|startswith: 'C:\\\\Windows\\\\Microsoft.NET\\\\'
    ImageLoaded|endswith: '\\\\cscui.dll'
  condition: selection and not 1 of filter_main_*
`;

describe('solve', () => {
  it('finds the event only a startswith + endswith filter suppresses (issue 18: image_load_side_load_from_non_system_location)', () => {
    const r = rule(SIDE_LOAD);
    const target = suppresses(r, 'filter_main_dot_net');
    const res = solve(r.plan, target);
    expect(res.status).toBe('sat');
    if (res.status !== 'sat') return;
    expect(holds(r, target, res.event)).toBe(true);
    expect(String(res.event['ImageLoaded']).toLowerCase()).toBe('c:\\windows\\microsoft.net\\cscui.dll');
    expect(evaluatePlan(r.plan, { ImageLoaded: 'C:\\Windows\\Microsoft.NET\\Framework\\cscui.dll' }).match).toBe(false);
    expect(fuzzRule(r, { runs: 30, seed: 7, mapping: builtinMapping }).findings.map((f) => f.code)).not.toContain('EXCLUSION_DEAD');
  });

  it('proves a planted dead filter and names the conflicting items', () => {
    const r = rule(`  selection:\n    ImageLoaded|endswith: '\\\\cscui.dll'\n  filter:\n    ImageLoaded|endswith: '\\\\version.dll'\n  condition: selection and not filter`);
    const res = solve(r.plan, suppresses(r, 'filter'));
    expect(res.status).toBe('unsat');
    if (res.status !== 'unsat') return;
    const why = describeConflicts(res.conflicts);
    expect(why).toContain('detection.selection');
    expect(why).toContain('detection.filter');
    const f = fuzzRule(r, { runs: 20, seed: 7, mapping: builtinMapping }).findings.find((x) => x.code === 'EXCLUSION_DEAD');
    expect(f?.severity).toBe('warning');
    expect(f?.message).toContain("version.dll'");
  });

  it('proves a filter another filter always covers dead, case folded', () => {
    const r = rule(`  selection:\n    ImageLoaded|endswith: '.dll'\n  filter_a:\n    ImageLoaded|startswith: 'C:\\\\WINDOWS\\\\'\n  filter_b:\n    ImageLoaded|startswith: 'c:\\\\windows\\\\system32\\\\'\n  condition: selection and not 1 of filter_*`);
    expect(solve(r.plan, suppresses(r, 'filter_b')).status).toBe('unsat');
    expect(solve(r.plan, suppresses(r, 'filter_a')).status).toBe('sat');
    // Cased: the other case is a different text, so filter_b suppresses one the other misses.
    const cased = rule(`  selection:\n    ImageLoaded|endswith: '.dll'\n  filter_a:\n    ImageLoaded|cased|startswith: 'C:\\\\WINDOWS\\\\'\n  filter_b:\n    ImageLoaded|cased|startswith: 'C:\\\\Windows\\\\System32\\\\'\n  condition: selection and not 1 of filter_*`);
    expect(solve(cased.plan, suppresses(cased, 'filter_b')).status).toBe('sat');
  });

  it('two-field filters: userinit -> explorer is suppressed (issue 18: create_remote_thread)', () => {
    const r = rule(`  selection:\n    SourceImage|endswith: ['\\\\userinit.exe', '\\\\provtool.exe']\n  filter_main_userinit:\n    SourceImage: 'C:\\\\Windows\\\\System32\\\\userinit.exe'\n    TargetImage: 'C:\\\\Windows\\\\explorer.exe'\n  filter_main_provtool_system:\n    SourceImage: 'C:\\\\Windows\\\\System32\\\\provtool.exe'\n    TargetImage: 'System'\n  condition: selection and not 1 of filter_main_*`);
    for (const f of ['filter_main_userinit', 'filter_main_provtool_system']) {
      const res = solve(r.plan, suppresses(r, f));
      expect(res.status).toBe('sat');
    }
  });

  it('a stage inside an OR of branches is reachable (issue 18: image_load_side_load_antivirus)', () => {
    const r = rule(`  selection_bitdefender:\n    ImageLoaded|endswith: '\\\\log.dll'\n  filter_log_dll_bitdefender:\n    ImageLoaded|startswith: 'C:\\\\Program Files\\\\Bitdefender'\n  filter_log_dll_dell_sar:\n    Image: 'C:\\\\Program Files\\\\Dell\\\\SARemediation\\\\audit\\\\TelemetryUtility.exe'\n    ImageLoaded: 'C:\\\\Program Files\\\\Dell\\\\SARemediation\\\\plugin\\\\log.dll'\n  selection_fsecure:\n    ImageLoaded|endswith: '\\\\qrt.dll'\n  filter_fsecure:\n    ImageLoaded|startswith: 'C:\\\\Program Files\\\\F-Secure\\\\'\n  condition: (selection_bitdefender and not 1 of filter_log_dll_*) or (selection_fsecure and not filter_fsecure)`);
    const codes = fuzzRule(r, { runs: 30, seed: 7, mapping: builtinMapping }).findings.map((f) => f.code);
    expect(codes).not.toContain('STAGE_UNREACHABLE');
    expect(codes).not.toContain('EXCLUSION_DEAD');
    expect(evaluatePlan(r.plan, { ImageLoaded: 'C:\\Users\\x\\log.dll' }).match).toBe(true);
  });

  it('proves a planted unreachable stage (an OR branch the other implies)', () => {
    const r = rule(`  selection:\n    ImageLoaded|endswith: '.dll'\n  selection_b:\n    ImageLoaded|endswith: '\\\\log.dll'\n  condition: selection or selection_b`);
    const f = fuzzRule(r, { runs: 20, seed: 7, mapping: builtinMapping }).findings.find((x) => x.code === 'STAGE_UNREACHABLE');
    expect(f?.stage).toBe('selection_b');
  });

  it('equality and a regex no case variant matches: RULE_UNSATISFIABLE (xwizard_runwizard)', () => {
    const r = rule(`  selection:\n    CommandLine: 'RunWizard'\n    CommandLine|re: '\\{[a-fA-F0-9]{8}-[a-fA-F0-9]{4}\\}'\n  condition: selection`);
    const res = fuzzRule(r, { runs: 20, seed: 7, mapping: builtinMapping });
    expect(res.findings.map((f) => f.code)).toContain('RULE_UNSATISFIABLE');
  });

  it('unknown is never impossible: regexes it cannot decide give unknown, and the finding is CLAIM_UNDECIDED (info)', () => {
    const r = rule(`  selection:\n    CommandLine|re: '^abc$'\n  filter:\n    CommandLine|re: 'b'\n  condition: selection and not filter`);
    expect(solve(r.plan, toBoolExpr(r.plan)).status).toBe('unknown');
    const res = fuzzRule(r, { runs: 20, seed: 7, mapping: builtinMapping });
    expect(res.findings.map((f) => f.code)).toEqual(['CLAIM_UNDECIDED']);
    expect(res.findings[0]?.severity).toBe('info');
    expect(res.status).toBe('pass');
  });

  it('windash: a dash variant is another text, so the slash filter is not dead', () => {
    const r = rule(`  selection:\n    CommandLine|windash|contains: ' -enc '\n  filter:\n    CommandLine|contains: ' /enc '\n  condition: selection and not filter`);
    const res = solve(r.plan, suppresses(r, 'filter'));
    expect(res.status).toBe('sat');
  });

  it('null and empty filters on a field the selection needs text in are dead; exists is decided', () => {
    const r = rule(`  selection:\n    CommandLine|contains: 'x'\n  filter_null:\n    CommandLine: null\n  filter_empty:\n    CommandLine: ''\n  condition: selection and not 1 of filter_*`);
    expect(solve(r.plan, suppresses(r, 'filter_null')).status).toBe('unsat');
    expect(solve(r.plan, suppresses(r, 'filter_empty')).status).toBe('unsat');
    const e = rule(`  selection:\n    Image: null\n  filter:\n    Image|exists: true\n  condition: selection and not filter`);
    // JSON null: exists, and null matches.
    expect(solve(e.plan, suppresses(e, 'filter')).status).toBe('sat');
  });

  it('is sound on random small rules: no "unsat" for which a short string exists, every "sat" event verified', () => {
    const rnd = createRng(18);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const lit = (): string => Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => pick(['a', 'b', 'A', '\\\\'])).join('');
    const mods = ['', '|startswith', '|endswith', '|contains', '|cased', '|contains|all'];
    const value = (): string => `'${pick(['', '*', '?'])}${lit()}${pick(['', '*'])}'`;
    // Every string up to length 4 over a, b, A, B, \, x.
    const texts: string[] = [''];
    for (let n = 1; n <= 4; n++) for (const t of texts.filter((x) => x.length === n - 1)) for (const c of ['a', 'b', 'A', 'B', '\\', 'x']) texts.push(t + c);
    let unsat = 0;
    for (let i = 0; i < 60; i++) {
      const item = (): string => {
        const m = pick(mods);
        return `    F${m}: [${Array.from({ length: m.endsWith('all') ? 2 : 1 + Math.floor(rnd() * 2) }, value).join(', ')}]`;
      };
      const r = rule(`  sel:\n${item()}\n  f1:\n${item()}\n  f2:\n${item()}\n  condition: sel and not f1 and f2`);
      const expr = toBoolExpr(r.plan);
      const res = solve(r.plan, expr);
      if (res.status === 'sat') expect(holds(r, expr, res.event)).toBe(true);
      if (res.status === 'unsat') {
        unsat++;
        for (const t of texts) expect(holds(r, expr, { F: t }), `${JSON.stringify(t)} refutes the proof for ${r.plan.items.map((x) => x.path + x.values.map((v) => v.source).join(',')).join(' ')}`).toBe(false);
        expect(holds(r, expr, {})).toBe(false);
      }
    }
    expect(unsat).toBeGreaterThan(3);
  });
});

describe('EXCLUSION_EVADABLE examples', () => {
  it('are realistic Windows paths, labelled with how they were made, verified to slip past the exclusion', () => {
    for (const p of ['C:\\Windows\\System32\\rundll32.exe', 'D:\\x\\a.dll', "C:\\Windows \\System32\\a.exe"]) expect(isRealisticPath(p), p).toBe(true);
    for (const p of ['F:\\PROGRAM FILES:\\Windows\\System32\\rundll32.exe', 'C:\\Windows \\System32\\rundll32.exe\\MiCrOSoft\\eDge\\\\svchost.exe', 'D:\\:\\windows\\x.exe', 'C:\\a\\\\b.exe', 'C:\\ x\\b.exe', 'x.exe'])
      expect(isRealisticPath(p), p).toBe(false);
    const r = rule(`  selection:\n    Image|endswith: '\\\\rundll32.exe'\n  filter:\n    Image|endswith: '\\\\System32\\\\rundll32.exe'\n  filter_edge:\n    ParentImage|contains: '\\\\Microsoft\\\\Edge\\\\'\n  condition: selection and not 1 of filter*`);
    let seen = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const res = fuzzRule(r, { runs: 10, seed, mapping: builtinMapping });
      const ev = res.findings.filter((f) => f.code === 'EXCLUSION_EVADABLE');
      seen += ev.length;
      for (const f of ev) {
        expect(isRealisticPath(f.variant ?? ''), f.variant).toBe(true);
        expect(f.variantReason).toMatch(/^made by /);
        const t = evaluatePlan(r.plan, f.event ?? {});
        expect(t.match).toBe(false);
        expect(t.identifiers[f.stage ?? '']).toBe(true);
      }
    }
    expect(seen).toBeGreaterThan(3);
  });
});
