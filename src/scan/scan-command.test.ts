/**
 * `sigmatest scan` through the CLI entry with captured output: JSON lines and the summary,
 * the json and text reporters, --out, known-FP suppression and expiry warnings, a malformed
 * known-FP file (exit 2 with line and column), zero events (exit 1), bad options (exit 2), a
 * malformed event line (reported with file:line, the scan carries on, exit 1), --help.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { ANY_RULE_ID, fixture, PROC_RULE_ID } from '../../test/support/scan-fixture.js';
import { captureIo } from '../../test/capture-io.js';

const capture = (isTty = false) => captureIo({ isTty });

const lines = (text: string): Array<Record<string, unknown>> =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('sigmatest scan', () => {
  it('prints one JSON line per match on stdout and the summary on stderr, exit 0', async () => {
    const { rules, events } = fixture();
    const io = capture();
    const code = await runCli(['scan', '--rules', rules, '--events', events], io);
    expect(code).toBe(0);
    const ms = lines(io.stdout());
    expect(ms.map((m) => [m.rule, m.index])).toEqual([
      [PROC_RULE_ID, 0],
      [ANY_RULE_ID, 3],
      [PROC_RULE_ID, 1],
      [PROC_RULE_ID, 0],
    ]);
    expect(Object.keys(ms[0] as object)).toEqual(['rule', 'path', 'title', 'event', 'file', 'index']);
    expect(ms[0]).toMatchObject({ path: join(rules, 'proc.yml'), title: 'Whoami', file: join(events, 'a.jsonl') });
    expect(io.stderr()).toMatch(/scan: 7 events from 3 files, 2 rules/);
    expect(io.stderr()).toMatch(/4 matches of 2 rules/);
    expect(io.stderr()).toMatch(/events\/s/);
    expect(io.stderr()).toMatch(/3 +0 +Whoami \[11111111/);
  });

  it('takes several rule and event paths, and --logsource ignore', async () => {
    const { rules, events } = fixture();
    const io = capture();
    const code = await runCli(['scan', '--rules', join(rules, 'proc.yml'), join(rules, 'any.yml'), '--events', join(events, 'a.jsonl'), join(events, 'b.json'), '--logsource', 'ignore'], io);
    expect(code).toBe(0);
    expect(lines(io.stdout()).map((m) => `${String(m.index)}`)).toEqual(['0', '2', '3', '1']);
  });

  it('--reporter json prints one document with matches and summary', async () => {
    const { rules, events } = fixture();
    const io = capture();
    expect(await runCli(['scan', '--rules', rules, '--events', events, '--reporter', 'json'], io)).toBe(0);
    const doc = JSON.parse(io.stdout()) as { matches: Array<{ rule: string }>; summary: { events: number; matches: number; perRule: unknown[] } };
    expect(doc.matches).toHaveLength(4);
    expect(doc.summary).toMatchObject({ events: 7, matches: 4, files: 3, rules: 2, errors: 0 });
    expect(doc.summary.perRule).toHaveLength(2);
    // No matches is still a valid document.
    const none = capture();
    expect(await runCli(['scan', '--rules', join(rules, 'any.yml'), '--events', join(events, 'b.json'), '--reporter', 'json'], none)).toBe(0);
    expect(JSON.parse(none.stdout())).toMatchObject({ matches: [], summary: { events: 2, matches: 0 } });
  });

  it('--reporter text prints readable matches with their evidence and the summary', async () => {
    const { rules, events } = fixture();
    const io = capture();
    expect(await runCli(['scan', '--rules', rules, '--events', events, '--reporter', 'text'], io)).toBe(0);
    const out = io.stdout();
    // The fields the rule reads, not the event's first fields (Channel, EventID...).
    expect(out).toMatch(/^Whoami \[11111111-2222-4333-8444-555555555555\] .*proc\.yml\n {4}.*a\.jsonl:1 \(event 0 of the file\)\n {6}Image: +C:\\Windows\\System32\\whoami\.exe\n/);
    expect(out).not.toMatch(/Channel=/);
    expect(out).toMatch(/c\.json:1 \(event 0 of the file\)\n {6}Image: /);
    expect(out).toMatch(/scan: 7 events from 3 files/);
  });

  it('--out writes the report to a file and nothing to stdout', async () => {
    const { dir, rules, events } = fixture();
    const target = join(dir, 'reports', 'scan.jsonl');
    const io = capture();
    expect(await runCli(['scan', '--rules', rules, '--events', events, '--out', target], io)).toBe(0);
    expect(io.stdout()).toBe('');
    expect(lines(readFileSync(target, 'utf8'))).toHaveLength(4);
    expect(io.stderr()).toMatch(/report written to .*scan\.jsonl/);
    expect(readdirSync(join(dir, 'reports'))).toEqual(['scan.jsonl']);
    const json = join(dir, 'reports', 'scan.json');
    expect(await runCli(['scan', '--rules', rules, '--events', events, '--out', json, '--reporter', 'json'], capture())).toBe(0);
    expect((JSON.parse(readFileSync(json, 'utf8')) as { matches: unknown[] }).matches).toHaveLength(4);
  });

  it('counts known false positives apart; warns about expired entries with file and line and reports their matches', async () => {
    const { dir, rules, events } = fixture();
    const fps = join(dir, 'fps.yml');
    writeFileSync(
      fps,
      `known_fps:
  - rule: ${PROC_RULE_ID}
    field: User
    value: bob
    reason: bob is the admin
  - rule: ${ANY_RULE_ID}
    field: Marker
    reason: markers were accepted once
    expires: 2000-01-31
`,
    );
    const io = capture();
    expect(await runCli(['scan', '--rules', rules, '--events', events, '--known-fps', fps], io)).toBe(0);
    const ms = lines(io.stdout());
    expect(ms.map((m) => [m.rule, m.index])).toEqual([
      [PROC_RULE_ID, 0],
      [ANY_RULE_ID, 3],
      [PROC_RULE_ID, 0],
    ]);
    expect(io.stderr()).toContain(`${fps}:6:5: warning KNOWN_FP_EXPIRED`);
    expect(io.stderr()).toMatch(/expired on 2000-01-31/);
    expect(io.stderr()).toMatch(/3 matches of 2 rules; 1 known false positive suppressed \(2 entries, 1 expired\)/);
    expect(io.stderr()).toMatch(/2 +1 +Whoami/);
  });

  it('a malformed known-FP file is a usage error naming line and column; so is a missing one', async () => {
    const { dir, rules, events } = fixture();
    const fps = join(dir, 'fps.yml');
    writeFileSync(fps, `known_fps:\n  - rule: ${PROC_RULE_ID}\n    field: User\n    reason: r\n    expires: someday\n`);
    const io = capture();
    expect(await runCli(['scan', '--rules', rules, '--events', events, '--known-fps', fps], io)).toBe(2);
    expect(io.stderr()).toContain(`${fps}:5:14: error KNOWN_FP_INVALID at known_fps[0].expires`);
    expect(io.stdout()).toBe('');
    writeFileSync(fps, `known_fps:\n  - {rule: x, field: [User, reason: r}\n`);
    const syntax = capture();
    expect(await runCli(['scan', '--rules', rules, '--events', events, '--known-fps', fps], syntax)).toBe(2);
    expect(syntax.stderr()).toMatch(new RegExp(`${fps.replace(/[.\\]/g, '\\$&')}:\\d+:\\d+: error YAML_SYNTAX`));
    const missing = capture();
    expect(await runCli(['scan', '--rules', rules, '--events', events, '--known-fps', join(dir, 'none.yml')], missing)).toBe(2);
    expect(missing.stderr()).toMatch(/KNOWN_FP_UNREADABLE.*no such file/);
  });

  it('a scan that read zero events fails with a clear message', async () => {
    const { dir, rules } = fixture();
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'empty.jsonl'), '');
    for (const events of [join(dir, 'empty'), join(dir, 'empty.jsonl')]) {
      const io = capture();
      expect(await runCli(['scan', '--rules', rules, '--events', events], io)).toBe(1);
      expect(io.stderr()).toMatch(/read zero events from .*empty/);
    }
  });

  it('a scan with no rules fails', async () => {
    const { dir, events } = fixture();
    mkdirSync(join(dir, 'norules'));
    const io = capture();
    expect(await runCli(['scan', '--rules', join(dir, 'norules'), '--events', events], io)).toBe(1);
    expect(io.stderr()).toMatch(/no rules loaded/);
  });

  it('reports a malformed event line with file:line, scans the rest, exits 1', async () => {
    const { dir, rules } = fixture();
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `{"Marker": "yes"}\n{"Marker": \n{"Marker": "yes"}\n`);
    const io = capture();
    expect(await runCli(['scan', '--rules', rules, '--events', bad], io)).toBe(1);
    expect(io.stderr()).toMatch(/bad\.jsonl:\d+:\d+: error EVENT_INVALID_JSON/);
    expect(io.stderr()).toMatch(/1 error in rules or event files/);
    expect(lines(io.stdout()).map((m) => m.index)).toContain(0);
    expect(lines(io.stdout()).length).toBeGreaterThanOrEqual(1);
  });

  it('rejects bad options with exit 2', async () => {
    const { rules, events } = fixture();
    const cases: Array<[string[], RegExp]> = [
      [['scan', '--events', events], /needs --rules/],
      [['scan', '--rules', rules], /needs --events/],
      [['scan', '--rules', rules, '--events', events, '--workers', '0'], /--workers must be a whole number/],
      [['scan', '--rules', rules, '--events', events, '--workers', 'two'], /--workers must be a whole number/],
      [['scan', '--rules', rules, '--events', events, '--workers', '2', '--thread-input', 'lots'], /--thread-input must be a number of MiB/],
      [['scan', '--rules', rules, '--events', events, '--workers', '2', '--thread-input', '1.2.3'], /--thread-input must be a number of MiB/],
      [['scan', '--rules', rules, '--events', events, '--reporter', 'xml'], /--reporter must be one of jsonl, json, text/],
      [['scan', '--rules', rules, '--events', events, '--logsource', 'maybe'], /--logsource must be one of map, ignore/],
      [['scan', 'stray', '--rules', rules, '--events', events], /unexpected argument 'stray'/],
    ];
    for (const [argv, message] of cases) {
      const io = capture();
      expect(await runCli(argv, io)).toBe(2);
      expect(io.stderr()).toMatch(message);
    }
  });

  it('has --help and is listed in the main help', async () => {
    const io = capture();
    expect(await runCli(['scan', '--help'], io)).toBe(0);
    expect(io.stdout()).toMatch(/Usage: sigmatest scan --rules/);
    expect(io.stdout()).toMatch(/--known-fps <file>/);
    const main = capture();
    await runCli(['--help'], main);
    expect(main.stdout()).toMatch(/\n {2}scan +/);
  });

  it('draws a progress line on a terminal and wipes it before printing', async () => {
    const { rules, events } = fixture();
    const io = capture(true);
    expect(await runCli(['scan', '--rules', rules, '--events', events], io)).toBe(0);
    expect(io.stderr()).toMatch(/\r\x1b\[2Kscan \[.*\] \d+\/3 files · \d+ events/);
    // The summary comes after the line is wiped.
    expect(io.stderr()).toMatch(/\r\x1b\[2Kscan: 7 events/);
    expect(existsSync(rules)).toBe(true);
  });
});
