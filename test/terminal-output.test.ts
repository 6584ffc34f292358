/**
 * Safe terminal output (issue 23): ANSI/OSC escapes, C1 controls, bidi overrides and CR/LF in
 * event values, rule titles, case names and file names never reach the terminal raw, from any
 * command's text or JSON output or diagnostic line, and a line feed in data cannot forge a line
 * of its own (a summary, or a `::error::` workflow command in a CI log).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { captureIo } from './capture-io.js';

const dir = mkdtempSync(join(tmpdir(), 'sigmatest-terminal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What an attacker writes: clear the screen, set the title (OSC), CSI as one C1 byte, a bidi override, and new lines. */
const HOSTILE = '\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202egpj.exe\rFORGED-CR\nFORGED-LINE\n::error::FORGED-ANNOTATION';
/** The same in free text that may span lines (a description): its line breaks are kept, the rest escaped. */
const HOSTILE_TEXT = '\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202egpj.exe\rFORGED-CR';
const ID = '9c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f';
const q = (s: string): string => JSON.stringify(s); // YAML double-quoted = JSON string

const RULE = `title: ${q(`Whoami ${HOSTILE}`)}
id: ${ID}
status: test
description: ${q(HOSTILE_TEXT)}
author: ${q(HOSTILE)}
date: 2024-01-01
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  filter:
    CommandLine|contains: ${q(`-safe${HOSTILE}`)}
  condition: selection and not filter
level: low
`;
const EVENT = { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: `C:\\${HOSTILE}\\whoami.exe`, CommandLine: HOSTILE };

function write(p: string, text: string): void {
  mkdirSync(dirname(join(dir, p)), { recursive: true });
  writeFileSync(join(dir, p), text);
}

write('rules/r.yml', RULE);
// A case that fails (its explanation shows event values), a duplicate hostile name (a diagnostic), an unknown stage;
// a property that fails (its counterexample shows event values) and one with an unknown operator (a diagnostic).
write(
  'cases/r.yml',
  `rule: ${ID}
cases:
  - name: ${q(`fails ${HOSTILE}`)}
    expect: no-match
    event: ${JSON.stringify(EVENT)}
  - name: ${q(`stage ${HOSTILE}`)}
    expect: match
    stages: {${q(`st${HOSTILE}`)}: true}
    event: ${JSON.stringify(EVENT)}
  - name: ${q(`file ${HOSTILE}`)}
    expect: match
    events_file: ${q(`data/${'e\u001b[2J\nFORGED-FILE'}.jsonl`)}
properties:
  - name: ${q(`prop ${HOSTILE}`)}
    from: ${q(`fails ${HOSTILE}`)}
    mutate: {Image: recase}
    expect: no-match
    runs: 5
  - name: ${q(`unknown op ${HOSTILE}`)}
    from: ${q(`fails ${HOSTILE}`)}
    mutate: {CommandLine: ${q(`op${HOSTILE}`)}}
    expect: match
`,
);
write(`cases/data/e\u001b[2J\nFORGED-FILE.jsonl`, `${JSON.stringify(EVENT)}\n{"broken": ${q(HOSTILE)}\n`);
write('events/e.jsonl', `${JSON.stringify(EVENT)}\n${JSON.stringify({ ...EVENT, Image: 'C:\\x\\whoami.exe', [`key${HOSTILE}`]: 1 })}\nnot json ${HOSTILE}\n`);
write(`events/name\u001b[31m\nFORGED-NAME.json`, JSON.stringify(EVENT));
write('sigma/rules/r.yml', RULE.replace('level: low', `level: low\nregression_tests_path: ${q(`regression/${HOSTILE}/info.yml`)}`));

/** Characters a terminal obeys (C0 but tab and line feed, DEL, C1) and bidi formatting. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

async function output(argv: string[], cwd = dir): Promise<string> {
  const io = captureIo({ cwd });
  await runCli(argv, io);
  return io.stdout() + io.stderr();
}

function expectSafe(text: string, what: string, shown = true): void {
  expect(RAW.exec(text)?.[0], `${what}: a raw control or bidi character`).toBeUndefined();
  const forged = text.split('\n').filter((l) => /^(FORGED|::error::FORGED)/.test(l));
  expect(forged, `${what}: a forged line`).toEqual([]);
  // The data is still shown, escaped (by the commands that show it).
  if (shown) expect(text, what).toMatch(/\\x1b|\\u001b/);
}

describe('no command prints hostile text raw', () => {
  const commands: string[][] = [
    ['run'],
    ['run', '--reporter', 'markdown'],
    ['scan', '--rules', 'rules', '--events', 'events', '--logsource', 'ignore', '--reporter', 'text'],
    ['scan', '--rules', 'rules', '--events', 'events', '--logsource', 'ignore', '--reporter', 'jsonl'],
    ['scan', '--rules', 'rules', '--events', 'events', '--logsource', 'ignore', '--reporter', 'json'],
    ['eval', 'rules', '--events', 'events/e.jsonl', '--verbose'],
    ['events', 'events/e.jsonl', `events/name\u001b[31m\nFORGED-NAME.json`],
    ['events', '--raw', 'events/e.jsonl'],
    ['explain', 'rules/r.yml'],
    ['explain', 'rules/r.yml', '--format', 'json'],
    ['fuzz', 'rules', '--runs', '5', '--seed', '1'],
    ['regression', 'sigma'],
  ];
  /** Commands whose output holds no hostile text when all is well (they print ids, counts, paths they were given). */
  const quiet = new Set(['eval', 'fuzz', 'regression']);
  for (const argv of commands) {
    it(argv.join(' ').replace(/[\u0000-\u001f]/g, '?'), async () => {
      expectSafe(await output(argv), argv.join(' '), !quiet.has(argv[0] as string));
    });
  }

  it('gate: text and github annotations', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo, { recursive: true });
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], {
        cwd: repo,
        stdio: 'ignore',
        env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
      });
    };
    git('init', '-q', '-b', 'main');
    mkdirSync(join(repo, 'rules'));
    mkdirSync(join(repo, 'cases'));
    writeFileSync(join(repo, 'rules', 'r.yml'), RULE.replace('level: low', 'level: medium'));
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    writeFileSync(join(repo, 'rules', 'r.yml'), RULE);
    writeFileSync(
      join(repo, 'cases', 'r.yml'),
      `rule: ${ID}\ncases:\n  - name: ${q(`n ${HOSTILE}`)}\n    expect: no-match\n    event: ${JSON.stringify(EVENT)}\n` +
        `properties:\n  - name: ${q(`p ${HOSTILE}`)}\n    from: ${q(`n ${HOSTILE}`)}\n    mutate: {Image: recase}\n    expect: no-match\n    runs: 5\n`,
    );
    for (const reporter of ['text', 'github']) {
      const text = await output(['gate', '--base', 'main', '--fuzz-runs', '5', '--reporter', reporter], repo);
      expectSafe(text, `gate --reporter ${reporter}`);
      // Annotations stay one per line: every line is a workflow command or the closing line.
      if (reporter === 'github') for (const line of text.trim().split('\n')) expect(line).toMatch(/^(::(error|warning)[ :]|sigmatest gate: )/);
    }
  });
});
