/**
 * merge-reports joins rows and summarises them like a single report: the merge of the shards of a
 * suite says what the unsharded run says, and two reports at 0% coverage merge to 0% (they used
 * to merge to 100%: the summaries were re-implemented by hand and disagreed).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { captureIo } from '../../test/capture-io.js';
import { MergeError, mergeFuzzReports, mergeReports, mergeRunReports, reportKind } from './merge.js';
import type { FuzzReport, FuzzReportRule } from '../fuzz/fuzz-report.js';
import { summarizeFuzz } from '../fuzz/fuzz-report.js';

const A = '11111111-2222-4333-8444-555555555555';
const B = '21111111-2222-4333-8444-555555555555';
const rule = (id: string, value: string): string => `title: Rule ${value}
id: ${id}
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\${value}'
    condition: sel
`;

/** A suite of two rules, optionally with a case per rule that exercises nothing (a no-match on an unrelated event). */
function suite(withCases: boolean): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-merge-'));
  mkdirSync(join(d, 'rules'));
  mkdirSync(join(d, 'cases'));
  writeFileSync(join(d, 'rules', 'a.yml'), rule(A, 'whoami.exe'));
  writeFileSync(join(d, 'rules', 'b.yml'), rule(B, 'net.exe'));
  if (withCases) {
    for (const [id, name] of [
      [A, 'a'],
      [B, 'b'],
    ] as const) {
      writeFileSync(join(d, 'cases', `${name}.yml`), `rule: ${id}\ncases:\n  - name: unrelated\n    expect: no-match\n    event: {Image: 'C:\\\\x\\\\cmd.exe'}\n`);
    }
  }
  return d;
}

interface RunJson {
  rules: Array<{ path: string }>;
  summary: { coverage: { covered: number; total: number; percent: number }; ok: boolean; problems: string[]; cases: number };
  diagnostics: unknown[];
}

