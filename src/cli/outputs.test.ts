/**
 * Outputs never destroy inputs (issue 23): `--out` naming an input (events, rules, cases, the
 * config, a known-FP file, a report being merged), the same file through a link, or an existing
 * YAML file is refused before the work with the input untouched; an unwritable `--out` fails
 * before the work in run, fuzz, gate, scan and the HTML reporter; and an interrupted scan leaves
 * no temporary file behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './main.js';
import { captureIo } from '../../test/capture-io.js';
import { prepareDist, REPO_ROOT } from '../../test/support/dist.js';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const ID = '8b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
const RULE = `title: Whoami
id: ${ID}
status: test
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  condition: selection
level: low
`;
const EVENT = JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\whoami.exe' });

/** A project: a rule, its cases (one with an events file), events, a config and a known-FP file. */
function project(): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-outputs-'));
  temps.push(d);
  const write = (p: string, text: string): void => {
    mkdirSync(dirname(join(d, p)), { recursive: true });
    writeFileSync(join(d, p), text);
  };
  mkdirSync(join(d, '.git'));
  write('rules/r.yml', RULE);
  write('cases/r.yml', `rule: ${ID}\ncases:\n  - name: hit\n    expect: match\n    event: {Image: 'C:\\x\\whoami.exe'}\n  - name: recorded\n    count: {exactly: 1}\n    events_file: data/e.jsonl\n`);
  write('cases/data/e.jsonl', `${EVENT}\n`);
  write('events/d.jsonl', `${EVENT}\n`);
  write('sigmatest.config.yml', 'placeholders: {}\n');
  write('known-fps.yml', 'known_fps: []\n');
  return d;
}

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ cwd });
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** Every file of the project with its content (hidden temporary files included). */
function snapshot(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(d, rel), { withFileTypes: true })) {
      const p = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else out[p] = e.isSymbolicLink() ? '->link' : readFileSync(join(d, p), 'utf8');
    }
  };
  walk('');
  return out;
}

