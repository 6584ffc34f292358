/** `sigmatest run` end to end: reporters, exit codes, untested rules, suites that check nothing. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './main.js';
import { captureIo } from '../../test/capture-io.js';
import { loadCaseFile } from '../cases/load-cases.js';

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

describe('sigmatest run with properties', () => {
  // The filter excludes by User; the rule keys on the file name, so a look-alike name slips through.
  const PROPS = `properties:
  - name: whoami anywhere, in any case
    from: hit
    mutate: {Image: [relocate, recase]}
    expect: match
  - name: a look-alike of whoami is still whoami
    from: hit
    mutate: {Image: lookalike}
    expect: match
`;

  it('reports each property with runs, seed and status; a failure has a replayable counterexample (JSON), exit 1', async () => {
    const d = suite(FULL + PROPS);
    const r = await run(d, '--reporter', 'json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { rules: Array<Record<string, any>>; summary: Record<string, any> };
    const a = j.rules.find((x) => x.id === A)!;
    expect(a['status']).toBe('fail');
    const [ok, bad] = a['properties'] as Array<Record<string, any>>;
    expect(ok).toMatchObject({ name: 'whoami anywhere, in any case', status: 'pass', runs: 100, counterexample: null, known_gap: null });
    expect(bad).toMatchObject({ name: 'a look-alike of whoami is still whoami', status: 'fail', known_gap: null, counterexample: { expected: 'match', got: 'no-match' } });
    expect(typeof bad!['seed']).toBe('number');
    expect(bad!['counterexample'].path).toMatch(/^\d+(:\d+)*$/);
    expect(bad!['counterexample'].event.Image).not.toMatch(/\\whoami\.exe$/i);
    expect(a['coverage']).toHaveProperty('withProperties.percent', 100);
    expect(j.summary['properties']).toMatchObject({ total: 2, passed: 1, failed: 1, runs: 101 });
    expect(j.summary['problems']).toEqual(['1 property failed']);
    // The text reporter shows both, the failure explained.
    const t = await run(d);
    expect(t.out).toMatch(/✓ property: whoami anywhere, in any case {2}\(100 runs, seed \d+\)/);
    expect(t.out).toMatch(/✗ property: a look-alike of whoami is still whoami {2}\(cases\/a\.yml:\d+\) {2}FAILED after 1 run \(seed \d+, path [\d:]+\)/);
    expect(t.out).toMatch(/selection: false because|sel: false because Image does not end with \\whoami\.exe/);
  });

  it('known_gap turns the failure into a reported gap (exit 0); --strict fails once the gap closes', async () => {
    const gap = suite(FULL + PROPS.replace('    expect: match\n', '    expect: match\n').replace(/(lookalike\}\n {4}expect: match\n)/, '$1    known_gap: the rule keys on the file name\n'));
    const r = await run(gap, '--reporter', 'json');
    expect(r.code).toBe(0);
    const p = (JSON.parse(r.out).rules[0].properties as Array<Record<string, any>>)[1]!;
    expect(p).toMatchObject({ status: 'known-gap', known_gap: 'the rule keys on the file name' });
    expect(p['counterexample'].event.Image).toBeDefined();
    // A gap that no longer shows: reported, and it fails only with --strict.
    const closed = suite(FULL + PROPS.replace('mutate: {Image: [relocate, recase]}\n    expect: match\n', 'mutate: {Image: [relocate, recase]}\n    expect: match\n    known_gap: thought case-sensitive\n').split('  - name: a look-alike')[0]);
    const c = await run(closed);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/! property: whoami anywhere, in any case .* GAP CLOSED after 100 runs: thought case-sensitive/);
    const strict = await run(closed, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/FAILED: 1 known gap closed \(--strict\)/);
  });

  it('--seed replaces every default seed; the same seed gives the same report', async () => {
    const d = suite(FULL + PROPS);
    const a = JSON.parse((await run(d, '--reporter', 'json', '--seed', '7')).out).rules[0].properties as Array<{ seed: number; counterexample: unknown }>;
    expect(a.map((p) => p.seed)).toEqual([7, 7]);
    const b = JSON.parse((await run(d, '--reporter', 'json', '--seed', '7')).out).rules[0].properties as Array<{ seed: number; counterexample: unknown }>;
    expect(b).toEqual(a);
    const dflt = JSON.parse((await run(d, '--reporter', 'json')).out).rules[0].properties as Array<{ seed: number }>;
    expect(dflt[0]?.seed).not.toBe(dflt[1]?.seed);
    expect((await run(d, '--seed', 'x')).code).toBe(2);
  });

  it('--min-coverage applies to the coverage with properties unless --coverage-from cases', async () => {
    // Without the excluded case, only the property exercises the filter.
    const cases = FULL.split('  - name: excluded')[0] as string;
    const withProps = suite(`${cases}  - name: other
    expect: no-match
    event: {Image: 'C:\\\\w\\\\cmd.exe'}
properties:
  - name: SYSTEM in any case is excluded
    event: {Image: 'C:\\\\w\\\\whoami.exe', User: system}
    mutate: {User: recase}
    expect: no-match
`);
    const all = await run(withProps, '--min-coverage', '100', '--reporter', 'json');
    const j = JSON.parse(all.out);
    expect(j.rules[0].coverage.percent).toBeLessThan(100);
    expect(j.rules[0].coverage.withProperties.percent).toBe(100);
    expect(all.code).toBe(0);
    const casesOnly = await run(withProps, '--min-coverage', '100', '--coverage-from', 'cases');
    expect(casesOnly.code).toBe(1);
    expect(casesOnly.out).toMatch(/below the coverage threshold of 100% \(coverage from cases\)/);
  });

  it('an unknown operator is a located error (exit 2); the other properties and rules still run', async () => {
    const d = suite(FULL + PROPS.replace('mutate: {Image: lookalike}', 'mutate: {Image: lookalkie}'));
    const r = await run(d);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/cases\/a\.yml:19:21: error PROPERTY_OPERATOR_UNKNOWN at properties\[1\]\.mutate\.Image: property 'a look-alike of whoami is still whoami': unknown operator 'lookalkie'/);
    expect(r.out).toMatch(/✓ property: whoami anywhere, in any case/);
  });

  it('--save adds each counterexample as a case after the last one, keeps the file byte for byte, never twice', async () => {
    const header = '# my cases\n';
    const original = header + FULL + '\n# after the cases\n' + PROPS.replace(/(lookalike\}\n {4}expect: match\n)/, '$1    known_gap: the rule keys on the file name\n') + '  - name: renamed copies elsewhere\n    from: hit\n    mutate: {Image: [lookalike, relocate]}\n    expect: match\n';
    const d = suite(original);
    const file = join(d, 'cases', 'a.yml');
    const r = await run(d, '--save');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/run: saved 2 counterexample case\(s\) to .*cases\/a\.yml/);
    const after = readFileSync(file, 'utf8');
    // Everything before the end of the cases list and everything after it is unchanged.
    const end = original.indexOf('\n\n# after the cases');
    expect(after.startsWith(original.slice(0, end + 1))).toBe(true);
    expect(after.endsWith(original.slice(end + 1))).toBe(true);
    const added = after.slice(end + 1, after.length - (original.length - end - 1));
    expect(added).toMatch(/^ {2}# counterexample of property 'a look-alike of whoami is still whoami' \(sigmatest run --seed \d+; fast-check path [\d:]+\)\n {2}- name: "a look-alike of whoami is still whoami: Image C:\\\\\\\\w\\\\\\\\[^"]+"\n {4}expect: match\n {4}known_gap: "the rule keys on the file name"\n {4}event: \{/);
    expect(added).toMatch(/- name: "renamed copies elsewhere: Image [^"]+"\n {4}expect: match\n {4}event:/);
    const loaded = loadCaseFile(file);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.caseFile?.cases.map((c) => c.knownGap ?? null)).toEqual([null, null, null, 'the rule keys on the file name', null]);
    // The saved known gap is a known-gap case; the saved failure fails until the rule is fixed.
    const again = await run(d, '--reporter', 'json', '--save');
    const statuses = (JSON.parse(again.out).rules[0].cases.results as Array<{ status: string }>).map((c) => c.status);
    expect(statuses).toEqual(['pass', 'pass', 'pass', 'known-gap', 'fail']);
    expect(again.err).toMatch(/no counterexample to save/);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });
});
