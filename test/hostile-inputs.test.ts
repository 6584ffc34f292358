/**
 * The reproductions of issue 23 (files, outputs and integrity) through the commands: each ends
 * well within 60 s with a located diagnostic or the right result, the other rules and events
 * still processed. (Case-file containment: src/cases/events-file.test.ts and the gate test;
 * outputs and signals: src/cli/outputs.test.ts; terminal output: test/terminal-output.test.ts;
 * fuzz --save: src/fuzz/case-writer.test.ts; merge-reports: src/report/merge.test.ts.)
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { loadCaseText } from '../src/cases/load-cases.js';
import { parseKnownFps } from '../src/known-fps/known-fps.js';
import { captureIo } from './capture-io.js';
import { prepareDist, REPO_ROOT } from './support/dist.js';
import { buildEvtxFile, imageChunk } from './support/evtx-writer.js';

const run = promisify(execFile);
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const ID = 'ab3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e';
const RULE = (id = ID, exe = 'whoami.exe'): string => `title: Runs ${exe}
id: ${id}
status: test
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\\${exe}'
  condition: selection
level: low
`;
const GOOD = JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\System32\\whoami.exe' });

function project(): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-hostile-'));
  temps.push(d);
  mkdirSync(join(d, '.git'));
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

describe('deep events: one located error, the rest of the file read', () => {
  const d = project();
  write(d, 'rules/r.yml', RULE());
  const deep = `{"Event":{"System":{"EventID":1},"UserData":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`;
  write(d, 'events/deep.jsonl', [GOOD, deep, ...Array.from({ length: 1000 }, () => GOOD)].join('\n'));
  write(d, 'events/deep-array.json', `[\n${[GOOD, `{"Image":"C:\\\\whoami.exe","x":${'['.repeat(5000)}1${']'.repeat(5000)}}`, ...Array.from({ length: 1000 }, () => GOOD)].join(',\n')}\n]\n`);

  for (const workers of ['1', '2']) {
    it(`scan --workers ${workers} --reporter json: a valid report of the 2,002 good events, EVENT_TOO_DEEP twice, exit 1`, async () => {
      const argv = ['scan', '--rules', 'rules', '--events', 'events', '--logsource', 'ignore', '--reporter', 'json', '--workers', workers, '--thread-input', '0'];
      let r: { code: number; out: string; err: string };
      if (workers === '1') r = await cli(d, ...argv);
      else {
        // Worker threads run the compiled code: the compiled command.
        if (prepareDist() !== undefined) return;
        const done = await run(process.execPath, [join(REPO_ROOT, 'bin', 'sigmatest.js'), ...argv], { cwd: d, maxBuffer: 64 * 1024 * 1024 }).then(
          (x) => ({ code: 0, out: x.stdout, err: x.stderr }),
          (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
        );
        r = done;
      }
      const report = JSON.parse(r.out) as { matches: unknown[]; summary: { events: number; errors: number } };
      expect(report.matches).toHaveLength(2002);
      expect(report.summary).toMatchObject({ events: 2002, errors: 2 });
      expect(r.err).toMatch(/events\/deep-array\.json:3:\d+: error EVENT_TOO_DEEP/);
      expect(r.err).toMatch(/events\/deep\.jsonl:2:\d+: error EVENT_TOO_DEEP/);
      expect(r.code).toBe(1);
    });
  }

  it('eval and events read on past the deep event', async () => {
    const ev = await cli(d, 'eval', 'rules', '--events', 'events/deep.jsonl', 'events/deep-array.json');
    expect(ev.out.trim().split('\n')).toHaveLength(2002);
    expect(ev.code).toBe(2);
    const e = await cli(d, 'events', 'events/deep.jsonl');
    expect(e.out.trim().split('\n')).toHaveLength(1001);
    expect(e.err).toMatch(/deep\.jsonl:2:\d+: error EVENT_TOO_DEEP/);
  });
});

describe('EVTX chunks zeroed in the middle of a file are said', () => {
  it('scan warns with the file and each chunk, and reads the others', async () => {
    const d = project();
    write(d, 'rules/r.yml', RULE());
    const chunk = (first: number): Buffer => imageChunk(first, 50, () => 'C:\\Windows\\whoami.exe');
    const bytes = buildEvtxFile(Array.from({ length: 40 }, (_, c) => chunk(50 * c + 1)));
    for (let c = 1; c < 39; c++) bytes.fill(0, 4096 + c * 65536, 4096 + (c + 1) * 65536);
    write(d, 'events/wiped.evtx', '');
    writeFileSync(join(d, 'events', 'wiped.evtx'), bytes);
    const r = await cli(d, 'scan', '--rules', 'rules', '--events', 'events', '--logsource', 'ignore', '--reporter', 'json');
    expect(JSON.parse(r.out).summary).toMatchObject({ events: 100, matches: 100, warnings: 38 });
    expect(r.err).toMatch(/events\/wiped\.evtx: warning EVTX_CHUNK_ZEROED at chunk\[1\]: chunk 1 \(file offset 0x11000\) is all zero/);
    expect(r.err.match(/EVTX_CHUNK_ZEROED/g)).toHaveLength(38);
  });
});

describe('discovery follows links and says what it cannot read', () => {
  it('run and scan use rules and events behind symbolic links, report a loop and a too-long path, and go on', async () => {
    const d = project();
    write(d, 'shared-rules/linked.yml', RULE('bc3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', 'net.exe'));
    write(d, 'rules/own.yml', RULE());
    symlinkSync(join(d, 'shared-rules'), join(d, 'rules', 'shared'));
    symlinkSync(join(d, 'rules'), join(d, 'shared-rules', 'back')); // a loop
    // Links under long names, one into the next, until the path is longer than PATH_MAX.
    for (let i = 0; i < 25; i++) {
      mkdirSync(join(d, 'chain', String(i)), { recursive: true });
      symlinkSync(join(d, 'chain', String(i + 1)), join(d, 'chain', String(i), 'n'.repeat(200)));
    }
    mkdirSync(join(d, 'chain', '25'));
    symlinkSync(join(d, 'chain', '0'), join(d, 'rules', 'deep'));
    write(d, 'logs/e.jsonl', `${GOOD}\n${GOOD.replace('whoami.exe', 'net.exe')}\n`);
    symlinkSync(join(d, 'logs'), join(d, 'events'));
    const r = await cli(d, 'scan', '--rules', 'rules', '--events', 'events', '--logsource', 'ignore', '--reporter', 'json');
    const report = JSON.parse(r.out) as { matches: Array<{ rule: string }>; summary: { rules: number; events: number } };
    expect(report.summary).toMatchObject({ rules: 2, events: 2 });
    expect(report.matches.map((m) => m.rule).sort()).toEqual([ID, 'bc3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e'].sort());
    expect(r.err).toMatch(/warning PATH_LINK_LOOP/);
    expect(r.err).toMatch(/error PATH_UNREADABLE: cannot follow the symbolic link: the path is longer than the system allows/);
    expect(r.code).toBe(1);
  });
});

describe('regression over a folder without tests', () => {
  it('exits 1: a run that tested nothing does not pass', async () => {
    const d = project();
    mkdirSync(join(d, 'rules'));
    const r = await cli(d, 'regression', '.');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no regression test ran/);
  });
});

describe('large case and known-FP files load in linear time (they took 33 s and > 120 s)', () => {
  it('20,000 cases and 40,000 known-FP entries, every one located', () => {
    const cases = `rule: ${ID}\ncases:\n${Array.from({ length: 20_000 }, (_, i) => `  - name: c${i}\n    expect: no-match\n    event: {Image: x${i}}\n`).join('')}`;
    const loadedCases = loadCaseText(cases, 'big.yml');
    expect(loadedCases.diagnostics).toEqual([]);
    expect(loadedCases.caseFile?.cases[19_999]?.pos).toEqual({ line: 3 + 3 * 19_999, column: 5 });
    const fps = `known_fps:\n${Array.from({ length: 40_000 }, (_, i) => `  - rule: ${ID}\n    field: Image\n    value: 'C:\\x${i}.exe'\n    reason: r${i}\n`).join('')}`;
    const loadedFps = parseKnownFps(fps, 'fps.yml');
    expect(loadedFps.diagnostics).toEqual([]);
    expect(loadedFps.entries[39_999]?.pos).toEqual({ line: 2 + 4 * 39_999, column: 5 });
    // An error near the end is located as fast.
    const broken = parseKnownFps(fps.replace(/reason: r39999\n$/, 'reasn: r39999\n'), 'fps.yml');
    expect(broken.diagnostics.map((d) => [d.code, d.pos?.line])).toEqual([['KNOWN_FP_INVALID', 2 + 4 * 39_999 + 3], ['KNOWN_FP_INVALID', 2 + 4 * 39_999]]);
  });
});

const skip = prepareDist();
describe.skipIf(skip !== undefined)('an events_file is streamed, never read whole', () => {
  it('run reads a 120 MB events file in a 64 MB heap (it read the file into one string: 2.1 GB for 1 GB)', async () => {
    const d = project();
    write(d, 'rules/r.yml', RULE());
    write(d, 'cases/r.yml', `rule: ${ID}\ncases:\n  - name: recorded\n    count: {exactly: 12000}\n    events_file: data/big.jsonl\n`);
    // 12,000 events of 10 KB: few events (fast to evaluate), many bytes.
    const line = `${JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\whoami.exe', CommandLine: 'x'.repeat(10_000) })}\n`;
    mkdirSync(join(d, 'cases', 'data'));
    const out = createWriteStream(join(d, 'cases', 'data', 'big.jsonl'));
    for (let i = 0; i < 12_000; i++) if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
    await new Promise<void>((r) => out.end(() => r()));
    const r = await run(process.execPath, ['--max-old-space-size=64', join(REPO_ROOT, 'bin', 'sigmatest.js'), 'run', '--reporter', 'json'], { cwd: d, maxBuffer: 64 * 1024 * 1024 });
    const report = JSON.parse(r.stdout) as { rules: Array<{ cases: { results: Array<{ status: string; events: number; matched: number }> } }> };
    expect(report.rules[0]?.cases.results[0]).toMatchObject({ status: 'pass', events: 12_000, matched: 12_000 });
  }, 60_000);
});
