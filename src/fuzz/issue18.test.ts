/**
 * The SigmaHQ rules of issue 18 as regression tests (read from ../shared; skipped with a message
 * when the corpus is absent; the self-contained shapes are in solver.test.ts): no false
 * EXCLUSION_DEAD / STAGE_UNREACHABLE, the right reason for mofcomp, xwizard_runwizard still
 * RULE_UNSATISFIABLE, and scaffold finding an exclusion event for the filters it could not.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleFile } from '../rules/load-rule.js';
import { builtinMapping } from '../logsource/logsource.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import { fuzzRule } from './fuzz-rule.js';
import { scaffoldCases } from './scaffold.js';

const WINDOWS = fileURLToPath(new URL('../../../shared/corpus/sigmahq/rules/windows', import.meta.url));
const present = existsSync(WINDOWS);
if (!present) console.warn(`issue18.test.ts: ${WINDOWS} is absent; the SigmaHQ regression tests are skipped`);

const load = (rel: string) => {
  const r = loadRuleFile(join(WINDOWS, rel)).rules[0];
  if (r === undefined) throw new Error(rel);
  return r;
};
const fuzz = (rel: string) => fuzzRule(load(rel), { runs: 40, seed: 7, mapping: builtinMapping });

describe.skipIf(!present)('issue 18 on SigmaHQ rules', () => {
  it('image_load_side_load_from_non_system_location: no filter called dead; .NET cscui.dll is suppressed', () => {
    const res = fuzz('image_load/image_load_side_load_from_non_system_location.yml');
    expect(res.findings.filter((f) => f.code === 'EXCLUSION_DEAD' || f.code === 'STAGE_UNREACHABLE')).toEqual([]);
    expect(evaluatePlan(res.rule.plan, { ImageLoaded: 'C:\\Windows\\Microsoft.NET\\Framework\\cscui.dll' }).match).toBe(false);
    expect(evaluatePlan(res.rule.plan, { ImageLoaded: 'C:\\Users\\x\\cscui.dll' }).match).toBe(true);
  });

  it('image_load_side_load_antivirus: selection_bitdefender reachable, filter_log_dll_dell_sar alive', () => {
    const res = fuzz('image_load/image_load_side_load_antivirus.yml');
    expect(res.findings.filter((f) => ['EXCLUSION_DEAD', 'STAGE_UNREACHABLE'].includes(f.code)).map((f) => f.stage)).toEqual([]);
  });

  it('create_remote_thread_win_susp_relevant_source_image: userinit and provtool filters alive', () => {
    const res = fuzz('create_remote_thread/create_remote_thread_win_susp_relevant_source_image.yml');
    const dead = res.findings.filter((f) => f.code === 'EXCLUSION_DEAD').map((f) => f.stage);
    expect(dead).not.toContain('filter_main_userinit');
    expect(dead).not.toContain('filter_main_provtool_system');
  });

  it('mofcomp: dead for the right reason (every alternative of selection_case)', () => {
    const res = fuzz('process_creation/proc_creation_win_mofcomp_execution.yml');
    const f = res.findings.find((x) => x.code === 'EXCLUSION_DEAD');
    expect(f?.stage).toBe('filter_main_wmiprvse');
    expect(f?.message).toContain('selection_case[0]');
    expect(f?.message).toContain('filter_optional_null_parent');
  });

  it('xwizard_runwizard stays RULE_UNSATISFIABLE', () => {
    const res = fuzz('process_creation/proc_creation_win_xwizard_runwizard_com_object_exec.yml');
    expect(res.findings.map((f) => f.code)).toContain('RULE_UNSATISFIABLE');
  });

  it('scaffold: an exclusion case for every filter_main_generic value of dbghelp, and the Dropbox filter of sc_create_service', () => {
    const dbg = load('image_load/image_load_side_load_dbghelp.yml');
    const s = scaffoldCases(dbg, builtinMapping, 1);
    const generic = dbg.plan.items.filter((it) => it.identifier === 'filter_main_generic').reduce((n, it) => n + it.values.length, 0);
    expect(generic).toBe(7);
    const cases = s.cases.filter((c) => c.stages?.['filter_main_generic'] === true);
    expect(cases).toHaveLength(7);
    for (const c of cases) expect(evaluatePlan(dbg.plan, c.event).match).toBe(false);
    const sc = load('process_creation/proc_creation_win_sc_create_service.yml');
    const dropbox = scaffoldCases(sc, builtinMapping, 1).cases.filter((c) => c.stages?.['filter_optional_dropbox'] === true);
    expect(dropbox.length).toBeGreaterThanOrEqual(2);
  });
});
