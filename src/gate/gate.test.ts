import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import type { Io } from '../cli/io.js';
import type { GateReport } from './gate-result.js';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const savedSummary = process.env['GITHUB_STEP_SUMMARY'];
afterEach(() => {
  if (savedSummary === undefined) delete process.env['GITHUB_STEP_SUMMARY'];
  else process.env['GITHUB_STEP_SUMMARY'] = savedSummary;
});

const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_CEILING_DIRECTORIES: tmpdir() };

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: GIT_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function commitAll(root: string, message: string): void {
  sh(root, 'add', '-A');
  sh(root, 'commit', '-q', '-m', message);
}

const ID = '5f2a3a11-9c51-4c1e-8a3d-6c0b3c9a8e21';
const ID2 = '6e1b2c33-1d2e-4f5a-9b8c-7d6e5f4a3b21';

interface RuleParts {
  id?: string;
  title?: string;
  description?: string;
  selection?: string;
  filter?: string | null;
}

function ruleText(p: RuleParts = {}): string {
  const filter = p.filter === undefined ? "    CommandLine|contains: ' -safe'\n" : p.filter;
  return [
    `title: ${p.title ?? 'Evil tool execution'}`,
    `id: ${p.id ?? ID}`,
    'status: test',
    `description: ${p.description ?? 'Detects the evil tool.'}`,
    'author: Gate Test',
    'date: 2024-01-15',
    'tags:',
    '  - attack.execution',
    '  - attack.t1059',
    'logsource:',
    '  category: process_creation',
    '  product: windows',
    'detection:',
    '  selection:',
    p.selection ?? "    Image|endswith: '\\evil.exe'",
    ...(filter !== null ? ['  filter:', filter.trimEnd(), '  condition: selection and not filter'] : ['  condition: selection']),
    'falsepositives:',
    '  - Unknown',
    'level: high',
    '',
  ].join('\n');
}

const CASES = `rule: ${ID}
cases:
  - name: evil runs
    expect: match
    event:
      Image: 'C:\\Users\\bob\\evil.exe'
      CommandLine: 'evil.exe -run'
  - name: safe mode
    expect: no-match
    event:
      Image: 'C:\\Users\\bob\\evil.exe'
      CommandLine: 'evil.exe -safe'
  - name: other tool
    expect: no-match
    event:
      Image: 'C:\\Windows\\notepad.exe'
      CommandLine: 'notepad.exe'
`;

const SYSMON = { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1 };
const BENIGN = [
  { ...SYSMON, Image: 'C:\\Windows\\System32\\notepad.exe', CommandLine: 'notepad.exe a.txt' },
  { ...SYSMON, Image: 'C:\\Program Files\\Tool\\good.exe', CommandLine: 'good.exe --x' },
];

function jsonl(events: object[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

/** A repository on main with the rule, its cases and a benign corpus, then a `feature` branch. */
function repo(): string {
  const root = mkdtempSync(join(tmpdir(), 'sigmatest-gate-cli-'));
  temps.push(root);
  sh(root, 'init', '-q', '-b', 'main');
  write(root, 'rules/evil.yml', ruleText());
  write(root, 'cases/evil.yml', CASES);
  write(root, 'corpus/benign.jsonl', jsonl(BENIGN));
  commitAll(root, 'initial');
  sh(root, 'checkout', '-q', '-b', 'feature');
  return root;
}

function io(cwd: string): Io & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    isTty: false,
    cwd,
    out: (t: string) => void (o.stdout += t),
    err: (t: string) => void (o.stderr += t),
  };
  return o;
}

async function gate(cwd: string, ...args: string[]): Promise<{ code: number; report: GateReport; stderr: string }> {
  const c = io(cwd);
  const code = await runCli(['gate', '--base', 'main', '--fuzz-runs', '20', '--reporter', 'json', ...args], c);
  let report: GateReport;
  try {
    report = JSON.parse(c.stdout) as GateReport;
  } catch {
    throw new Error(`not JSON (exit ${code}): ${c.stdout}\n${c.stderr}`);
  }
  return { code, report, stderr: c.stderr };
}

const check = (r: GateReport, path: string, name: string) => r.rules.find((x) => x.path === path)?.checks.find((c) => c.name === name);

