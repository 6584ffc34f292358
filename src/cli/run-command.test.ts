/** `sigmatest run` end to end: reporters, exit codes, untested rules, suites that check nothing. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './main.js';
import { captureIo } from '../../test/capture-io.js';

const capture = (cwd: string) => captureIo({ cwd });

const RULE = (id: string, value = 'whoami.exe'): string => `title: Rule ${id.slice(0, 4)}
id: ${id}
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\${value}'
    filter:
        User: SYSTEM
    condition: sel and not filter
`;
const A = '11111111-2222-4333-8444-555555555555';
const B = '21111111-2222-4333-8444-555555555555';

function suite(caseYaml: string | null): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-run-'));
  mkdirSync(join(d, 'rules'));
  mkdirSync(join(d, 'cases'));
  writeFileSync(join(d, 'rules', 'a.yml'), RULE(A));
  writeFileSync(join(d, 'rules', 'b.yml'), RULE(B, 'net.exe'));
  if (caseYaml !== null) writeFileSync(join(d, 'cases', 'a.yml'), caseYaml);
  return d;
}

const FULL = `rule: ${A}
cases:
  - name: hit
    expect: match
    event: {Image: 'C:\\\\w\\\\whoami.exe', User: bob}
  - name: excluded
    expect: no-match
    event: {Image: 'C:\\\\w\\\\whoami.exe', User: system}
  - name: other
    expect: no-match
    event: {Image: 'C:\\\\w\\\\cmd.exe'}
`;

async function run(d: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture(d);
  const code = await runCli(['run', '--rules', join(d, 'rules'), '--cases', join(d, 'cases'), ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('sigmatest run', () => {
  it('passes with full coverage, lists untested rules, and the JSON reporter has the documented shape', async () => {
    const d = suite(FULL);
    const r = await run(d, '--reporter', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { rules: Array<Record<string, any>>; summary: Record<string, any> };
    const a = j.rules.find((x) => x.id === A)!;
    expect(a).toMatchObject({ path: 'rules/a.yml', title: 'Rule 1111', cases: { passed: 3, failed: 0 } });
    expect(a.coverage).toMatchObject({
      stages: [
        { name: 'condition', true: 1, false: 2 },
        { name: 'sel', true: 2, false: 1 },
        { name: 'filter', true: 1, false: 2 },
      ],
      values: { covered: 2, total: 2 },
      exclusions: { covered: 1, total: 1 },
      percent: 100,
    });
    expect(j.rules.find((x) => x.id === B)).toMatchObject({ status: 'untested' });
    expect(j.summary).toMatchObject({ rules: 2, tested: 1, untested: 1, cases: 3, passed: 3, failed: 0, ok: true });
  });

  it('fails (exit 1) below --min-coverage and on failing cases, with the explanation', async () => {
    const d = suite(FULL.replace('expect: no-match\n    event: {Image: \'C:\\\\w\\\\whoami.exe\', User: system}', "expect: match\n    event: {Image: 'C:\\\\w\\\\whoami.exe', User: system}"));
    const r = await run(d);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ excluded/);
    expect(r.out).toMatch(/filter \(exclusion\): true because User equals SYSTEM \(case-insensitive\)/);
    const low = suite(FULL.split('  - name: excluded')[0] as string);
    const r2 = await run(low, '--min-coverage', '90');
    expect(r2.code).toBe(1);
    expect(r2.out).toMatch(/below the coverage threshold of 90%/);
  });

  it('a suite with no rules or no cases fails and says why', async () => {
    const d = suite(null);
    const r = await run(d);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/no cases were found for any rule/);
    const empty = mkdtempSync(join(tmpdir(), 'sigmatest-run-'));
    mkdirSync(join(empty, 'rules'));
    mkdirSync(join(empty, 'cases'));
    const r2 = await run(empty);
    expect(r2.code).toBe(1);
    expect(r2.out).toMatch(/no rules were found/);
  });

  it('a malformed case file is a located error (exit 2) and the other rules still run', async () => {
    const d = suite(FULL);
    writeFileSync(join(d, 'cases', 'b.yml'), `rule: ${B}\ncases:\n  - name: x\n    expect: sure\n    event: {a: 1}\n`);
    const r = await run(d);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/cases\/b\.yml:4:13: error CASE_INVALID .*'expect' must be match or no-match/);
    expect(r.out).toMatch(/PASS +Rule 1111/);
  });

  it('writes JUnit (a testcase per case) and Markdown', async () => {
    const d = suite(FULL);
    const j = await run(d, '--reporter', 'junit');
    expect(j.out.match(/<testcase /g)).toHaveLength(4); // 3 cases + the untested rule's placeholder
    expect(j.out).toMatch(/<testcase name="hit" classname="rules\/a.yml"/);
    const m = await run(d, '--reporter', 'markdown', '--out', join(d, 'out', 'report.md'));
    expect(m.code).toBe(0);
    expect(m.err).toMatch(/report written to/);
  });
});
