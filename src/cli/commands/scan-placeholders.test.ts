/**
 * `--placeholders skip` (config `unresolved_placeholders: skip`): a rule whose placeholders have
 * no values is skipped knowingly, counted and named in the summary, never counted as scanned;
 * without it the scan exits 1 with PLACEHOLDER_UNRESOLVED (issue 22: all of SigmaHQ exited 1 on
 * two rules needing %known_cdcs%).
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

function fixture(): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-placeholders-'));
  dirs.push(d);
  mkdirSync(join(d, 'rules'));
  writeFileSync(
    join(d, 'rules', 'cdc.yml'),
    "title: Needs known CDCs\nid: 0a1b2c3d-0000-4000-8000-000000000001\nlogsource: {product: windows, service: security}\ndetection:\n  sel:\n    EventID: 4624\n    WorkstationName|expand: '%known_cdcs%'\n  condition: sel\n",
  );
  writeFileSync(join(d, 'rules', 'plain.yml'), "title: Plain\nid: 0a1b2c3d-0000-4000-8000-000000000002\nlogsource: {product: windows, service: security}\ndetection:\n  sel:\n    EventID: 4624\n  condition: sel\n");
  writeFileSync(join(d, 'events.jsonl'), `${JSON.stringify({ Channel: 'Security', EventID: 4624, WorkstationName: 'DC1' })}\n`);
  return d;
}

async function scan(cwd: string, ...extra: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ cwd });
  const code = await runCli(['scan', '--rules', 'rules', '--events', 'events.jsonl', '--reporter', 'text', ...extra], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('scan --placeholders', () => {
  it('error (the default): the rule fails to load, exit 1', async () => {
    const d = fixture();
    const r = await scan(d);
    expect(r.err).toMatch(/PLACEHOLDER_UNRESOLVED/);
    expect(r.out).toMatch(/1 rule, 1 failed to load/);
    expect(r.code).toBe(1);
  });

  it('skip: the rule is counted and named as skipped, not scanned, and the scan passes (exit 0)', async () => {
    const d = fixture();
    const r = await scan(d, '--placeholders', 'skip');
    expect(r.out).toMatch(/1 rule, 1 skipped \(--placeholders skip\)/);
    expect(r.out).toMatch(/skipped: rules\/cdc\.yml \(Needs known CDCs\): placeholder %known_cdcs% without values/);
    expect(r.out).not.toMatch(/failed to load/);
    expect(r.err).toMatch(/warning RULE_SKIPPED/);
    expect(r.code).toBe(0);
    const json = captureIo({ cwd: d });
    expect(await runCli(['scan', '--rules', 'rules', '--events', 'events.jsonl', '--reporter', 'json', '--placeholders', 'skip'], json)).toBe(0);
    const summary = (JSON.parse(json.stdout()) as { summary: { rules: number; skipped: unknown[] } }).summary;
    expect(summary.rules).toBe(1);
    expect(summary.skipped).toEqual([{ path: 'rules/cdc.yml', title: 'Needs known CDCs', reason: 'placeholder %known_cdcs% without values' }]);
  });

  it('the config says the same (unresolved_placeholders: skip); the flag wins', async () => {
    const d = fixture();
    writeFileSync(join(d, 'sigmatest.config.yml'), 'unresolved_placeholders: skip\n');
    expect((await scan(d)).code).toBe(0);
    expect((await scan(d, '--placeholders', 'error')).code).toBe(1);
    writeFileSync(join(d, 'sigmatest.config.yml'), 'unresolved_placeholders: maybe\n');
    const bad = await scan(d);
    expect(bad.err).toMatch(/sigmatest\.config\.yml:1:26: error CONFIG_INVALID at unresolved_placeholders/);
    expect(bad.code).not.toBe(0);
  });
});
