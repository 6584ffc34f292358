/**
 * The scan text reporter shows the evidence of a match (issue 22): the fields the rule reads with
 * their values (not System fields cut before Image), then EventRecordID, Computer, time and the
 * rule's level; `--min-level` leaves lower rules out and says how many.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../main.js';
import { captureIo } from '../../../test/capture-io.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const rule = (id: string, level: string, image: string): string =>
  `title: Rule ${image}\nid: ${id}\nlevel: ${level}\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel:\n    Image|endswith: '\\\\${image}'\n    CommandLine|contains: ' -enc '\n  condition: sel\n`;

function fixture(): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-evidence-'));
  dirs.push(d);
  mkdirSync(join(d, 'rules'));
  writeFileSync(join(d, 'rules', 'high.yml'), rule('0a1b2c3d-0000-4000-8000-00000000000a', 'high', 'powershell.exe'));
  writeFileSync(join(d, 'rules', 'medium.yml'), rule('0a1b2c3d-0000-4000-8000-00000000000b', 'medium', 'powershell.exe'));
  const system = Object.fromEntries(Array.from({ length: 12 }, (_, k) => [`SystemField${k}`, 'x'.repeat(30)]));
  const event = {
    ...system,
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 1,
    EventRecordID: 48213,
    Computer: 'WS-042.corp.example',
    TimeCreated_SystemTime: '2026-11-30T08:15:02.123Z',
    Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    CommandLine: 'powershell.exe -nop -enc SQBFAFgA',
  };
  writeFileSync(join(d, 'events.jsonl'), `${JSON.stringify(event)}\n`);
  return d;
}

describe('scan --reporter text: the evidence of a match', () => {
  it('shows the fields the rule reads, then EventRecordID, Computer, time and level', async () => {
    const d = fixture();
    const io = captureIo({ cwd: d });
    expect(await runCli(['scan', '--rules', 'rules', '--events', 'events.jsonl', '--reporter', 'text'], io)).toBe(0);
    const out = io.stdout();
    const block = out.slice(out.indexOf('Rule powershell.exe [0a1b2c3d-0000-4000-8000-00000000000a]'));
    expect(block.split('\n').slice(1, 8)).toEqual([
      '    events.jsonl:1 (event 0 of the file)',
      '      Image:                  C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      '      CommandLine:            powershell.exe -nop -enc SQBFAFgA',
      '      EventRecordID:          48213',
      '      Computer:               WS-042.corp.example',
      '      TimeCreated_SystemTime: 2026-11-30T08:15:02.123Z',
      '      level:                  high',
    ]);
    expect(out).not.toMatch(/SystemField/);
    expect(out).toMatch(/rules loaded in \d+\.\d\d s, then events matched in \d+\.\d\d s/);
  });

  it('--min-level high leaves the medium rule out and counts it', async () => {
    const d = fixture();
    const io = captureIo({ cwd: d });
    expect(await runCli(['scan', '--rules', 'rules', '--events', 'events.jsonl', '--reporter', 'text', '--min-level', 'high'], io)).toBe(0);
    expect(io.stdout()).toMatch(/1 rule, 1 below --min-level left out/);
    expect(io.stdout()).not.toMatch(/00000000000b\]/);
    expect(io.stdout()).toMatch(/1 match of 1 rule/);
  });

  it('--min-level high with a correlation: a lower rule it counts is still matched for it (alert), its own matches are not reported', async () => {
    const d = fixture();
    writeFileSync(
      join(d, 'rules', 'burst.yml'),
      'title: Encoded PowerShell burst\nid: 0a1b2c3d-0000-4000-8000-00000000000c\nlevel: high\ncorrelation:\n  type: event_count\n  rules: [0a1b2c3d-0000-4000-8000-00000000000b]\n  group-by: [Computer]\n  timespan: 5m\n  condition: {gte: 2}\n  generate: true\n',
    );
    const event = (t: string): string => `${JSON.stringify({ Computer: 'WS-042', TimeCreated_SystemTime: t, Image: 'C:\\x\\powershell.exe', CommandLine: 'powershell.exe -enc AAAA' })}\n`;
    writeFileSync(join(d, 'events.jsonl'), event('2026-11-30T08:15:00Z') + event('2026-11-30T08:16:00Z'));
    const io = captureIo({ cwd: d });
    expect(await runCli(['scan', '--rules', 'rules', '--events', 'events.jsonl', '--reporter', 'text', '--min-level', 'high'], io)).toBe(0);
    const out = io.stdout();
    expect(out).toMatch(/^ALERT Encoded PowerShell burst \[0a1b2c3d-0000-4000-8000-00000000000c\]/m);
    expect(out).toMatch(/1 below --min-level left out/);
    // The high rule's two matches are reported; the medium rule's are not.
    expect(out).not.toMatch(/^Rule powershell\.exe \[0a1b2c3d-0000-4000-8000-00000000000b\]/m);
    expect(out).toMatch(/2 matches of 1 rule/);
    expect(out).toMatch(/1 correlation alert of 1 correlation; 2 matches only counted by correlations/);
  });
});
