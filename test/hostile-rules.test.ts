/**
 * The reproductions of issue 23 part A (matching and loading) through the commands: each ends in
 * seconds (the test timeout bounds them; they ran for minutes or past 4 GB before) with a located
 * diagnostic naming the limit, or the right result, and the good rules and events beside them are
 * still processed. Unit-level tests sit next to the code: sigma/wildcard.test.ts,
 * sigma/regex.test.ts, sigma/linear-regex.test.ts, yaml/yaml-tree.test.ts,
 * condition/parse-condition.test.ts, plan/build-matcher.test.ts, compile/rule-index.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { captureIo } from './capture-io.js';
import { REPO_ROOT } from './support/dist.js';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-hostile-rules-'));
  temps.push(d);
  return d;
}

function write(d: string, p: string, text: string): string {
  mkdirSync(dirname(join(d, p)), { recursive: true });
  writeFileSync(join(d, p), text);
  return join(d, p);
}

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ cwd });
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';
const event = (fields: Record<string, unknown>): string => JSON.stringify({ Channel: SYSMON, EventID: 1, ...fields });

/** A process-creation rule with the given detection lines (indented under `detection:`). */
function rule(id: string, detection: string, extra = ''): string {
  return `title: Rule ${id.slice(0, 8)}\nid: ${id}\nstatus: test\nlogsource: {category: process_creation, product: windows}\n${extra}detection:\n${detection}\nlevel: low\n`;
}
const GOOD_ID = '0a0a0a0a-0000-4000-8000-000000000001';
const GOOD = rule(GOOD_ID, "  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel");
const WHOAMI = event({ Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all' });

/** Nine levels of nine aliases (387 million nodes expanded) in about 700 bytes, indented. */
function aliasBomb(indent: string): string {
  const names = 'abcdefghi';
  const lines = [`${indent}a: &a ["x","x","x","x","x","x","x","x","x"]`];
  for (let k = 1; k < names.length; k++) lines.push(`${indent}${names[k]}: &${names[k]} [${Array(9).fill(`*${names[k - 1]}`).join(',')}]`);
  return lines.join('\n');
}

describe('matching time linear in the event, whatever the pattern', () => {
  it("'*a*a*a*a*a*b' against 200 a's (past 120 s in eval and scan) and against 200,000", async () => {
    const d = project();
    write(d, 'rules/stars.yml', rule('0a0a0a0a-0000-4000-8000-000000000002', "  sel:\n    CommandLine: '*a*a*a*a*a*b'\n  condition: sel"));
    write(d, 'events.jsonl', [event({ CommandLine: 'a'.repeat(200) }), event({ CommandLine: 'a'.repeat(200_000) }), event({ CommandLine: `${'a'.repeat(200_000)}b` })].join('\n'));
    const e = await cli(d, 'eval', 'rules', '--events', 'events.jsonl');
    expect(e.out.trim().split('\n').map((l) => (JSON.parse(l) as { eventNumber: number }).eventNumber)).toEqual([2]);
    const s = await cli(d, 'scan', '--rules', 'rules', '--events', 'events.jsonl');
    expect([s.code, s.out.trim().split('\n').length]).toEqual([0, 1]);
  });

  it.skipIf(!existsSync(join(REPO_ROOT, '../shared/corpus/sigmahq')))("SigmaHQ's crackmapexec rule on its crafted 33 KB command line (66 s) ends at once", async () => {
    const d = project();
    const ruleFile = join(REPO_ROOT, '../shared/corpus/sigmahq/rules/windows/process_creation/proc_creation_win_hktl_crackmapexec_execution_patterns.yml');
    const crafted = `cmd.exe /C ${' > \\Temp\\'.repeat(3000)}`;
    write(d, 'events.jsonl', [event({ Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: crafted }), event({ Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: `${crafted} 2>&1` })].join('\n'));
    const t0 = Date.now();
    const e = await cli(d, 'eval', ruleFile, '--events', 'events.jsonl');
    // The second event is a real match: `cmd.exe /C * > *\Temp\* 2>&1`.
    expect(e.out.trim().split('\n').map((l) => (JSON.parse(l) as { eventNumber: number }).eventNumber)).toEqual([1]);
    const s = await cli(d, 'scan', '--rules', ruleFile, '--events', 'events.jsonl');
    expect([s.code, s.out.trim().split('\n').length]).toEqual([0, 1]);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it("'|re: (a|aa){16,}b' on 48 a's (past 120 s) and a 25 KB |re of (a|b) × 5,000 (a stack overflow at match time)", async () => {
    const d = project();
    write(d, 'rules/alt.yml', rule('0a0a0a0a-0000-4000-8000-000000000003', "  sel:\n    CommandLine|re: '(a|aa){16,}b'\n  condition: sel"));
    write(d, 'rules/long.yml', rule('0a0a0a0a-0000-4000-8000-000000000004', `  sel:\n    CommandLine|re: '${'(a|b)'.repeat(5000)}'\n  condition: sel`));
    write(d, 'events.jsonl', [event({ CommandLine: 'a'.repeat(48) }), event({ CommandLine: `${'a'.repeat(48)}b` }), event({ CommandLine: 'ab'.repeat(3000) })].join('\n'));
    const e = await cli(d, 'eval', 'rules', '--events', 'events.jsonl');
    expect(e.err).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(e.out.trim().split('\n').map((l) => JSON.parse(l) as { path: string; eventNumber: number }).map((m) => [m.path, m.eventNumber])).toEqual([
      [join('rules', 'alt.yml'), 1],
      [join('rules', 'long.yml'), 2],
    ]);
  });
});

describe('limits by design: the bad rule is a located diagnostic naming its limit, the good ones go on', () => {
  const hostile = (d: string): Record<string, string> => ({
    'rules/good.yml': GOOD,
    'rules/bomb-top.yml': `${rule('0a0a0a0a-0000-4000-8000-000000000010', "  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel")}${aliasBomb('')}\n`,
    'rules/bomb-detection.yml': rule('0a0a0a0a-0000-4000-8000-000000000011', `${aliasBomb('  ')}\n  sel:\n    CommandLine|contains: *i\n  condition: sel`),
    'rules/parens.yml': rule('0a0a0a0a-0000-4000-8000-000000000012', `  sel:\n    Image: x\n  condition: ${'('.repeat(3000)}sel${')'.repeat(3000)}`),
    'rules/nots.yml': rule('0a0a0a0a-0000-4000-8000-000000000013', `  sel:\n    Image: x\n  condition: ${'not '.repeat(5000)}sel`),
    'rules/b64.yml': rule('0a0a0a0a-0000-4000-8000-000000000014', `  sel:\n    CommandLine${'|base64offset'.repeat(14)}|contains: '${'x'.repeat(200)}'\n  condition: sel`),
    'rules/expand.yml': rule('0a0a0a0a-0000-4000-8000-000000000015', `  sel:\n    User|expand: '${'%a%'.repeat(30)}'\n  condition: sel`),
    'rules/ctor.yml': rule('0a0a0a0a-0000-4000-8000-000000000016', "  sel:\n    User|expand: '%constructor%'\n  condition: sel"),
    'rules/proto.yml': rule('0a0a0a0a-0000-4000-8000-000000000017', "  sel:\n    User|expand: '%__proto__%'\n  condition: sel"),
    'sigmatest.config.yml': `placeholders:\n  a: [${Array.from({ length: 10 }, (_, k) => `v${k}`).join(', ')}]\n`,
    'events.jsonl': `${WHOAMI}\n${event({ Image: 'C:\\x.exe', User: 'v1' })}\n`,
    [d]: '',
  });
  const EXPECTED: Array<[string, string, RegExp]> = [
    ['bomb-top.yml', 'YAML_LIMIT', /limits\.yaml_nodes/],
    ['bomb-detection.yml', 'YAML_LIMIT', /limits\.yaml_nodes/],
    ['parens.yml', 'CONDITION_LIMIT', /limits\.condition_depth/],
    ['nots.yml', 'CONDITION_LIMIT', /limits\.condition_depth/],
    ['b64.yml', 'VALUE_LIMIT', /limits\.value_alternatives/],
    ['expand.yml', 'VALUE_LIMIT', /limits\.value_alternatives/],
    ['ctor.yml', 'PLACEHOLDER_UNRESOLVED', /%constructor%/],
    ['proto.yml', 'PLACEHOLDER_UNRESOLVED', /%__proto__%/],
  ];
  function setUp(): string {
    const d = project();
    for (const [p, text] of Object.entries(hostile(d))) if (p !== d) write(d, p, text);
    return d;
  }

  it('scan reports each with its file and line and goes on with the good rule (exit 1: errors in rules)', async () => {
    const d = setUp();
    const s = await cli(d, 'scan', '--rules', 'rules', '--events', 'events.jsonl');
    expect(s.code).toBe(1);
    expect(s.err).not.toMatch(/at .*\.js:\d+/);
    for (const [file, code, limit] of EXPECTED) {
      const line = s.err.split('\n').find((l) => l.includes(file) && l.includes(code));
      expect(line, `${file} ${code}`).toMatch(new RegExp(`${file.replace('.', '\\.')}:\\d+:\\d+`));
      expect(line, file).toMatch(limit);
    }
    const matches = s.out.trim().split('\n').map((l) => (JSON.parse(l) as { rule: string }).rule);
    expect(matches).toEqual([GOOD_ID]);
  });

  it('eval and run do the same', async () => {
    const d = setUp();
    const e = await cli(d, 'eval', 'rules', '--events', 'events.jsonl');
    expect(e.code).toBe(2);
    const lines = e.out.trim().split('\n').map((l) => JSON.parse(l) as { rule?: string; path: string; error?: { code: string } });
    expect(lines.filter((l) => l.error !== undefined).map((l) => [l.path.split(/[\\/]/).pop(), l.error?.code]).sort()).toEqual(EXPECTED.map(([f, c]) => [f, c]).sort());
    expect(lines.filter((l) => l.rule !== undefined).map((l) => l.rule)).toEqual([GOOD_ID]);
    write(d, 'cases/good.yml', `rule: ${GOOD_ID}\ncases:\n  - name: whoami\n    expect: match\n    event: ${WHOAMI}\n  - name: other\n    expect: no-match\n    event: {Image: 'x'}\n`);
    const r = await cli(d, 'run', '--rules', 'rules', '--cases', 'cases', '--reporter', 'json');
    expect(r.err).not.toMatch(/at .*\.js:\d+/);
    const report = JSON.parse(r.out) as { rules: Array<{ path: string; status: string }> };
    expect(report.rules.find((x) => x.path.endsWith('good.yml'))?.status).toBe('pass');
  });

  it('a case event holding an alias bomb is YAML_LIMIT; the other case files run', async () => {
    const d = project();
    write(d, 'rules/good.yml', GOOD);
    write(d, 'cases/good.yml', `rule: ${GOOD_ID}\ncases:\n  - name: whoami\n    expect: match\n    event: ${WHOAMI}\n  - name: other\n    expect: no-match\n    event: {Image: 'x'}\n`);
    write(d, 'cases/bomb.yml', `rule: ${GOOD_ID}\ncases:\n  - name: bomb\n    expect: match\n    event:\n${aliasBomb('      ')}\n      Image: 'C:\\whoami.exe'\n`);
    const r = await cli(d, 'run', '--rules', 'rules', '--cases', 'cases');
    expect(r.code).not.toBe(0);
    expect(`${r.out}${r.err}`).toMatch(/bomb\.yml:\d+:\d+.*YAML_LIMIT.*limits\.yaml_nodes/);
    expect(r.out).toMatch(/PASS .*good\.yml.*2\/2 cases passed/);
  });

  it('gate on a branch adding an alias-bomb rule fails on it, in seconds', async () => {
    const d = project();
    write(d, 'rules/good.yml', GOOD);
    write(d, 'rules/bomb.yml', `${rule('0a0a0a0a-0000-4000-8000-000000000020', "  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel")}${aliasBomb('')}\n`);
    write(d, 'cases/good.yml', `rule: ${GOOD_ID}\ncases:\n  - name: whoami\n    expect: match\n    event: ${WHOAMI}\n  - name: other\n    expect: no-match\n    event: {Image: 'x'}\n`);
    const g = await cli(d, 'gate', '--rules', 'rules', '--cases', 'cases', '--reporter', 'json', '--fuzz-runs', '5');
    expect(g.code).toBe(1);
    const report = JSON.parse(g.out) as { rules: Array<{ path: string; checks: Array<{ name: string; status: string; message: string }> }> };
    const bomb = report.rules.find((x) => x.path.endsWith('bomb.yml'));
    expect(bomb?.checks.find((c) => c.name === 'validate')).toMatchObject({ status: 'fail' });
    expect(JSON.stringify(bomb)).toMatch(/YAML_LIMIT|limits\.yaml_nodes/);
  });

  it('limits are config settings: a smaller one applies to rules and events', async () => {
    const d = project();
    write(d, 'rules/good.yml', GOOD);
    // About 23 nodes in the good rule, over 40 in this one once its alias is expanded.
    const list = Array.from({ length: 12 }, (_, k) => `'\\tool${k}.exe'`).join(', ');
    write(d, 'rules/aliases.yml', rule('0a0a0a0a-0000-4000-8000-000000000030', `  list: &l [${list}]\n  sel:\n    Image|endswith: *l\n  condition: sel`));
    write(d, 'sigmatest.config.yml', 'limits:\n  yaml_nodes: 40\n  event_bytes: 200\n  event_depth: 3\n');
    write(d, 'events.jsonl', [WHOAMI, event({ Image: 'C:\\whoami.exe', Pad: 'x'.repeat(300) }), event({ Image: 'C:\\whoami.exe', A: { B: { C: {} } } }), WHOAMI].join('\n'));
    const s = await cli(d, 'scan', '--rules', 'rules', '--events', 'events.jsonl');
    expect(s.err).toMatch(/aliases\.yml:\d+:\d+.*YAML_LIMIT.*past 40 nodes/);
    expect(s.err).toMatch(/events\.jsonl:2:1.*EVENT_TOO_LARGE.*200 bytes \(limits\.event_bytes\)/);
    expect(s.err).toMatch(/events\.jsonl:3:\d+.*EVENT_TOO_DEEP.*more than 3 levels deep \(limits\.event_depth\)/);
    expect(s.out.trim().split('\n').map((l) => (JSON.parse(l) as { index: number }).index)).toEqual([0, 3]);
  });
});

describe('lists of 130,000+ values (a spread of their lengths overflowed the stack)', () => {
  it('load, compile and match', async () => {
    const d = project();
    const values = Array.from({ length: 150_000 }, (_, k) => `'\\tool${k}.exe'`).join(', ');
    write(d, 'rules/big.yml', rule('0a0a0a0a-0000-4000-8000-000000000040', `  sel:\n    Image|endswith: [${values}]\n  condition: sel`));
    write(d, 'events.jsonl', [event({ Image: 'C:\\tool149999.exe' }), event({ Image: 'C:\\tool150000.exe' }), event({ Image: 'C:\\TOOL7.EXE' })].join('\n'));
    const s = await cli(d, 'scan', '--rules', 'rules', '--events', 'events.jsonl');
    expect(s.code).toBe(0);
    expect(s.out.trim().split('\n').map((l) => (JSON.parse(l) as { index: number }).index)).toEqual([0, 2]);
  });
});

describe('prototype keys are ordinary keys', () => {
  it('a rule cannot take its id or level from a top-level __proto__ mapping', async () => {
    const d = project();
    write(d, 'rules/p.yml', `title: P\n__proto__: {id: ${GOOD_ID}, level: pwned}\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel\n`);
    write(d, 'events.jsonl', WHOAMI);
    const e = await cli(d, 'eval', 'rules', '--events', 'events.jsonl');
    expect(JSON.parse(e.out.trim()) as unknown).toMatchObject({ rule: null, eventNumber: 0 });
  });
});