async function cli(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ cwd });
  const code = await runCli(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** Runs the suite in `d` in two shards, writes the JSON reports, merges them. */
async function shardAndMerge(d: string, ...mergeArgs: string[]): Promise<{ shards: RunJson[]; merged: { code: number; out: string; err: string } }> {
  const shards: RunJson[] = [];
  for (const s of ['1/2', '2/2']) {
    const r = await cli(d, 'run', '--shard', s, '--reporter', 'json', '--out', join(d, `run-${s[0]}.json`));
    expect(r.code).toBeLessThan(2);
    shards.push(JSON.parse(readFileSync(join(d, `run-${s[0]}.json`), 'utf8')) as RunJson);
  }
  return { shards, merged: await cli(d, 'merge-reports', 'run-1.json', 'run-2.json', ...mergeArgs) };
}

describe('merging run reports', () => {
  it('two reports at 0% coverage with nothing to cover (no cases) merge to 0%, not 100%', async () => {
    const d = suite(false);
    const { shards, merged } = await shardAndMerge(d, '--reporter', 'json');
    const none = { covered: 0, total: 0, percent: 0 };
    for (const s of shards) expect(s.summary.coverage).toEqual({ ...none, withProperties: none });
    const m = JSON.parse(merged.out) as RunJson;
    expect(m.summary.coverage).toEqual({ ...none, withProperties: none });
    expect(m.summary.problems).toEqual(['no cases were found for any rule: a suite that checks nothing must not pass']);
    expect(merged.code).toBe(1);
  });

  it('two reports at 0% coverage of something merge to 0% of the sum', async () => {
    const d = suite(true);
    const { shards, merged } = await shardAndMerge(d, '--reporter', 'json');
    for (const s of shards) expect(s.summary.coverage).toMatchObject({ covered: 0, percent: 0 });
    const m = JSON.parse(merged.out) as RunJson;
    const total = shards.reduce((n, s) => n + s.summary.coverage.total, 0);
    expect(total).toBeGreaterThan(0);
    expect(m.summary.coverage).toEqual({ covered: 0, total, percent: 0, withProperties: { covered: 0, total, percent: 0 } });
    expect(merged.code).toBe(0);
    const whole = JSON.parse((await cli(d, 'run', '--reporter', 'json')).out) as RunJson;
    expect(m.summary).toEqual(whole.summary);
  });

  it('the shards of the bundled suite merge to the report of the whole suite', async () => {
    const root = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), 'sigmatest-merge-bundled-'));
    const files: string[] = [];
    for (const s of ['1/2', '2/2']) {
      const r = await cli(root, 'run', '--shard', s, '--reporter', 'json');
      expect(r.code).toBe(0);
      files.push(join(dir, `run-${s[0]}.json`));
      writeFileSync(files[files.length - 1] as string, r.out);
    }
    const whole = await cli(root, 'run', '--reporter', 'json');
    const merged = await cli(root, 'merge-reports', ...files, '--reporter', 'json');
    expect(merged.code).toBe(whole.code);
    const w = JSON.parse(whole.out) as RunJson;
    const m = JSON.parse(merged.out) as RunJson;
    expect(m.summary).toEqual(w.summary);
    expect(m.diagnostics).toEqual(w.diagnostics);
    const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    expect(m.rules).toEqual([...w.rules].sort(byPath));
    // Any run reporter renders the merged report; the text reporter's verdict is the whole run's.
    const text = await cli(root, 'merge-reports', ...files);
    expect(text.out.split('\n').slice(-3).join('\n')).toBe((await cli(root, 'run')).out.split('\n').slice(-3).join('\n'));
    const junit = await cli(root, 'merge-reports', ...files, '--reporter', 'junit');
    const counts = w.summary as unknown as { untested: number; properties: { total: number } };
    expect(counts.properties.total).toBeGreaterThan(0);
    expect((junit.out.match(/<testcase /g) ?? []).length).toBe(w.summary.cases + counts.untested + counts.properties.total);
  });

  it('diagnostics that every shard reports are merged once', () => {
    const d = { code: 'CONFIG_X', severity: 'warning', message: 'm', file: 'c.yml', path: '' };
    const report = (path: string): unknown => ({
      rules: [{ id: null, path, title: path, status: 'untested', cases: { passed: 0, failed: 0, errors: 0, results: [] }, coverage: { stages: [], values: { covered: 0, total: 0, missed: [] }, exclusions: { covered: 0, total: 0, missed: [] }, percent: 100 } }],
      summary: { rules: 1, tested: 0, untested: 1, cases: 0, minCoverage: 50 },
      diagnostics: [d],
    });
    const { report: merged, warnings } = mergeRunReports([report('b.yml'), { ...(report('a.yml') as object), summary: { cases: 0, tested: 0, minCoverage: 80 } }]);
    expect(merged.diagnostics).toEqual([d]);
    expect(merged.rules.map((r) => r.path)).toEqual(['a.yml', 'b.yml']);
    expect(merged.summary.minCoverage).toBe(50);
    expect(warnings).toEqual(['the reports differ in --min-coverage (50, 80); the merged report shows the first']);
  });
});

describe('merging fuzz reports', () => {
  const row = (path: string, status: FuzzReportRule['status'], witnesses: number, codes: Array<'EXCLUSION_DEAD' | 'RULE_UNSATISFIABLE'> = []): FuzzReportRule => ({
    id: null,
    title: path,
    path,
    status,
    witnesses,
    runs: 5,
    findings: codes.map((code) => ({ code, severity: code === 'RULE_UNSATISFIABLE' ? 'error' : 'warning', message: 'm', seed: 1, path: '' })),
  });
  const rows = [row('a.yml', 'pass', 3, ['EXCLUSION_DEAD']), row('b.yml', 'fail', 0, ['RULE_UNSATISFIABLE']), row('c.yml', 'unsupported', 0), row('d.yml', 'pass', 2)];
  const report = (rs: FuzzReportRule[], seconds: number, seed = 7): FuzzReport => ({ rules: rs, summary: summarizeFuzz(rs, { seed, runs: 5, seconds }) });

  it('summarises the joined rows as a single report would', () => {
    const { report: merged, warnings } = mergeFuzzReports([report([rows[3], rows[1]] as FuzzReportRule[], 1.5), report([rows[0], rows[2]] as FuzzReportRule[], 2)]);
    expect(merged).toEqual(report(rows, 3.5));
    expect(warnings).toEqual([]);
  });

  it('warns when the shards were fuzzed with other seeds', () => {
    const { warnings } = mergeFuzzReports([report(rows.slice(0, 2), 1, 1), report(rows.slice(2), 1, 2)]);
    expect(warnings).toEqual(['the reports differ in --seed (1, 2); the merged report shows the first']);
  });
});

