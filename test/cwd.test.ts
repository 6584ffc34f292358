/**
 * Every command honours `Io.cwd`: run through `runCli(argv, io)` with `io.cwd` set to a folder of
 * rules, cases, events and a config, each command gives the same exit code, output and written
 * files whether the process itself runs in that folder or in another one. The other folder is a
 * decoy with its own rules, cases and config (whose logsource file does not exist), so anything
 * read relative to the process's folder shows.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { captureIo } from './capture-io.js';

const ID = '2c3d4e5f-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const RULE = `title: Whoami by a user
id: ${ID}
status: test
description: Detects whoami.
author: sigmatest
date: 2026-01-01
tags:
  - attack.discovery
  - attack.t1033
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  filter:
    User|expand: '%Admins%'
  condition: selection and not filter
falsepositives:
  - Admins
level: low
regression_tests_path: regression_data/whoami/info.yml
`;
const SYSMON = { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1 };
const EVENTS = [
  { ...SYSMON, Image: 'C:\\Windows\\System32\\whoami.exe', User: 'bob' },
  { ...SYSMON, Image: 'C:\\Windows\\System32\\whoami.exe', User: 'root' },
  { ...SYSMON, Image: 'C:\\Windows\\notepad.exe', User: 'bob' },
];
const CASES = `rule: ../rules/whoami.yml
cases:
  - name: a user runs whoami
    expect: match
    event: {Image: 'C:\\Windows\\System32\\whoami.exe', User: bob}
  - name: an admin runs whoami
    expect: no-match
    event: {Image: 'C:\\Windows\\System32\\whoami.exe', User: root}
  - name: another program
    expect: no-match
    event: {Image: 'C:\\Windows\\notepad.exe', User: bob}
  - name: recorded
    events_file: ../events.jsonl
    count: {exactly: 1}
`;

const root = mkdtempSync(join(tmpdir(), 'sigmatest-cwd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const home = join(root, 'project');
const decoy = join(root, 'decoy');

function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

// The project: the placeholder values come from its default config, so a rule loaded without it fails.
write(home, 'rules/whoami.yml', RULE);
write(home, 'cases/whoami.yml', CASES);
write(home, 'events.jsonl', EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n');
write(home, 'sigmatest.config.yml', "placeholders:\n  Admins: ['root', 'admin*']\nlogsources: logsources.yml\ngate:\n  min_match: 1\n");
write(home, 'logsources.yml', 'logsources: []\n');
write(home, 'known-fps.yml', `known_fps:\n  - rule: ${ID}\n    field: User\n    value: bob\n    reason: the help desk\n`);
write(home, 'sigma/rules/whoami.yml', RULE);
write(home, 'sigma/regression_data/whoami/info.yml', 'regression_tests_info:\n  - name: recorded\n    type: evtx\n    match_count: 1\n    path: regression_data/whoami/whoami.evtx\n');
write(home, 'sigma/regression_data/whoami/whoami.json', JSON.stringify(EVENTS[0]));
// The decoy: other rules and cases, and a config that cannot be loaded.
write(decoy, 'rules/other.yml', RULE.replace(ID, '9c3d4e5f-1a2b-4c3d-8e9f-0a1b2c3d4e5f').replace('whoami.exe', 'hostname.exe'));
write(decoy, 'cases/other.yml', CASES.replace('whoami.yml', 'other.yml'));
write(decoy, 'sigmatest.config.yml', 'logsources: no-such-file.yml\n');

/** Times and rates vary from run to run. */
function steady(text: string): string {
  return text
    .replace(/"(seconds|loadSeconds|deferredLoadSeconds|eventsPerSecond)":\s*[0-9.e+-]+/g, '"$1":0')
    .replace(/[0-9][0-9.,]* ?(s|ms|events\/s|rules\/s)\b/g, 'N $1')
    .replace(/seed \d+/g, 'seed N');
}

/** The files a command writes, read and removed after it. */
const OUTPUTS = ['report.json', 'mutate.json', 'scan.json', 'fuzz.json', 'witnesses.jsonl', 'new-cases.yml', 'gate.json', 'merged.json'];

async function runIn(processCwd: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string; files: Record<string, string> }> {
  const saved = process.cwd();
  process.chdir(processCwd);
  try {
    const io = captureIo({ cwd: home });
    const code = await runCli(argv, io);
    const files: Record<string, string> = {};
    for (const f of OUTPUTS) {
      const p = join(home, f);
      if (existsSync(p)) {
        files[f] = steady(readFileSync(p, 'utf8'));
        if (f !== 'gate.json') rmSync(p);
      }
    }
    return { code, stdout: steady(io.stdout()), stderr: steady(io.stderr()), files };
  } finally {
    process.chdir(saved);
  }
}

const COMMANDS: Array<{ argv: string[]; code: number }> = [
  { argv: ['run'], code: 0 },
  { argv: ['run', '--reporter', 'json', '--out', 'report.json', '--min-coverage', '50'], code: 0 },
  { argv: ['eval', 'rules', '--events', 'events.jsonl', '--logsource', 'map'], code: 0 },
  { argv: ['events', 'events.jsonl'], code: 0 },
  { argv: ['scan', '--rules', 'rules', '--events', 'events.jsonl', '--reporter', 'text'], code: 0 },
  { argv: ['scan', '--rules', 'rules', '--events', '.', '--known-fps', 'known-fps.yml', '--reporter', 'json', '--out', 'scan.json'], code: 0 },
  { argv: ['fuzz', '--runs', '5', '--seed', '1', '--reporter', 'json', '--out', 'fuzz.json', '--emit-witnesses', 'witnesses.jsonl'], code: 0 },
  { argv: ['scaffold', 'rules/whoami.yml', '--out', 'new-cases.yml'], code: 0 },
  { argv: ['explain', 'rules/whoami.yml', '--format', 'json', '--catalog', 'rules'], code: 0 },
  { argv: ['regression', 'sigma', '--reporter', 'json'], code: 0 },
  { argv: ['mutate', '--reporter', 'json', '--out', 'mutate.json'], code: 0 },
  { argv: ['gate', '--reporter', 'json', '--fuzz-runs', '5', '--corpus', 'events.jsonl', '--known-fps', 'known-fps.yml', '--out', 'gate.json'], code: 0 },
  { argv: ['merge-reports', 'gate.json', '--reporter', 'json', '--out', 'merged.json'], code: 0 },
];

describe('every command honours Io.cwd', () => {
  for (const { argv, code } of COMMANDS) {
    it(`sigmatest ${argv.join(' ')}`, async () => {
      const there = await runIn(home, argv);
      const elsewhere = await runIn(decoy, argv);
      expect(there.code, there.stderr).toBe(code);
      expect(elsewhere).toEqual(there);
      expect(there.stdout + there.stderr + Object.values(there.files).join('')).not.toMatch(/decoy|hostname\.exe|no-such-file/);
    });
  }
});