describe('sigmatest gate', () => {
  it('fails the mutation check below --min-mutation-score, listing each survivor with its killer event', async () => {
    const root = repo();
    write(root, 'rules/evil.yml', ruleText({ description: 'Detects the evil tool, reworded.' }));
    commitAll(root, 'reword');
    const { code, report } = await gate(root, '--min-mutation-score', '100');
    const m = check(report, 'rules/evil.yml', 'mutation');
    // No case has an image merely ending in "evil.exe" (notevil.exe): the leading backslash of '\evil.exe' is unpinned.
    expect(m?.status).toBe('fail');
    expect(m?.message).toMatch(/\(minimum 100%\)$/);
    expect(m?.details?.some((d) => /path-backslash .*leading backslash removed\) survived; killer \(no-match\): \{.*"Image"/.test(d))).toBe(true);
    expect(code).toBe(1);
  });

  it('passes a valid, tested rule change and reports an equivalent edit (description only)', async () => {
    const root = repo();
    write(root, 'rules/evil.yml', ruleText({ description: 'Detects the evil tool, reworded.' }));
    commitAll(root, 'reword');
    const { code, report } = await gate(root, '--corpus', 'corpus');
    const r = report.rules[0];
    expect(report.rules).toHaveLength(1);
    expect(r?.change).toBe('modified');
    expect(r?.diff).toBe('equivalent');
    expect(r?.checks.map((c) => c.name)).toEqual(['validate', 'tests', 'coverage', 'mutation', 'fuzz', 'semantic-diff', 'tests-weakened', 'corpus']);
    // The mutation score is reported only without --min-mutation-score.
    const mutation = check(report, 'rules/evil.yml', 'mutation');
    expect(mutation?.status).toBe('pass');
    expect(mutation?.message).toMatch(/^\d+(\.\d)?% \(\d+ killed, \d+ survived, \d+ equivalent\?\) \(no minimum set\)$/);
    expect(check(report, 'rules/evil.yml', 'corpus')?.status).toBe('pass');
    expect(report.summary.ok).toBe(true);
    expect(code).toBe(0);
  });

  it('reports a widened rule (filter removed) with a flipped example', async () => {
    const root = repo();
    write(root, 'rules/evil.yml', ruleText({ filter: null }));
    write(root, 'cases/evil.yml', CASES.replace("  - name: safe mode\n    expect: no-match", "  - name: safe mode\n    expect: match"));
    const { report } = await gate(root);
    const r = report.rules[0];
    expect(r?.diff).toBe('widened');
    expect(r?.examples?.newMatches.length).toBeGreaterThan(0);
    expect(r?.examples?.lostMatches).toHaveLength(0);
    expect(check(report, 'rules/evil.yml', 'semantic-diff')?.status).toBe('pass');
  });

  it('reports a widened rule (value added)', async () => {
    const root = repo();
    write(root, 'rules/evil.yml', ruleText({ selection: "    Image|endswith:\n      - '\\evil.exe'\n      - '\\wicked.exe'" }));
    const { report } = await gate(root);
    expect(report.rules[0]?.diff).toBe('widened');
    const example = report.rules[0]?.examples?.newMatches[0] as Record<string, unknown>;
    expect(String(example['Image']).toLowerCase()).toMatch(/wicked\.exe$/);
  });

  it('reports a narrowed rule, and a base positive case it no longer matches is a lost detection', async () => {
    const root = repo();
    write(root, 'rules/evil.yml', ruleText({ filter: "    CommandLine|contains:\n      - ' -safe'\n      - ' -run'" }));
    // The case still expects a match: the detection is lost, not given up (a flipped case is
    // judged by tests-weakened: see 'a flipped case that the rule change explains').
    const { code, report } = await gate(root);
    const r = report.rules[0];
    expect(r?.diff).toBe('narrowed');
    expect(r?.examples?.lostMatches.length).toBeGreaterThan(0);
    const diff = check(report, 'rules/evil.yml', 'semantic-diff');
    expect(diff?.status).toBe('fail');
    expect(diff?.message).toMatch(/lost detection/);
    expect(diff?.details?.join('\n')).toMatch(/base case 'evil runs' no longer matches/);
    expect(code).toBe(1);
  });

  it('a narrowed rule alone is reported, not failed', async () => {
    const root = repo();
    write(root, 'rules/evil.yml', ruleText({ filter: "    CommandLine|contains:\n      - ' -safe'\n      - ' -quiet'" }));
    const { code, report } = await gate(root);
    expect(report.rules[0]?.diff).toBe('narrowed');
    expect(check(report, 'rules/evil.yml', 'semantic-diff')?.status).toBe('warn');
    expect(code).toBe(0);
  });

  it('fails a new rule without cases', async () => {
    const root = repo();
    write(root, 'rules/new.yml', ruleText({ id: ID2, title: 'Wicked tool', selection: "    Image|endswith: '\\wicked.exe'" }));
    const { code, report } = await gate(root);
    const r = report.rules.find((x) => x.path === 'rules/new.yml');
    expect(r?.change).toBe('added');
    expect(r?.diff).toBeNull();
    expect(check(report, 'rules/new.yml', 'tests')?.status).toBe('fail');
    expect(check(report, 'rules/new.yml', 'tests')?.message).toMatch(/0 match case/);
    expect(check(report, 'rules/new.yml', 'semantic-diff')?.status).toBe('skip');
    expect(check(report, 'rules/new.yml', 'corpus')?.status).toBe('skip');
    expect(code).toBe(1);
  });

  it('fails a rule whose cases no longer pass', async () => {
    const root = repo();
    write(root, 'rules/evil.yml', ruleText({ selection: "    Image|endswith: '\\evil2.exe'" }));
    const { code, report } = await gate(root);
    const t = check(report, 'rules/evil.yml', 'tests');
    expect(t?.status).toBe('fail');
    expect(t?.details?.join('\n')).toMatch(/evil runs/);
    expect(t?.location?.file).toBe('cases/evil.yml');
    expect(code).toBe(1);
  });

  it('runs the properties in the tests check: a failing one fails it, a known gap is reported, a closed gap warns', async () => {
    const root = repo();
    const props = (gap: string): string => `properties:
  - name: evil anywhere
    from: evil runs
    mutate: {Image: [relocate, recase]}
    expect: match
  - name: safe mode in any case
    from: safe mode
    mutate: {CommandLine: recase}
    expect: no-match
  - name: a renamed copy is still evil
    from: evil runs
    mutate: {Image: lookalike}
    expect: match
${gap}`;
    write(root, 'rules/evil.yml', ruleText({ description: 'Detects the evil tool, with properties.' }));
    write(root, 'cases/evil.yml', CASES + props(''));
    let { code, report } = await gate(root);
    let t = check(report, 'rules/evil.yml', 'tests');
    expect(t?.status).toBe('fail');
    expect(t?.message).toBe('1 of 3 properties fail');
    expect(t?.details?.[0]).toMatch(/^cases\/evil\.yml:\d+: property 'a renamed copy is still evil' fail \(seed \d+\): expected match, got no-match counterexample: \{"Image":/);
    expect(code).toBe(1);
    write(root, 'cases/evil.yml', CASES + props('    known_gap: the rule keys on the file name\n'));
    ({ code, report } = await gate(root));
    t = check(report, 'rules/evil.yml', 'tests');
    expect(t?.status).toBe('pass');
    expect(t?.message).toMatch(/^3 case\(s\) pass \(1 match, 2 no-match\), 3 properties hold \(\d+ runs\); 1 known gap\(s\)$/);
    expect(check(report, 'rules/evil.yml', 'coverage')?.message).toMatch(/% with properties, [\d.]+% from cases alone/);
    expect(code).toBe(0);
    write(root, 'cases/evil.yml', CASES + props('').replace('  - name: evil anywhere\n    from: evil runs\n    mutate: {Image: [relocate, recase]}\n    expect: match\n', '  - name: evil anywhere\n    from: evil runs\n    mutate: {Image: [relocate, recase]}\n    expect: match\n    known_gap: thought case-sensitive\n').replace(/ {2}- name: a renamed copy[\s\S]*$/, ''));
    ({ code, report } = await gate(root));
    t = check(report, 'rules/evil.yml', 'tests');
    expect(t?.status).toBe('warn');
    expect(t?.message).toBe("1 known gap(s) closed: remove known_gap from 'evil anywhere'");
    expect(code).toBe(0);
  });

  it('fails on a benign corpus match, passes with a known-FP entry, and fails again once it expired', async () => {
    const root = repo();
    write(root, 'rules/evil.yml', ruleText({ selection: "    Image|endswith:\n      - '\\evil.exe'\n      - '\\good.exe'" }));
    let res = await gate(root, '--corpus', 'corpus');
    let c = check(res.report, 'rules/evil.yml', 'corpus');
    expect(c?.status).toBe('fail');
    expect(c?.details?.join('\n')).toMatch(/good\.exe/);
    expect(res.code).toBe(1);

    write(root, 'known-fps.yml', `known_fps:\n  - rule: ${ID}\n    field: Image\n    value: 'C:\\Program Files\\Tool\\good.exe'\n    reason: our own tool\n`);
    res = await gate(root, '--corpus', 'corpus', '--known-fps', 'known-fps.yml');
    expect(check(res.report, 'rules/evil.yml', 'corpus')?.status).toBe('pass');
    expect(check(res.report, 'rules/evil.yml', 'corpus')?.message).toMatch(/1 accepted as known false positives by/);
    expect(res.code).toBe(0);

    write(root, 'known-fps.yml', `known_fps:\n  - rule: ${ID}\n    field: Image\n    value: 'C:\\Program Files\\Tool\\good.exe'\n    reason: our own tool\n    expires: 2020-01-01\n`);
    res = await gate(root, '--corpus', 'corpus', '--known-fps', 'known-fps.yml');
    c = check(res.report, 'rules/evil.yml', 'corpus');
    expect(c?.status).toBe('fail');
    expect(c?.details?.join('\n')).toMatch(/expired on 2020-01-01/);
    expect(res.report.messages.some((m) => m.code === 'KNOWN_FP_EXPIRED' && m.severity === 'warning' && m.file === 'known-fps.yml')).toBe(true);
    expect(res.code).toBe(1);
  });

  it('fails when the corpus yields zero events', async () => {
    const root = repo();
    write(root, 'empty/none.jsonl', '');
    write(root, 'rules/evil.yml', ruleText({ description: 'Edited.' }));
    const { code, report } = await gate(root, '--corpus', 'empty');
    expect(check(report, 'rules/evil.yml', 'corpus')?.status).toBe('fail');
    expect(check(report, 'rules/evil.yml', 'corpus')?.message).toMatch(/zero events/);
    expect(code).toBe(1);
  });

  it('exits 2 on an unknown base and on a bad --shard', async () => {
    const root = repo();
    const c = io(root);
    expect(await runCli(['gate', '--base', 'no-such-branch'], c)).toBe(2);
    expect(c.stderr).toMatch(/no-such-branch/);
    expect(await runCli(['gate', '--shard', '3/2'], io(root))).toBe(2);
  });

  it("takes its defaults from the config's gate: section (flags win), and exits 2 on a bad config with a located diagnostic", async () => {
    const root = repo();
    // require_tests: all, as the edit is equivalent (only a tag's case changes).
    write(root, 'sigmatest.config.yml', 'gate:\n  min_match: 2\n  require_tests: all\n  corpus: [corpus]\n  severities: { TAG_UPPERCASE: warning }\n');
    write(root, 'rules/evil.yml', ruleText().replace('  - attack.execution', '  - attack.Execution'));
    let res = await gate(root);
    expect(check(res.report, 'rules/evil.yml', 'validate')?.status).toBe('warn');
    expect(check(res.report, 'rules/evil.yml', 'tests')?.message).toMatch(/at least 2 required/);
    expect(check(res.report, 'rules/evil.yml', 'corpus')?.status).toBe('pass');
    res = await gate(root, '--min-match', '1');
    expect(check(res.report, 'rules/evil.yml', 'tests')?.status).toBe('pass');

    write(root, 'sigmatest.config.yml', 'gate:\n  min_match: -1\n  severities: { CONDITION_SYNTAX: off }\n');
    const c = io(root);
    expect(await runCli(['gate', '--base', 'main'], c)).toBe(2);
    expect(c.stderr).toMatch(/sigmatest\.config\.yml:2:14: error CONFIG_INVALID at gate\.min_match: gate\.min_match must be a number from 0 to 1000/);
    expect(c.stderr).toMatch(/sigmatest\.config\.yml:3:17: error CONFIG_INVALID at gate\.severities\.CONDITION_SYNTAX: 'CONDITION_SYNTAX' is not a validation or fuzz code/);
  });

  it('fails validation errors of a changed rule', async () => {
    const root = repo();
    write(root, 'rules/evil.yml', ruleText().replace('  - attack.execution', '  - attack.Execution'));
    const { report } = await gate(root);
    const v = check(report, 'rules/evil.yml', 'validate');
    expect(v?.status).toBe('fail');
    expect(v?.location?.line).toBe(8);
  });

  it('writes JUnit, SARIF and GitHub outputs of the expected shape', async () => {
    const root = repo();
    write(root, 'rules/new.yml', ruleText({ id: ID2, title: 'Wicked tool', selection: "    Image|endswith: '\\wicked.exe'" }));
    const junit = io(root);
    expect(await runCli(['gate', '--base', 'main', '--fuzz-runs', '10', '--reporter', 'junit'], junit)).toBe(1);
    expect(junit.stdout).toMatch(/^<\?xml version="1.0"/);
    expect(junit.stdout).toMatch(/<testcase name="tests" classname="rules\/new.yml"[^>]*>\s*<failure message="0 match case/);
    expect((junit.stdout.match(/<testcase /g) ?? []).length).toBe(7);

    const sarif = io(root);
    await runCli(['gate', '--base', 'main', '--fuzz-runs', '10', '--reporter', 'sarif'], sarif);
    const s = JSON.parse(sarif.stdout) as {
      version: string;
      runs: Array<{ tool: { driver: { name: string; rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }>;
    };
    expect(s.version).toBe('2.1.0');
    const run = s.runs[0];
    expect(run?.tool.driver.name).toBe('sigmatest');
    expect(run?.tool.driver.rules.map((r) => r.id)).toContain('sigmatest/tests');
    const failed = run?.results.find((r) => r.ruleId === 'sigmatest/tests');
    expect(failed?.level).toBe('error');
    expect(failed?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('rules/new.yml');
    // A missing case is no line of its own: the annotation goes to the rule's detection line.
    expect(failed?.locations[0]?.physicalLocation.region.startLine).toBe(13);

    const summary = join(root, 'summary.md');
    process.env['GITHUB_STEP_SUMMARY'] = summary;
    const gh = io(root);
    await runCli(['gate', '--base', 'main', '--fuzz-runs', '10', '--reporter', 'github'], gh);
    expect(gh.stdout).toMatch(/^::error file=rules\/new.yml,line=13,title=sigmatest gate%3A tests::0 match case/m);
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/\| Rule \| Change \| Diff \| validate \| tests/);
    expect(md).toMatch(/\| `rules\/new.yml` \| added \|/);
  });

  it('splits the changed rules into shards and merges the shard reports', async () => {
    const root = repo();
    write(root, 'rules/new.yml', ruleText({ id: ID2, title: 'Wicked tool', selection: "    Image|endswith: '\\wicked.exe'" }));
    write(root, 'rules/evil.yml', ruleText({ description: 'Edited.' }));
    const one = await gate(root, '--shard', '1/2');
    const two = await gate(root, '--shard', '2/2');
    expect(one.report.rules.map((r) => r.path)).toEqual(['rules/evil.yml']);
    expect(two.report.rules.map((r) => r.path)).toEqual(['rules/new.yml']);
    write(root, 'r1.json', JSON.stringify(one.report));
    write(root, 'r2.json', JSON.stringify(two.report));
    const m = io(root);
    const code = await runCli(['merge-reports', 'r2.json', 'r1.json', '--reporter', 'json'], m);
    const merged = JSON.parse(m.stdout) as GateReport;
    expect(merged.rules.map((r) => r.path)).toEqual(['rules/evil.yml', 'rules/new.yml']);
    expect(merged.summary.rules).toBe(2);
    expect(merged.summary.failed).toBe(1);
    expect(code).toBe(1);
    expect(await runCli(['merge-reports'], io(root))).toBe(2);
  });

  it('merge-reports refuses a shard twice, a missing shard and shards of different runs (exit 2, naming them)', async () => {
    const root = repo();
    write(root, 'rules/new.yml', ruleText({ id: ID2, title: 'Wicked tool', selection: "    Image|endswith: '\\wicked.exe'" }));
    write(root, 'rules/evil.yml', ruleText({ description: 'Edited.' }));
    write(root, 'rules/third.yml', ruleText({ id: '7e1b2c33-1d2e-4f5a-9b8c-7d6e5f4a3b22', title: 'Third tool', selection: "    Image|endswith: '\\third.exe'" }));
    for (const k of [1, 2]) write(root, `out/r${k}.json`, JSON.stringify((await gate(root, '--shard', `${k}/2`)).report));
    const merge = async (...files: string[]): Promise<{ code: number; stderr: string; stdout: string }> => {
      const m = io(root);
      const code = await runCli(['merge-reports', ...files, '--reporter', 'json'], m);
      return { code, stderr: m.stderr, stdout: m.stdout };
    };
    const whole = await merge('out/r1.json', 'out/r2.json');
    expect((JSON.parse(whole.stdout) as GateReport).summary.rules).toBe(3);
    expect(whole.code).toBe(1); // the new rules have no cases
    // The same shard twice: before, 4 changed rules were counted for 3.
    let r = await merge('out/r1.json', 'out/r2.json', 'out/r2.json');
    expect(r.stderr).toMatch(/out\/r2\.json and out\/r2\.json both hold rules\/\w+\.yml/);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
    // Shard 1/2 alone: shard 2 may have crashed.
    r = await merge('out/r1.json');
    expect(r.stderr).toMatch(/shard 2\/2 is missing/);
    expect(r.code).toBe(2);
    // A shard of another run: the rules changed in between.
    write(root, 'rules/third.yml', ruleText({ id: '7e1b2c33-1d2e-4f5a-9b8c-7d6e5f4a3b22', title: 'Third tool, edited', selection: "    Image|endswith: '\\third.exe'" }));
    write(root, 'out/r2b.json', JSON.stringify((await gate(root, '--shard', '2/2')).report));
    r = await merge('out/r1.json', 'out/r2b.json');
    expect(r.stderr).toMatch(/out\/r1\.json and out\/r2b\.json come from different runs: their inputs/);
    expect(r.code).toBe(2);
    // Shards of different splits, and an unsharded report among shards.
    write(root, 'out/r1of3.json', JSON.stringify({ ...(JSON.parse(readFileSync(join(root, 'out/r1.json'), 'utf8')) as GateReport), rules: [], shard: { index: 3, count: 3 } }));
    r = await merge('out/r1.json', 'out/r1of3.json');
    expect(r.stderr).toMatch(/shards of different splits/);
    expect(r.code).toBe(2);
  });
});

describe('sigmatest gate --reporter html', () => {
  it('writes the suite site with the gate column and, on the changed rule, its diff and flipped events', async () => {
    const root = repo();
    write(root, 'rules/evil.yml', ruleText({ filter: null }));
    write(root, 'cases/evil.yml', CASES.replace("  - name: safe mode\n    expect: no-match", "  - name: safe mode\n    expect: match"));
    const c = io(root);
    const out = join(root, 'site');
    const code = await runCli(['gate', '--base', 'main', '--fuzz-runs', '10', '--reporter', 'html', '--out', out], c);
    expect(code).toBe(0);
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    expect(index).toMatch(/Gate/);
    expect(index).toMatch(/widened/);
    const page = readFileSync(join(out, 'rules', 'evil.html'), 'utf8');
    expect(page).toMatch(/widened/);
    expect(page).toMatch(/semantic-diff/);
    // A flipped example event: the safe-mode command line that now matches.
    expect(page).toMatch(/-safe/);
    expect(await runCli(['gate', '--base', 'main', '--reporter', 'html'], io(root))).toBe(2);
  });
});

describe('sigmatest gate: deletions and accepted false positives', () => {
  it('reports what a deleted rule gives up, with the base id and its orphaned positive cases', async () => {
    const root = repo();
    rmSync(join(root, 'rules', 'evil.yml'));
    const { report } = await gate(root);
    const r = report.rules[0];
    expect(r?.change).toBe('deleted');
    expect(r?.id).toBe(ID);
    const c = r?.checks.find((x) => x.name === 'semantic-diff');
    expect(c?.status).toBe('warn');
    expect(c?.message).toMatch(/positive case\(s\) in .*cases\/evil\.yml/);
  });
});

describe('sigmatest gate: case files of a pull request read nothing outside the repository', () => {
  it('refuses an events_file leading out: no byte of it in any report, stage expectations and diff examples included', async () => {
    const root = repo();
    const outside = mkdtempSync(join(tmpdir(), 'sigmatest-gate-secret-'));
    temps.push(outside);
    const secret = 'GATE-SECRET-7c9e6679';
    writeFileSync(join(outside, 'token.json'), JSON.stringify({ Image: `C:\\${secret}\\evil.exe`, CommandLine: `${secret} -safe` }) + '\n');
    // The pull request adds cases whose stage expectations would show the file's values, and
    // widens the rule, so that the semantic diff would show case events that now match.
    write(root, 'cases/evil.yml', CASES + `  - name: leak relative\n    expect: no-match\n    stages: {selection: false}\n    events_file: '${'../'.repeat(12)}${outside.slice(1)}/token.json'\n  - name: leak absolute\n    count: {exactly: 0}\n    events_file: ${join(outside, 'token.json')}\n`);
    write(root, 'rules/evil.yml', ruleText({ filter: null }));
    const outputs: string[] = [];
    for (const reporter of ['json', 'text', 'github', 'markdown', 'sarif', 'junit']) {
      const c = io(root);
      const code = await runCli(['gate', '--base', 'main', '--fuzz-runs', '10', '--reporter', reporter], c);
      expect(code, reporter).toBe(1);
      outputs.push(c.stdout, c.stderr);
    }
    const all = outputs.join('\n');
    expect(all).not.toContain(secret);
    const { report } = await gate(root);
    const tests = check(report, 'rules/evil.yml', 'tests');
    expect(tests?.status).toBe('fail');
    expect(tests?.details?.join('\n')).toMatch(/leak relative' error: case 'leak relative': events_file .* leads out of/);
    expect(tests?.details?.join('\n')).toMatch(/leak absolute' error: .*is an absolute path/);
  });
});

describe('sigmatest gate: correlations and filters', () => {
  const CORRELATION = `title: Evil tool burst
id: 7a1c2d3e-4f50-4617-8829-3a4b5c6d7e81
correlation:
  type: event_count
  rules: [${ID}]
  group-by: [User]
  timespan: 5m
  condition: {gte: 2}
  generate: true
level: high
`;
  const ev = (user: string, t: string): string => `      - {Image: 'C:\\Users\\bob\\evil.exe', CommandLine: 'evil.exe -run', User: ${user}, timestamp: '2024-01-15T10:${t}Z'}\n`;
  const correlationCases = (expectBurst: number): string =>
    `rule: ../rules/burst.yml\ncases:\n  - name: burst of eve\n    events:\n${ev('eve', '00:00')}${ev('eve', '01:00')}${ev('bob', '02:00')}    alerts: {exactly: ${expectBurst}, groups: [{User: eve}]}\n  - name: far apart\n    events:\n${ev('eve', '00:00')}${ev('eve', '30:00')}    alerts: {exactly: 0}\n`;

  it('checks a changed correlation: its document, its cases and coverage, and the cases of the rule it refers to', async () => {
    const root = repo();
    write(root, 'rules/burst.yml', CORRELATION);
    write(root, 'cases/burst.yml', correlationCases(1));
    const ok = await gate(root);
    const row = ok.report.rules.find((r) => r.path === 'rules/burst.yml');
    expect([row?.title, row?.change, row?.status], JSON.stringify(row)).toEqual(['Evil tool burst', 'added', 'pass']);
    expect(check(ok.report, 'rules/burst.yml', 'validate')?.status).toBe('pass');
    const tests = check(ok.report, 'rules/burst.yml', 'tests');
    expect(tests?.status).toBe('pass');
    expect(tests?.message).toBe('2 correlation case(s) pass (1 alerting, 1 quiet); the 1 rule(s) it refers to pass their cases');
    expect(tests?.details).toEqual(["rule 'Evil tool execution' (rules/evil.yml): 3 of 3 case(s) pass, coverage 100%"]);
    expect(check(ok.report, 'rules/burst.yml', 'coverage')?.message).toMatch(/^\d+% \(no minimum set\)$/);
    expect(ok.code).toBe(0);

    // A wrong expectation fails the correlation's tests, with the case named.
    write(root, 'cases/burst.yml', correlationCases(2));
    const bad = await gate(root);
    const t = check(bad.report, 'rules/burst.yml', 'tests');
    expect(t?.status).toBe('fail');
    expect(t?.message).toMatch(/^1 of 2 correlation case\(s\) fail/);
    expect(t?.details?.[0]).toMatch(/^cases\/burst\.yml:\d+: case 'burst of eve' fail/);
    expect(bad.code).toBe(1);

    // A failing case of the rule it refers to (unchanged itself) fails the correlation's tests too.
    write(root, 'cases/burst.yml', correlationCases(1));
    write(root, 'cases/evil.yml', CASES.replace("CommandLine: 'evil.exe -safe'", "CommandLine: 'evil.exe -fast'"));
    const referred = await gate(root);
    const rt = check(referred.report, 'rules/burst.yml', 'tests');
    expect(rt?.status).toBe('fail');
    expect(rt?.message).toBe("rule 'Evil tool execution' (rules/evil.yml): 1 of 3 case(s) fail");
    expect(rt?.details?.join('\n')).toMatch(/case 'safe mode' fail/);
  });

  it('fails a changed correlation whose reference resolves to nothing, located in its file', async () => {
    const root = repo();
    write(root, 'rules/burst.yml', CORRELATION.replace(`rules: [${ID}]`, 'rules: [no_such_rule]'));
    const { code, report } = await gate(root);
    const v = check(report, 'rules/burst.yml', 'validate');
    expect(v?.status).toBe('fail');
    expect(v?.details?.[0]).toMatch(/^line 5: error CORRELATION_RULE_UNKNOWN at correlation\.rules\[0\]/);
    expect(v?.location).toEqual({ file: 'rules/burst.yml', line: 5, column: 11 });
    expect(check(report, 'rules/burst.yml', 'tests')?.status).toBe('fail');
    expect(code).toBe(1);
  });

  const FILTER = (selection: string): string => `title: Admin accounts
logsource:
  category: process_creation
  product: windows
filter:
  rules: [${ID}]
  selection:
${selection}
  condition: not selection
`;

  it('checks a changed filter through the rules it names: their cases with the filter composed, and fuzzing', async () => {
    const root = repo();
    write(root, 'rules/filters/admins.yml', FILTER("    User|startswith: 'adm_'"));
    const ok = await gate(root);
    const row = ok.report.rules.find((r) => r.path === 'rules/filters/admins.yml');
    expect([row?.title, row?.change, row?.status]).toEqual(['Admin accounts', 'added', 'pass']);
    expect(check(ok.report, 'rules/filters/admins.yml', 'tests')?.message).toBe('the 1 rule(s) it applies to pass their cases with the filter');
    expect(check(ok.report, 'rules/filters/admins.yml', 'fuzz')?.status).toBe('pass');
    expect(ok.code).toBe(0);

    // A filter that removes every event of the rule: its positive case fails and the fuzzer says why.
    write(root, 'rules/filters/admins.yml', FILTER("    Image|endswith: '\\evil.exe'"));
    const bad = await gate(root);
    const t = check(bad.report, 'rules/filters/admins.yml', 'tests');
    expect(t?.status).toBe('fail');
    expect(t?.details?.join('\n')).toMatch(/case 'evil runs' fail/);
    const f = check(bad.report, 'rules/filters/admins.yml', 'fuzz');
    expect(f?.status).toBe('fail');
    expect(f?.message).toMatch(/FILTER_SUPPRESSES_ALL in 'Evil tool execution'/);
    expect(bad.code).toBe(1);
  });
});

describe('sigmatest gate checks the whole change (case files, orphans, renames)', () => {
  /** A second, unrelated rule on main with its own cases (never touched by the branch's rule edits). */
  const OTHER_CASES = `rule: ${ID2}
cases:
  - name: other evil runs
    expect: match
    event:
      Image: 'C:\\Users\\bob\\other.exe'
  - name: benign
    expect: no-match
    event:
      Image: 'C:\\Windows\\notepad.exe'
`;
  function repo2(): string {
    const root = repo();
    sh(root, 'checkout', '-q', 'main');
    write(root, 'rules/other.yml', ruleText({ id: ID2, title: 'Other tool', selection: "    Image|endswith: '\\other.exe'", filter: null }));
    write(root, 'cases/other.yml', OTHER_CASES);
    commitAll(root, 'other');
    sh(root, 'checkout', '-q', 'feature');
    sh(root, 'reset', '-q', '--hard', 'main');
    return root;
  }

  it('a case of an unchanged rule flipped from match to no-match: tests-weakened fails at the case line (exit 1)', async () => {
    const root = repo2();
    write(root, 'cases/other.yml', OTHER_CASES.replace('expect: match', 'expect: no-match'));
    const { code, report } = await gate(root);
    expect(report.rules.map((r) => [r.path, r.change])).toEqual([['rules/other.yml', 'unchanged']]);
    expect(report.rules[0]?.caseFiles).toEqual(['cases/other.yml']);
    const w = check(report, 'rules/other.yml', 'tests-weakened');
    expect(w?.status).toBe('fail');
    expect(w?.message).toMatch(/case 'other evil runs' was flipped from match to no-match though the rule did not change/);
    expect(w?.location).toEqual({ file: 'cases/other.yml', line: 3 });
    // The flipped case also fails as a case (the rule still matches it).
    expect(check(report, 'rules/other.yml', 'tests')?.status).toBe('fail');
    expect(code).toBe(1);
  });

  it('a positive case removed, or the whole case file deleted, of an unchanged rule: tests-weakened (exit 1)', async () => {
    const root = repo2();
    write(root, 'cases/other.yml', OTHER_CASES.replace(/ {2}- name: other evil runs\n(.*\n){3}/, ''));
    let r = await gate(root);
    expect(check(r.report, 'rules/other.yml', 'tests-weakened')?.message).toMatch(/positive case 'other evil runs' .* was removed/);
    expect(r.code).toBe(1);
    rmSync(join(root, 'cases', 'other.yml'));
    r = await gate(root);
    expect(r.report.rules.map((x) => [x.path, x.change])).toEqual([['rules/other.yml', 'unchanged']]);
    const w = check(r.report, 'rules/other.yml', 'tests-weakened');
    expect(w?.status).toBe('fail');
    // The case file is gone: the annotation goes to the rule's detection line.
    expect(w?.location).toEqual({ file: 'rules/other.yml', line: 13 });
    expect(r.code).toBe(1);
  });

  it('a positive case renamed (same events) or moved to another case file is no weakening (exit 0); renamed with other events it is', async () => {
    const root = repo2();
    write(root, 'cases/other.yml', OTHER_CASES.replace('name: other evil runs', 'name: other.exe from a user folder'));
    let r = await gate(root);
    let w = check(r.report, 'rules/other.yml', 'tests-weakened');
    expect(w?.status).toBe('pass');
    expect(w?.details).toEqual(["positive case 'other evil runs' was renamed 'other.exe from a user folder' (same events)"]);
    expect(r.code).toBe(0);
    // Moved to a case file of its own.
    write(root, 'cases/other.yml', OTHER_CASES.replace(/ {2}- name: other evil runs\n(.*\n){3}/, ''));
    write(root, 'cases/other-more.yml', `rule: ${ID2}\ncases:\n  - name: moved\n    expect: match\n    event:\n      Image: 'C:\\Users\\bob\\other.exe'\n`);
    r = await gate(root);
    expect(check(r.report, 'rules/other.yml', 'tests-weakened')?.details).toEqual(["positive case 'other evil runs' was renamed 'moved' (same events)"]);
    expect(r.code).toBe(0);
    rmSync(join(root, 'cases', 'other-more.yml'));
    // Renamed and its event changed: the base case's event is no longer a positive case.
    write(root, 'cases/other.yml', OTHER_CASES.replace('name: other evil runs', 'name: renamed').replace('C:\\Users\\bob\\other.exe', 'C:\\Users\\eve\\other.exe'));
    r = await gate(root);
    w = check(r.report, 'rules/other.yml', 'tests-weakened');
    expect(w?.status).toBe('fail');
    expect(w?.message).toMatch(/positive case 'other evil runs' .* was removed/);
    expect(r.code).toBe(1);
  });

  it('adding a case to an unchanged rule is checked and passes (exit 0); a failing new case fails (exit 1)', async () => {
    const root = repo2();
    write(root, 'cases/other.yml', OTHER_CASES + "  - name: another\n    expect: match\n    event:\n      Image: 'D:\\other.exe'\n");
    let r = await gate(root);
    expect(r.report.rules.map((x) => [x.path, x.change, x.status])).toEqual([['rules/other.yml', 'unchanged', 'pass']]);
    expect(check(r.report, 'rules/other.yml', 'tests-weakened')?.status).toBe('pass');
    expect(r.code).toBe(0);
    write(root, 'cases/other.yml', OTHER_CASES + "  - name: another\n    expect: match\n    event:\n      Image: 'D:\\notother.com'\n");
    r = await gate(root);
    expect(check(r.report, 'rules/other.yml', 'tests')?.status).toBe('fail');
    expect(r.code).toBe(1);
  });

  it('a deleted rule whose case file stays: the case file is orphaned (GATE_CASE_ORPHANED, exit 1); both deleted: exit 0', async () => {
    const root = repo2();
    rmSync(join(root, 'rules', 'other.yml'));
    let r = await gate(root);
    const orphan = r.report.messages.find((m) => m.code === 'GATE_CASE_ORPHANED');
    expect(orphan).toMatchObject({ severity: 'error', file: 'cases/other.yml', line: 1 });
    expect(r.report.summary.ok).toBe(false);
    expect(r.code).toBe(1);
    rmSync(join(root, 'cases', 'other.yml'));
    r = await gate(root);
    expect(r.report.rules.map((x) => [x.path, x.change])).toEqual([['rules/other.yml', 'deleted']]);
    expect(r.report.messages.filter((m) => m.code === 'GATE_CASE_ORPHANED')).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('a new case file naming no rule fails; an orphan older than the change is only a warning', async () => {
    const root = repo2();
    write(root, 'cases/typo.yml', OTHER_CASES.replace(ID2, '00000000-0000-4000-8000-000000000000'));
    let r = await gate(root);
    expect(r.report.messages.find((m) => m.code === 'GATE_CASE_ORPHANED')).toMatchObject({ severity: 'error', file: 'cases/typo.yml' });
    expect(r.code).toBe(1);
    commitAll(root, 'typo');
    sh(root, 'branch', '-f', 'main', 'HEAD');
    write(root, 'rules/evil.yml', ruleText({ description: 'Reworded.' }));
    r = await gate(root);
    expect(r.report.messages.find((m) => m.code === 'GATE_CASE_ORPHANED')).toMatchObject({ severity: 'warning', file: 'cases/typo.yml' });
    expect(r.code).toBe(0);
  });

  it('a pure rename and an equivalent edit of a legacy rule without cases pass; --require-tests all and the config make them fail', async () => {
    const root = repo2();
    rmSync(join(root, 'cases', 'other.yml'));
    commitAll(root, 'a legacy rule: no cases');
    sh(root, 'branch', '-f', 'main', 'HEAD');
    sh(root, 'mv', 'rules/other.yml', 'rules/other-renamed.yml');
    let r = await gate(root);
    expect(r.report.rules.map((x) => [x.path, x.change, x.diff])).toEqual([['rules/other-renamed.yml', 'renamed', 'equivalent']]);
    const tests = check(r.report, 'rules/other-renamed.yml', 'tests');
    expect(tests?.status).toBe('pass');
    expect(tests?.message).toMatch(/renamed, equivalent: no minimum number of cases required/);
    expect(r.code).toBe(0);
    r = await gate(root, '--require-tests', 'all');
    expect(check(r.report, 'rules/other-renamed.yml', 'tests')?.message).toMatch(/0 match case\(s\), at least 1 required/);
    expect(r.code).toBe(1);
    write(root, 'sigmatest.config.yml', 'gate:\n  require_tests: all\n');
    expect((await gate(root)).code).toBe(1);
    rmSync(join(root, 'sigmatest.config.yml'));
    // An equivalent edit passes; a widening edit of the same legacy rule needs cases.
    sh(root, 'mv', 'rules/other-renamed.yml', 'rules/other.yml');
    write(root, 'rules/other.yml', ruleText({ id: ID2, title: 'Other tool', description: 'Reworded.', selection: "    Image|endswith: '\\other.exe'", filter: null }));
    r = await gate(root);
    expect(r.report.rules.map((x) => [x.change, x.diff, x.status])).toEqual([['modified', 'equivalent', 'pass']]);
    expect(r.code).toBe(0);
    write(root, 'rules/other.yml', ruleText({ id: ID2, title: 'Other tool', selection: "    Image|endswith: ['\\other.exe', '\\other2.exe']", filter: null }));
    r = await gate(root);
    expect(r.report.rules.map((x) => [x.change, x.diff])).toEqual([['modified', 'widened']]);
    expect(check(r.report, 'rules/other.yml', 'tests')?.status).toBe('fail');
    expect(r.code).toBe(1);
  });

  it('a flipped case that the rule change explains passes tests-weakened; the same flip with an unrelated edit fails', async () => {
    const root = repo();
    // The rule now also excludes ' -run': the base positive case 'evil runs' no longer matches, and
    // the author flips it to no-match.
    const flipped = CASES.replace('expect: match', 'expect: no-match').replace('  - name: other tool', "  - name: evil ok\n    expect: match\n    event:\n      Image: 'C:\\Users\\bob\\evil.exe'\n      CommandLine: 'evil.exe -go'\n  - name: other tool");
    write(root, 'cases/evil.yml', flipped);
    write(root, 'rules/evil.yml', ruleText({ filter: "    CommandLine|contains: [' -safe', ' -run']\n" }));
    let r = await gate(root);
    const w = check(r.report, 'rules/evil.yml', 'tests-weakened');
    expect(w?.status).toBe('pass');
    expect(w?.message).toMatch(/1 positive case\(s\) removed or flipped, each explained by the rule change/);
    expect(check(r.report, 'rules/evil.yml', 'semantic-diff')?.status).toBe('warn');
    expect(r.code).toBe(0);
    write(root, 'rules/evil.yml', ruleText({ description: 'Reworded.' }));
    r = await gate(root);
    expect(check(r.report, 'rules/evil.yml', 'tests-weakened')?.status).toBe('fail');
    expect(r.code).toBe(1);
  });
});

describe('sigmatest gate annotations land on the changed lines', () => {
  it('a widened legacy rule without cases: tests fail at the changed detection line in JSON, GitHub and SARIF', async () => {
    const root = repo();
    rmSync(join(root, 'cases', 'evil.yml'));
    commitAll(root, 'legacy: no cases');
    sh(root, 'branch', '-f', 'main', 'HEAD');
    // Line 15 is the selection's value (line 13 is detection:).
    write(root, 'rules/evil.yml', ruleText({ selection: "    Image|endswith: ['\\evil.exe', '\\evil64.exe']" }));
    const { code, report } = await gate(root);
    expect(report.rules[0]?.diff).toBe('widened');
    expect(report.rules[0]?.line).toBe(15);
    expect(check(report, 'rules/evil.yml', 'tests')?.location).toEqual({ file: 'rules/evil.yml', line: 15 });
    expect(code).toBe(1);
    const gh = io(root);
    expect(await runCli(['gate', '--base', 'main', '--fuzz-runs', '10', '--reporter', 'github'], gh)).toBe(1);
    expect(gh.stdout).toMatch(/^::error file=rules\/evil\.yml,line=15,title=sigmatest gate%3A tests::0 match case/m);
    const sarif = io(root);
    await runCli(['gate', '--base', 'main', '--fuzz-runs', '10', '--reporter', 'sarif'], sarif);
    const doc = JSON.parse(sarif.stdout) as { runs: Array<{ tool: { driver: Record<string, unknown> }; results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }> };
    const tests = doc.runs[0]?.results.find((r) => r.ruleId === 'sigmatest/tests');
    expect(tests?.locations[0]?.physicalLocation.region.startLine).toBe(15);
    // No informationUri naming another project (it used to name SigmaHQ's rule repository).
    expect(doc.runs[0]?.tool.driver['informationUri']).toBeUndefined();
  });

  it('a change outside the detection (description) points at the detection line', async () => {
    const root = repo();
    rmSync(join(root, 'cases', 'evil.yml'));
    commitAll(root, 'legacy: no cases');
    sh(root, 'branch', '-f', 'main', 'HEAD');
    write(root, 'rules/evil.yml', ruleText({ description: 'Reworded.' }));
    const { report } = await gate(root, '--require-tests', 'all');
    expect(check(report, 'rules/evil.yml', 'tests')?.location).toEqual({ file: 'rules/evil.yml', line: 13 });
  });

  it('--reporter github --out f: the annotations still go to stdout, the file gets the Markdown summary', async () => {
    const root = repo();
    write(root, 'rules/new.yml', ruleText({ id: ID2, title: 'Wicked tool', selection: "    Image|endswith: '\\wicked.exe'" }));
    const c = io(root);
    expect(await runCli(['gate', '--base', 'main', '--fuzz-runs', '10', '--reporter', 'github', '--out', 'summary.md'], c)).toBe(1);
    expect(c.stdout).toMatch(/^::error file=rules\/new\.yml,line=13,/m);
    const md = readFileSync(join(root, 'summary.md'), 'utf8');
    expect(md).not.toMatch(/^::/m);
    expect(md).toMatch(/rules\/new\.yml/);
    expect(c.stderr).toMatch(/summary \(markdown\) written to summary\.md/);
  });
});