describe('mergeReports', () => {
  it('tells the kind from the reports and refuses mixtures and other JSON', () => {
    const fuzz: FuzzReport = { rules: [], summary: summarizeFuzz([], { seed: 1, runs: 1, seconds: 0 }) };
    const run = { rules: [], summary: { cases: 0, tested: 0 }, diagnostics: [] };
    const gate = { tool: 'sigmatest-gate', rules: [], messages: [], summary: {} };
    expect([fuzz, run, gate, { rules: [] }, [], null].map(reportKind)).toEqual(['fuzz', 'run', 'gate', undefined, undefined, undefined]);
    expect(mergeReports([run, run]).kind).toBe('run');
    expect(() => mergeReports([run, fuzz])).toThrow(/report 2 is a fuzz report, report 1 a run report/);
    expect(() => mergeReports([{ a: 1 }])).toThrow(MergeError);
    expect(() => mergeReports([])).toThrow(MergeError);
  });

  it('merge-reports refuses a reporter of another kind (exit 2)', async () => {
    const d = suite(false);
    const { merged } = await shardAndMerge(d, '--reporter', 'sarif');
    expect(merged.code).toBe(2);
    expect(merged.err).toMatch(/these are run reports, which --reporter sarif does not render; use one of text, json, junit, markdown/);
  });
});

