/**
 * End-to-end tests of the CLI through runCli with captured output: eval's JSON lines, error
 * lines and exit codes, --help of every command, and regression on a temporary repository.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from './main.js';
import { captureIo } from '../../test/capture-io.js';

const capture = () => captureIo();

const RULE = `title: Whoami
id: 11111111-2222-4333-8444-555555555555
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\whoami.exe'
    condition: sel
`;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sigmatest-cli-'));
}

describe('sigmatest eval', () => {
  it('--dump-js prints each rule\'s generated code with the legend of its data; --verbose reports compilation', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'r.yml'), RULE);
    const dump = capture();
    expect(await runCli(['eval', join(d, 'r.yml'), '--dump-js'], dump)).toBe(0);
    expect(dump.stdout()).toContain('return function match(e)');
    expect(dump.stdout()).toMatch(/\/\/ d\[\d+\] = "\\\\whoami\.exe"/);
    writeFileSync(join(d, 'e.jsonl'), '{"Image": "C:\\\\x\\\\whoami.exe"}\n');
    const verbose = capture();
    expect(await runCli(['eval', join(d, 'r.yml'), '--events', join(d, 'e.jsonl'), '--verbose'], verbose)).toBe(0);
    expect(verbose.stderr()).toContain('1 of 1 rules compiled, 1 indexed by needles');
    expect(verbose.stdout()).toContain('"eventNumber":0');
  });

  it('prints one JSON line per match, numbering events across files', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'r.yml'), RULE);
    writeFileSync(join(d, 'a.jsonl'), '{"Image": "C:\\\\Windows\\\\System32\\\\whoami.exe"}\n{"Image": "x"}\n');
    writeFileSync(join(d, 'b.json'), '[{"Image": "x"}, {"Image": "D:\\\\WHOAMI.EXE"}]');
    const io = capture();
    const code = await runCli(['eval', join(d, 'r.yml'), '--events', join(d, 'a.jsonl'), join(d, 'b.json')], io);
    expect(code).toBe(0);
    const lines = io.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { rule: '11111111-2222-4333-8444-555555555555', path: join(d, 'r.yml'), file: join(d, 'a.jsonl'), index: 0, line: 1, eventNumber: 0 },
      { rule: '11111111-2222-4333-8444-555555555555', path: join(d, 'r.yml'), file: join(d, 'b.json'), index: 1, line: 1, eventNumber: 3 },
    ]);
    expect(io.stderr()).toMatch(/1 rules loaded, 4 events, 2 matches/);
  });

  it('reports a rule that cannot be loaded as a JSON line with code, line and column, evaluates the rest, exits 2', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'good.yml'), RULE);
    writeFileSync(join(d, 'bad.yml'), RULE.replace("Image|endswith", 'Image|endwith').replace('11111111', '21111111'));
    writeFileSync(join(d, 'e.jsonl'), '{"Image": "C:\\\\whoami.exe"}\n');
    const io = capture();
    const code = await runCli(['eval', d, '--events', join(d, 'e.jsonl')], io);
    expect(code).toBe(2);
    const lines = io.stdout().trim().split('\n').map((l) => JSON.parse(l) as { path: string; error?: { code: string; line: number; column: number; message: string }; rule?: string });
    const err = lines.find((l) => l.error !== undefined);
    expect(err?.path).toBe(join(d, 'bad.yml'));
    expect(err?.error).toMatchObject({ code: 'MODIFIER_UNKNOWN', line: 6, column: 9 });
    expect(err?.error?.message).toMatch(/endwith/);
    expect(lines.filter((l) => l.rule !== undefined)).toHaveLength(1);
  });

  it('exits 2 on an invalid event file and still evaluates the valid one', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'r.yml'), RULE);
    writeFileSync(join(d, 'bad.jsonl'), '{"Image": \n');
    writeFileSync(join(d, 'ok.jsonl'), '{"Image": "whoami.exe\\\\whoami.exe"}\n');
    const io = capture();
    const code = await runCli(['eval', join(d, 'r.yml'), '--events', join(d, 'bad.jsonl'), join(d, 'ok.jsonl')], io);
    expect(code).toBe(2);
    expect(io.stdout()).toMatch(/"eventNumber":0/);
    expect(io.stderr()).toMatch(/bad\.jsonl:\d+:\d+: error EVENT_INVALID_JSON/);
  });

  it('applies the logsource only with --logsource map', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'r.yml'), RULE);
    writeFileSync(join(d, 'e.jsonl'), '{"EventID": 13, "Channel": "Microsoft-Windows-Sysmon/Operational", "Image": "a\\\\whoami.exe"}\n');
    const ignore = capture();
    await runCli(['eval', join(d, 'r.yml'), '--events', join(d, 'e.jsonl')], ignore);
    expect(ignore.stdout()).toMatch(/"eventNumber":0/);
    const map = capture();
    await runCli(['eval', join(d, 'r.yml'), '--events', join(d, 'e.jsonl'), '--logsource', 'map'], map);
    expect(map.stdout()).toBe('');
  });

  it('bounds a catastrophic regex and names the rule and the pattern', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'r.yml'), RULE.replace("Image|endswith: '\\whoami.exe'", () => "CommandLine|re: '^(a+)+$'"));
    writeFileSync(join(d, 'e.jsonl'), `${JSON.stringify({ CommandLine: `${'a'.repeat(5000)}!` })}\n`);
    const io = capture();
    const code = await runCli(['eval', join(d, 'r.yml'), '--events', join(d, 'e.jsonl')], io);
    expect(io.stdout()).toBe('');
    expect(code).toBe(0);
    expect(io.stderr()).toMatch(/r\.yml:\d+:\d+: warning REGEX_BACKTRACKING_RISK .*\(a\+\)\+/);
  });
});

describe('sigmatest eval with correlation documents', () => {
  it('loads a multi-document file, evaluates its detection rule and says the correlation is left to scan and run', async () => {
    const d = tempDir();
    const correlation = `title: Many whoami
correlation:
    type: event_count
    rules: [11111111-2222-4333-8444-555555555555]
    group-by: [Computer]
    timespan: 5m
    condition: {gte: 3}
`;
    writeFileSync(join(d, 'multi.yml'), `${RULE}---\n${correlation}`);
    writeFileSync(join(d, 'e.jsonl'), '{"Image": "C:\\\\whoami.exe"}\n');
    const io = capture();
    const code = await runCli(['eval', join(d, 'multi.yml'), '--events', join(d, 'e.jsonl')], io);
    expect(code).toBe(0);
    expect(io.stdout()).toMatch(/"eventNumber":0/);
    expect(io.stderr()).toMatch(/multi\.yml: correlation 'Many whoami' is not evaluated by eval, which matches single events: use sigmatest scan or run/);
  });
});

describe('sigmatest events', () => {
  it('prints flattened EVTX-JSON events as JSON lines', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'e.json'), JSON.stringify({ Event: { System: { EventID: 13, Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } } }, EventData: { 'Target Object': 'HKLM\\x' } } }));
    const io = capture();
    expect(await runCli(['events', join(d, 'e.json')], io)).toBe(0);
    expect(JSON.parse(io.stdout())).toEqual({ EventID: 13, Provider_Name: 'Microsoft-Windows-Sysmon', TargetObject: 'HKLM\\x' });
  });
  it('exits 2 on a file that is not EVTX', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'x.evtx'), 'not an evtx file at all');
    const io = capture();
    expect(await runCli(['events', join(d, 'x.evtx')], io)).toBe(2);
    expect(io.stderr()).toMatch(/EVTX_NOT_EVTX/);
  });
});

describe('sigmatest --help', () => {
  it.each(['run', 'eval', 'regression', 'events', 'mutate'])('%s --help prints usage and exits 0', async (cmd) => {
    const io = capture();
    expect(await runCli([cmd, '--help'], io)).toBe(0);
    expect(io.stdout()).toMatch(new RegExp(`^Usage: sigmatest ${cmd}`));
  });
  it('an unknown command or option is a usage error (exit 2)', async () => {
    const io = capture();
    expect(await runCli(['nope'], io)).toBe(2);
    expect(await runCli(['eval', '--bogus'], io)).toBe(2);
    expect(io.stderr()).toMatch(/unknown command 'nope'/);
  });
});

describe('sigmatest regression', () => {
  it('runs info.yml tests, reports counts and missing data', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'rules'), { recursive: true });
    mkdirSync(join(root, 'regression_data', 'r1'), { recursive: true });
    writeFileSync(join(root, 'rules', 'r1.yml'), `${RULE}regression_tests_path: regression_data/r1/info.yml\n`);
    writeFileSync(
      join(root, 'rules', 'r2.yml'),
      `${RULE.replace('11111111', '31111111')}regression_tests_path: regression_data/r2/info.yml\n`,
    );
    writeFileSync(
      join(root, 'regression_data', 'r1', 'info.yml'),
      'regression_tests_info:\n  - name: Positive\n    type: evtx\n    match_count: 2\n    path: regression_data/r1/e.evtx\n',
    );
    writeFileSync(join(root, 'regression_data', 'r1', 'e.json'), '{"Event": {"System": {"EventID": 1, "Channel": "x"}, "EventData": {"Image": "C:\\\\whoami.exe"}}}\n{"Image": "b\\\\whoami.exe"}\n');
    const io = capture();
    const code = await runCli(['regression', root, '--reporter', 'json'], io);
    const report = JSON.parse(io.stdout()) as { results: Array<Record<string, unknown>>; summary: Record<string, number> };
    expect(report.results).toContainEqual(expect.objectContaining({ path: 'rules/r1.yml', status: 'pass', expected: 2, actual: 2, test: 'Positive' }));
    expect(report.results).toContainEqual(expect.objectContaining({ path: 'rules/r2.yml', status: 'missing-data' }));
    expect(code).toBe(0);
    const strict = capture();
    expect(await runCli(['regression', root, '--require-data'], strict)).toBe(1);
  });

  it('fails (exit 1) when a rule matches fewer events than match_count', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'rules'));
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'rules', 'r.yml'), `${RULE}regression_tests_path: data/info.yml\n`);
    writeFileSync(join(root, 'data', 'info.yml'), 'regression_tests_info:\n  - name: T\n    match_count: 1\n    path: data/e.json\n');
    writeFileSync(join(root, 'data', 'e.json'), '{"Image": "notepad.exe"}');
    const io = capture();
    expect(await runCli(['regression', root], io)).toBe(1);
    expect(io.stdout()).toMatch(/FAIL .*expected ≥ 1, got 0/);
  });
});

describe('sigmatest commands', () => {
  it('loads each command on demand under the name of its spec', async () => {
    for (const c of COMMANDS) expect((await c.load()).spec.name).toBe(c.name);
    const io = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const c of COMMANDS) expect(io.stdout()).toContain(`  ${c.name} `);
    const unknown = capture();
    expect(await runCli(['nope'], unknown)).toBe(2);
    expect(unknown.stderr()).toContain("unknown command 'nope'");
  });
});