describe('--out never replaces an input', () => {
  it('scan: its own events file, a rule, the known-FP file, the config, a hard or symbolic link to an input (exit 2, inputs untouched)', async () => {
    const d = project();
    linkSync(join(d, 'events', 'd.jsonl'), join(d, 'hard-link.jsonl'));
    symlinkSync(join(d, 'rules', 'r.yml'), join(d, 'sym-link.json'));
    const before = snapshot(d);
    const scan = ['scan', '--rules', 'rules', '--events', 'events/d.jsonl', 'events', '--known-fps', 'known-fps.yml', '--reporter', 'json', '--out'];
    for (const out of ['events/d.jsonl', 'rules/r.yml', 'known-fps.yml', 'sigmatest.config.yml', 'hard-link.jsonl', 'sym-link.json', 'cases/r.yml']) {
      const r = await cli(d, ...scan, out);
      expect(r.code, out).toBe(2);
      expect(r.err, out).toMatch(new RegExp(`--out ${out.replace('.', '\\.')}: it (is an input|is an existing YAML file)`));
      expect(snapshot(d), out).toEqual(before);
    }
    // Elsewhere it writes.
    expect((await cli(d, ...scan, 'report.json')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')).summary.matches).toBe(1);
  });

  it('run: a case file, a rule, the config, or an events file a case names; merge-reports: a report it merges; fuzz: a rule, or its own witness file', async () => {
    const d = project();
    const before = snapshot(d);
    for (const out of ['cases/r.yml', 'rules/r.yml', 'sigmatest.config.yml', 'cases/data/e.jsonl']) {
      const r = await cli(d, 'run', '--reporter', 'json', '--out', out);
      expect(r.code, out).toBe(2);
      expect(r.err, out).toMatch(/--out .*: it (is an input|is an existing YAML file)/);
      expect(snapshot(d), out).toEqual(before);
    }
    expect((await cli(d, 'run', '--reporter', 'json', '--out', 'run.json')).code).toBe(0);
    const merged = await cli(d, 'merge-reports', 'run.json', '--reporter', 'json', '--out', 'run.json');
    expect(merged.code).toBe(2);
    expect(merged.err).toMatch(/--out run\.json: it is an input of this command/);
    const fuzz1 = await cli(d, 'fuzz', 'rules', '--runs', '5', '--out', 'rules/r.yml');
    expect(fuzz1.code).toBe(2);
    const fuzz2 = await cli(d, 'fuzz', 'rules', '--runs', '5', '--emit-witnesses', 'w.jsonl', '--out', 'w.jsonl');
    expect(fuzz2.code).toBe(2);
    expect(fuzz2.err).toMatch(/--out w\.jsonl: it is also another output/);
    expect(readFileSync(join(d, 'rules', 'r.yml'), 'utf8')).toBe(RULE);
  });

  it('the HTML report folder may not hold or sit in an input folder', async () => {
    const d = project();
    for (const out of ['.', 'rules', 'cases/site']) {
      const r = await cli(d, 'run', '--reporter', 'html', '--out', out);
      expect(r.code, out).toBe(2);
      expect(r.err, out).toMatch(/overlaps the input folder/);
    }
    expect(existsSync(join(d, 'index.html'))).toBe(false);
  });
});

describe('an unwritable --out fails before the work', () => {
  it('run, fuzz, gate, scan, merge-reports and the HTML reporter: a path through a file, and a folder given for a file (exit 2, one line, nothing done)', async () => {
    const d = project();
    writeFileSync(join(d, 'a-file'), 'x');
    mkdirSync(join(d, 'a-folder'));
    const commands: string[][] = [
      ['run', '--reporter', 'json', '--out'],
      ['run', '--reporter', 'html', '--out'],
      ['fuzz', 'rules', '--runs', '5', '--out'],
      ['fuzz', 'rules', '--runs', '5', '--emit-witnesses'],
      ['gate', '--fuzz-runs', '5', '--reporter', 'json', '--out'],
      ['gate', '--fuzz-runs', '5', '--reporter', 'html', '--out'],
      ['scan', '--rules', 'rules', '--events', 'events', '--out'],
    ];
    for (const argv of commands) {
      const html = argv.includes('html');
      const cases: Array<[string, RegExp]> = [['a-file/sub/report.out', /a part of the path is a file, not a folder/], html ? ['a-file', /exists and is not a folder/] : ['a-folder', /is a folder; give a file/]];
      for (const [out, why] of cases) {
        const r = await cli(d, ...argv, out);
        const shown = argv.join(' ');
        expect(r.code, shown).toBe(2);
        expect(r.err, shown).toMatch(why);
        // Nothing was done: no report, no banner of the work (fuzz prints one before fuzzing).
        expect(r.out, shown).toBe('');
        expect(r.err, shown).not.toMatch(/fuzz: \d+ rules|report written|scan: loading/);
        expect(r.err.trim().split('\n').filter((l) => !l.startsWith('See ')), shown).toHaveLength(1);
      }
    }
  });
});

const skip = prepareDist();
describe.skipIf(skip !== undefined)('signals', () => {
  it('SIGTERM and SIGINT during scan --out remove the partial temporary file and leave the target as it was', async () => {
    const d = project();
    // Enough events that the scan is still writing when the signal comes.
    const line = `${JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\whoami.exe', CommandLine: 'x'.repeat(300) })}\n`;
    writeFileSync(join(d, 'events', 'big.jsonl'), line.repeat(150_000));
    writeFileSync(join(d, 'report.json'), 'the previous report\n');
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'sigmatest.js'), 'scan', '--rules', 'rules', '--events', 'events', '--logsource', 'ignore', '--out', 'report.json'], { cwd: d, stdio: 'ignore' });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
      // Wait until the temporary report exists and has grown, then interrupt.
      const tmp = (): string[] => readdirSync(d).filter((f) => f.startsWith('.report.json.') && f.endsWith('.tmp'));
      const started = Date.now();
      while (tmp().length === 0 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20));
      expect(tmp(), signal).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 300));
      child.kill(signal);
      const end = await exited;
      expect(end.signal, signal).toBe(signal);
      expect(tmp(), signal).toEqual([]);
      expect(readFileSync(join(d, 'report.json'), 'utf8'), signal).toBe('the previous report\n');
    }
  }, 60_000);
});
