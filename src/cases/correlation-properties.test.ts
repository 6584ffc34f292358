/** A correlation's case file with `properties:` is told it does not run them (CASE_PROPERTIES_UNSUPPORTED at the list), never silently ignored. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { captureIo } from '../../test/capture-io.js';

const RULES = `title: Whoami
id: 11111111-2222-4333-8444-555555555555
name: whoami_exec
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\whoami.exe'
    condition: sel
---
title: Whoami burst
id: 21111111-2222-4333-8444-555555555555
correlation:
    type: event_count
    rules: [whoami_exec]
    group-by: [Computer]
    timespan: 5m
    condition: {gte: 2}
`;
const CASES = `rule: 21111111-2222-4333-8444-555555555555
cases:
  - name: two on one host
    events:
      - {Image: 'C:\\\\w\\\\whoami.exe', Computer: pc1, timestamp: '2024-01-15T10:00:00Z'}
      - {Image: 'C:\\\\w\\\\whoami.exe', Computer: pc1, timestamp: '2024-01-15T10:01:00Z'}
    alerts: {exactly: 1}
`;
const PROPERTIES = `properties:
  - name: another program never counts
    event: {Image: {gen: path, name: notepad.exe}, Computer: pc1}
    expect: no-match
`;

async function run(caseText: string): Promise<{ code: number; out: string }> {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-corr-props-'));
  mkdirSync(join(d, 'rules'));
  mkdirSync(join(d, 'cases'));
  writeFileSync(join(d, 'rules', 'burst.yml'), RULES);
  writeFileSync(join(d, 'cases', 'burst.yml'), caseText);
  const io = captureIo({ cwd: d });
  const code = await runCli(['run', '--rules', 'rules', '--cases', 'cases'], io);
  return { code, out: io.stdout() + io.stderr() };
}

describe('properties on a correlation case file', () => {
  it('without properties the correlation case passes', async () => {
    const r = await run(CASES);
    expect(r.out).not.toContain('CASE_PROPERTIES_UNSUPPORTED');
    expect(r.out).toMatch(/Whoami burst.*1\/1 cases passed/);
  });
  it('with properties: an error at the properties list, and the run fails', async () => {
    const r = await run(CASES + PROPERTIES);
    expect(r.out).toMatch(/cases\/burst\.yml:9:5: error CASE_PROPERTIES_UNSUPPORTED at properties: 1 property on a case file of the correlation 'Whoami burst'/);
    expect(r.code).not.toBe(0);
  });
});