describe('merging refuses statuses the reports are never written with', () => {
  const gateRow = (status: unknown, extra: Record<string, unknown> = {}) => ({
    id: null,
    title: 'r',
    path: 'rules/r.yml',
    change: 'modified',
    diff: null,
    line: 1,
    status: 'pass',
    checks: [{ name: 'tests', status, message: 'm' }],
    ...extra,
  });
  const gate = (rows: unknown[], messages: unknown[] = []) => ({ tool: 'sigmatest-gate', version: 1, base: null, baseRef: null, shard: null, rules: rows, messages, summary: {} });

  it('a gate check status "FAIL", null, missing or a number is an error naming the report, rule and check, never a pass', async () => {
    for (const bad of ['FAIL', null, undefined, 0, 'passed']) {
      const reports = [gate([gateRow('pass', { path: 'rules/a.yml' })]), gate([gateRow(bad)])];
      expect(() => mergeReports(reports), String(bad)).toThrow(MergeError);
      expect(() => mergeReports(reports)).toThrow(/the status of check 'tests' of rule 1 of report 2 is .*not one of pass, fail, skip, warn/);
    }
    expect(mergeReports([gate([gateRow('fail')])]).ok).toBe(false);
    expect(() => mergeReports([gate([gateRow('pass')], [{ severity: 'ERROR', message: 'x' }])])).toThrow(/the severity of message 1 of report 1/);
    expect(() => mergeReports([gate([{ path: 'x', checks: 'all good' }])])).toThrow(/no checks/);
    // The CLI: exit 2 and the reason, where it used to print "PASS … undefined" and "Gate passed".
    const d = mkdtempSync(join(tmpdir(), 'sigmatest-merge-status-'));
    writeFileSync(join(d, 'a.json'), JSON.stringify(gate([gateRow('pass', { path: 'rules/a.yml' })])));
    writeFileSync(join(d, 'b.json'), JSON.stringify(gate([gateRow('FAIL')])));
    const r = await cli(d, 'merge-reports', 'a.json', 'b.json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the status of check 'tests' of rule 1 of report 2 is "FAIL"/);
    expect(r.out).toBe('');
  });

  it('run rule and case statuses, and fuzz rule statuses and finding severities, are checked too', () => {
    const runRow = (status: unknown, caseStatus: unknown) => ({
      id: null,
      path: 'rules/r.yml',
      title: 'r',
      status,
      cases: { passed: 1, failed: 0, errors: 0, results: [{ name: 'c', file: 'c.yml', status: caseStatus, events: 1, matched: 1, messages: [] }] },
      coverage: { stages: [], values: { covered: 0, total: 0, missed: [] }, exclusions: { covered: 0, total: 0, missed: [] }, percent: 100 },
    });
    const run = (row: unknown) => ({ rules: [row], summary: { cases: 1, tested: 1 }, diagnostics: [] });
    expect(mergeReports([run(runRow('pass', 'pass'))]).ok).toBe(true);
    expect(() => mergeReports([run(runRow('PASS', 'pass'))])).toThrow(/the status of rule 1 of report 1 is "PASS"/);
    expect(() => mergeReports([run(runRow('pass', null))])).toThrow(/the status of case 1 of rule 1 of report 1 is null/);
    const fuzzRow = (status: unknown, severity: unknown) => ({ path: 'r.yml', status, witnesses: 1, runs: 5, findings: [{ code: 'X', severity, message: 'm', seed: 1, path: '' }] });
    const fuzz = (row: unknown) => ({ rules: [row], summary: { synthesised: 1, seed: 1, runs: 5, seconds: 0 } });
    expect(() => mergeReports([fuzz(fuzzRow('ok', 'error'))])).toThrow(/the status of rule 1 of report 1 is "ok"/);
    expect(() => mergeReports([fuzz(fuzzRow('pass', 'fatal'))])).toThrow(/the severity of finding 1 of rule 1 of report 1 is "fatal"/);
  });
});

describe('merge-reports checks that the shards are complete and of one run', () => {
  it('run shards: both merge; one alone, one twice, or a shard of another run exit 2 naming them', async () => {
    const d = suite(true);
    const { shards, merged } = await shardAndMerge(d, '--reporter', 'json');
    expect(shards.map((s) => (s as unknown as { shard: unknown }).shard)).toEqual([
      { index: 1, count: 2 },
      { index: 2, count: 2 },
    ]);
    expect(merged.err).not.toMatch(/warning/);
    let r = await cli(d, 'merge-reports', 'run-1.json');
    expect(r.err).toMatch(/shard 2\/2 is missing/);
    expect(r.code).toBe(2);
    r = await cli(d, 'merge-reports', 'run-1.json', 'run-2.json', 'run-1.json');
    expect(r.err).toMatch(/run-1\.json and run-1\.json both hold rules\/a\.yml/);
    expect(r.code).toBe(2);
    writeFileSync(join(d, 'cases', 'b.yml'), `rule: ${B}\ncases:\n  - name: other\n    expect: no-match\n    event: {Image: 'C:\\\\y\\\\cmd.exe'}\n`);
    expect((await cli(d, 'run', '--shard', '2/2', '--reporter', 'json', '--out', join(d, 'run-2b.json'))).code).toBeLessThan(2);
    r = await cli(d, 'merge-reports', 'run-1.json', 'run-2b.json');
    expect(r.err).toMatch(/run-1\.json and run-2b\.json come from different runs: their inputs \(rules, cases, settings\) differ/);
    expect(r.code).toBe(2);
  });

  it('reports that record no shard (hand-made or older) merge with a warning, never mixed with ones that do', () => {
    const a = { rules: [{ path: 'a.yml', checks: [] }], messages: [], summary: {}, tool: 'sigmatest-gate' };
    const b = { ...a, rules: [{ path: 'b.yml', checks: [] }] };
    expect(mergeReports([a, b]).warnings.join('\n')).toMatch(/record no shard or fingerprint/);
    const c = { ...b, shard: { index: 2, count: 2 }, head: null, fingerprint: 'x' };
    expect(() => mergeReports([a, c], ['a.json', 'c.json'])).toThrow(/a\.json records no shard or fingerprint, c\.json does/);
    expect(() => mergeReports([a, { ...a }], ['a.json', 'a2.json'])).toThrow(MergeError);
  });
});
