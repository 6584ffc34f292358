/** `sigmatest mutate`: usage errors, --min-score, the JSON shape, --shard, --save. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../main.js';
import { captureIo } from '../../../test/capture-io.js';

const dir = mkdtempSync(join(tmpdir(), 'sigmatest-mutate-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'rules'));
mkdirSync(join(dir, 'cases'));
writeFileSync(join(dir, '.git'), '');
writeFileSync(
  join(dir, 'rules', 'net.yml'),
  `title: Net user add
id: 3a9e5c1d-7b2f-4d6e-9a8c-0b1c2d3e4f50
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\\net.exe'
    CommandLine|contains|all: [' user ', '/add']
  condition: selection
`,
);
const CASES = join(dir, 'cases', 'net.yml');
writeFileSync(
  CASES,
  `rule: 3a9e5c1d-7b2f-4d6e-9a8c-0b1c2d3e4f50
cases:
  - name: adds a user
    expect: match
    event: {Image: 'C:\\Windows\\System32\\net.exe', CommandLine: 'net user eve P4ss /add'}
  - name: lists users
    expect: no-match
    event: {Image: 'C:\\Windows\\System32\\net.exe', CommandLine: 'net user'}
`,
);

async function mutate(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ cwd: dir });
  const code = await runCli(['mutate', ...argv], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('sigmatest mutate', () => {
  it('refuses a --min-score that is not a percentage (exit 2)', async () => {
    const r = await mutate('--min-score', 'lots');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--min-score takes a percentage from 0 to 100, not 'lots'/);
  });

  it('reports the JSON shape and fails below --min-score; passes at or under the score', async () => {
    const r = await mutate('--reporter', 'json', '--min-score', '100');
    const report = JSON.parse(r.out) as { rules: Array<{ id: string; path: string; score: number; mutants: Array<Record<string, unknown>> }>; summary: Record<string, number> };
    const rule = report.rules[0];
    expect(rule?.path).toBe('rules/net.yml');
    expect(Object.keys(rule?.mutants[0] ?? {})).toEqual(['operator', 'path', 'line', 'description', 'diff', 'status', 'killedBy', 'killer']);
    expect(Object.keys(report.summary)).toEqual(expect.arrayContaining(['mutants', 'killed', 'survived', 'equivalent', 'score']));
    // Nothing pins the backslash of '\\net.exe' (no case has 'xnet.exe'): a survivor, so below 100%.
    expect(rule?.mutants.some((m) => m['operator'] === 'path-backslash' && m['status'] === 'survived')).toBe(true);
    expect(r.code).toBe(1);
    const ok = await mutate('--reporter', 'json', '--min-score', String(rule?.score ?? 0));
    expect(ok.code).toBe(0);
  });

  it('--shard 2/2 of one rule mutates nothing (exit 1: no rule with a case file)', async () => {
    const r = await mutate('--shard', '2/2');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nothing to mutate/);
  });

  it('--save adds the killers as cases; the next run kills those mutants', async () => {
    const before = readFileSync(CASES, 'utf8');
    const r = await mutate('--save', '--reporter', 'json');
    expect(r.err).toMatch(/mutate: saved \d+ killer case\(s\) to cases\/net\.yml/);
    expect(readFileSync(CASES, 'utf8').startsWith(before)).toBe(true);
    const again = JSON.parse((await mutate('--reporter', 'json')).out) as { summary: { survived: number } };
    expect(again.summary.survived).toBe(0);
  });
});
