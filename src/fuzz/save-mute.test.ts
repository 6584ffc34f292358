/**
 * `fuzz --save` keeps the suite green (issue 18): the default seed is fixed, a second run adds
 * nothing, evasions are saved as known gaps with readable names, and `run` passes right after.
 * Muting: --ignore, the config's severities for fuzz codes, a case file's `fuzz: ignore:`.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { loadCaseText } from '../cases/load-cases.js';
import { flatEventKey } from '../events/event-key.js';
import { captureIo } from '../../test/capture-io.js';

const RULE = `title: Rundll32 from msiexec
id: 0b7c3b1e-1111-4c1a-9d1e-000000000018
logsource: {category: process_creation, product: windows}
detection:
    selection:
        Image|endswith: '\\rundll32.exe'
    filter:
        ParentImage|endswith: '\\msiexec.exe'
    condition: selection and not filter
`;

function repo(): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-i18-'));
  mkdirSync(join(d, 'rules'));
  mkdirSync(join(d, 'cases'));
  writeFileSync(join(d, 'rules', 'r.yml'), RULE);
  return d;
}

describe('fuzz --save', () => {
  it('two runs in a row change the case file once; run passes right after; evasions are known gaps with readable names', async () => {
    const d = repo();
    const caseFile = join(d, 'cases', 'r.yml');
    expect(await runCli(['fuzz', 'rules', '--runs', '20', '--save'], captureIo({ cwd: d }))).toBe(0);
    const first = readFileSync(caseFile, 'utf8');
    const cf = loadCaseText(first, caseFile).caseFile;
    expect(cf?.cases.length).toBeGreaterThan(0);
    for (const c of cf?.cases ?? []) {
      expect(c.knownGap).toMatch(/^EXCLUSION_EVADABLE: /);
      expect(c.name).not.toContain('\\\\');
      expect(c.name).toMatch(/^fuzz: filter must not hide [A-Z]:\\/);
    }
    expect(await runCli(['fuzz', 'rules', '--runs', '20', '--save'], captureIo({ cwd: d }))).toBe(0);
    expect(readFileSync(caseFile, 'utf8')).toBe(first);
    const io = captureIo({ cwd: d });
    expect(await runCli(['run', 'rules', '--cases', 'cases'], io)).toBe(0);
  });

  it('duplicates are told apart by the flattened event', () => {
    expect(flatEventKey({ a: { b: 1 }, c: 'x' })).toBe(flatEventKey({ c: 'x', 'a.b': 1 }));
    expect(flatEventKey({ a: 1 })).not.toBe(flatEventKey({ a: '1' }));
  });
});

describe('fuzz muting', () => {
  const findings = async (d: string, extra: string[]) => {
    const io = captureIo({ cwd: d });
    const code = await runCli(['fuzz', 'rules', '--runs', '10', '--reporter', 'json', '--strict', ...extra], io);
    return { code, report: JSON.parse(io.stdout()) };
  };

  it('--ignore CODE reports the finding as suppressed and fails nothing', async () => {
    const d = repo();
    const before = await findings(d, []);
    expect(before.code).toBe(1);
    const after = await findings(d, ['--ignore', 'EXCLUSION_EVADABLE']);
    expect(after.code).toBe(0);
    const f = after.report.rules[0].findings.find((x: { code: string }) => x.code === 'EXCLUSION_EVADABLE');
    expect(f.suppressed).toBe('--ignore EXCLUSION_EVADABLE');
    expect(after.report.summary.suppressed).toBeGreaterThan(0);
    expect(await runCli(['fuzz', 'rules', '--ignore', 'NOT_A_CODE'], captureIo({ cwd: d }))).toBe(2);
  });

  it('a case file silences a code for its rule with a reason; the config severities apply to fuzz codes', async () => {
    const d = repo();
    writeFileSync(
      join(d, 'cases', 'r.yml'),
      `rule: 0b7c3b1e-1111-4c1a-9d1e-000000000018\nfuzz:\n  ignore:\n    EXCLUSION_EVADABLE: msiexec children are audited elsewhere\ncases:\n  - name: m\n    expect: match\n    event: {Image: 'C:\\\\x\\\\rundll32.exe'}\n`,
    );
    const r = await findings(d, []);
    expect(r.code).toBe(0);
    const f = r.report.rules[0].findings.find((x: { code: string }) => x.code === 'EXCLUSION_EVADABLE');
    expect(f.suppressed).toContain('msiexec children are audited elsewhere');
    // Config: off mutes; info lowers.
    const d2 = repo();
    writeFileSync(join(d2, 'sigmatest.config.yml'), 'gate:\n  severities:\n    EXCLUSION_EVADABLE: info\n');
    const r2 = await findings(d2, []);
    expect(r2.code).toBe(0);
    expect(r2.report.rules[0].findings.find((x: { code: string }) => x.code === 'EXCLUSION_EVADABLE').severity).toBe('info');
  });

  it('the case file loader checks fuzz.ignore: fuzz codes with a reason', () => {
    const bad = loadCaseText(`rule: x\nfuzz:\n  ignore:\n    RULE_AUTHOR_MISSING: no\n    VALUE_SHADOWED: ''\ncases:\n  - name: a\n    expect: match\n    event: {a: 1}\n`, 'c.yml');
    expect(bad.diagnostics.map((x) => x.message).join('\n')).toMatch(/not a fuzz finding code[\s\S]*gives the reason/);
    expect(bad.diagnostics.every((x) => x.pos !== undefined)).toBe(true);
    const good = loadCaseText(`rule: x\nfuzz: {ignore: {VALUE_SHADOWED: emoji list is deliberate}}\ncases:\n  - name: a\n    expect: match\n    event: {a: 1}\n`, 'c.yml');
    expect(good.diagnostics).toEqual([]);
    expect(good.caseFile?.fuzzIgnore).toEqual({ VALUE_SHADOWED: 'emoji list is deliberate' });
  });
});
